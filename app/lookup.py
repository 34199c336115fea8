"""The one way a view loads a row by its id: missing, or not the user's to see, is a 404
(the same answer, so that an id tells nothing about rows out of reach)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from flask import abort
from sqlalchemy import Select, bindparam, inspect, select
from sqlalchemy.orm.interfaces import ORMOption

from app.extensions import db

T = TypeVar("T")

# The statement of each model and options, built once: building it (what ``Session.get``
# does on each call) costs more than running it, and a session's start reads its sitting.
_statements: dict[tuple[type, tuple[ORMOption, ...]], Select] = {}


def found_or_404(found: T | None) -> T:
    if found is None:
        abort(404)
    return found


def get_or_404(
    model: type[T],
    ident: int,
    visible: Callable[[T], bool] | None = None,
    options: Sequence[ORMOption] = (),
) -> T:
    """The row with primary key ``ident``, if it exists and ``visible`` allows it;
    ``options`` as for ``Session.get`` (a relationship the page needs, loaded with it):
    pass the same option objects each time (a module's constant), as the statement
    built for them is kept."""
    found = db.session.scalar(_statement(model, tuple(options)), {"ident": ident})
    if found is None or (visible is not None and not visible(found)):
        abort(404)
    return found


def _statement(model: type, options: tuple[ORMOption, ...]) -> Select:
    statement = _statements.get((model, options))
    if statement is None:
        if len(_statements) >= 64:
            _statements.clear()
        (key,) = inspect(model).primary_key
        statement = select(model).where(key == bindparam("ident")).options(*options)
        _statements[(model, options)] = statement
    return statement
