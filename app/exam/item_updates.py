"""Many items of one paper written in one statement on PostgreSQL.

A start inserts its paper's items, scoring writes every item's verdict, and a submit the
answers its page holds: twenty to eighty rows of one paper at a time. As an executemany,
psycopg sends PostgreSQL one statement per row, each bound, executed and reported by the
server (and prepared after the fifth, then deallocated at the request's rollback). The
rows go as one JSON document read by ``json_to_recordset`` into one ``UPDATE … FROM`` or
``INSERT … SELECT``: at eighty items the server spends about a quarter as much, and the
client a fifth (``bench/bench_item_updates.py``; bench/RESULTS.md, session 34). Where
the rows carry JSON values (a start's option orders, a submit's answers), one array per
column through ``unnest`` (sessions 26-33) cost the client 1.7-3.7 times the document,
psycopg dumping each element of a JSON array in Python; for the verdicts (numbers and
words) the two cost about the same.

SQLite runs an executemany as one C loop over one prepared statement, cheaper than a
statement built for the rows (measured: a CASE per column cost 2.5-3.5 times as much at
twenty rows), so there the rows stay one per execution.

One definition gives both forms: an update's SET and its extra condition are written
once, from the given row's columns, which are bound parameters in one form and the
document's columns in the other; an insert names its columns once.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Insert,
    Integer,
    Text,
    Update,
    bindparam,
    cast,
    column,
    func,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import JSON
from sqlalchemy.sql.selectable import TableValuedAlias
from sqlalchemy.types import TypeEngine

from app.models import AttemptItem

Given = Mapping[str, ColumnElement[Any]]


@dataclass(frozen=True)
class ItemWrite:
    """An UPDATE or INSERT of some items of one paper: ``run`` it with the attempt and, per
    item, a tuple in the order of ``fields`` (its position first)."""

    fields: tuple[str, ...]
    per_row: Update | Insert
    from_json: Update | Insert

    def run(self, connection: Connection, attempt_id: int, rows: Sequence[Sequence[Any]]) -> None:
        """In one statement on PostgreSQL, one execution per row elsewhere."""
        if not rows:
            return
        if connection.dialect.name == "postgresql":
            self.run_from_json(connection, attempt_id, rows)
        else:
            self.run_per_row(connection, attempt_id, rows)

    def run_from_json(
        self, connection: Connection, attempt_id: int, rows: Sequence[Sequence[Any]]
    ) -> None:
        fields = self.fields
        document = json.dumps(
            [dict(zip(fields, row, strict=True)) for row in rows],
            default=_json_value,
            ensure_ascii=False,
        )
        connection.execute(self.from_json, {"given_attempt_id": attempt_id, "given_rows": document})

    def run_per_row(
        self, connection: Connection, attempt_id: int, rows: Sequence[Sequence[Any]]
    ) -> None:
        names = [f"given_{name}" for name in self.fields]
        connection.execute(
            self.per_row,
            [
                {"given_attempt_id": attempt_id, **dict(zip(names, row, strict=True))}
                for row in rows
            ],
        )


def _json_value(value: Any) -> str:
    """A value JSON has no type for, as PostgreSQL reads it into its column: a decimal's
    digits; a moment in ISO 8601 with its zone (a naive one is refused, as the columns'
    own type refuses it)."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime; store timezone-aware UTC")
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} has no JSON form here")


def item_update(
    fields: Mapping[str, TypeEngine[Any]],
    values: Callable[[Given], Mapping[str, ColumnElement[Any]]],
    where: Callable[[Given], ColumnElement[bool]] | None = None,
) -> ItemWrite:
    """The update setting ``values(given)`` on each given item matching ``where(given)``;
    ``fields``: each given row's fields and types, besides its ``position``."""
    fields = {"position": Integer(), **fields}
    bound = {name: bindparam(f"given_{name}", type_=kind) for name, kind in fields.items()}
    given = _given_rows(fields)
    return ItemWrite(
        tuple(fields),
        _update(bound, values, where),
        _update({name: given.c[name] for name in fields}, values, where),
    )


def item_insert(fields: Mapping[str, TypeEngine[Any]], constants: Mapping[str, Any]) -> ItemWrite:
    """The insert of new items of one paper: ``fields`` given per item (its ``position``
    first, added here), ``constants`` the same for every item."""
    fields = {"position": Integer(), **fields}
    given = _given_rows(fields)
    items = AttemptItem.__table__
    paper = bindparam("given_attempt_id", type_=Integer())
    bound = {name: bindparam(f"given_{name}", type_=kind) for name, kind in fields.items()}
    per_row = insert(items).values(attempt_id=paper, **bound, **constants)
    from_json = insert(items).from_select(
        ["attempt_id", *fields, *constants],
        select(paper, *(given.c[name] for name in fields), *map(literal, constants.values())),
    )
    return ItemWrite(tuple(fields), per_row, from_json)


def _given_rows(fields: Mapping[str, TypeEngine[Any]]) -> TableValuedAlias:
    """The given rows as one table ``given`` of these columns and types, read from one
    JSON document (``given_rows``: a list of objects keyed by the columns' names). A JSON
    value (a response, an option order) stays JSON, a list included."""
    document = cast(bindparam("given_rows", type_=Text()), JSON)
    rows = func.json_to_recordset(document)
    table = rows.table_valued(*(column(name, kind) for name, kind in fields.items()))
    return table.render_derived(name="given", with_types=True)


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
