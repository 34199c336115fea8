"""Practice (测试促学) and the wrong-answer notebook (错题本).

A practice run pins its seed, bank version and question revisions like an attempt,
so it can be resumed on any app server and shown again after the bank changes; it
counts toward nothing. The notebook keeps one row per user and question id: a
question answered right again is marked cleared, not deleted, so its history stays.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.bank import Bank, BankVersion, QuestionRevision
from app.models.exam import Sitting
from app.models.types import UTCDateTime, utcnow

FROM_TOPICS = "topics"
FROM_NOTEBOOK = "notebook"


class PracticeRun(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("bank.id"))
    bank_version_id: Mapped[int] = mapped_column(ForeignKey("bank_version.id"))
    seed: Mapped[int] = mapped_column(BigInteger)
    origin: Mapped[str] = mapped_column(String(16), default=FROM_TOPICS)
    # What the candidate asked for, kept to describe the run (and to redo it).
    topics: Mapped[list[str]] = mapped_column(JSON)
    types: Mapped[list[str]] = mapped_column(JSON)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    bank: Mapped[Bank] = relationship()
    bank_version: Mapped[BankVersion] = relationship()
    items: Mapped[list[PracticeItem]] = relationship(
        order_by="PracticeItem.position", back_populates="run", cascade="all, delete-orphan"
    )

    # Derived, not stored: answers to different items may commit in any order.
    @property
    def answered(self) -> int:
        return sum(1 for item in self.items if item.verdict is not None)

    @property
    def correct(self) -> int:
        return sum(1 for item in self.items if item.verdict == "correct")

    @property
    def finished(self) -> bool:
        return self.answered == len(self.items)


class PracticeItem(db.Model):
    """One question of a run (positions from 1) and, once answered, the verdict."""

    run_id: Mapped[int] = mapped_column(ForeignKey("practice_run.id"), primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True)
    question_revision_id: Mapped[int] = mapped_column(ForeignKey("question_revision.id"))
    question_key: Mapped[str] = mapped_column(String(64))
    option_order: Mapped[list[str]] = mapped_column(JSON)
    response: Mapped[Any | None] = mapped_column(JSON)
    verdict: Mapped[str | None] = mapped_column(String(16))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    run: Mapped[PracticeRun] = relationship(back_populates="items")
    revision: Mapped[QuestionRevision] = relationship()


class NotebookEntry(db.Model):
    """A question a candidate got wrong (in practice or a reviewed test)."""

    __table_args__ = (UniqueConstraint("user_id", "bank_id", "question_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The unique constraint's index (user first) serves a user's notebook page.
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    bank_id: Mapped[int] = mapped_column(ForeignKey("bank.id"))
    question_key: Mapped[str] = mapped_column(String(64))
    question_revision_id: Mapped[int] = mapped_column(ForeignKey("question_revision.id"))
    times_wrong: Mapped[int] = mapped_column(default=0)
    first_wrong_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_wrong_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_source: Mapped[str] = mapped_column(String(16))
    cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    times_cleared: Mapped[int] = mapped_column(default=0)
    # The latest wrong answer as the candidate gave it: the options' order they saw, their
    # response, and the test sitting it came from (none: practice).
    last_response: Mapped[Any] = mapped_column(JSON, nullable=True)
    last_option_order: Mapped[list[str] | None] = mapped_column(JSON)
    last_sitting_id: Mapped[int | None] = mapped_column(
        "last_session_id", ForeignKey("exam_session.id")
    )

    bank: Mapped[Bank] = relationship()
    revision: Mapped[QuestionRevision] = relationship()
    last_sitting: Mapped[Sitting | None] = relationship()
