"""Exams (试卷规则) and sittings (考试场次) in the database."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.bank import Bank, BankVersion
from app.models.people import Unit, User
from app.models.types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from app.models.attempt import Attempt


class Exam(db.Model):
    """An exam definition; its YAML source is kept as written and parsed where needed."""

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    bank_id: Mapped[int] = mapped_column(ForeignKey("bank.id"))
    source: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    bank: Mapped[Bank] = relationship()


class Sitting(db.Model):
    """An exam opened between two times to named candidates and whole units."""

    __tablename__ = "exam_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exam.id"), index=True)
    bank_version_id: Mapped[int] = mapped_column(ForeignKey("bank_version.id"))
    title: Mapped[str] = mapped_column(String(200))
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    access_code: Mapped[str | None] = mapped_column(String(32))
    max_attempts: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    exam: Mapped[Exam] = relationship()
    bank_version: Mapped[BankVersion] = relationship()
    candidates: Mapped[list[User]] = relationship(secondary="session_candidate")
    units: Mapped[list[Unit]] = relationship(secondary="session_unit")

    def state(self, now: datetime) -> str:
        if now < self.opens_at:
            return "upcoming"
        return "open" if now < self.closes_at else "closed"


class SittingCandidate(db.Model):
    __tablename__ = "session_candidate"

    sitting_id: Mapped[int] = mapped_column(
        "session_id", ForeignKey("exam_session.id"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), primary_key=True, index=True)


class SittingUnit(db.Model):
    """A whole unit registered to a sitting: its members and those of its sub-units."""

    __tablename__ = "session_unit"

    sitting_id: Mapped[int] = mapped_column(
        "session_id", ForeignKey("exam_session.id"), primary_key=True
    )
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), primary_key=True, index=True)


class SittingGrant(db.Model):
    """An admin's adjustment for one candidate in one sitting: extra attempts beyond the
    sitting's limit and/or extra minutes.

    Extra minutes belong to one attempt: the one in progress when granted, or else the
    next one the candidate starts (``attempt_id`` is set then). ``beyond_close`` lets
    those minutes run past the sitting's closing time.
    """

    __tablename__ = "session_grant"

    id: Mapped[int] = mapped_column(primary_key=True)
    sitting_id: Mapped[int] = mapped_column("session_id", ForeignKey("exam_session.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    attempt_id: Mapped[int | None] = mapped_column(ForeignKey("attempt.id"), index=True)
    extra_attempts: Mapped[int] = mapped_column(default=0)
    extra_minutes: Mapped[int] = mapped_column(default=0)
    beyond_close: Mapped[bool] = mapped_column(default=False)
    reason: Mapped[str] = mapped_column(String(200))
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    attempt: Mapped[Attempt | None] = relationship()
    granted_by: Mapped[User | None] = relationship(foreign_keys=[granted_by_id])
