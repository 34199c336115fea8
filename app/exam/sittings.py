"""Which sittings a candidate may take, and creating sittings (exams: ``app.exam.exams``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, exists, or_, select

from app.bank.services import load_version
from app.extensions import db
from app.models import (
    Attempt,
    Exam,
    Role,
    Sitting,
    SittingCandidate,
    SittingUnit,
    Unit,
    User,
)
from app.models.audit import record
from app.refusal import Refused

MAX_ATTEMPTS = 10
MAX_LENGTH = timedelta(days=366)
# How long before the open the start page is the waiting room, where a candidate may
# enter: their attempt is made then and starts at the open (``app.exam.sealed``).
WAITING_ROOM = timedelta(hours=1)


def in_waiting_room(sitting: Sitting, now: datetime) -> bool:
    return sitting.state(now) == "upcoming" and sitting.opens_at - now <= WAITING_ROOM


class ExamRefused(Refused):
    """An exam or sitting that cannot be stored, with the reasons for the admin."""


def sitting_limit_problems(opens_at: datetime, closes_at: datetime, attempts: int) -> list[str]:
    """The limits every session keeps, whether made on the command line or the admin pages."""
    problems = []
    if closes_at <= opens_at:
        problems.append("结束时间必须晚于开始时间")
    elif closes_at - opens_at > MAX_LENGTH:
        problems.append("一个场次最长一年")
    if not 1 <= attempts <= MAX_ATTEMPTS:
        problems.append(f"允许作答次数应为 1 到 {MAX_ATTEMPTS}")
    return problems


@dataclass(frozen=True)
class SittingSpec:
    exam_code: str
    title: str
    opens_at: datetime
    closes_at: datetime
    usernames: tuple[str, ...] = ()
    unit_ids: tuple[int, ...] = ()
    access_code: str | None = None
    max_attempts: int = 1


def create_sitting(spec: SittingSpec, actor: User | None = None) -> Sitting:
    """Open an exam between two times; the bank version is pinned now, so every paper
    of the sitting is drawn from the same questions. The one way a sitting is created:
    the CLI and the admin pages both come here."""
    problems = []
    exam = db.session.scalar(select(Exam).where(Exam.code == spec.exam_code))
    if exam is None:
        problems.append(f"试卷规则“{spec.exam_code}”不存在")
    problems += sitting_limit_problems(spec.opens_at, spec.closes_at, spec.max_attempts)
    users = db.session.scalars(select(User).where(User.username.in_(spec.usernames))).all()
    missing = set(spec.usernames) - {u.username for u in users}
    if missing:
        problems.append(f"找不到用户：{'、'.join(sorted(missing))}")
    if problems:
        raise ExamRefused(problems)
    version, _ = load_version(exam.bank.name)
    sitting = Sitting(
        exam=exam, bank_version=version, title=spec.title, opens_at=spec.opens_at,
        closes_at=spec.closes_at, access_code=spec.access_code or None, max_attempts=spec.max_attempts,
    )  # fmt: skip
    sitting.candidates = list(users)
    db.session.add(sitting)
    db.session.flush()
    db.session.add_all(SittingUnit(sitting_id=sitting.id, unit_id=u) for u in spec.unit_ids)
    record(
        actor,
        "session.create",
        spec.title,
        exam=spec.exam_code,
        opens=str(spec.opens_at),
        closes=str(spec.closes_at),
    )
    db.session.commit()
    return sitting


def _unit_ancestry(user: User) -> list[int]:
    ids, unit = [], user.unit
    while unit is not None:
        ids.append(unit.id)
        unit = unit.parent
    return ids


def sittings_for(user: User) -> list[Sitting]:
    """Sittings the user is registered to, by name or (candidates only) through their unit
    or a parent unit: a unit admin registering their own unit must not register themselves."""
    by_name = select(SittingCandidate.sitting_id).where(SittingCandidate.user_id == user.id)
    units = _unit_ancestry(user) if user.role is Role.CANDIDATE else []
    by_unit = select(SittingUnit.sitting_id).where(SittingUnit.unit_id.in_(units))
    return list(
        db.session.scalars(
            select(Sitting)
            .where(or_(Sitting.id.in_(by_name), Sitting.id.in_(by_unit)))
            .order_by(Sitting.opens_at.desc())
        )
    )


def _registered_statements():
    """``may_take``'s two questions, built once (asked on every start)."""
    by_name = exists(
        select(SittingCandidate.sitting_id).where(
            SittingCandidate.sitting_id == bindparam("b_sitting"),
            SittingCandidate.user_id == bindparam("b_user"),
        )
    )
    # The unit and its parents, walked in the database; UNION (not ALL) stops at a cycle.
    ancestry = (
        select(Unit.id, Unit.parent_id).where(Unit.id == bindparam("b_unit")).cte(recursive=True)
    )
    ancestry = ancestry.union(
        select(Unit.id, Unit.parent_id).join(ancestry, Unit.id == ancestry.c.parent_id)
    )
    by_unit = exists(
        select(SittingUnit.sitting_id).where(
            SittingUnit.sitting_id == bindparam("b_sitting"),
            SittingUnit.unit_id.in_(select(ancestry.c.id)),
        )
    )
    return select(by_name), select(or_(by_name, by_unit))


_BY_NAME, _BY_NAME_OR_UNIT = _registered_statements()


def may_take(user: User, sitting: Sitting) -> bool:
    """``sitting`` is among ``sittings_for(user)``: one query (asked on every start)."""
    params = {"b_sitting": sitting.id, "b_user": user.id}
    if user.role is not Role.CANDIDATE or user.unit_id is None:
        return db.session.scalar(_BY_NAME, params)
    return db.session.scalar(_BY_NAME_OR_UNIT, {**params, "b_unit": user.unit_id})


_ATTEMPTS_IN = (  # built once: read on every start
    select(Attempt)
    .where(Attempt.user_id == bindparam("b_user"), Attempt.sitting_id == bindparam("b_sitting"))
    .order_by(Attempt.number)
    .execution_options(populate_existing=True)
)


def attempts_in(user: User, sitting: Sitting) -> list[Attempt]:
    """As stored now (not as this request first loaded them)."""
    return list(db.session.scalars(_ATTEMPTS_IN, {"b_user": user.id, "b_sitting": sitting.id}))


@dataclass(frozen=True)
class SittingEntry:
    sitting: Sitting
    state: str
    attempts: list[Attempt]


def dashboard(user: User, now: datetime) -> dict[str, list[SittingEntry]]:
    """The user's sittings: open now, upcoming, and finished (with their results)."""
    groups: dict[str, list[SittingEntry]] = {"open": [], "upcoming": [], "closed": []}
    for sitting in sittings_for(user):
        groups[sitting.state(now)].append(
            SittingEntry(sitting, sitting.state(now), attempts_in(user, sitting))
        )
    return groups
