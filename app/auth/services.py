"""Authentication with throttling of repeated failures."""

from __future__ import annotations

from datetime import timedelta
from enum import Enum

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.models import User
from app.models.audit import record
from app.models.types import utcnow


class LoginOutcome(Enum):
    OK = "ok"
    WRONG = "wrong"
    LOCKED = "locked"


def authenticate(username: str, password: str) -> tuple[LoginOutcome, User | None]:
    """Check a password; after too many failures the account waits, whatever is typed."""
    user = db.session.scalar(select(User).where(User.username == username.strip()))
    if user is None:
        return LoginOutcome.WRONG, None
    now = utcnow()
    if user.locked_until and user.locked_until > now:
        return LoginOutcome.LOCKED, user
    if not user.check_password(password):
        user.failed_logins += 1
        if user.failed_logins >= current_app.config["LOGIN_MAX_FAILURES"]:
            user.locked_until = now + timedelta(seconds=current_app.config["LOGIN_LOCK_SECONDS"])
            user.failed_logins = 0
        db.session.commit()
        return LoginOutcome.WRONG, None
    user.failed_logins = 0
    user.locked_until = None
    db.session.commit()
    return LoginOutcome.OK, user


def change_password(user: User, new_password: str) -> None:
    user.set_password(new_password)
    user.must_change_password = False
    db.session.commit()


def record_login(outcome: LoginOutcome, typed: str, user: User | None, address: str | None) -> None:
    """Every login and failed login goes to the audit log, with the name as typed."""
    if outcome is LoginOutcome.OK:
        record(user, "auth.login", user.username, address=address)
    else:
        record(None, "auth.login_failed", typed.strip()[:200], address=address,
               locked=outcome is LoginOutcome.LOCKED)  # fmt: skip
    db.session.commit()
