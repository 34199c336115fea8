"""Password hashing: argon2id at OWASP's minimum (19 MiB, 2 passes, 1 lane).

Older hashes (werkzeug's scrypt, and the cheap PBKDF2 of bulk-imported initial
passwords) still verify; a successful login re-hashes them with argon2id.
"""

from __future__ import annotations

from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from werkzeug.security import check_password_hash

HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
ARGON2_PREFIX = "$argon2"


@dataclass(frozen=True)
class Verdict:
    ok: bool
    rehash: bool = False


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def verify_password(stored: str, password: str) -> Verdict:
    """Whether the password matches, and whether its hash should be renewed."""
    if not stored.startswith(ARGON2_PREFIX):
        return Verdict(check_password_hash(stored, password), rehash=True)
    try:
        HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return Verdict(False)
    return Verdict(True, rehash=HASHER.check_needs_rehash(stored))


_DUMMY_HASH: list[str] = []


def verify_nothing(password: str) -> None:
    """Costs what checking a real account's password costs, for unknown usernames."""
    if not _DUMMY_HASH:
        _DUMMY_HASH.append(hash_password("no such account"))
    verify_password(_DUMMY_HASH[0], password)
