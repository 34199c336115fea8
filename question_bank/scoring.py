"""Checking and scoring candidates' responses, with exact arithmetic.

Points are ``Fraction``s: partial credit can be a third of 2 points, and rounding it
would let two equal performances differ by a hundredth. ``as_decimal`` is for display
and storage only; pass or fail is decided on the exact value.

The rules are each question type's own (``question_bank.types``); an exam chooses the
scoring mode of the types that offer a choice. Responses name original option keys.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from question_bank.assembly import Paper
from question_bank.exam import ScoringPolicy
from question_bank.model import Question
from question_bank.types import REGISTRY, InvalidResponse, Verdict

__all__ = ["InvalidResponse", "Verdict"]


@dataclass(frozen=True)
class QuestionResult:
    question_id: str
    awarded: Fraction
    possible: Fraction
    verdict: Verdict


@dataclass(frozen=True)
class SectionResult:
    title: str
    type: str
    awarded: Fraction
    possible: Fraction
    items: tuple[QuestionResult, ...]


@dataclass(frozen=True)
class PaperResult:
    sections: tuple[SectionResult, ...]
    total: Fraction
    possible: Fraction
    pass_mark: Fraction
    passed: bool


def validate_response(question: Question, raw: Any) -> Hashable | None:
    """The form to store for a response from the page (None: unanswered), or
    ``InvalidResponse`` with a message for the candidate."""
    return REGISTRY[question.type].normalize_response(question, raw)


def score_question(
    question: Question, response: Any, points: Decimal | Fraction, mode: str
) -> tuple[Fraction, Verdict]:
    """Points earned by a validated response (as returned by ``validate_response``)."""
    if response is None:
        return Fraction(0), Verdict.UNANSWERED
    return REGISTRY[question.type].score(question, response, Fraction(points), mode)


def score_paper(paper: Paper, responses: Mapping[str, Any], policy: ScoringPolicy) -> PaperResult:
    """Score stored responses (question id → response); ids not on the paper are ignored.

    Each response is validated again, so a stored response that no longer fits the
    question (after a corrected revision) scores as wrong instead of failing the paper.
    """
    sections = []
    for section in paper.sections:
        results = []
        for item in section.items:
            question = item.question
            try:
                response = validate_response(question, responses.get(question.id))
                awarded, verdict = score_question(
                    question, response, section.points, policy.mode(question.type)
                )
            except InvalidResponse:
                awarded, verdict = Fraction(0), Verdict.WRONG
            results.append(QuestionResult(question.id, awarded, Fraction(section.points), verdict))
        sections.append(
            SectionResult(
                section.title,
                section.type,
                sum((r.awarded for r in results), Fraction(0)),
                Fraction(section.total_points),
                tuple(results),
            )
        )
    total = sum((s.awarded for s in sections), Fraction(0))
    threshold = policy.pass_mark.threshold(paper.total_points)
    return PaperResult(
        tuple(sections), total, Fraction(paper.total_points), threshold, total >= threshold
    )


@functools.lru_cache(maxsize=4096)  # a paper's eighty items take a handful of values
def as_decimal(value: Fraction, places: int = 2) -> Decimal:
    """A score (never negative) for display or a NUMERIC column, rounded half up exactly."""
    return Decimal(math.floor(value * 10**places + Fraction(1, 2))).scaleb(-places)
