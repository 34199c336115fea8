"""Item statistics of an exam from its finalized attempts (the numbers: question_bank.statistics)."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from sqlalchemy import func, select

from app.exam.catalog import question_of
from app.extensions import db
from app.models import Attempt, AttemptItem, Exam, QuestionRevision, Sitting
from app.models.attempt import FINALIZED
from question_bank.model import Question
from question_bank.statistics import (
    ExamStatistics,
    ItemResponse,
    ItemStatistics,
    ScoredAttempt,
    exam_statistics,
)
from question_bank.types import REGISTRY

FLAG_TITLES = {
    "negative_discrimination": "区分度为负",
    "too_hard": "过难（通过率低于 20%）",
    "too_easy": "过易（通过率高于 95%）",
    "few_responses": "作答人数过少",
}


@dataclass(frozen=True)
class ItemReport:
    """One question's statistics with what a reviewer needs to read them."""

    stats: ItemStatistics
    type_title: str
    stem: str
    headings: tuple[str, str]
    options: list[tuple[str, str, int, bool]]  # (label, text, times counted, is the answer)

    @property
    def flag_titles(self) -> list[str]:
        return [FLAG_TITLES[f] for f in self.stats.flags]


def exam_report(exam: Exam) -> tuple[ExamStatistics, list[ItemReport]]:
    """Statistics of every question the exam's finalized attempts held, flagged first."""
    scored_on = func.coalesce(AttemptItem.scored_revision_id, AttemptItem.question_revision_id)
    rows = db.session.execute(
        select(
            AttemptItem.attempt_id, QuestionRevision.question_key, QuestionRevision.type,
            AttemptItem.awarded, AttemptItem.points, AttemptItem.response, scored_on,
        )
        .join(Attempt, Attempt.id == AttemptItem.attempt_id)
        .join(Sitting, Sitting.id == Attempt.sitting_id)
        .join(QuestionRevision, QuestionRevision.id == scored_on)
        .where(Sitting.exam_id == exam.id, Attempt.status == FINALIZED)
        .order_by(AttemptItem.attempt_id, AttemptItem.position)
    ).tuples()  # fmt: skip
    papers: dict[int, list[ItemResponse]] = {}
    newest: dict[str, int] = {}
    for attempt_id, key, kind, awarded, points, response, revision_id in rows:
        papers.setdefault(attempt_id, []).append(
            ItemResponse(
                key,
                Fraction(awarded or 0),
                Fraction(points),
                _chosen(kind, revision_id, response),
                response is not None,
            )
        )
        newest[key] = max(newest.get(key, 0), revision_id)
    stats = exam_statistics([ScoredAttempt(tuple(items)) for items in papers.values()])
    revisions = {
        r.question_key: r
        for r in db.session.scalars(
            select(QuestionRevision).where(QuestionRevision.id.in_(newest.values()))
        )
    }
    reports = [_report(item, revisions[item.question_id]) for item in stats.items]
    reports.sort(
        key=lambda r: (not r.stats.flags or r.stats.flags == ("few_responses",), r.stats.facility)
    )
    return stats, reports


def _report(item: ItemStatistics, revision: QuestionRevision) -> ItemReport:
    question = Question.from_dict(revision.data)
    kind = REGISTRY[question.type]
    return ItemReport(
        item,
        kind.title,
        question.stem,
        kind.stat_headings,
        [
            (label, text, item.option_counts.get(key, 0), right)
            for key, label, text, right in kind.stat_categories(question)
        ],
    )


def _chosen(kind: str, revision_id: int, response: Any) -> tuple[str, ...]:
    """The statistics categories a response falls in (its type's own: options, positions)."""
    if response is None:
        return ()
    return REGISTRY[kind].stat_chosen(question_of(revision_id), response)
