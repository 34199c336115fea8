"""Numbers, dates and JSON from requests, within bounds: a number no database column
can hold, a date no time zone can convert or a JSON document nested a thousand deep is
a bad request (4xx with a Chinese message), never a server error (issue 10, item 16).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from flask import request
from werkzeug.routing import IntegerConverter, ValidationError

MAX_ID = 2**63 - 1  # PostgreSQL bigint and SQLite INTEGER
MAX_PAGE = 1_000_000  # page numbers of listings
MAX_JSON_BYTES = 64 * 1024
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100


class BoundedIntConverter(IntegerConverter):
    """``<int:…>`` that does not match a number beyond any id (so it is a 404)."""

    def __init__(self, map, *args, **kwargs) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)

    def to_python(self, value: str) -> int:
        if len(value) > len(str(MAX_ID)):
            raise ValidationError()
        return super().to_python(value)


def query_int(name: str, default: int | None = None, low: int = 1, high: int = MAX_ID):
    """An integer query parameter; anything else, or out of range, gives the default."""
    text = request.args.get(name, "")
    if not text.isascii() or not text.isdigit() or len(text) > 19:
        return default
    value = int(text)
    return value if low <= value <= high else default


def page_number() -> int:
    """The ``page`` query parameter of a listing: 1 unless a sane page number."""
    return query_int("page", 1, high=MAX_PAGE)


def read_json() -> dict[str, Any] | None:
    """The request's JSON object, or None for anything else (too large, too deep, not
    JSON, not an object): the caller answers 400, which the test page does not retry."""
    if request.content_length is not None and request.content_length > MAX_JSON_BYTES:
        return None
    data = request.stream.read(MAX_JSON_BYTES + 1)
    if len(data) > MAX_JSON_BYTES:
        return None
    try:
        body = json.loads(data)
    except (ValueError, RecursionError):
        return None
    return body if isinstance(body, dict) else None


def sane_id(value: object, low: int = 1) -> int | None:
    """An id (or a position, from 0) that fits a database column, or None."""
    if isinstance(value, int) and not isinstance(value, bool) and low <= value <= MAX_ID:
        return value
    return None


def sane_datetime(value: date | None) -> bool:
    """A date a session or filter can mean: between 2000 and 2100."""
    return value is None or EARLIEST_YEAR <= value.year <= LATEST_YEAR
