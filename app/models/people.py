"""Units, users and their roles (DESIGN.md sections 1 and 6)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import Date, Enum, ForeignKey, Index, String, func
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from app.auth import passwords
from app.extensions import db
from app.labels import ROLES
from app.models.types import UTCDateTime, utcnow
from app.pinyin import initials, sort_key


class Role(StrEnum):
    CANDIDATE = "candidate"
    UNIT_ADMIN = "unit_admin"
    SYSTEM_ADMIN = "system_admin"


class Unit(db.Model):
    """An organ or department; units form a tree (a bureau and its divisions)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)

    parent: Mapped[Unit | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Unit]] = relationship(back_populates="parent")

    def subtree_ids(self) -> set[int]:
        """This unit and every unit below it: the scope of a unit admin."""
        ids, stack = set(), [self]
        while stack:
            unit = stack.pop()
            ids.add(unit.id)
            stack.extend(unit.children)
        return ids


class User(UserMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    # Kept by ``_name_in_pinyin`` whenever the name is set: list order and look-up by initials.
    name_pinyin: Mapped[str] = mapped_column(String(300), default="", index=True)
    name_initials: Mapped[str] = mapped_column(String(100), default="", index=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]),
        default=Role.CANDIDATE,
    )
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    # 拟任职务: the post a pre-appointment pass is taken for; certificates print it.
    position: Mapped[str | None] = mapped_column(String(100))
    current_position: Mapped[str | None] = mapped_column(String(100))  # 职务 held now
    employee_number: Mapped[str | None] = mapped_column(String(32), unique=True)  # 工号
    # 身份证号, checked with its GB 11643 check digit; shown only masked.
    id_number: Mapped[str | None] = mapped_column(String(18), unique=True)
    phone: Mapped[str | None] = mapped_column(String(11))
    birth_date: Mapped[date | None] = mapped_column(Date)
    must_change_password: Mapped[bool] = mapped_column(default=False)
    # Raised to end every session of this user (logout, password change, reset).
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    text_size: Mapped[int] = mapped_column(default=0, server_default="0")  # 大字: 0 A, 1 A+, 2 A++
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped[Unit | None] = relationship()

    @validates("name")
    def _name_in_pinyin(self, _key: str, name: str) -> str:
        self.name_pinyin, self.name_initials = sort_key(name or ""), initials(name or "")
        return name

    def set_password(self, password: str) -> None:
        self.password_hash = passwords.hash_password(password)

    def check_password(self, password: str) -> bool:
        """True for the right password; an outdated hash is replaced (commit follows)."""
        verdict = passwords.verify_password(self.password_hash, password)
        if verdict.ok and verdict.rehash:
            self.set_password(password)
        return verdict.ok

    @property
    def role_title(self) -> str:
        return ROLES[self.role.value]


# Usernames are unique whatever their case: `Admin` is `admin`.
Index("uq_user_username_lower", func.lower(User.username), unique=True)
