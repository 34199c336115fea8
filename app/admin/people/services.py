"""Changing people: their details, their role, their password; finding them."""

from __future__ import annotations

from dataclasses import dataclass

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, or_, select
from werkzeug.security import generate_password_hash

from app.admin.access import manages, unit_scope
from app.admin.people.accounts import INITIAL_HASH, new_password
from app.admin.people.names import LookAlikes, look_alike_warning
from app.auth.login_session import end_sessions
from app.auth.throttle import forget_account
from app.extensions import db
from app.models import Role, Unit, User
from app.models.audit import record
from app.refusal import Refused

SUGGESTIONS = 8  # people a registration picker lists at once
EDITABLE = ("name", "unit_id", "current_position", "position", "phone")


class PersonRefused(Refused):
    """A change to a person that the actor may not make."""


SORTS = {  # the people list's orders; the filter form names them
    "name": (User.name_pinyin, User.id),
    "number": (User.employee_number, User.name_pinyin, User.id),
    "newest": (User.created_at.desc(), User.id.desc()),
}


@dataclass(frozen=True)
class PeopleFilter:
    text: str = ""
    unit: Unit | None = None
    role: Role | None = None
    sort: str = "name"


def _people_query(actor: User, wanted: PeopleFilter) -> Select:
    """People the actor administers, optionally below one unit, of one role, matching a
    search text (name, username, 工号, pinyin initials or a whole ID number); usernames and
    工号 match whatever their case, on PostgreSQL as on SQLite."""
    query = select(User).order_by(*SORTS.get(wanted.sort, SORTS["name"]))
    text, unit = wanted.text, wanted.unit
    if wanted.role is not None:
        query = query.where(User.role == wanted.role)
    scope = unit_scope(actor)
    if unit is not None:
        scope = unit.subtree_ids() if scope is None else scope & unit.subtree_ids()
    if scope is not None:
        query = query.where(User.unit_id.in_(scope))
    if actor.role is not Role.SYSTEM_ADMIN:
        query = query.where(User.role == Role.CANDIDATE)
    text = text.strip()
    if text:
        like = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(
            or_(User.name.like(like, escape="\\"), User.username.ilike(like, escape="\\"),
                User.employee_number.ilike(like, escape="\\"), User.id_number == text.upper(),
                User.name_initials.like(like.lower(), escape="\\"))
        )  # fmt: skip
    return query


def search_people(actor: User, wanted: PeopleFilter, page: int) -> Pagination:
    """One page of the people list."""
    return db.paginate(_people_query(actor, wanted), page=page, per_page=50, error_out=False)


def suggest_people(actor: User, text: str, limit: int = SUGGESTIONS) -> list[User]:
    """The first few people a registration picker offers for what has been typed."""
    if not text.strip():
        return []
    return list(db.session.scalars(_people_query(actor, PeopleFilter(text)).limit(limit)))


@dataclass(frozen=True)
class PersonChange:
    name: str
    unit_id: int
    current_position: str | None
    position: str | None
    phone: str | None


def _may_manage(person: User, actor: User) -> None:
    """Unit admins change only candidates in their scope (the views 404 before this)."""
    if not manages(actor, person):
        raise PersonRefused("单位管理员只能管理本单位的考生")


def update_person(person: User, change: PersonChange, actor: User) -> None:
    """Change someone's details; the new unit must be one the actor administers."""
    _may_manage(person, actor)
    scope = unit_scope(actor)
    if scope is not None and change.unit_id not in scope:
        raise PersonRefused("只能把人员调到您管理范围内的单位")
    before = {key: getattr(person, key) for key in EDITABLE}
    for key in EDITABLE:
        setattr(person, key, getattr(change, key))
    after = {key: getattr(person, key) for key in EDITABLE}
    if after != before:
        changed = [key for key in EDITABLE if before[key] != after[key]]
        record(actor, "person.update", person.username,
               before={k: before[k] for k in changed}, after={k: after[k] for k in changed})  # fmt: skip
    db.session.commit()


def change_role(person: User, role: Role, actor: User) -> None:
    """A system admin's decision; a unit admin needs a unit, and nobody demotes themselves.
    A new role ends the person's sessions, so it takes effect at once."""
    if person.id == actor.id and role is not Role.SYSTEM_ADMIN:
        raise PersonRefused("不能取消自己的系统管理员角色，请让另一位系统管理员操作")
    if role is Role.UNIT_ADMIN and person.unit_id is None:
        raise PersonRefused("单位管理员必须属于某个单位")
    if role is not person.role:
        record(actor, "person.role", person.username, before=person.role.value, after=role.value)
        person.role = role
        end_sessions(person)
    db.session.commit()


def reset_password(person: User, actor: User) -> str:
    """A new random initial password, to be changed at the next login; shown once."""
    _may_manage(person, actor)
    password = new_password()
    person.password_hash = generate_password_hash(password, method=INITIAL_HASH)
    person.must_change_password = True
    end_sessions(person)
    forget_account(person.username)
    record(actor, "person.reset_password", person.username)
    db.session.commit()
    return password


def name_warning(person: User, actor: User) -> str | None:
    """A warning when the person's name reads like another's in the actor's scope."""
    query = select(User.name).where(User.id != person.id)
    scope = unit_scope(actor)
    if scope is not None:
        query = query.where(User.unit_id.in_(scope))
    others = LookAlikes(db.session.scalars(query)).of(person.name)
    return look_alike_warning("姓名", person.name, others)
