"""Engine settings that the URL alone cannot carry."""

from sqlalchemy import Engine, event


def enable_sqlite_pragmas(engine: Engine) -> None:
    """WAL lets readers and one writer work at once; SQLite leaves foreign keys off by default."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
