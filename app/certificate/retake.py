"""The retake policy of the certification rules, asked before a new paper is drawn."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy import bindparam, select

from app.certificate.setup import RulesUnavailable, current_rules
from app.extensions import db
from app.models import Attempt, Exam, Sitting
from app.timefmt import local_zone

# Built once (asked by every start and every failed result): building a statement costs
# more than running it.
_STARTED = (
    select(Attempt.started_at)
    .join(Sitting, Attempt.sitting_id == Sitting.id)
    .join(Exam, Sitting.exam_id == Exam.id)
    .where(
        Attempt.user_id == bindparam("user_id"),
        Exam.code.in_(bindparam("codes", expanding=True)),
    )
)


def retake_wait(user_id: int, exam_code: str, now: datetime) -> str | None:
    """None if the rules let the user start an attempt at this exam now; else a message
    saying why not and when the next attempt is allowed."""
    try:
        kinds = current_rules().types_for_exam(exam_code)
    except RulesUnavailable:
        current_app.logger.exception("certification rules unavailable")
        return "认证规则文件有误，暂时无法开始考试，请联系系统管理员。"
    waits = []
    for kind in kinds:
        started = db.session.scalars(
            _STARTED, {"user_id": user_id, "codes": list(kind.exams)}
        ).all()
        wait = kind.next_attempt_allowed(started, now)
        if wait is not None:
            waits.append(wait)
    if not waits:
        return None
    return max(waits, key=lambda w: w.at).message(local_zone()) + "。"
