"""Who may use which admin page, and what a unit admin may see.

A system admin sees everything; a unit admin sees their own unit and the units below
it, and of its people only the candidates (never another admin, who could otherwise be
reset and taken over), and nothing else: objects outside that scope are reported as not
found (404), so their existence does not leak.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from flask import Blueprint, abort, current_app
from flask_login import current_user, login_required
from sqlalchemy import select

from app.extensions import db
from app.lookup import get_or_404
from app.models import Role, Unit, User

F = TypeVar("F", bound=Callable)

ADMIN_ROLES = (Role.UNIT_ADMIN, Role.SYSTEM_ADMIN)


def roles_required(*roles: Role) -> Callable[[F], F]:
    """Anonymous users go to the login page; logged-in users without the role get 403."""

    def decorate(view: F) -> F:
        @wraps(view)
        @login_required
        def wrapper(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        wrapper.allowed_roles = roles  # read by ``may``
        return wrapper

    return decorate


system_admin_required = roles_required(Role.SYSTEM_ADMIN)


def restrict(bp: Blueprint, *roles: Role) -> None:
    """The one access check of an admin area: every view of ``bp`` is for ``roles``
    (anonymous users go to the login page, others get 403). A view that needs more is
    marked ``@system_admin_required``."""

    bp.allowed_roles = roles  # read by ``may``

    @bp.before_request
    @roles_required(*roles)
    def _only_for_roles() -> None:
        """Returns nothing when the user may go on, so the view runs."""


def may(endpoint: str) -> bool:
    """Whether the current user may open ``endpoint``: its blueprint's ``restrict`` and
    the view's own ``roles_required`` both let them. Templates ask this instead of naming
    roles, so a page shows a link exactly when following it works."""
    view = current_app.view_functions.get(endpoint)
    if view is None or not current_user.is_authenticated:
        return False
    blueprint = current_app.blueprints.get(endpoint.rpartition(".")[0])
    for roles in (getattr(blueprint, "allowed_roles", None), getattr(view, "allowed_roles", None)):
        if roles is not None and current_user.role not in roles:
            return False
    return True


def unit_scope(user: User) -> set[int] | None:
    """Unit ids the user administers; None means every unit (system admin)."""
    if user.role is Role.SYSTEM_ADMIN:
        return None
    if user.role is Role.UNIT_ADMIN and user.unit is not None:
        return user.unit.subtree_ids()
    return set()


def in_scope(user: User, unit_id: int | None) -> bool:
    scope = unit_scope(user)
    return scope is None or (unit_id is not None and unit_id in scope)


def unit_or_404(unit_id: int) -> Unit:
    """A unit the current user administers, or 404."""
    return get_or_404(Unit, unit_id, lambda unit: in_scope(current_user, unit.id))


def manages(actor: User, person: User) -> bool:
    """A system admin manages everyone; a unit admin only the candidates in their scope."""
    if actor.role is Role.SYSTEM_ADMIN:
        return True
    return person.role is Role.CANDIDATE and in_scope(actor, person.unit_id)


def person_or_404(user_id: int) -> User:
    """A person the current user manages, or 404."""
    return get_or_404(User, user_id, lambda person: manages(current_user, person))


def units_in_scope(user: User) -> list[Unit]:
    query = select(Unit).order_by(Unit.name)
    scope = unit_scope(user)
    if scope is not None:
        query = query.where(Unit.id.in_(scope))
    return list(db.session.scalars(query))
