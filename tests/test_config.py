"""Settings: safe defaults, a secret key kept once generated, PostgreSQL by URL."""

from __future__ import annotations

import re

import pytest

import config


def test_secret_key_is_generated_once_and_kept(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = config.load(tmp_path)["SECRET_KEY"]
    second = config.load(tmp_path)["SECRET_KEY"]
    assert first == second and len(first) == 64
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_database_defaults_to_sqlite_in_instance(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert config.load(tmp_path)["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'app.db'}"


def test_database_url_switches_to_postgresql_with_psycopg(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db/exam")
    assert config.load(tmp_path)["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@db/exam"


@pytest.mark.parametrize(
    "url",
    ["postgres://u:p@db/exam", "postgresql://u:p@db/exam", "postgresql+psycopg://u:p@db/exam"],
)
def test_the_job_queue_follows_the_database_to_postgresql_whatever_its_scheme(
    tmp_path, monkeypatch, url
):
    """Every scheme the database accepts: a queue left in a local SQLite file would be one
    queue per host, and the hosts' workers would not share the work."""
    monkeypatch.delenv("JOB_QUEUE_URL", raising=False)
    monkeypatch.setenv("DATABASE_URL", url)
    assert config.load(tmp_path)["JOB_QUEUE_URL"] == url


def test_sqlite_runs_with_wal_and_foreign_keys(app):
    from app.extensions import db

    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite pragmas; this run is on PostgreSQL")
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_forwarded_addresses_are_trusted_only_when_proxies_are_configured():
    from flask import request

    from app import create_app

    seen = []
    for proxies in (0, 1):
        app = create_app({"TRUSTED_PROXIES": proxies, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
        app.add_url_rule("/ip", "ip", lambda: seen.append(request.remote_addr) or "")
        app.test_client().get("/ip", headers={"X-Forwarded-For": "203.0.113.9"})
    assert seen == ["127.0.0.1", "203.0.113.9"]


@pytest.mark.parametrize("value", ["0", "-400"])
def test_a_pace_of_keys_that_is_not_positive_is_refused_by_name(tmp_path, monkeypatch, value):
    """The spread at the open divides by it: every candidate entering would fail instead."""
    monkeypatch.setenv("PAPER_KEYS_PER_SECOND", value)
    with pytest.raises(ValueError, match="PAPER_KEYS_PER_SECOND 须为正整数"):
        config.load(tmp_path)


@pytest.mark.parametrize(
    ("name", "value", "said"),
    [
        ("JOB_WORKERS", "0", "JOB_WORKERS 须为正整数（现为 0）"),  # no job would ever run
        ("LOGIN_MAX_FAILURES", "0", "LOGIN_MAX_FAILURES 须为正整数"),  # every login locked
        ("VERIFY_LOOKUPS_PER_MINUTE", "-5", "VERIFY_LOOKUPS_PER_MINUTE 须为正整数"),
        ("SESSION_IDLE_MINUTES", "0", "SESSION_IDLE_MINUTES 须为正整数"),
        ("TRUSTED_PROXIES", "-1", "TRUSTED_PROXIES 须为非负整数（现为 -1）"),
        ("ANSWER_GRACE_SECONDS", "-30", "ANSWER_GRACE_SECONDS 须为非负整数"),
        ("MAX_UPLOAD_BYTES", "25MB", "MAX_UPLOAD_BYTES 须为整数（现为 '25MB'）"),
        ("JOB_WORKERS", "2.5", "JOB_WORKERS 须为整数"),
        # Written as the job processes' group's nice, refused past 19: they ran at the web's.
        ("JOB_NICE", "25", "JOB_NICE 不能大于 19（现为 25）"),
        # A close's waits divide by it: every waiting page would fail instead.
        ("RESULTS_PER_SECOND", "0", "RESULTS_PER_SECOND 须为正整数（现为 0）"),
    ],
)
def test_a_count_that_cannot_work_is_refused_at_start_by_name(
    tmp_path, monkeypatch, name, value, said
):
    """Before, ``int()`` failed in English (or a zero started an app failing every login,
    every job or every verification): the operator reads which setting and why."""
    monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match=re.escape(said)):
        config.load(tmp_path)


def test_counts_take_zero_where_it_means_none_and_empty_as_unset(tmp_path, monkeypatch):
    monkeypatch.setenv("TRUSTED_PROXIES", "0")
    monkeypatch.setenv("ANSWER_GRACE_SECONDS", "0")
    monkeypatch.setenv("JOB_NICE", "0")
    monkeypatch.setenv("JOB_WORKERS", " 3 ")
    monkeypatch.setenv("LOGIN_MAX_FAILURES", "")
    loaded = config.load(tmp_path)
    assert (loaded["TRUSTED_PROXIES"], loaded["ANSWER_GRACE_SECONDS"], loaded["JOB_NICE"]) == (
        0, 0, 0,
    )  # fmt: skip
    assert (loaded["JOB_WORKERS"], loaded["LOGIN_MAX_FAILURES"]) == (3, 5)


def test_the_pace_of_keys_is_read_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("PAPER_KEYS_PER_SECOND", "1200")
    assert config.load(tmp_path)["PAPER_KEYS_PER_SECOND"] == 1200
