"""Taking tests: exams, sessions, attempts, scoring and results."""
