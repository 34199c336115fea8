"""Question banks: the YAML format, its validation, paper assembly and scoring.

Plain Python with no Flask and no database: data in, data out.
"""
