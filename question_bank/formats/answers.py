"""Each question type's answer as one line of text, the way tables and papers write it.

``single``: ``A``; ``multiple``: ``ACD``; ``judge``: 正确 / 错误 (对/错, √/× read too);
``fill``: one entry per blank separated by ``；``, accepted alternatives by ``|``.
Readers pass the YAML value on to the validator, which judges it; writers give the
text back. One small function per type, found by the type's name, so each moves into
its type's own module when types become one module each.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from question_bank.model import Question

_BLANK_SEPARATOR = re.compile(r"[；;]")
_ALTERNATIVE_SEPARATOR = re.compile(r"[|｜]")


def _fill_from_text(text: str) -> Any:
    blanks = []
    for entry in _BLANK_SEPARATOR.split(text):
        accepted = [a.strip() for a in _ALTERNATIVE_SEPARATOR.split(entry) if a.strip()]
        blanks.append(accepted[0] if len(accepted) == 1 else accepted)
    return blanks


ANSWER_FROM_TEXT: dict[str, Callable[[str], Any]] = {
    "single": str.strip,
    "multiple": str.strip,
    "judge": str.strip,
    "fill": _fill_from_text,
}

ANSWER_TO_TEXT: dict[str, Callable[[Question], str]] = {
    "single": lambda q: q.keys[0],
    "multiple": lambda q: "".join(q.keys),
    "judge": lambda q: "正确" if q.keys == ("true",) else "错误",
    "fill": lambda q: "；".join("|".join(accepted) for accepted in q.blanks),
}


def answer_from_text(kind: str, text: str) -> Any:
    """The YAML ``answer`` for ``text``; an unknown type passes it on for the validator."""
    return ANSWER_FROM_TEXT.get(kind, str.strip)(text)


def answer_to_text(question: Question) -> str:
    return ANSWER_TO_TEXT[question.type](question)
