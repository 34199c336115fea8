"""Failed sign-ins are not kept for ever: the minute sweep forgets keys quiet for a day
whose block has run out, so guessing at random names cannot grow the table without end,
while a running block and recent failures still count."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from sqlalchemy import select, update

from app.extensions import db
from app.jobs.tasks import sweep_now
from app.models import LoginThrottle
from app.models.types import utcnow
from tests.auth import csrf_token


def _fail_login(app: Flask, address: str, username: str) -> None:
    client = app.test_client()
    token = csrf_token(client, "/login")
    client.post(
        "/login",
        data={"username": username, "password": "guess", "csrf_token": token},
        environ_base={"REMOTE_ADDR": address},
    )


def _keys() -> set[str]:
    return set(db.session.scalars(select(LoginThrottle.key)))


def _age(key_part: str, by: timedelta) -> None:
    db.session.execute(
        update(LoginThrottle)
        .where(LoginThrottle.key.contains(key_part))
        .values(last_failure_at=utcnow() - by)
    )
    db.session.commit()


def test_the_sweep_forgets_keys_quiet_for_a_day(app, ctx):
    _fail_login(app, "203.0.113.9", "nobody-1")
    _fail_login(app, "198.51.100.7", "nobody-2")
    _age("203.0.113.9", timedelta(days=1, minutes=1))
    sweep_now(utcnow(), timedelta(seconds=60))
    assert _keys() == {"addr:198.51.100.7", "login:nobody-2|198.51.100.7"}


def test_a_running_block_is_kept_however_old_the_last_try(app, ctx):
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        _fail_login(app, "203.0.113.9", "zhang")
    db.session.execute(
        update(LoginThrottle)
        .where(LoginThrottle.key.startswith("login:"))
        .values(blocked_until=utcnow() + timedelta(hours=1))
    )
    db.session.commit()
    _age("203.0.113.9", timedelta(days=2))
    sweep_now(utcnow(), timedelta(seconds=60))
    assert _keys() == {"login:zhang|203.0.113.9"}


def test_every_counted_try_stamps_its_key(app, ctx):
    before = utcnow()
    _fail_login(app, "203.0.113.9", "zhang")
    stamps = db.session.scalars(select(LoginThrottle.last_failure_at)).all()
    assert len(stamps) == 2 and all(stamp >= before for stamp in stamps)
