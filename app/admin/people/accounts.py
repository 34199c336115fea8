"""Creating the new rows of an import as candidate accounts, each with a one-time
initial password that must be changed at first login."""

from __future__ import annotations

import secrets

from werkzeug.security import generate_password_hash

from app.admin.people.importing import Candidate
from app.extensions import db
from app.models import Role, User

PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
# An initial password is random (12 of 55 characters, about 69 bits) and replaced at
# first login, so a light hash is safe and keeps importing thousands of rows quick.
INITIAL_HASH = "pbkdf2:sha256:2000"


def new_password() -> str:
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(12))


def add_candidates(candidates: list[Candidate]) -> list[tuple[User, str]]:
    """Add each checked row as a candidate who must change the password (not committed)."""
    created = []
    for c in candidates:
        password = new_password()
        user = User(
            username=c.username, name=c.name, role=Role.CANDIDATE, unit_id=c.unit_id,
            employee_number=c.employee_number, id_number=c.id_number, phone=c.phone,
            current_position=c.current_position, position=c.position, birth_date=c.birth_date,
            password_hash=generate_password_hash(password, method=INITIAL_HASH),
            must_change_password=True,
        )  # fmt: skip
        db.session.add(user)
        created.append((user, password))
    return created
