"""A question typed into the web form, checked by the bank validator itself.

The form is not validated on its own: its input becomes the question's YAML, is put
into the bank beside the other questions and read by ``parse_bank``, exactly as an
uploaded file would be. Each diagnostic's ``field`` then names the form field it
belongs to, so the web form and the YAML file can never disagree about what is valid.
"""

from __future__ import annotations

import json
import re
import string
import unicodedata
from dataclasses import dataclass, field, replace
from typing import Any

from question_bank.bank_format import QUESTION_FIELDS, parse_bank
from question_bank.diagnostics import Diagnostic
from question_bank.model import Bank, Question
from question_bank.types import REGISTRY

_LIST_SEPARATORS = re.compile(r"[,，、\n]+")
_QUESTION_START = re.compile(r"^    \{$", re.MULTILINE)
# A form has no lines: the checked file's positions are dropped from its messages.
_FILE_POSITION = re.compile(r"^(?:题目 [^：]*|第 \d+ 行的题目)：|（第一次出现在第 \d+ 行）")
_NOT_PRINTABLE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")


@dataclass(frozen=True)
class DraftResult:
    """The bank with the draft in place, or the draft's problems by form field."""

    bank: Bank | None
    question: Question | None
    errors: dict[str, list[str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def clean(text: str | None) -> str:
    """Form text as the YAML would hold it: browser line ends, no invisible controls."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    return "".join(c for c in text if c in "\n\t" or unicodedata.category(c) != "Cc")


def draft_from_form(form: dict[str, Any]) -> dict[str, Any]:
    """The question's YAML mapping from raw form values; nothing checked here."""
    draft: dict[str, Any] = {
        name: clean(form.get(name)).strip() for name in ("id", "type", "topic")
    }
    difficulty = clean(form.get("difficulty")).strip()
    if difficulty:
        draft["difficulty"] = difficulty
    draft["stem"] = clean(form.get("stem"))
    lines = [line.strip() for line in clean(form.get("options")).split("\n") if line.strip()]
    if lines:
        keys = list(string.ascii_uppercase) + [f"Z{i}" for i in range(len(lines))]
        draft["options"] = dict(zip(keys, lines, strict=False))
    kind = REGISTRY.get(draft["type"])
    answer = clean(form.get("answer"))
    draft["answer"] = kind.answer_from_editor(answer) if kind else answer.strip()
    for name in ("explanation", "source"):
        text = clean(form.get(name)).strip()
        if text:
            draft[name] = text
    tags = [t.strip() for t in _LIST_SEPARATORS.split(clean(form.get("tags"))) if t.strip()]
    if tags:
        draft["tags"] = tags
    excludes = [t.strip() for t in _LIST_SEPARATORS.split(clean(form.get("excludes"))) if t.strip()]
    if excludes:
        draft["excludes"] = excludes
    if not form.get("shuffle_options"):
        draft["shuffle_options"] = "false"
    return draft


def form_values(question: Question) -> dict[str, Any]:
    """A stored question as the form shows it (the inverse of ``draft_from_form``)."""
    data = question.to_dict()
    answer = REGISTRY[question.type].editor_answer(question)
    return data | {
        "difficulty": str(question.difficulty),
        "options": "\n".join(text for _, text in question.options),
        "answer": answer,
        "tags": "，".join(question.tags),
        "excludes": "，".join(question.excludes),
        "shuffle_options": question.shuffle_options,
    }


def check_draft(content: Bank, draft: dict[str, Any], replacing: str | None = None) -> DraftResult:
    """Validate the draft beside the bank's other questions with ``parse_bank``.

    The draft goes last in the checked file, so that a duplicate id or stem is reported
    on the draft rather than on the question it collides with; the published bank keeps
    the edited question where it was.
    """
    others = [q for q in content.questions if q.id != replacing]
    data = {
        "bank": content.name,
        "title": content.title,
        "topics": dict(content.topics),
        "questions": [q.to_dict() for q in others] + [draft],
    }
    text = _source(data)
    first_line = text.count("\n", 0, list(_QUESTION_START.finditer(text))[-1].start()) + 1
    bank, report = parse_bank(text.encode(), "<form>")
    errors: dict[str, list[str]] = {}
    for item in report.errors:
        if _is_drafts(item, first_line, draft):
            errors.setdefault(_field_name(item), []).append(form_message(item.message))
        else:
            errors.setdefault("", []).append(item.message)
    warnings = [
        form_message(w.message) for w in report.warnings if _is_drafts(w, first_line, draft)
    ]
    if bank is None:
        return DraftResult(None, None, errors or {"": ["题库校验未通过"]}, warnings)
    question = bank.questions[-1]
    questions = list(bank.questions[:-1])
    position = next((i for i, q in enumerate(content.questions) if q.id == replacing), None)
    questions.insert(len(questions) if position is None else position, question)
    return DraftResult(replace(bank, questions=tuple(questions)), question, {}, warnings)


def form_message(message: str) -> str:
    """A validator message as the form shows it: the same words, without file positions."""
    return _FILE_POSITION.sub("", message)


def _is_drafts(item: Diagnostic, first_line: int, draft: dict[str, Any]) -> bool:
    return item.line >= first_line or (
        item.question_id is not None and item.question_id == draft.get("id")
    )


def _field_name(item: Diagnostic) -> str:
    return item.field if item.field in QUESTION_FIELDS else ""


def _source(data: dict[str, Any]) -> str:
    """The bank as JSON, which is YAML too: fast to write, every text quoted on one line.

    Characters YAML does not allow raw (C1 controls, line and paragraph separators) are
    escaped, so any stored text reads back exactly.
    """
    text = json.dumps(data, ensure_ascii=False, indent=2)
    return _NOT_PRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def check_bank(content: Bank) -> tuple[Bank | None, list[str]]:
    """Validate a whole bank changed in the browser (e.g. a question retired)."""
    bank, report = parse_bank(_source(content.to_dict()).encode(), "<form>")
    return bank, [item.message for item in report.errors]
