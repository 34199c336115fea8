"""Papers drawn ahead: a registered candidate's first paper of a sitting, drawn by a
background worker before the sitting opens, so the start rush only claims it.

A table of its own, not an attempt with a status: everything that counts or shows
attempts (the live view, results, reviews, the candidate's pages) reads ``attempt``, and
a paper waiting here is seen by nobody until its candidate starts.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import UTCDateTime, utcnow


class PreparedPaper(db.Model):
    """One candidate's not-yet-started first paper of one sitting (at most one).

    Claimed (deleted) by the start that turns it into an attempt, in the same
    transaction; only while the sitting still has the exam (as last edited) and the
    bank version it was drawn for.
    """

    __tablename__ = "prepared_paper"

    sitting_id: Mapped[int] = mapped_column(
        "session_id", ForeignKey("exam_session.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    exam_id: Mapped[int] = mapped_column(ForeignKey("exam.id", ondelete="CASCADE"))
    exam_updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    bank_version_id: Mapped[int] = mapped_column(ForeignKey("bank_version.id", ondelete="CASCADE"))
    seed: Mapped[int] = mapped_column(BigInteger)
    # The attempt's stored policy (``AttemptPolicy.stored()``) and its items in order,
    # each [section, question revision id, option order].
    policy: Mapped[dict[str, Any]] = mapped_column(JSON)
    items: Mapped[list[list[Any]]] = mapped_column(JSON)
    prepared_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
