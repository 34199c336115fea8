"""The SQL a request sends, as tests see it: what each request asks of the database is
what it costs under a crowd (issue 12)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from app.extensions import db


@contextmanager
def statements(*, marking_autocommit: bool = False) -> Iterator[list]:
    """The SQL the app runs meanwhile, with "COMMIT" where a transaction commits; with
    ``marking_autocommit`` each as a pair, the SQL and whether its connection was in
    autocommit (a COMMIT's is False)."""
    seen: list = []

    def mark(sql: str, autocommit: bool) -> str | tuple[str, bool]:
        return (sql, autocommit) if marking_autocommit else sql

    def executed(conn, _cursor, statement, *_args) -> None:
        autocommit = conn.get_execution_options().get("isolation_level") == "AUTOCOMMIT"
        seen.append(mark(" ".join(statement.split()), autocommit))

    def committed(_conn) -> None:
        seen.append(mark("COMMIT", False))

    event.listen(db.engine, "before_cursor_execute", executed)
    event.listen(db.engine, "commit", committed)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", executed)
        event.remove(db.engine, "commit", committed)
