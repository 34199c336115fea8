"""Question banks in the browser: list, preview, edit, upload, publish, history (system admin)."""
