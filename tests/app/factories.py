"""Factories the app tests share: a sitting of a stored exam, and an attempt taken with
chosen responses. The fixture modules (exam, certificate) and the results tests build on
these, so opening a sitting and taking a test are written once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from app.exam.attempts import finalize
from app.exam.sittings import SittingSpec, create_sitting
from app.exam.starting import start_attempt
from app.extensions import db
from app.models import Attempt, AttemptItem, Sitting, User
from app.models.types import utcnow


def sitting_of(
    exam_code: str,
    usernames: tuple[str, ...],
    opens: datetime,
    closes: datetime,
    *,
    title: str = "测试场次",
    access_code: str | None = None,
    max_attempts: int = 1,
) -> Sitting:
    """A sitting of a stored exam, registering ``usernames`` by name."""
    spec = SittingSpec(
        exam_code, title, opens, closes, tuple(usernames), (), access_code, max_attempts
    )
    return create_sitting(spec)


def take(
    user: User,
    sitting: Sitting,
    response: Callable[[AttemptItem], str],
    now: datetime | None = None,
    answered: bool = True,
) -> Attempt:
    """Start, store ``response(item)`` for every question as the answer page stores it
    (save_answer is tested elsewhere), and submit."""
    now = now or utcnow()
    attempt = start_attempt(user, sitting, None, now)
    for item in attempt.items:
        item.response = response(item)
        if answered:
            item.answered_at = now
    db.session.commit()
    return finalize(attempt.id, "candidate", now)
