"""Units, users and their roles (DESIGN.md sections 1 and 6)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import Date, Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates
from werkzeug.security import check_password_hash, generate_password_hash

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
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped[Unit | None] = relationship()

    @validates("name")
    def _name_in_pinyin(self, _key: str, name: str) -> str:
        self.name_pinyin, self.name_initials = sort_key(name or ""), initials(name or "")
        return name

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def role_title(self) -> str:
        return ROLES[self.role.value]
