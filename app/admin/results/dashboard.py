"""The dashboard's numbers: candidates, attempts and pass rates by unit, position, age band
and month, for the admin's scope (a unit admin: their unit and the units below it)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime

from flask_login import current_user
from sqlalchemy import func, select

from app.admin.access import unit_scope
from app.admin.results.charts import Group
from app.extensions import db
from app.models import Attempt, Role, Unit, User
from app.models.attempt import FINALIZED
from app.timefmt import to_local

UNKNOWN = "未知"
UNREGISTERED = "未登记"


@dataclass(frozen=True)
class Dashboard:
    candidates: int
    attempts: int
    passed: int
    by_unit: list[Group]
    by_position: list[Group]
    by_age: list[Group]
    by_month: list[Group]

    @property
    def overall(self) -> Group:
        return Group("全部", self.attempts, self.passed)


@dataclass(frozen=True)
class _Row:
    passed: bool
    finalized_at: datetime
    unit: str
    position: str | None
    birth_date: date | None


def age_band(birth: date | None, on: date) -> str:
    """Age on the day of the test: under 40, 40 and over, or unknown without a birth date."""
    if birth is None:
        return UNKNOWN
    age = on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
    return "40岁以下" if age < 40 else "40岁及以上"


def _groups(rows: Iterable[_Row], key: Callable[[_Row], str], order: str = "size") -> list[Group]:
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in rows:
        counts[key(row)][0] += 1
        counts[key(row)][1] += row.passed
    groups = [Group(label, n, p) for label, (n, p) in counts.items()]
    if order == "label":
        return sorted(groups, key=lambda g: g.label)
    return sorted(groups, key=lambda g: (-g.attempts, g.label))


def dashboard() -> Dashboard:
    """Each finalized attempt counts once; a candidate who retook counts per attempt."""
    scope = unit_scope(current_user)
    people = select(func.count()).select_from(User).where(User.role == Role.CANDIDATE)
    query = (
        select(Attempt.passed, Attempt.finalized_at, Unit.name, User.position, User.birth_date)
        .join(User, Attempt.user_id == User.id)
        .outerjoin(Unit, User.unit_id == Unit.id)
        .where(Attempt.status == FINALIZED)
    )
    if scope is not None:
        people = people.where(User.unit_id.in_(scope))
        query = query.where(User.unit_id.in_(scope))
    rows = [
        _Row(bool(passed), to_local(at), unit or UNREGISTERED, position, birth)
        for passed, at, unit, position, birth in db.session.execute(query)
    ]
    return Dashboard(
        db.session.scalar(people),
        len(rows),
        sum(r.passed for r in rows),
        _groups(rows, lambda r: r.unit),
        _groups(rows, lambda r: (r.position or "").strip() or UNREGISTERED),
        _groups(rows, lambda r: age_band(r.birth_date, r.finalized_at.date()), "label"),
        _groups(rows, lambda r: r.finalized_at.strftime("%Y-%m"), "label"),
    )
