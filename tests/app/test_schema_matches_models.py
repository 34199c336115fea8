"""The migrations build the schema the models describe: the suite runs on the migrated
database, so a model's index or column changed without its migration would otherwise be
tested nowhere and missing in every deployment."""

from __future__ import annotations

import warnings

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from app.extensions import db


def test_the_migrated_database_has_every_table_column_and_index_of_the_models(ctx):
    with warnings.catch_warnings():
        # SQLite's expression indexes (the case-blind username) cannot be read back.
        warnings.simplefilter("ignore")
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"include_name": _ours})
            differences = compare_metadata(context, db.metadata)
    assert differences == []


def _ours(name: str | None, kind: str, parents: dict) -> bool:
    """The app's tables and what is on them: on PostgreSQL the job queue's own tables
    (huey's) share the database."""
    table = name if kind == "table" else parents.get("table_name")
    return table is None or table in db.metadata.tables
