"""The baseline for the answer-saving benchmark: a bare Flask route that inserts one row
into the same kind of database, through the same engine settings, under the same web
server. Its table is made before the server starts (``create_table``): each process making
it at boot raced on PostgreSQL, and a process that failed to boot stopped the server."""

from __future__ import annotations

import os

from flask import Flask, request
from sqlalchemy import Column, Integer, MetaData, Table, Text, create_engine, insert

import config
from app.database import enable_sqlite_pragmas, ping_when_idle

metadata = MetaData()
rows = Table("bench_row", metadata, Column("id", Integer, primary_key=True), Column("body", Text))


def create_table(database_url: str) -> None:
    engine = create_engine(database_url)
    metadata.create_all(engine)
    engine.dispose()


def create_app() -> Flask:
    app = Flask(__name__)
    url = os.environ["DATABASE_URL"]
    engine = create_engine(url, **config.engine_options(url))
    enable_sqlite_pragmas(engine)
    ping_when_idle(engine)

    @app.post("/insert")
    def insert_row():
        with engine.begin() as conn:
            conn.execute(insert(rows).values(body=request.get_data(as_text=True)))
        return {"saved": True}

    return app
