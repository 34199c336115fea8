"""Sittings (考试场次): system admins create, open, close and extend them, and give a
candidate extra time or a fresh attempt."""
