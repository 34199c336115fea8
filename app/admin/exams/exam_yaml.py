"""The structured exam form as exam YAML, and back.

The form never validates an exam itself: it writes the YAML an admin would have
written (every value quoted, one field per line, so no input can add structure) and
the YAML goes through the same checks as an imported file. Each line written is
remembered with the form field it came from, so a diagnostic at a line is shown beside
that field.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from io import StringIO
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from question_bank.diagnostics import Diagnostic
from question_bank.exam import SCORING_FIELDS
from question_bank.types import REGISTRY

SECTION_FIELDS = ("type", "title", "count", "points", "topics", "difficulty")
# YAML field → form field, for diagnostics that name a field but not a line of ours.
FORM_FIELD = {
    "exam": "code",
    "show": "review_show",
    "from": "review_show",
    "review": "review_show",
}
_ENTRY_SEPARATORS = re.compile(r"[,，;；、\n]")
_KEY_VALUE = re.compile(r"[:：]")


def quoted(value: object) -> str:
    """A YAML double-quoted scalar: JSON strings are valid YAML and escape everything."""
    return json.dumps(str(value), ensure_ascii=False)


def spread_pairs(text: str) -> list[tuple[str, str]]:
    """``charter: 20%, branch: 15%`` → pairs; what the pairs mean is parse_exam's to judge."""
    pairs = []
    for entry in _ENTRY_SEPARATORS.split(text):
        if entry.strip():
            key, _, value = _KEY_VALUE.sub(":", entry, count=1).partition(":")
            pairs.append((key.strip(), value.strip()))
    return pairs


def spread_text(pairs: Iterable[tuple[object, object]]) -> str:
    return ", ".join(f"{key}: {value}" for key, value in pairs)


def _flow(text: str) -> str:
    return "{" + ", ".join(f"{quoted(k)}: {quoted(v)}" for k, v in spread_pairs(text)) + "}"


@dataclass
class ExamYaml:
    """Exam YAML written from form data, with the form field behind each line."""

    lines: list[str] = field(default_factory=list)
    owners: dict[int, str] = field(default_factory=dict)

    def add(self, text: str, owner: str | None = None) -> None:
        self.lines.append(text)
        if owner is not None:
            self.owners[len(self.lines)] = owner

    @property
    def source(self) -> str:
        return "\n".join(self.lines) + "\n"

    def field_of(self, diagnostic: Diagnostic) -> str | None:
        """The form field a diagnostic belongs to; None for the form as a whole."""
        owner = self.owners.get(diagnostic.line)
        if owner and owner.startswith("sections-") and diagnostic.field in SECTION_FIELDS:
            return owner.rsplit("-", 1)[0] + "-" + diagnostic.field
        return owner or FORM_FIELD.get(diagnostic.field or "")


def build_exam_yaml(data: dict[str, Any]) -> ExamYaml:
    """``data`` is the structured form's data (``sections`` a list of row dicts)."""
    out = ExamYaml()
    for name, owner in (
        ("exam", "code"),
        ("title", "title"),
        ("bank", "bank"),
        ("time_limit_minutes", "time_limit_minutes"),
        ("pass_mark", "pass_mark"),
    ):
        out.add(f"{name}: {quoted((data.get(owner) or '').strip())}", owner)
    for name in SCORING_FIELDS:  # a type's scoring not chosen keeps the type's default
        if data.get(name) is not None:
            out.add(f"{name}: {quoted(data[name].strip())}", name)
    for name in ("shuffle_questions", "shuffle_options"):
        out.add(f"{name}: {'true' if data.get(name) else 'false'}", name)
    if data.get("exam_only"):
        out.add("practice: false", "exam_only")
    if (data.get("max_page_leaves") or "").strip() not in ("", "0"):
        out.add(f"max_page_leaves: {quoted(data['max_page_leaves'].strip())}", "max_page_leaves")
    out.add("review:", "review_show")
    out.add(f"  show: {quoted(data.get('review_show') or '')}", "review_show")
    out.add(f"  from: {quoted(data.get('review_from') or 'after_close')}", "review_show")
    for name in ("topics", "difficulty"):
        if (data.get(name) or "").strip():
            out.add(f"{name}: {_flow(data[name])}", name)
    rows = [(i, row) for i, row in enumerate(data.get("sections") or []) if _filled(row)]
    out.add("sections:" if rows else "sections: []", "sections")
    for i, row in rows:
        out.add(f"  - type: {quoted(row.get('type') or '')}", f"sections-{i}-type")
        for name in ("title", "count", "points", "topics", "difficulty"):
            value = (row.get(name) or "").strip()
            if name in ("count", "points") or value:
                text = _flow(value) if name in ("topics", "difficulty") else quoted(value)
                out.add(f"    {name}: {text}", f"sections-{i}-{name}")
    return out


def _filled(row: dict[str, Any]) -> bool:
    return any((row.get(name) or "").strip() for name in SECTION_FIELDS if name != "type")


def form_data(source: str) -> dict[str, Any] | None:
    """A stored exam's YAML as structured form data (comments are not kept); None if the
    YAML is beyond what the form shows."""
    try:
        raw = YAML(typ="safe", pure=True).load(StringIO(source))
    except YAMLError:
        return None
    if not isinstance(raw, dict) or not isinstance(raw.get("sections"), list):
        return None
    review = raw.get("review") if isinstance(raw.get("review"), dict) else {}
    data: dict[str, Any] = {
        "code": raw.get("exam"),
        "title": raw.get("title"),
        "bank": raw.get("bank"),
        "time_limit_minutes": raw.get("time_limit_minutes"),
        "pass_mark": raw.get("pass_mark"),
        **{
            name: raw.get(name, REGISTRY[kind].default_scoring)
            for name, kind in SCORING_FIELDS.items()
        },
        "shuffle_questions": raw.get("shuffle_questions", True) is True,
        "shuffle_options": raw.get("shuffle_options", True) is True,
        "exam_only": raw.get("practice", True) is False,
        "max_page_leaves": raw.get("max_page_leaves") or "",
        "review_show": review.get("show", "score_only"),
        "review_from": review.get("from", "after_close"),
        "topics": _spread_of(raw.get("topics")),
        "difficulty": _spread_of(raw.get("difficulty")),
        "sections": [_row(s) for s in raw["sections"] if isinstance(s, dict)],
    }
    return {
        k: (str(v) if isinstance(v, int | float) and not isinstance(v, bool) else v)
        for k, v in data.items()
    }


def _spread_of(value: object) -> str:
    return spread_text(value.items()) if isinstance(value, dict) else ""


def _row(section: dict[str, Any]) -> dict[str, str]:
    row = {name: section.get(name) for name in SECTION_FIELDS}
    row["topics"], row["difficulty"] = _spread_of(row["topics"]), _spread_of(row["difficulty"])
    return {k: "" if v is None else str(v) for k, v in row.items()}
