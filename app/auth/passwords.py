"""Password hashing: argon2id at OWASP's minimum (19 MiB, 2 passes, 1 lane).

Older hashes (werkzeug's scrypt, and the cheap PBKDF2 of bulk-imported initial
passwords) still verify; a successful login re-hashes them with argon2id.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from werkzeug.security import check_password_hash

HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
ARGON2_PREFIX = "$argon2"


@dataclass(frozen=True)
class PasswordCheck:
    ok: bool
    rehash: bool = False


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def verify_password(stored: str, password: str) -> PasswordCheck:
    """Whether the password matches, and whether its hash should be renewed."""
    if not stored.startswith(ARGON2_PREFIX):
        ok = check_password_hash(stored, password)
        # A cheap initial-password hash must not make imported accounts quicker to
        # check than unknown usernames: pay an argon2id check as well.
        _check_dummy(password)
        return PasswordCheck(ok, rehash=True)
    try:
        HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return PasswordCheck(False)
    return PasswordCheck(True, rehash=HASHER.check_needs_rehash(stored))


@cache
def _dummy_hash() -> str:
    return hash_password("no such account")


def _check_dummy(password: str) -> None:
    with suppress(VerificationError):
        HASHER.verify(_dummy_hash(), password)


def verify_nothing(password: str) -> None:
    """Costs what checking a real account's password costs, for unknown usernames."""
    verify_password(_dummy_hash(), password)
