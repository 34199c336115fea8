"""Registering candidates to a session, one by one or a whole unit at a time.

A unit registered to a session brings its candidates and those of its sub-units, now
and later (see ``app.exam.sessions.sessions_for``); an admin sits a test only when a
system admin registers them by name. A unit admin registers and removes only
people and units of their own subtree, and sees only those.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, or_, select

from app.admin.access import unit_scope
from app.extensions import db
from app.models import ExamSession, Role, SessionCandidate, SessionUnit, Unit, User
from app.models.audit import record


class RegistrationRefused(ValueError):
    """A registration that cannot be made, with the reason for the admin."""


@dataclass(frozen=True)
class Registrations:
    people: list[User]
    units: list[Unit]


def registrations_seen_by(session: ExamSession, actor: User) -> Registrations:
    scope = unit_scope(actor)
    people = select(User).join(SessionCandidate, SessionCandidate.user_id == User.id)
    units = select(Unit).join(SessionUnit, SessionUnit.unit_id == Unit.id)
    people = people.where(SessionCandidate.session_id == session.id).order_by(User.name)
    units = units.where(SessionUnit.session_id == session.id).order_by(Unit.name)
    if scope is not None:
        people, units = people.where(User.unit_id.in_(scope)), units.where(Unit.id.in_(scope))
    return Registrations(list(db.session.scalars(people)), list(db.session.scalars(units)))


def find_person(actor: User, text: str) -> User:
    """The one person in the actor's scope with this username or 工号."""
    text = text.strip()
    query = select(User).where(or_(User.username == text, User.employee_number == text))
    scope = unit_scope(actor)
    if scope is not None:
        query = query.where(User.unit_id.in_(scope))
    person = db.session.scalar(query)
    if person is None:
        raise RegistrationRefused(f"在您的管理范围内找不到用户名或工号为“{text}”的人员")
    return person


def register_person(session: ExamSession, person: User, actor: User) -> None:
    """An admin sitting a test sees results of it: only a system admin may register one."""
    if person.role is not Role.CANDIDATE and actor.role is not Role.SYSTEM_ADMIN:
        raise RegistrationRefused(
            f"{person.name}（{person.username}）是管理员；管理员参加考试须由系统管理员报名"
        )
    key = {"session_id": session.id, "user_id": person.id}
    if db.session.get(SessionCandidate, key) is not None:
        raise RegistrationRefused(f"{person.name}（{person.username}）已报名本场次")
    db.session.add(SessionCandidate(**key))
    record(actor, "session.register", session.title, session=session.id, user=person.username)
    db.session.commit()


def register_unit(session: ExamSession, unit: Unit, actor: User) -> None:
    key = {"session_id": session.id, "unit_id": unit.id}
    if db.session.get(SessionUnit, key) is not None:
        raise RegistrationRefused(f"{unit.name}已整体报名本场次")
    db.session.add(SessionUnit(**key))
    record(actor, "session.register_unit", session.title, session=session.id, unit=unit.name)
    db.session.commit()


def unregister_person(session: ExamSession, person: User, actor: User) -> None:
    db.session.execute(
        delete(SessionCandidate).where(
            SessionCandidate.session_id == session.id, SessionCandidate.user_id == person.id
        )
    )
    record(actor, "session.unregister", session.title, session=session.id, user=person.username)
    db.session.commit()


def unregister_unit(session: ExamSession, unit: Unit, actor: User) -> None:
    db.session.execute(
        delete(SessionUnit).where(
            SessionUnit.session_id == session.id, SessionUnit.unit_id == unit.id
        )
    )
    record(actor, "session.unregister_unit", session.title, session=session.id, unit=unit.name)
    db.session.commit()
