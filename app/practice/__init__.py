"""Practice (测试促学) and the wrong-answer notebook (错题本)."""
