"""Tests of the people area (人员与单位)."""
