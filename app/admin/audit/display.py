"""An audit entry's details as an admin reads them: field names from the label catalogue,
times in the local zone, roles and units by name, and each changed field marked."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.labels import ROLES, label
from app.timefmt import localtime

_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


@dataclass(frozen=True)
class Change:
    field: str
    before: str
    after: str
    changed: bool


@dataclass(frozen=True)
class Details:
    changes: list[Change]
    other: list[tuple[str, str]]


def _text(key: str, value: Any, unit_paths: dict[int, str]) -> str:
    """One value in words: 是/否, local times, role titles, unit paths."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if key == "unit_id" and isinstance(value, int):
        return unit_paths.get(value, str(value))
    if key == "role" and isinstance(value, str):
        return ROLES.get(value, value)
    if key == "by" and isinstance(value, str):
        return label(value, "finalized_by")
    if isinstance(value, str) and _TIMESTAMP.match(value):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        return localtime(moment, "%Y-%m-%d %H:%M:%S") if moment.tzinfo else value
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _flat(value: Any, key: str) -> dict[str, Any]:
    return value if isinstance(value, dict) else {key: value}


def describe(action: str, details: dict[str, Any], unit_paths: dict[int, str]) -> Details:
    """Before/after pairs (changed ones marked) and the entry's other facts, labelled."""
    single = "role" if action == "person.role" else ""
    before = _flat(details.get("before", {}), single) if "before" in details else {}
    after = _flat(details.get("after", {}), single) if "after" in details else {}
    keys = list(dict.fromkeys([*before, *after]))
    changes = [
        Change(
            label(key, "field") if key else "",
            _text(key, before.get(key), unit_paths) if key in before else "",
            _text(key, after.get(key), unit_paths) if key in after else "",
            changed=before.get(key) != after.get(key),
        )
        for key in keys
    ]
    other = [
        (label(key, "field"), _text(key, value, unit_paths))
        for key, value in details.items()
        if key not in ("before", "after")
    ]
    return Details(changes, other)
