"""Question banks in the database: immutable versions over question revisions.

A question keeps its id across versions; a changed question is a new revision; a
question missing from a newer version is retired (it stays in the older versions).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, Text, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime, utcnow


class Bank(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    versions: Mapped[list[BankVersion]] = relationship(
        back_populates="bank", order_by="BankVersion.number"
    )


class BankVersion(db.Model):
    """A published state of a bank; never changed after it is written."""

    __table_args__ = (UniqueConstraint("bank_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("bank.id"), index=True)
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    topics: Mapped[dict[str, str]] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(64))
    # False: exam-only (``practice: false`` in the bank file); never practised.
    practice: Mapped[bool] = mapped_column(default=True, server_default=true())
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    note: Mapped[str | None] = mapped_column(Text)
    # The file this version was published from, byte for byte (comments and layout
    # included), so that downloading the version gives it back as written; None for a
    # version whose source could not be kept (then its YAML is written from the content).
    source_name: Mapped[str | None] = mapped_column(String(200))
    source_data: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)

    bank: Mapped[Bank] = relationship(back_populates="versions")
    items: Mapped[list[BankVersionItem]] = relationship(
        order_by="BankVersionItem.position", cascade="all, delete-orphan"
    )


class QuestionRevision(db.Model):
    """One content of one question; shared by every version in which it is unchanged."""

    __table_args__ = (UniqueConstraint("bank_id", "question_key", "revision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("bank.id"), index=True)
    question_key: Mapped[str] = mapped_column(String(64))
    revision: Mapped[int]
    content_hash: Mapped[str] = mapped_column(String(64))
    topic: Mapped[str] = mapped_column(String(64))
    type: Mapped[str] = mapped_column(String(16))
    difficulty: Mapped[int]
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class BankVersionItem(db.Model):
    """Membership of a question revision in a bank version, in file order."""

    bank_version_id: Mapped[int] = mapped_column(ForeignKey("bank_version.id"), primary_key=True)
    question_revision_id: Mapped[int] = mapped_column(
        ForeignKey("question_revision.id"), primary_key=True, index=True
    )
    position: Mapped[int]

    revision: Mapped[QuestionRevision] = relationship()
