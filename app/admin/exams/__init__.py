"""Exams (试卷规则) and sessions (考试场次): system admins define them, open, close and
extend sessions, and give a candidate extra time or a fresh attempt."""
