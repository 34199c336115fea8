"""What a candidate is shown of a paper: before finalization no key, explanation,
source or verdict; after it, what the exam's review policy allows and no more."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Text, bindparam, cast, select

from app.exam.catalog import load_questions, question_of
from app.exam.grants import answerable_until
from app.extensions import db
from app.models import Attempt, AttemptItem
from question_bank.model import TYPE_TITLES
from question_bank.types import REGISTRY, QuestionType


@dataclass
class ItemView:
    position: int
    number: int
    type: str
    stem_parts: list[str]
    options: list[tuple[str, str, str]]  # (original key, displayed label, text)
    response: Any
    flagged: bool
    revision_id: int | None = None  # None in an admin's preview (always rendered afresh)
    review: dict[str, Any] = field(default_factory=dict)

    @property
    def qtype(self) -> QuestionType:
        return REGISTRY[self.type]


@dataclass
class SectionView:
    title: str
    type_title: str
    points: str
    items: list[ItemView]


# Columns, not ORM objects: eighty rows of a page everyone opens in the same seconds.
# The JSON columns are read as text and parsed here: most responses are null and the
# option orders repeat (a few permutations of the same keys), while the JSON type's own
# reading parsed every value of every row.
_PAPER = (
    select(
        AttemptItem.position, AttemptItem.section, AttemptItem.question_revision_id,
        cast(AttemptItem.option_order, Text).label("option_order"),
        cast(AttemptItem.response, Text).label("response"), AttemptItem.flagged,
    )
    .where(AttemptItem.attempt_id == bindparam("attempt_id"))
    .order_by(AttemptItem.position)
)  # fmt: skip


@lru_cache(maxsize=4096)
def _option_order(stored: str) -> tuple[str, ...]:
    return tuple(json.loads(stored))


def _response(stored: str | None) -> Any:
    return None if stored is None or stored == "null" else json.loads(stored)


def paper_view(attempt: Attempt) -> list[SectionView]:
    """The questions as the candidate sees them while answering."""
    sections = [
        SectionView(s.title, TYPE_TITLES[s.type], str(s.points), [])
        for s in attempt.policy.sections
    ]
    items = db.session.execute(_PAPER, {"attempt_id": attempt.id}).all()
    load_questions(item.question_revision_id for item in items)
    for item in items:
        question = question_of(item.question_revision_id)
        kind = REGISTRY[question.type]
        sections[item.section].items.append(
            ItemView(
                item.position,
                item.position + 1,
                question.type,
                kind.stem_parts(question),
                kind.choices(question, _option_order(item.option_order)),
                _response(item.response),
                item.flagged,
                item.question_revision_id,
            )
        )
    return sections


def review_level(attempt: Attempt, now: datetime) -> str:
    """``none`` until finalized; then score_only / answers / keys as the exam allows.

    Answers and keys wait for ``review_open`` whatever the exam says: a candidate who
    finished early must not pass them to one still answering (DESIGN §4)."""
    return review_state(attempt, now)[0]


def review_state(attempt: Attempt, now: datetime) -> tuple[str, datetime | None]:
    """The review level and, while answers or keys wait for the sitting's last answers,
    when they are expected to open (else None). At most one query, and none for an exam
    that shows only the score: the result page is opened by a whole session at once."""
    if not attempt.finalized:
        return "none", None
    shows = attempt.policy.review.show
    if shows == "score_only":
        return shows, None
    until = answerable_until(attempt.sitting)
    return (shows, None) if now >= until else ("score_only", until)


def review_view(attempt: Attempt, level: str) -> list[SectionView]:
    """The finalized paper with the candidate's answers and, at level ``keys``, the keys."""
    sections = paper_view(attempt)
    items = {i.position: i for i in attempt.items}
    for section in sections:
        for view in section.items:
            stored = items[view.position]
            view.review = {"verdict": stored.verdict, "awarded": stored.awarded}
            if level == "keys":  # the keys scored on: corrected ones after a re-score
                question = question_of(stored.scoring_revision_id)
                view.review |= {
                    "answer": view.qtype.answer_words(question, stored.option_order),
                    "explanation": question.explanation,
                    "source": question.source,
                }
    return sections
