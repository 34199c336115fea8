"""Factories every test may use: people with a password (hashed once per password)."""

from __future__ import annotations

from functools import lru_cache

from app.auth.passwords import hash_password
from app.extensions import db
from app.models import Role, Unit, User


@lru_cache
def _password_hash(password: str) -> str:
    """Hashed once per password: argon2id is slow on purpose, and tests make many users."""
    return hash_password(password)


def make_user(
    username: str = "candidate",
    password: str = "correct-horse-1",
    role: Role = Role.CANDIDATE,
    unit: Unit | None = None,
    **fields,
) -> User:
    user = User(
        username=username, name=fields.pop("name", username), role=role, unit=unit,
        password_hash=_password_hash(password), **fields,
    )  # fmt: skip
    db.session.add(user)
    db.session.commit()
    return user
