"""Certification domain: rules, certificate numbers, PDF rendering and signing (no Flask)."""
