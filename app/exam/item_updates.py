"""Many items of one paper updated by position in one statement on PostgreSQL.

Scoring writes every item's verdict, and a submit the answers its page holds: twenty to
eighty rows of one paper at a time. As an executemany, psycopg sends PostgreSQL one
UPDATE per row, each bound, executed and reported by the server; the rows as arrays in
one ``UPDATE … FROM unnest(…)`` cost the server about half as much, and the client a
third to two thirds (``bench/bench_item_updates.py``; bench/RESULTS.md, session 26).
SQLite runs an executemany as one C loop over one prepared statement, cheaper than a
statement built for the rows (measured: a CASE per column cost 2.5-3.5 times as much at twenty
rows), so there the rows stay one per execution.

One definition gives both forms: its SET and its extra condition are written once, from
the given row's columns, which are bound parameters in one form and the unnested
arrays' columns in the other.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, Integer, Update, bindparam, column, func, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.types import TypeEngine

from app.models import AttemptItem

Given = Mapping[str, ColumnElement[Any]]


@dataclass(frozen=True)
class ItemUpdate:
    """An UPDATE of some items of one paper: ``run`` it with the attempt and, per item, a
    tuple in the order of ``fields`` (its position first)."""

    fields: tuple[str, ...]
    per_row: Update
    unnested: Update

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
) -> ItemUpdate:
    """The update setting ``values(given)`` on each given item matching ``where(given)``;
    ``fields``: each given row's fields and types, besides its ``position``."""
    fields = {"position": Integer(), **fields}
    bound = {name: bindparam(f"given_{name}", type_=kind) for name, kind in fields.items()}
    # One dimension: a JSON response that is a list (several choices) is one element, not
    # a row of a two-dimensional array.
    arrays = func.unnest(
        *(
            bindparam(f"given_{name}", type_=ARRAY(kind, dimensions=1))
            for name, kind in fields.items()
        )
    )
    table = arrays.table_valued(*(column(n, kind) for n, kind in fields.items()))
    derived = table.render_derived(name="given")
    return ItemUpdate(
        tuple(fields),
        _update(bound, values, where),
        _update({name: derived.c[name] for name in fields}, values, where),
    )


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
