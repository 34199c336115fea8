"""Upgrading a live database whose usernames differ only by case stops with the names
to fix, instead of a bare unique-index error halfway through."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from app import create_app

BEFORE_CASE_INSENSITIVE = "9b1e7c4d2a60"


def test_case_duplicate_usernames_are_named_before_the_unique_index(app, tmp_path, capfd):
    """Uses ``app`` so that the queue is pointed back at it afterwards (see conftest)."""
    url = f"sqlite:///{tmp_path / 'live.db'}"
    with create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url}).app_context():
        upgrade(revision=BEFORE_CASE_INSENSITIVE)
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            for name in ("ZhangWei", "zhangwei", "lifang"):
                conn.execute(
                    sa.text(
                        'INSERT INTO "user" (username, name, password_hash, role,'
                        " must_change_password, failed_logins, created_at)"
                        " VALUES (:u, '张伟', 'x', 'candidate', 0, 0, '2026-01-01')"
                    ),
                    {"u": name},
                )
        engine.dispose()
        with pytest.raises(SystemExit):
            upgrade()
    said = capfd.readouterr().err
    assert "仅大小写不同" in said and "ZhangWei / zhangwei" in said
    assert "lifang" not in said
