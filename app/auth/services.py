"""Signing in and changing passwords, throttled so that guessing does not pay."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import func, select

from app.auth import passwords, throttle
from app.auth.login_session import end_sessions
from app.extensions import db
from app.models import User
from app.models.audit import record
from app.refusal import Refused

WRONG_LOGIN = "用户名或密码不正确。"


class LoginRefused(Refused):
    """Sign-in refused; ``message`` says so in words that tell nothing about the account."""


def find_user(username: str) -> User | None:
    """Usernames compare without regard to case: `Admin` finds `admin`."""
    typed = username.strip()
    return db.session.scalar(select(User).where(func.lower(User.username) == func.lower(typed)))


def authenticate(username: str, password: str, address: str | None) -> User:
    """The user, or LoginRefused with one wording whether or not the username exists;
    an unknown username costs one hash check too, so timing does not tell either."""
    limits = throttle.login_limits(username, address)
    try:
        throttle.claim(limits)
    except throttle.Blocked as exc:
        _refused(username, address, locked=True)
        raise LoginRefused(exc.message()) from None
    user = find_user(username)
    _end_read(user)
    if user is None:
        passwords.verify_nothing(password)
        _refused(username, address)
        raise LoginRefused(WRONG_LOGIN)
    if not user.check_password(password):
        _refused(username, address)
        raise LoginRefused(WRONG_LOGIN)
    db.session.add(user)  # back, as read: a re-hashed password is written with the audit
    record(user, "auth.login", user.username, address=address)
    db.session.commit()  # the audit entry and any re-hashed password
    throttle.succeeded(limits)
    return user


def _end_read(user: User | None) -> None:
    """End the user's read before the password's hash is checked (a tenth of a second or
    more): on PostgreSQL an open transaction holds back the cleanup of old row versions,
    and a session's sign-ins, twenty a second, would hold it back all the time. The user
    is kept as read (detached, so the rollback does not expire it)."""
    if user is not None:
        db.session.expunge(user)
    db.session.rollback()


def check_current_password(user: User, password: str) -> str | None:
    """An error message, or None when right; guesses are throttled per account."""
    limits = [throttle.Limit(f"password:{user.id}", current_app.config["LOGIN_MAX_FAILURES"])]
    try:
        throttle.claim(limits)
    except throttle.Blocked as exc:
        return exc.message()
    if not user.check_password(password):
        return "当前密码不正确"
    throttle.succeeded(limits)
    return None


def change_password(user: User, new_password: str) -> None:
    """A new password ends every other session of the user (the caller starts a new one)."""
    user.set_password(new_password)
    user.must_change_password = False
    end_sessions(user)
    record(user, "auth.password_change", user.username)
    db.session.commit()


def _refused(typed: str, address: str | None, locked: bool = False) -> None:
    """Every failed login goes to the audit log, with the name as typed."""
    record(None, "auth.login_failed", typed.strip()[:200], address=address, locked=locked)
    db.session.commit()
