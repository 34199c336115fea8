"""The one way a view loads a row by its id: missing, or not the user's to see, is a 404
(the same answer, so that an id tells nothing about rows out of reach)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from flask import abort
from sqlalchemy.orm.interfaces import ORMOption

from app.extensions import db

T = TypeVar("T")


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
    ``options`` as for ``Session.get`` (a relationship the page needs, loaded with it)."""
    found = db.session.get(model, ident, options=options)
    if found is None or (visible is not None and not visible(found)):
        abort(404)
    return found
