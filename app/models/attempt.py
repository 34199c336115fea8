"""Attempts: a drawn paper, the answers saved as given, and the final score.

The attempt stores its seed and, per item, the exact question revision and option
order given, so the paper can be shown again (and regenerated for audit) whatever
later happens to the bank or the exam.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Index,
    Numeric,
    String,
    UniqueConstraint,
    literal_column,
    text,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.bank import QuestionRevision
from app.models.exam import Sitting
from app.models.people import User
from app.models.types import UTCDateTime, utcnow
from question_bank.attempt_policy import AttemptPolicy

IN_PROGRESS = "in_progress"
SUBMITTED = "submitted"  # closed (answers frozen), being scored by a background worker
FINALIZED = "finalized"  # scored

# The indexes on open papers hold open papers only. At a close every paper leaves them in
# a minute; an index on all papers kept their closed rows under the statistics taken while
# they ran, and PostgreSQL, told that most papers were open, read a sitting's latest open
# deadline by scanning every paper of it backwards for one still open (1,500 rows a result
# page and a batch of scores, bench/RESULTS.md session 23). A query uses them only with
# the status written into it (``OPEN_PAPER``), not passed as a parameter.
_OPEN_ONLY = {
    "postgresql_where": text(f"status = '{IN_PROGRESS}'"),
    "sqlite_where": text(f"status = '{IN_PROGRESS}'"),
}
# As ``AWAITING_CERTIFICATES`` reads on each (SQLite matches a partial index's terms as
# written: ``passed = 1`` is how a true is written there).
_AWAITING = f"status = '{FINALIZED}' AND passed {{}} AND certificates_checked_at IS NULL"
_AWAITING_ONLY = {
    "postgresql_where": text(_AWAITING.format("= true")),
    "sqlite_where": text(_AWAITING.format("= 1")),
}


class Attempt(db.Model):
    __table_args__ = (
        UniqueConstraint("session_id", "user_id", "number"),
        # The passes awaiting their certificates, in the order their jobs take them (the
        # queue the waiting result pages are told about), holding nothing else: a crowd
        # closed together is scored in the same second, and each certificate batch takes
        # the first twenty in the index's order instead of sorting every waiting pass.
        Index(
            "ix_attempt_awaiting_certificates", "finalized_at", "id", **_AWAITING_ONLY
        ),
        # The open papers by deadline, without reading every paper ever closed (all past
        # their deadline): the sweep's closes, the closes it schedules, the closing queue
        # the waiting pages are told about.
        Index("ix_attempt_open_deadline", "deadline", "id", **_OPEN_ONLY),
        # A sitting's latest running deadline (when its review may open), asked by every
        # result page and every batch of scores: without it, a read of every running
        # paper of the sitting (7-9 ms at 7,000, half the page).
        Index("ix_attempt_open_session_deadline", "session_id", "deadline", **_OPEN_ONLY),
    )  # fmt: skip

    id: Mapped[int] = mapped_column(primary_key=True)
    sitting_id: Mapped[int] = mapped_column("session_id", ForeignKey("exam_session.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    number: Mapped[int] = mapped_column(default=1)
    seed: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16), default=IN_PROGRESS)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    finalized_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # How it ended: "candidate" (交卷), "deadline" (time ran out), or an admin action.
    finalized_by: Mapped[str | None] = mapped_column(String(16))
    # What scoring and review need, as the exam said when the attempt began: read and
    # written through ``policy``.
    stored_policy: Mapped[dict[str, Any]] = mapped_column("policy", JSON)
    score: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    score_exact: Mapped[str | None] = mapped_column(String(64))
    possible: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    passed: Mapped[bool | None]
    sections: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    # The scores by topic, in the paper's order (key, awarded, possible), written with the
    # score: the result page shows them on every load. None for papers scored before.
    topics: Mapped[list[dict[str, str]] | None] = mapped_column(JSON)
    # Set once the wrong answers went into the notebook (when the review showed the keys).
    notebook_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set once the certificates it earns were issued (or found to be none or refused); a
    # pass still without it after a while lost its job, and the sweep enqueues it again.
    certificates_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    sitting: Mapped[Sitting] = relationship()
    user: Mapped[User] = relationship()
    items: Mapped[list[AttemptItem]] = relationship(
        order_by="AttemptItem.position", back_populates="attempt", cascade="all, delete-orphan"
    )
    focus_events: Mapped[list[FocusEvent]] = relationship(
        order_by="FocusEvent.at", cascade="all, delete-orphan"
    )

    @property
    def policy(self) -> AttemptPolicy:
        return AttemptPolicy.from_stored(self.stored_policy)

    @policy.setter
    def policy(self, policy: AttemptPolicy) -> None:
        self.stored_policy = policy.stored()

    @property
    def finalized(self) -> bool:
        """Scored: the result can be shown."""
        return self.status == FINALIZED

    @property
    def closed(self) -> bool:
        """No answer can change any more (scored, or waiting for its score)."""
        return self.status != IN_PROGRESS


# A paper still open, as the open papers' indexes are written (see ``_OPEN_ONLY``).
OPEN_PAPER = Attempt.status == literal_column(f"'{IN_PROGRESS}'", String)
# A pass whose certificate job has not run yet, as its index is written (``_AWAITING_ONLY``):
# in SQL for the status poll (``app.exam.polls``), the queue the waiting pages are told
# about (``app.exam.waits``) and the certificate jobs' batches (``app.jobs.tasks``).
AWAITING_CERTIFICATES = (
    (Attempt.status == literal_column(f"'{FINALIZED}'", String))
    & (Attempt.passed == true())
    & Attempt.certificates_checked_at.is_(None)
)


class AttemptItem(db.Model):
    """One question of one paper, with the candidate's saved response."""

    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempt.id"), primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True)
    section: Mapped[int]
    question_revision_id: Mapped[int] = mapped_column(
        ForeignKey("question_revision.id"), index=True
    )
    option_order: Mapped[list[str]] = mapped_column(JSON)
    points: Mapped[Decimal] = mapped_column(Numeric(8, 2))
    response: Mapped[Any | None] = mapped_column(JSON)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    flagged: Mapped[bool] = mapped_column(default=False)
    awarded: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))
    verdict: Mapped[str | None] = mapped_column(String(16))
    # A re-score after a corrected key scores on a newer revision; the paper stays as given.
    scored_revision_id: Mapped[int | None] = mapped_column(ForeignKey("question_revision.id"))

    attempt: Mapped[Attempt] = relationship(back_populates="items")
    revision: Mapped[QuestionRevision] = relationship(foreign_keys=[question_revision_id])

    @property
    def scoring_revision_id(self) -> int:
        """The revision the item is scored on: the corrected one after a re-score."""
        return self.scored_revision_id or self.question_revision_id


class AttemptStartLock(db.Model):
    """One row per candidate, written first thing when they start an attempt and so held
    until that start commits: the retake rules are checked and the attempt inserted as
    one step, on SQLite (one writer at a time) and PostgreSQL (the row lock) alike.

    ``generation`` counts the attempts started: a start reads it before its other reads
    and finds it unchanged when it takes the lock unless another attempt began between."""

    __tablename__ = "attempt_start_lock"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), primary_key=True)
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime)
    generation: Mapped[int] = mapped_column(default=0, server_default="0")


class AccessCodeFailure(db.Model):
    """Wrong access codes one candidate typed for one sitting, and the wait they earned.

    In the database, so the limit holds across workers and hosts."""

    __tablename__ = "access_code_failure"

    sitting_id: Mapped[int] = mapped_column(
        "session_id", ForeignKey("exam_session.id"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class FocusEvent(db.Model):
    """The candidate left the test page (another tab or window) while answering: recorded
    for the admins' drill-down (记录切屏), never held against the score by itself."""

    __tablename__ = "attempt_focus_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempt.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # "hidden" (tab or page) or "blur" (window)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
