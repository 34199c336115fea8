"""Applying a change to a bank's YAML file without losing what people wrote around it.

A bank published from a YAML file keeps that file; a web edit then changes only the
fields that changed, in a round-trip copy of the file (ruamel keeps comments, quoting
and order), so the next version's file still holds every comment. If the revised
file would not read back as exactly the new content (an unusual layout, say), there
is no revised file and the version's YAML is written from its content instead.
"""

from __future__ import annotations

import io
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from question_bank.bank_format import parse_bank
from question_bank.bank_writer import inline_list
from question_bank.model import Bank, Question

_BOM = b"\xef\xbb\xbf"
_LISTS = ("answer", "tags", "excludes")


def revise_yaml(data: bytes, old: Bank, new: Bank) -> bytes | None:
    """``data`` (the file of ``old``) changed to hold ``new``, or None if it cannot be."""
    bom = _BOM if data.startswith(_BOM) else b""
    yaml = _round_trip()
    try:
        document = yaml.load(data.removeprefix(_BOM).decode("utf-8"))
    except (UnicodeDecodeError, YAMLError):
        return None
    if not isinstance(document, CommentedMap) or not isinstance(
        document.get("questions"), CommentedSeq
    ):
        return None
    if document.get("title") != new.title:
        document["title"] = new.title
    _revise_mapping(document["topics"], dict(old.topics), dict(new.topics))
    _revise_questions(document["questions"], old, new)
    stream = io.StringIO()
    yaml.dump(document, stream)
    revised = bom + stream.getvalue().encode("utf-8")
    again, report = parse_bank(revised)
    return revised if report.ok and again == new else None


def _round_trip() -> YAML:
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def _revise_questions(items: CommentedSeq, old: Bank, new: Bank) -> None:
    before = {q.id: q for q in old.questions}
    wanted = {q.id for q in new.questions}
    for i in reversed(range(len(items))):
        if str(items[i].get("id")) not in wanted:
            del items[i]
    where = {str(item.get("id")): item for item in items}
    for question in new.questions:
        if question.id not in where:
            items.append(_mapping(question.to_dict()))
        elif before.get(question.id) != question:
            _revise_question(where[question.id], before[question.id], question)


def _revise_question(item: CommentedMap, old: Question, new: Question) -> None:
    """Only the fields whose meaning changed are rewritten; the rest stay as written."""
    _revise_mapping(item, old.to_dict(), new.to_dict())


def _revise_mapping(item: CommentedMap, old: dict[str, Any], new: dict[str, Any]) -> None:
    for key in [k for k in item if str(k) not in new]:
        del item[key]
    for key, value in new.items():
        if key not in item or old.get(key) != value:
            item[key] = _value(key, value)


def _value(key: str, value: Any) -> Any:
    if key in _LISTS and isinstance(value, list):
        return inline_list(value)
    if isinstance(value, dict):
        return CommentedMap(value)
    return value


def _mapping(data: dict[str, Any]) -> CommentedMap:
    return CommentedMap((key, _value(key, value)) for key, value in data.items())
