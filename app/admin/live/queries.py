"""The live view's reads: a few aggregate queries whatever the sitting's size.

The roster (who the sitting is open to, within the viewer's scope) is one SQL condition;
the counts on top are one aggregate over it; one page of people is one query, and their
answered questions and departures from the page are one grouped query each, for that
page's attempts only. No query runs per candidate, so a 10,000-candidate sitting stays cheap.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import String, and_, case, cast, func, or_, select
from sqlalchemy.sql.elements import ColumnElement

from app.admin.access import unit_scope
from app.extensions import db
from app.models import (
    Attempt,
    AttemptItem,
    FocusEvent,
    Role,
    Sitting,
    SittingCandidate,
    SittingUnit,
    Unit,
    User,
)
from app.models.attempt import IN_PROGRESS
from question_bank.attempt_policy import AttemptPolicy

PAGE_SIZE = 100
SHOWN = ("all", "waiting", "answering", "done", "absent")  # the filter's choices, "all" first


@dataclass(frozen=True)
class Counts:
    registered: int  # 应考
    started: int  # 已开始 (has an attempt)
    waiting: int  # 待开考: entered the waiting room, the paper opens at its start
    answering: int  # 作答中 now
    done: int  # 已交卷 (or time up)
    absent: int  # 未开始, 缺考 once the sitting has closed


@dataclass(frozen=True)
class Row:
    user_id: int
    name: str
    username: str
    unit_id: int | None
    attempt_id: int | None
    number: int | None
    status: str | None
    deadline: datetime | None
    finalized_by: str | None
    score: object
    possible: object
    passed: bool | None
    started_at: datetime | None = None
    leave_limit: int = 0  # the attempt's 切屏次数上限 (0: none)
    answered: int = 0
    questions: int = 0
    departures: int = 0

    def state(self, now: datetime) -> str:
        """absent, waiting, answering, time_up (past the deadline, not yet closed) or the
        status."""
        if self.attempt_id is None:
            return "absent"
        if self.status == IN_PROGRESS and now < self.started_at:
            return "waiting"  # entered the waiting room; the paper opens at its start
        if self.status == IN_PROGRESS:
            return "answering" if now <= self.deadline else "time_up"
        return self.status

    @property
    def over_leave_limit(self) -> bool:
        """Left the test page more often than the exam allows: flagged for the admins."""
        return 0 < self.leave_limit < self.departures

    def seconds_left(self, now: datetime) -> int:
        return max(0, int((self.deadline - now).total_seconds())) if self.deadline else 0


def _subtree(units: set[int]) -> set[int]:
    """These units and every unit below them, from one read of the unit tree."""
    children: dict[int | None, list[int]] = {}
    for unit_id, parent_id in db.session.execute(select(Unit.id, Unit.parent_id)):
        children.setdefault(parent_id, []).append(unit_id)
    found, stack = set(), list(units)
    while stack:
        unit_id = stack.pop()
        if unit_id not in found:
            found.add(unit_id)
            stack.extend(children.get(unit_id, ()))
    return found


def roster(sitting: Sitting, viewer: User, unit: Unit | None = None) -> ColumnElement[bool]:
    """Who the live view lists: registered by name or through a unit, or having an attempt
    (a registration removed after the start), within the viewer's scope and ``unit``."""
    registered_units = set(
        db.session.scalars(select(SittingUnit.unit_id).where(SittingUnit.sitting_id == sitting.id))
    )
    by_name = select(SittingCandidate.user_id).where(SittingCandidate.sitting_id == sitting.id)
    took = select(Attempt.user_id).where(Attempt.sitting_id == sitting.id)
    condition = or_(
        User.id.in_(by_name),
        User.id.in_(took),
        and_(User.role == Role.CANDIDATE, User.unit_id.in_(_subtree(registered_units))),
    )
    scope = unit_scope(viewer)
    if scope is not None:  # a unit admin sees the candidates of their own units only
        condition = and_(condition, User.role == Role.CANDIDATE, User.unit_id.in_(scope))
    if unit is not None:
        condition = and_(condition, User.unit_id.in_(_subtree({unit.id})))
    return condition


def _latest_attempts(sitting: Sitting):
    """Each person's latest attempt in the sitting (the one the live view shows)."""
    return (
        select(Attempt.user_id, func.max(Attempt.id).label("attempt_id"))
        .where(Attempt.sitting_id == sitting.id)
        .group_by(Attempt.user_id)
        .subquery()
    )


def _joined(query, sitting: Sitting):
    latest = _latest_attempts(sitting)
    return query.outerjoin(latest, latest.c.user_id == User.id).outerjoin(
        Attempt, Attempt.id == latest.c.attempt_id
    )


def _in_progress() -> ColumnElement[bool]:
    # coalesce: an expression, not the indexed column, so that the planner joins each
    # person's latest attempt by its key instead of scanning every attempt in progress
    # once per person (seconds on SQLite with 10,000 candidates)
    return func.coalesce(Attempt.status, "") == IN_PROGRESS


def _waiting(now: datetime) -> ColumnElement[bool]:
    return and_(_in_progress(), Attempt.started_at > now)


def _answering(now: datetime) -> ColumnElement[bool]:
    return and_(_in_progress(), Attempt.started_at <= now, Attempt.deadline >= now)


def _shown(show: str, now: datetime) -> ColumnElement[bool] | None:
    return {
        "waiting": _waiting(now),
        "answering": _answering(now),
        "done": and_(Attempt.id.is_not(None), ~_waiting(now), ~_answering(now)),
        "absent": Attempt.id.is_(None),
    }.get(show)


def _how_many(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def counts(sitting: Sitting, who: ColumnElement[bool], now: datetime) -> Counts:
    query = _joined(
        select(
            func.count(User.id), func.count(Attempt.id),
            _how_many(_waiting(now)), _how_many(_answering(now)),
        ),
        sitting,
    )  # fmt: skip
    registered, started, waiting, answering = db.session.execute(query.where(who)).one()
    done = started - waiting - answering
    return Counts(registered, started, waiting, answering, done, registered - started)


def page_of_rows(
    sitting: Sitting, who: ColumnElement[bool], show: str, page: int, now: datetime
) -> list[Row]:
    """One page of the roster, by unit then name, with each attempt's progress."""
    query = _joined(
        select(
            User.id, User.name, User.username, User.unit_id, Attempt.id, Attempt.number,
            Attempt.status, Attempt.deadline, Attempt.finalized_by, Attempt.score,
            Attempt.possible, Attempt.passed, Attempt.started_at, Attempt.stored_policy,
        ),
        sitting,
    ).where(who)  # fmt: skip
    shown = _shown(show, now)
    if shown is not None:
        query = query.where(shown)
    query = query.order_by(User.unit_id, User.name_pinyin, User.id)
    found = db.session.execute(query.limit(PAGE_SIZE).offset(page * PAGE_SIZE))
    rows = [Row(*r[:-1], leave_limit=_leave_limit(r[-1])) for r in found]
    return _with_progress(rows)


def _leave_limit(stored_policy: dict | None) -> int:
    return AttemptPolicy.from_stored(stored_policy).max_page_leaves if stored_policy else 0


def _with_progress(rows: list[Row]) -> list[Row]:
    """Answered questions and departures from the test page, for this page's attempts."""
    ids = [r.attempt_id for r in rows if r.attempt_id is not None]
    if not ids:
        return rows
    answered = and_(AttemptItem.response.is_not(None), cast(AttemptItem.response, String) != "null")
    progress = {
        attempt_id: (done, total)
        for attempt_id, done, total in db.session.execute(
            select(
                AttemptItem.attempt_id,
                func.coalesce(func.sum(case((answered, 1), else_=0)), 0),
                func.count(),
            )
            .where(AttemptItem.attempt_id.in_(ids))
            .group_by(AttemptItem.attempt_id)
        )
    }
    departures = dict(
        db.session.execute(
            select(FocusEvent.attempt_id, func.count())
            .where(FocusEvent.attempt_id.in_(ids))
            .group_by(FocusEvent.attempt_id)
        ).all()
    )
    return [
        replace(
            r,
            answered=progress.get(r.attempt_id, (0, 0))[0],
            questions=progress.get(r.attempt_id, (0, 0))[1],
            departures=departures.get(r.attempt_id, 0),
        )
        for r in rows
    ]
