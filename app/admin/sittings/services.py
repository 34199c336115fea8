"""Sittings (考试场次) from the admin pages: create, edit, open, close, extend, and a
candidate's extra time or fresh attempt; each change is audited with before and after.

Moving a sitting's close moves the deadline of every attempt still running, by the
rule every attempt follows (start + time limit + granted minutes, capped by the close;
see ``app.exam.grants``), so closing now ends running attempts and extending gives
time back to those the old close cut short.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from app.admin.sittings.opening import move_open, waiting_attempts
from app.bank.services import load_version
from app.exam.attempts import grace
from app.exam.catalog import exam_definition
from app.exam.grants import attempts_allowed, refresh_deadline, review_open
from app.exam.sittings import (
    ExamRefused,
    SittingSpec,
    create_sitting,
    may_take,
    sitting_limit_problems,
)
from app.extensions import db
from app.jobs.deadlines import schedule_close_if_near
from app.models import Attempt, Exam, Sitting, SittingGrant, User
from app.models.attempt import FINALIZED, OPEN_PAPER
from app.models.audit import record

MAX_EXTEND_MINUTES = 7 * 24 * 60
MAX_GRANT_MINUTES = 600
MAX_GRANT_ATTEMPTS = 5


@dataclass(frozen=True)
class SittingFields:
    """What the sitting form sets; times are timezone-aware."""

    exam_id: int
    title: str
    opens_at: datetime
    closes_at: datetime
    access_code: str | None
    max_attempts: int


def snapshot(sitting: Sitting) -> dict[str, Any]:
    """A sitting as the audit log shows it before and after a change."""
    return {
        "exam": sitting.exam.code,
        "title": sitting.title,
        "opens": _iso(sitting.opens_at),
        "closes": _iso(sitting.closes_at),
        "access_code": sitting.access_code,
        "max_attempts": sitting.max_attempts,
    }


def _checked_exam(fields: SittingFields) -> Exam:
    exam = db.session.get(Exam, fields.exam_id)
    problems = [] if exam is not None else ["试卷规则不存在"]
    problems += sitting_limit_problems(fields.opens_at, fields.closes_at, fields.max_attempts)
    if problems:
        raise ExamRefused(problems)
    return exam


def create(fields: SittingFields, actor: User) -> Sitting:
    exam = _checked_exam(fields)
    spec = SittingSpec(
        exam.code,
        fields.title,
        fields.opens_at,
        fields.closes_at,
        access_code=fields.access_code,
        max_attempts=fields.max_attempts,
    )
    return create_sitting(spec, actor)


def update(sitting: Sitting, fields: SittingFields, actor: User, now: datetime) -> None:
    """Edit a sitting; its exam (and pinned bank version) only while nobody has started."""
    exam = _checked_exam(fields)
    before = snapshot(sitting)
    if exam.id != sitting.exam_id:
        if _attempt_count(sitting):
            raise ExamRefused(["已有考生开始作答，不能更换试卷规则"])
        sitting.exam, sitting.bank_version = exam, load_version(exam.bank.name)[0]
    sitting.title = fields.title
    move_open(sitting, fields.opens_at, now)
    sitting.access_code, sitting.max_attempts = fields.access_code, fields.max_attempts
    _move_close(sitting, fields.closes_at, now)
    record(actor, "session.edit", f"session {sitting.id}", before=before, after=snapshot(sitting))
    db.session.commit()


def open_now(sitting: Sitting, actor: User, now: datetime) -> None:
    if sitting.state(now) != "upcoming":
        raise ExamRefused(["只有未开始的场次才能立即开始"])
    if waiting_attempts(sitting, now):
        raise ExamRefused(["已有考生进入考场等候开考，不能提前开考"])
    before = snapshot(sitting)
    sitting.opens_at = now
    record(actor, "session.open", f"session {sitting.id}", before=before, after=snapshot(sitting))
    db.session.commit()


def close_now(sitting: Sitting, actor: User, now: datetime) -> None:
    if sitting.state(now) != "open":
        raise ExamRefused(["只有进行中的场次才能立即结束"])
    before = snapshot(sitting)
    _move_close(sitting, now, now)
    record(actor, "session.close", f"session {sitting.id}", before=before, after=snapshot(sitting))
    db.session.commit()


def extend(sitting: Sitting, minutes: int, actor: User, now: datetime) -> None:
    if not 1 <= minutes <= MAX_EXTEND_MINUTES:
        raise ExamRefused([f"延长时间应为 1 到 {MAX_EXTEND_MINUTES} 分钟"])
    before = snapshot(sitting)
    _move_close(sitting, sitting.closes_at + timedelta(minutes=minutes), now)
    record(
        actor,
        "session.extend",
        f"session {sitting.id}",
        minutes=minutes,
        before=before,
        after=snapshot(sitting),
    )
    db.session.commit()


def _move_close(sitting: Sitting, closes_at: datetime, now: datetime) -> None:
    if closes_at == sitting.closes_at:
        return
    if closes_at > now and _review_shown(sitting, now):
        raise ExamRefused(
            ["本场考试的答题详情已开放，考生可能已看到答案，不能再延长或重新开放；请新建场次"]
        )
    sitting.closes_at = closes_at
    running = _running(sitting, now)
    for attempt in running:
        refresh_deadline(attempt)
    schedule_close_if_near((attempt.deadline for attempt in running), now)  # closed early


def _review_shown(sitting: Sitting, now: datetime) -> bool:
    """Whether answers or keys of this session may have been seen: then it stays closed."""
    finished = select(Attempt.id).where(
        Attempt.sitting_id == sitting.id, Attempt.status == FINALIZED
    )
    return (
        exam_definition(sitting.exam).review.show != "score_only"
        and review_open(sitting, now)
        and db.session.scalar(finished.limit(1)) is not None
    )


def _running(sitting: Sitting, now: datetime) -> list[Attempt]:
    """Attempts still being answered; those past deadline and grace are over already."""
    return list(
        db.session.scalars(
            select(Attempt).where(
                Attempt.sitting_id == sitting.id,
                OPEN_PAPER,
                Attempt.deadline >= now - grace(),
            )
        )
    )


def _attempt_count(sitting: Sitting) -> int:
    return db.session.scalar(select(func.count(Attempt.id)).where(Attempt.sitting_id == sitting.id))


@dataclass(frozen=True)
class GrantFields:
    username: str
    extra_minutes: int
    extra_attempts: int
    beyond_close: bool
    reason: str


def grant(sitting: Sitting, fields: GrantFields, actor: User, now: datetime) -> SittingGrant:
    """Extra minutes go to the attempt running now, or else to the candidate's next one."""
    user = db.session.scalar(select(User).where(User.username == fields.username))
    problems = []
    if user is None or not may_take(user, sitting):
        problems.append("该用户不是本场考试的考生")
    if not 0 <= fields.extra_minutes <= MAX_GRANT_MINUTES:
        problems.append(f"加时应为 0 到 {MAX_GRANT_MINUTES} 分钟")
    if not 0 <= fields.extra_attempts <= MAX_GRANT_ATTEMPTS:
        problems.append(f"增加的作答次数应为 0 到 {MAX_GRANT_ATTEMPTS}")
    if fields.extra_minutes == 0 and fields.extra_attempts == 0:
        problems.append("请填写加时分钟数或增加的作答次数")
    if problems:
        raise ExamRefused(problems)
    running = next(iter(a for a in _running(sitting, now) if a.user_id == user.id), None)
    allowed_before = attempts_allowed(user, sitting)
    given = SittingGrant(
        sitting_id=sitting.id,
        user=user,
        extra_minutes=fields.extra_minutes,
        extra_attempts=fields.extra_attempts,
        beyond_close=fields.beyond_close,
        reason=fields.reason,
        granted_by=actor,
        granted_at=now,
        attempt=running if fields.extra_minutes else None,
    )
    db.session.add(given)
    deadline_before = running.deadline if running else None
    if running is not None and fields.extra_minutes:
        db.session.flush()
        refresh_deadline(running)
    record(
        actor,
        "session.grant",
        f"session {sitting.id}",
        user=user.username,
        reason=fields.reason,
        extra_minutes=fields.extra_minutes,
        extra_attempts=fields.extra_attempts,
        beyond_close=fields.beyond_close,
        attempt=running.id if running else None,
        before={"attempts_allowed": allowed_before, "deadline": _iso(deadline_before)},
        after={
            "attempts_allowed": allowed_before + fields.extra_attempts,
            "deadline": _iso(running.deadline if running else None),
        },
    )
    db.session.commit()
    return given


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value else None
