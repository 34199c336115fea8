"""Sessions (考试场次) from the admin pages: create, edit, open, close, extend, and a
candidate's extra time or fresh attempt; each change is audited with before and after.

Moving a session's close moves the deadline of every attempt still running, by the
rule every attempt follows (start + time limit + granted minutes, capped by the close;
see ``app.exam.grants``), so closing now ends running attempts and extending gives
time back to those the old close cut short.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from app.bank.services import load_version
from app.exam.attempts import grace
from app.exam.catalog import exam_definition
from app.exam.grants import attempts_allowed, refresh_deadline, review_open
from app.exam.sessions import (
    ExamRefused,
    SessionSpec,
    create_session,
    may_take,
    session_limit_problems,
)
from app.extensions import db
from app.models import Attempt, Exam, ExamSession, SessionCandidate, SessionGrant, SessionUnit, User
from app.models.attempt import FINALIZED, IN_PROGRESS, SUBMITTED
from app.models.audit import record

MAX_EXTEND_MINUTES = 7 * 24 * 60
MAX_GRANT_MINUTES = 600
MAX_GRANT_ATTEMPTS = 5


@dataclass(frozen=True)
class SessionFields:
    """What the session form sets; times are timezone-aware."""

    exam_id: int
    title: str
    opens_at: datetime
    closes_at: datetime
    access_code: str | None
    max_attempts: int


def snapshot(session: ExamSession) -> dict[str, Any]:
    """A session as the audit log shows it before and after a change."""
    return {
        "exam": session.exam.code,
        "title": session.title,
        "opens": _iso(session.opens_at),
        "closes": _iso(session.closes_at),
        "access_code": session.access_code,
        "max_attempts": session.max_attempts,
    }


def _checked_exam(fields: SessionFields) -> Exam:
    exam = db.session.get(Exam, fields.exam_id)
    problems = [] if exam is not None else ["试卷规则不存在"]
    problems += session_limit_problems(fields.opens_at, fields.closes_at, fields.max_attempts)
    if problems:
        raise ExamRefused(problems)
    return exam


def create(fields: SessionFields, actor: User) -> ExamSession:
    exam = _checked_exam(fields)
    spec = SessionSpec(
        exam.code,
        fields.title,
        fields.opens_at,
        fields.closes_at,
        access_code=fields.access_code,
        max_attempts=fields.max_attempts,
    )
    return create_session(spec, actor)


def update(session: ExamSession, fields: SessionFields, actor: User, now: datetime) -> None:
    """Edit a session; its exam (and pinned bank version) only while nobody has started."""
    exam = _checked_exam(fields)
    before = snapshot(session)
    if exam.id != session.exam_id:
        if _attempt_count(session):
            raise ExamRefused(["已有考生开始作答，不能更换试卷规则"])
        session.exam, session.bank_version = exam, load_version(exam.bank.name)[0]
    session.title, session.opens_at = fields.title, fields.opens_at
    session.access_code, session.max_attempts = fields.access_code, fields.max_attempts
    _move_close(session, fields.closes_at, now)
    record(actor, "session.edit", f"session {session.id}", before=before, after=snapshot(session))
    db.session.commit()


def open_now(session: ExamSession, actor: User, now: datetime) -> None:
    if session.state(now) != "upcoming":
        raise ExamRefused(["只有未开始的场次才能立即开始"])
    before = snapshot(session)
    session.opens_at = now
    record(actor, "session.open", f"session {session.id}", before=before, after=snapshot(session))
    db.session.commit()


def close_now(session: ExamSession, actor: User, now: datetime) -> None:
    if session.state(now) != "open":
        raise ExamRefused(["只有进行中的场次才能立即结束"])
    before = snapshot(session)
    _move_close(session, now, now)
    record(actor, "session.close", f"session {session.id}", before=before, after=snapshot(session))
    db.session.commit()


def extend(session: ExamSession, minutes: int, actor: User, now: datetime) -> None:
    if not 1 <= minutes <= MAX_EXTEND_MINUTES:
        raise ExamRefused([f"延长时间应为 1 到 {MAX_EXTEND_MINUTES} 分钟"])
    before = snapshot(session)
    _move_close(session, session.closes_at + timedelta(minutes=minutes), now)
    record(
        actor,
        "session.extend",
        f"session {session.id}",
        minutes=minutes,
        before=before,
        after=snapshot(session),
    )
    db.session.commit()


def _move_close(session: ExamSession, closes_at: datetime, now: datetime) -> None:
    if closes_at == session.closes_at:
        return
    if closes_at > now and _review_shown(session, now):
        raise ExamRefused(
            ["本场考试的答题详情已开放，考生可能已看到答案，不能再延长或重新开放；请新建场次"]
        )
    session.closes_at = closes_at
    for attempt in _running(session, now):
        refresh_deadline(attempt)


def _review_shown(session: ExamSession, now: datetime) -> bool:
    """Whether answers or keys of this session may have been seen: then it stays closed."""
    finished = select(Attempt.id).where(
        Attempt.session_id == session.id, Attempt.status == FINALIZED
    )
    return (
        exam_definition(session.exam).review.show != "score_only"
        and review_open(session, now)
        and db.session.scalar(finished.limit(1)) is not None
    )


def _running(session: ExamSession, now: datetime) -> list[Attempt]:
    """Attempts still being answered; those past deadline and grace are over already."""
    return list(
        db.session.scalars(
            select(Attempt).where(
                Attempt.session_id == session.id,
                Attempt.status == IN_PROGRESS,
                Attempt.deadline >= now - grace(),
            )
        )
    )


def _attempt_count(session: ExamSession) -> int:
    return db.session.scalar(select(func.count(Attempt.id)).where(Attempt.session_id == session.id))


@dataclass(frozen=True)
class GrantFields:
    username: str
    extra_minutes: int
    extra_attempts: int
    beyond_close: bool
    reason: str


def grant(session: ExamSession, fields: GrantFields, actor: User, now: datetime) -> SessionGrant:
    """Extra minutes go to the attempt running now, or else to the candidate's next one."""
    user = db.session.scalar(select(User).where(User.username == fields.username))
    problems = []
    if user is None or not may_take(user, session):
        problems.append("该用户不是本场考试的考生")
    if not 0 <= fields.extra_minutes <= MAX_GRANT_MINUTES:
        problems.append(f"加时应为 0 到 {MAX_GRANT_MINUTES} 分钟")
    if not 0 <= fields.extra_attempts <= MAX_GRANT_ATTEMPTS:
        problems.append(f"增加的作答次数应为 0 到 {MAX_GRANT_ATTEMPTS}")
    if fields.extra_minutes == 0 and fields.extra_attempts == 0:
        problems.append("请填写加时分钟数或增加的作答次数")
    if problems:
        raise ExamRefused(problems)
    running = next(iter(a for a in _running(session, now) if a.user_id == user.id), None)
    allowed_before = attempts_allowed(user, session)
    given = SessionGrant(
        session_id=session.id,
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
        f"session {session.id}",
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


@dataclass(frozen=True)
class SessionRow:
    session: ExamSession
    state: str
    candidates: int
    units: int
    attempts: int
    running: int
    finished: int


def session_rows(now: datetime) -> list[SessionRow]:
    """Every session, newest first, with its registrations and attempts counted."""

    def counted(column, *where) -> dict[int, int]:
        query = select(column, func.count()).where(*where).group_by(column)
        return dict(db.session.execute(query).all())

    candidates = counted(SessionCandidate.session_id)
    units = counted(SessionUnit.session_id)
    attempts = counted(Attempt.session_id)
    running = counted(Attempt.session_id, Attempt.status == IN_PROGRESS)
    finished = counted(Attempt.session_id, Attempt.status.in_((SUBMITTED, FINALIZED)))
    sessions = db.session.scalars(select(ExamSession).order_by(ExamSession.opens_at.desc()))
    return [
        SessionRow(
            s,
            s.state(now),
            candidates.get(s.id, 0),
            units.get(s.id, 0),
            attempts.get(s.id, 0),
            running.get(s.id, 0),
            finished.get(s.id, 0),
        )
        for s in sessions
    ]


def session_attempts(session: ExamSession) -> list[Attempt]:
    return list(
        db.session.scalars(
            select(Attempt)
            .where(Attempt.session_id == session.id)
            .order_by(Attempt.started_at.desc())
        )
    )


def session_grants(session: ExamSession) -> list[SessionGrant]:
    return list(
        db.session.scalars(
            select(SessionGrant)
            .where(SessionGrant.session_id == session.id)
            .order_by(SessionGrant.granted_at.desc())
        )
    )
