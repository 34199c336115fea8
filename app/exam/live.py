"""Whether a user is sitting a test right now.

While they are, nothing that shows keys is open to them (DESIGN.md §4): practice, the
notebook (错题本) and the reviews of their other attempts. An attempt counts as live
from its start until its deadline plus the answer grace, or until it is finalized.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, select

from app.exam.grants import grace
from app.extensions import db
from app.models import Attempt
from app.models.attempt import IN_PROGRESS
from app.timefmt import localtime


def live_attempts(user_id: int, now: datetime) -> list[Attempt]:
    """The user's attempts that can still be answered, latest deadline last."""
    return list(db.session.scalars(_LIVE, {"user_id": user_id, "earliest": now - grace()}))


# Built once (asked by every result page): building a statement costs more than running it.
_LIVE = (
    select(Attempt)
    .where(
        Attempt.user_id == bindparam("user_id"),
        Attempt.status == IN_PROGRESS,
        Attempt.deadline >= bindparam("earliest"),
    )
    .order_by(Attempt.deadline)
)


def closed_while_testing(user_id: int, now: datetime, what: str) -> str | None:
    """None if the user sits no test now; else why ``what`` is closed, and until when."""
    live = live_attempts(user_id, now)
    if not live:
        return None
    return (
        f"您正在参加考试“{live[-1].sitting.title}”，考试期间{what}暂停使用，以免看到答案。"
        f"请在交卷后，或在作答截止时间 {localtime(live[-1].deadline)} 之后再来。"
    )
