"""Throttling of password guesses, shared by every worker through the database.

Each guess first *claims* a try for its keys, atomically: an ``UPDATE ... WHERE not
blocked RETURNING failures`` counts it before the password is checked, so concurrent
guesses can never outnumber the limit. From the limit on, every further failure blocks
the key for twice as long as the one before. Keys pair the account with the client
address, so a guesser elsewhere cannot lock the owner out; an address alone has a
larger limit against one address trying many accounts. A success clears its key.

An address's key is one row that every sign-in from it writes twice (a whole office
behind one address signs in before a session). Written inside a transaction, its row
stayed locked until the commit, across the account key's statements, and every other
sign-in of the office queued behind it (10-26 ms a statement on PostgreSQL at a
1,500-candidate login window, most of it waiting on that lock). So a try is counted
by one statement that commits as it runs while the key is well below its limit; near
the limit, where the count decides a block, the claim takes the row for its
transaction as before.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import ColumnElement, delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.database import autocommit_connection
from app.extensions import db
from app.models import LoginThrottle
from app.models.types import utcnow

MAX_BLOCK = timedelta(days=1)
# A key with no try for this long (and no block running) is deleted by the sweep, so
# guesses at random names cannot grow the table without end.
FORGET_AFTER = MAX_BLOCK


@dataclass(frozen=True)
class Limit:
    key: str
    max_failures: int


class Blocked(Exception):
    """Too many failures: try again after ``wait``."""

    def __init__(self, wait: timedelta) -> None:
        super().__init__(wait)
        self.wait = wait

    def message(self) -> str:
        return f"尝试次数过多，请{wait_in_words(self.wait)}后再试。"


def wait_in_words(wait: timedelta) -> str:
    seconds = max(1, math.ceil(wait.total_seconds()))
    minutes, seconds = divmod(seconds, 60)
    if minutes and seconds:
        return f" {minutes} 分 {seconds} 秒"
    return f" {minutes} 分钟" if minutes else f" {seconds} 秒"


def login_limits(username: str, address: str | None) -> list[Limit]:
    config = current_app.config
    address = address or "unknown"
    account = username.strip().casefold()[:120]
    return [
        Limit(f"addr:{address}", config["LOGIN_ADDRESS_MAX_FAILURES"]),
        Limit(f"login:{account}|{address}", config["LOGIN_MAX_FAILURES"]),
    ]


def _block_for(failures: int, max_failures: int) -> timedelta | None:
    """None below the limit; from it on, the lock time doubling with each failure."""
    if failures < max_failures:
        return None
    base = timedelta(seconds=current_app.config["LOGIN_LOCK_SECONDS"])
    return min(base * 2 ** min(failures - max_failures, 20), MAX_BLOCK)


def _not_blocked(now: datetime) -> ColumnElement[bool]:
    return (LoginThrottle.blocked_until.is_(None)) | (LoginThrottle.blocked_until <= now)


def _counted_below_limit(limit: Limit, now: datetime) -> bool:
    """Count the try in one self-committing statement if the key exists, is not blocked
    and stays below its limit with it (no block to decide); False otherwise."""
    with autocommit_connection() as connection:
        counted = connection.scalar(
            update(LoginThrottle)
            .where(
                LoginThrottle.key == limit.key,
                LoginThrottle.failures + 1 < limit.max_failures,
                _not_blocked(now),
            )
            .values(failures=LoginThrottle.failures + 1, last_failure_at=now)
            .returning(LoginThrottle.failures)
        )
    return counted is not None


def _claim_one(limit: Limit, now: datetime) -> None:
    """Count the try or raise Blocked (committed either way)."""
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    db.session.execute(
        insert(LoginThrottle).values(key=limit.key, failures=0).on_conflict_do_nothing()
    )
    failures = db.session.scalar(
        update(LoginThrottle)
        .where(LoginThrottle.key == limit.key, _not_blocked(now))
        .values(failures=LoginThrottle.failures + 1, last_failure_at=now)
        .returning(LoginThrottle.failures)
    )
    if failures is None:
        blocked_until = db.session.scalar(
            select(LoginThrottle.blocked_until).where(LoginThrottle.key == limit.key)
        )
        db.session.commit()
        raise Blocked(blocked_until - now)
    block = _block_for(failures, limit.max_failures)
    if block is not None:
        db.session.execute(
            update(LoginThrottle)
            .where(LoginThrottle.key == limit.key)
            .values(blocked_until=now + block)
        )
    db.session.commit()


def claim(limits: list[Limit]) -> None:
    """Count one try for every key, or raise Blocked; committed before any hashing,
    so no write transaction waits on the password check."""
    db.session.commit()  # end any read transaction: SQLite cannot upgrade a stale one
    now = utcnow()
    *shared, own = limits
    for limit in shared:
        if not _counted_below_limit(limit, now):
            _claim_one(limit, now)
    _claim_one(own, now)


def succeeded(limits: list[Limit]) -> None:
    """The right password: its account key starts over; an address keeps its other
    failures, less this try (a whole office may sign in from one address)."""
    *shared, own = limits
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.key == own.key))
    db.session.commit()
    for limit in shared:  # a statement each, committed as it runs: see the module's note
        with autocommit_connection() as connection:
            connection.execute(
                update(LoginThrottle)
                .where(LoginThrottle.key == limit.key, LoginThrottle.failures > 0)
                .values(failures=LoginThrottle.failures - 1)
            )


def forget_account(username: str) -> None:
    """An admin's reset lets the owner try again at once from every address."""
    account = username.strip().casefold()[:120]
    like = "login:" + account.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    db.session.execute(
        delete(LoginThrottle).where(LoginThrottle.key.like(like + "|%", escape="\\"))
    )


def prune(now: datetime) -> int:
    """Delete keys quiet for ``FORGET_AFTER`` whose block, if any, has run out."""
    quiet = (LoginThrottle.last_failure_at.is_(None)) | (
        LoginThrottle.last_failure_at < now - FORGET_AFTER
    )
    unblocked = (LoginThrottle.blocked_until.is_(None)) | (LoginThrottle.blocked_until <= now)
    # Read first: on SQLite a DELETE takes the write lock even when nothing matches.
    if not db.session.scalar(select(LoginThrottle.key).where(quiet, unblocked).limit(1)):
        db.session.rollback()
        return 0
    deleted = db.session.execute(delete(LoginThrottle).where(quiet, unblocked)).rowcount
    db.session.commit()
    return deleted
