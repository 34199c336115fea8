"""The database pool holds a connection for each thread of a web process (issue 12): past
its size each use opens and closes a connection, on PostgreSQL a server process."""

from __future__ import annotations

import config


def test_on_postgresql_the_pool_holds_a_connection_for_each_web_thread(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:p@db/exam")
    monkeypatch.setenv("WEB_THREADS", "8")
    assert config.load(tmp_path)["SQLALCHEMY_ENGINE_OPTIONS"]["pool_size"] == 8
    monkeypatch.setenv("WEB_THREADS", "2")  # never fewer than SQLAlchemy's default
    assert config.load(tmp_path)["SQLALCHEMY_ENGINE_OPTIONS"]["pool_size"] == 5


def test_sqlite_keeps_sqlalchemy_s_pool(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("WEB_THREADS", "8")
    assert config.load(tmp_path)["SQLALCHEMY_ENGINE_OPTIONS"] == {}
