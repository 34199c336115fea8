"""Many items of one paper written in one statement on PostgreSQL.

A start inserts its paper's items, scoring writes every item's verdict, and a submit the
answers its page holds: twenty to eighty rows of one paper at a time. As an executemany,
psycopg sends PostgreSQL one statement per row, each bound, executed and reported by the
server (and prepared after the fifth, then deallocated at the request's rollback); the
rows as arrays in one ``UPDATE … FROM unnest(…)`` or ``INSERT … SELECT … FROM unnest(…)``
cost the server about half as much or less, and the client a third to two thirds
(``bench/bench_item_updates.py``; bench/RESULTS.md, sessions 26 and 34).
SQLite runs an executemany as one C loop over one prepared statement, cheaper than a
statement built for the rows (measured: a CASE per column cost 2.5-3.5 times as much at twenty
rows), so there the rows stay one per execution.

One definition gives both forms: an update's SET and its extra condition are written
once, from the given row's columns, which are bound parameters in one form and the
unnested arrays' columns in the other; an insert names its columns once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Insert,
    Integer,
    Update,
    bindparam,
    column,
    func,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.types import TypeEngine

from app.models import AttemptItem

Given = Mapping[str, ColumnElement[Any]]


@dataclass(frozen=True)
class ItemWrite:
    """An UPDATE or INSERT of some items of one paper: ``run`` it with the attempt and, per
    item, a tuple in the order of ``fields`` (its position first)."""

    fields: tuple[str, ...]
    per_row: Update | Insert
    unnested: Update | Insert

    def run(self, connection: Connection, attempt_id: int, rows: Sequence[Sequence[Any]]) -> None:
        """In one statement on PostgreSQL, one execution per row elsewhere."""
        if not rows:
            return
        if connection.dialect.name == "postgresql":
            self.run_unnested(connection, attempt_id, rows)
        else:
            self.run_per_row(connection, attempt_id, rows)

    def run_unnested(
        self, connection: Connection, attempt_id: int, rows: Sequence[Sequence[Any]]
    ) -> None:
        columns = zip(*rows, strict=True)
        arrays = {name: list(values) for name, values in zip(self._names, columns, strict=True)}
        connection.execute(self.unnested, {"given_attempt_id": attempt_id, **arrays})

    def run_per_row(
        self, connection: Connection, attempt_id: int, rows: Sequence[Sequence[Any]]
    ) -> None:
        names = self._names
        connection.execute(
            self.per_row,
            [
                {"given_attempt_id": attempt_id, **dict(zip(names, row, strict=True))}
                for row in rows
            ],
        )

    @property
    def _names(self) -> list[str]:
        return [f"given_{name}" for name in self.fields]


def item_update(
    fields: Mapping[str, TypeEngine[Any]],
    values: Callable[[Given], Mapping[str, ColumnElement[Any]]],
    where: Callable[[Given], ColumnElement[bool]] | None = None,
) -> ItemWrite:
    """The update setting ``values(given)`` on each given item matching ``where(given)``;
    ``fields``: each given row's fields and types, besides its ``position``."""
    fields = {"position": Integer(), **fields}
    bound = {name: bindparam(f"given_{name}", type_=kind) for name, kind in fields.items()}
    derived = _unnested(fields)
    return ItemWrite(
        tuple(fields),
        _update(bound, values, where),
        _update({name: derived.c[name] for name in fields}, values, where),
    )


def item_insert(fields: Mapping[str, TypeEngine[Any]], constants: Mapping[str, Any]) -> ItemWrite:
    """The insert of new items of one paper: ``fields`` given per item (its ``position``
    first, added here), ``constants`` the same for every item."""
    fields = {"position": Integer(), **fields}
    derived = _unnested(fields)
    items = AttemptItem.__table__
    paper = bindparam("given_attempt_id", type_=Integer())
    bound = {name: bindparam(f"given_{name}", type_=kind) for name, kind in fields.items()}
    per_row = insert(items).values(attempt_id=paper, **bound, **constants)
    unnested = insert(items).from_select(
        ["attempt_id", *fields, *constants],
        select(paper, *(derived.c[name] for name in fields), *map(literal, constants.values())),
    )
    return ItemWrite(tuple(fields), per_row, unnested)


def _unnested(fields: Mapping[str, TypeEngine[Any]]):
    """The given rows as one table ``given`` of these columns, from one array parameter
    per column (``given_<name>``). One dimension: a JSON value that is a list (several
    choices, an option order) is one element, not a row of a two-dimensional array."""
    arrays = func.unnest(
        *(
            bindparam(f"given_{name}", type_=ARRAY(kind, dimensions=1))
            for name, kind in fields.items()
        )
    )
    table = arrays.table_valued(*(column(n, kind) for n, kind in fields.items()))
    return table.render_derived(name="given")


def _update(
    given: Given,
    values: Callable[[Given], Mapping[str, ColumnElement[Any]]],
    where: Callable[[Given], ColumnElement[bool]] | None,
) -> Update:
    items = AttemptItem.__table__
    conditions = [
        items.c.attempt_id == bindparam("given_attempt_id"),
        items.c.position == given["position"],
    ]
    if where is not None:
        conditions.append(where(given))
    return update(items).where(*conditions).values(values(given))
