"""Registering candidates to a sitting, one by one or a whole unit at a time.

A unit registered to a sitting brings its candidates and those of its sub-units, now
and later (see ``app.exam.sittings.sittings_for``); an admin sits a test only when a
system admin registers them by name. A unit admin registers and removes only
people and units of their own subtree, and sees only those.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, or_, select

from app.admin.access import manages, unit_scope
from app.exam.prepared import forget_unregistered
from app.extensions import db
from app.models import Attempt, Role, Sitting, SittingCandidate, SittingUnit, Unit, User
from app.models.audit import record
from app.refusal import Refused


class RegistrationRefused(Refused):
    """A registration that cannot be made, with the reason for the admin."""


@dataclass(frozen=True)
class Registrations:
    people: list[User]
    units: list[Unit]


def registrations_seen_by(sitting: Sitting, actor: User) -> Registrations:
    scope = unit_scope(actor)
    people = select(User).join(SittingCandidate, SittingCandidate.user_id == User.id)
    units = select(Unit).join(SittingUnit, SittingUnit.unit_id == Unit.id)
    people = people.where(SittingCandidate.sitting_id == sitting.id).order_by(User.name)
    units = units.where(SittingUnit.sitting_id == sitting.id).order_by(Unit.name)
    if scope is not None:
        people, units = people.where(User.unit_id.in_(scope)), units.where(Unit.id.in_(scope))
    return Registrations(list(db.session.scalars(people)), list(db.session.scalars(units)))


def not_taken(sitting: Sitting, actor: User) -> list[User]:
    """Candidates the sitting is open to (one by one or through their unit), within the
    actor's scope, who have no attempt in it: 缺考 once the sitting has closed."""
    units = db.session.scalars(
        select(SittingUnit.unit_id).where(SittingUnit.sitting_id == sitting.id)
    )
    covered: set[int] = set()
    for unit_id in units:
        covered |= db.session.get(Unit, unit_id).subtree_ids()
    one_by_one = select(SittingCandidate.user_id).where(SittingCandidate.sitting_id == sitting.id)
    took = select(Attempt.user_id).where(Attempt.sitting_id == sitting.id)
    query = (
        select(User)
        .where(or_(User.id.in_(one_by_one), User.unit_id.in_(covered)), User.id.not_in(took))
        .where(User.role == Role.CANDIDATE)
        .order_by(User.unit_id, User.name_pinyin)
    )
    scope = unit_scope(actor)
    if scope is not None:
        query = query.where(User.unit_id.in_(scope))
    return list(db.session.scalars(query))


def members_covered(unit: Unit) -> int:
    """How many people a unit's registration brings: its candidates and its sub-units'."""
    return db.session.scalar(
        select(func.count())
        .select_from(User)
        .where(User.unit_id.in_(unit.subtree_ids()), User.role == Role.CANDIDATE)
    )


def chosen_person(actor: User, user_id: str | None) -> User | None:
    """The person a picker suggestion named, if the actor manages them."""
    if not user_id or not user_id.isdigit():
        return None
    person = db.session.get(User, int(user_id))
    return person if person is not None and manages(actor, person) else None


def find_person(actor: User, text: str) -> User:
    """The one person in the actor's scope with this username, 工号, name or pinyin
    initials (李建国: ljg); several matches are listed, so the admin can pick by username."""
    text = text.strip()
    scope = unit_scope(actor)

    def matching(condition) -> list[User]:
        query = select(User).where(condition).order_by(User.username)
        if scope is not None:
            query = query.where(User.unit_id.in_(scope))
        return list(db.session.scalars(query.limit(6)))

    found = matching(or_(User.username == text, User.employee_number == text))
    found = found or matching(User.name == text)
    if not found and text.isascii() and text.isalpha():
        found = matching(User.name_initials == text.lower())
    if not found:
        raise RegistrationRefused(
            f"在您的管理范围内找不到姓名、拼音首字母、用户名或工号为“{text}”的人员"
        )
    if len(found) > 1:
        names = "、".join(f"{p.name}（用户名 {p.username}）" for p in found[:5])
        more = "等" if len(found) > 5 else ""
        raise RegistrationRefused(
            f"“{text}”对应多位人员：{names}{more}。请填写其中一位的用户名或工号"
        )
    return found[0]


def _covering_unit(sitting: Sitting, person: User) -> Unit | None:
    """The registered unit (the person's own or one above it) that already brings them."""
    if person.role is not Role.CANDIDATE:
        return None  # a unit's registration brings its candidates only
    registered = set(
        db.session.scalars(select(SittingUnit.unit_id).where(SittingUnit.sitting_id == sitting.id))
    )
    unit = person.unit
    while unit is not None:
        if unit.id in registered:
            return unit
        unit = unit.parent
    return None


def register_person(sitting: Sitting, person: User, actor: User) -> None:
    """An admin sitting a test sees results of it: only a system admin may register one."""
    if person.role is not Role.CANDIDATE and actor.role is not Role.SYSTEM_ADMIN:
        raise RegistrationRefused(
            f"{person.name}（{person.username}）是管理员；管理员参加考试须由系统管理员报名"
        )
    key = {"sitting_id": sitting.id, "user_id": person.id}
    if db.session.get(SittingCandidate, key) is not None:
        raise RegistrationRefused(f"{person.name}（{person.username}）已报名本场次")
    covering = _covering_unit(sitting, person)
    if covering is not None:
        raise RegistrationRefused(
            f"{person.name}（{person.username}）所在的“{covering.name}”已整体报名本场次，无需单独报名"
        )
    db.session.add(SittingCandidate(**key))
    record(actor, "session.register", sitting.title, session=sitting.id, user=person.username)
    db.session.commit()


def register_many(sitting: Sitting, people: list[User], actor: User) -> int:
    """Register everyone not yet able to take the sitting (one by one or through a
    registered unit), under ``register_person``'s rule on admins; not committed.
    How many were registered."""
    registered_units = db.session.scalars(
        select(SittingUnit.unit_id).where(SittingUnit.sitting_id == sitting.id)
    )
    covered: set[int] = set()
    for unit_id in registered_units:
        covered |= db.session.get(Unit, unit_id).subtree_ids()
    one_by_one = set(
        db.session.scalars(
            select(SittingCandidate.user_id).where(SittingCandidate.sitting_id == sitting.id)
        )
    )
    count = 0
    for person in people:
        if person.role is not Role.CANDIDATE and actor.role is not Role.SYSTEM_ADMIN:
            continue
        if person.id in one_by_one or (person.role is Role.CANDIDATE and person.unit_id in covered):
            continue
        one_by_one.add(person.id)
        db.session.add(SittingCandidate(sitting_id=sitting.id, user_id=person.id))
        count += 1
    return count


def register_unit(sitting: Sitting, unit: Unit, actor: User) -> None:
    key = {"sitting_id": sitting.id, "unit_id": unit.id}
    if db.session.get(SittingUnit, key) is not None:
        raise RegistrationRefused(f"{unit.name}已整体报名本场次")
    db.session.add(SittingUnit(**key))
    record(actor, "session.register_unit", sitting.title, session=sitting.id, unit=unit.name)
    db.session.commit()


def unregister_person(sitting: Sitting, person: User, actor: User) -> None:
    db.session.execute(
        delete(SittingCandidate).where(
            SittingCandidate.sitting_id == sitting.id, SittingCandidate.user_id == person.id
        )
    )
    forget_unregistered(sitting.id)
    record(actor, "session.unregister", sitting.title, session=sitting.id, user=person.username)
    db.session.commit()


def unregister_unit(sitting: Sitting, unit: Unit, actor: User) -> None:
    db.session.execute(
        delete(SittingUnit).where(
            SittingUnit.sitting_id == sitting.id, SittingUnit.unit_id == unit.id
        )
    )
    forget_unregistered(sitting.id)
    record(actor, "session.unregister_unit", sitting.title, session=sitting.id, unit=unit.name)
    db.session.commit()
