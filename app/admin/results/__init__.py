"""Results (成绩): per session and per unit, one attempt in full, exports, re-scores after a
corrected key, item statistics and the dashboard."""
