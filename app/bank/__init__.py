"""Question banks in the web layer: storing versions, the bank CLI."""
