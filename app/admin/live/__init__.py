"""The live view of a session (考试场次实时情况): who is registered, who is answering, how far
they are, who has handed in; for system admins and, within their units, unit admins."""
