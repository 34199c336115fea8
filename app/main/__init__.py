"""The home page: each role's starting point."""
