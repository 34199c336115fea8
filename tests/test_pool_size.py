"""The database pool (config.engine_options; issue 12): a connection for each thread of a
web process, since past its size each use opens and closes a connection (on PostgreSQL a
server process), and the connection given back last handed out first, so that under a
light load the same few are used and not pinged (app.database.ping_when_idle)."""

from __future__ import annotations

import pytest

import config


def test_on_postgresql_the_pool_holds_a_connection_for_each_web_thread(monkeypatch):
    monkeypatch.delenv("WEB_THREADS", raising=False)  # 8 threads by default there
    assert config.engine_options("postgresql+psycopg://u:p@db/exam")["pool_size"] == 8
    monkeypatch.setenv("WEB_THREADS", "12")
    assert config.engine_options("postgresql+psycopg://u:p@db/exam")["pool_size"] == 12
    monkeypatch.setenv("WEB_THREADS", "2")  # never fewer than SQLAlchemy's default
    assert config.engine_options("postgresql+psycopg://u:p@db/exam")["pool_size"] == 5


@pytest.mark.parametrize("url", ["postgresql+psycopg://u:p@db/exam", "sqlite:////srv/app.db"])
def test_the_connection_given_back_last_is_handed_out_first(url):
    assert config.engine_options(url)["pool_use_lifo"] is True


def test_an_in_memory_sqlite_database_has_no_pool_to_set():
    assert config.engine_options("sqlite://") == {}


def test_the_app_s_engine_takes_the_options_for_its_own_database(app):
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"] == config.engine_options(
        app.config["SQLALCHEMY_DATABASE_URI"]
    )
