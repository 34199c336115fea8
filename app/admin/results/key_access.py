"""What an admin sees of one attempt: the exam's review policy holds for admins too.

Until the sitting's review opens (``app.exam.grants.review_open``), an admin sees the
score and the candidate's own answers, never keys or explanations; a system admin may
open the keys of one attempt explicitly, and each opening is audited. A unit admin who
sits the sitting themselves sees nothing but scores of it until its review opens: a
strong candidate's answers are as good as keys.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from app.exam.display import review_level
from app.exam.grants import review_open
from app.exam.live import live_attempts
from app.exam.sittings import may_take
from app.extensions import db
from app.models import Attempt, AuditEntry, Role, Sitting, User
from app.models.audit import record

OPEN_KEYS = "attempt.open_keys"


def sits_unreviewed(viewer: User, sitting: Sitting, now: datetime) -> bool:
    """A (unit) admin registered for the sitting whose review has not opened yet, or
    sitting any test right now (the keys of another session's papers would help)."""
    if viewer.role is Role.SYSTEM_ADMIN:
        return False
    return bool(live_attempts(viewer.id, now)) or (
        may_take(viewer, sitting) and not review_open(sitting, now)
    )


def admin_level(attempt: Attempt, viewer: User, now: datetime) -> str:
    """none (not finalized) / score_only / responses (the candidate's answers alone) /
    answers (with verdicts, where the candidate sees them) / keys."""
    if not attempt.finalized:
        return "none"
    if sits_unreviewed(viewer, attempt.sitting, now):
        return "score_only"
    level = review_level(attempt, now)
    if level == "keys" or keys_opened(attempt, viewer):
        return "keys"
    return "answers" if level == "answers" else "responses"


def keys_opened(attempt: Attempt, viewer: User) -> bool:
    """Whether this system admin opened the keys of this attempt (as the audit log says)."""
    if viewer.role is not Role.SYSTEM_ADMIN:
        return False
    opened = select(AuditEntry.id).where(
        AuditEntry.action == OPEN_KEYS,
        AuditEntry.actor_id == viewer.id,
        AuditEntry.target == f"attempt {attempt.id}",
    )
    return db.session.scalar(opened.limit(1)) is not None


def open_keys(attempt: Attempt, actor: User, now: datetime) -> None:
    """A system admin's explicit, audited look at an attempt's keys before the review."""
    record(
        actor,
        OPEN_KEYS,
        f"attempt {attempt.id}",
        session=attempt.sitting_id,
        candidate=attempt.user.username,
        review_open=review_open(attempt.sitting, now),
    )
    db.session.commit()
