"""Exams (试卷规则) and sittings (考试场次): system admins define them, open, close and
extend sittings, and give a candidate extra time or a fresh attempt."""
