"""Creating the checked rows of an import as candidate accounts, all or nothing, each
with a one-time initial password that must be changed at first login."""

from __future__ import annotations

import secrets

from sqlalchemy.exc import IntegrityError
from werkzeug.security import generate_password_hash

from app.admin.people.importing import Check
from app.extensions import db
from app.models import Role, User
from app.models.audit import record

PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
# An initial password is random (12 of 55 characters, about 69 bits) and replaced at
# first login, so a light hash is safe and keeps importing thousands of rows quick.
INITIAL_HASH = "pbkdf2:sha256:2000"


class ImportClash(RuntimeError):
    """Someone else created some of these people while this import ran; message for the admin."""


def new_password() -> str:
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(12))


def create_candidates(check: Check, actor: User, filename: str) -> list[tuple[User, str]]:
    """Create every checked row as a candidate who must change the password; audited."""
    created = []
    for c in check.candidates:
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
    record(actor, "people.import", filename, created=len(created), rows=len(check.candidates))
    try:
        db.session.commit()
    except IntegrityError:  # the same file confirmed twice at once: the other one won
        db.session.rollback()
        raise ImportClash(
            "导入未执行：这些人员刚刚已由另一次确认导入（同一文件可能被确认了两次），"
            "或其中有人刚被别人添加。请到人员列表查看；如还需补充，请重新上传文件。"
        ) from None
    return created
