"""The test page's questions as HTML fragments rendered once per process.

A synchronized start sends every candidate to the test page in the same seconds, and
rendering eighty questions through the type templates was most of that page's cost.
A question not yet answered nor flagged differs from paper to paper only in its place on
the paper and the order of its options. So its fragment is rendered once per revision
(and its options' labels), with markers where the position, the number and each
option's key and text go, and every page fills the markers in: one join per question.
Answered or flagged questions (a reload mid-test) are rendered by the templates as before.

The markers contain ``<``, which autoescaping turns into ``&lt;`` in any text from the
bank, so filling them in never touches a question's own text. Hence the one rule for a
type's ``take`` template (checked for every type by tests/app/test_question_fragments.py):
print ``item.position``, ``item.number`` and each option's key and text (alone or
joined with ``~``); never compute with them or compare them except with a response.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from flask import current_app
from markupsafe import Markup, escape

from app.exam.catalog import exam_definition, question_of
from app.exam.display import ItemView, SectionView
from app.models import Exam
from question_bank.exam import Exam as ExamDefinition
from question_bank.model import Question

_MARKER = re.compile(r"<#(\w+)#>")
_TEMPLATE = "exam/_question.html"

# One entry per question revision and labelling: a bank of 10,000 questions fits.
_MAX_FRAGMENTS = 20_000


@dataclass
class _Blank:
    """A question's fragment split at its markers, which value each marker stands for,
    and its options' keys and texts escaped once (the same for every paper)."""

    question: Question
    parts: list[str]
    slots: list[int]
    escaped: dict[str, tuple[str, str]] = field(default_factory=dict)


_fragments: dict[tuple[int, tuple[str, ...]], _Blank] = {}


def questions_html(items: list[ItemView]) -> Markup:
    """A section's questions one after another: one call from the template, not one per
    item (eighty calls through Jinja cost more than the joins)."""
    return Markup("\n".join([_html(item) for item in items]))


def question_html(item: ItemView) -> Markup:
    """One question of the test page, exactly as ``exam/_question.html`` renders it."""
    return Markup(_html(item))


def _html(item: ItemView) -> str:
    if item.response is not None or item.flagged:
        return current_app.jinja_env.get_template(_TEMPLATE).render(item=item)
    blank = _blank(item)
    values = [str(item.position), str(item.number)]  # in the order of _slot's numbers
    escaped = blank.escaped
    for key, _label, text in item.options:
        pair = escaped.get(key)
        if pair is None:
            pair = escaped[key] = (escape(key), escape(text))
        values += pair
    filled = blank.parts.copy()  # literal, marker, literal, … as re.split gives them
    filled[1::2] = [values[slot] for slot in blank.slots]
    return "".join(filled)


def _blank(item: ItemView) -> _Blank:
    """The question unanswered and unflagged, split at its markers.

    A revision never changes once written, so neither does its fragment; the entry keeps
    the question it was rendered from, so when the catalog forgets its questions (tests
    reuse ids) the fragment is rendered again rather than served for another question."""
    question = question_of(item.revision_id)
    key = (item.revision_id, tuple([label for _key, label, _text in item.options]))
    cached = _fragments.get(key)
    if cached is None or cached.question is not question:
        if len(_fragments) >= _MAX_FRAGMENTS:
            _fragments.clear()
        marked = ItemView(
            Markup("<#position#>"), Markup("<#number#>"), item.type, item.stem_parts,
            [(Markup(f"<#key{slot}#>"), label, Markup(f"<#text{slot}#>"))
             for slot, (_key, label, _text) in enumerate(item.options)],
            None, False, item.revision_id,
        )  # fmt: skip
        html = current_app.jinja_env.get_template(_TEMPLATE).render(item=marked)
        parts = _MARKER.split(html)
        cached = _fragments[key] = _Blank(question, parts, [_slot(name) for name in parts[1::2]])
    return cached


def _slot(marker: str) -> int:
    """position 0, number 1, then each option's key and text: key0 2, text0 3, key1 4 …"""
    if marker in ("position", "number"):
        return ("position", "number").index(marker)
    name = marker.rstrip("0123456789")
    return 2 + 2 * int(marker[len(name) :]) + (name == "text")


def palette_html(sections: list[SectionView]) -> Markup:
    """The question numbers beside the paper, answered and flagged ones marked: the same
    for every fresh paper of a size, so rendered once per process for each."""
    return _palette(
        tuple(
            (item.position, item.number, item.response is not None, item.flagged)
            for section in sections
            for item in section.items
        )
    )


@lru_cache(maxsize=64)
def _palette(marks: tuple[tuple[int, int, bool, bool], ...]) -> Markup:
    return Markup(current_app.jinja_env.get_template("exam/_palette.html").render(marks=marks))


# Keyed by the parsed exam's identity (the catalog keeps one per exam and update, and an
# edit parses anew); each entry holds the parsed exam, so its id is not reused meanwhile.
_rules: dict[int, tuple[ExamDefinition, Markup]] = {}


def rules_html(exam: Exam) -> Markup:
    """The exam's rules as the start page lists them (``exam/_rules.html``): loaded by
    every candidate before the open and at every retry of a start, and the same for all
    of them until the exam changes, so rendered once per process for each parsed exam."""
    definition = exam_definition(exam)
    cached = _rules.get(id(definition))
    if cached is None:
        if len(_rules) >= 64:
            _rules.clear()
        html = current_app.jinja_env.get_template("exam/_rules.html").render(definition=definition)
        cached = _rules[id(definition)] = (definition, Markup(html))
    return cached[1]
