"""Item statistics of an exam from its finalized attempts (the numbers: question_bank.statistics)."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from sqlalchemy import func, select

from app.extensions import db
from app.models import Attempt, AttemptItem, Exam, ExamSession, QuestionRevision
from app.models.attempt import FINALIZED
from question_bank.model import TYPE_TITLES
from question_bank.statistics import (
    ExamStatistics,
    ItemResponse,
    ItemStatistics,
    ScoredAttempt,
    exam_statistics,
)

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
    options: list[tuple[str, str, int, bool]]  # (key, text, times chosen, is a key)

    @property
    def flag_titles(self) -> list[str]:
        return [FLAG_TITLES[f] for f in self.stats.flags]


def chosen(question_type: str, response: Any) -> tuple[str, ...]:
    """The options a stored response picked, as option keys (judge: "true"/"false")."""
    if response is None or question_type == "fill":
        return ()
    if question_type == "judge":
        return ("true",) if response else ("false",)
    return (response,) if isinstance(response, str) else tuple(response)


def exam_report(exam: Exam) -> tuple[ExamStatistics, list[ItemReport]]:
    """Statistics of every question the exam's finalized attempts held, flagged first."""
    scored_on = func.coalesce(AttemptItem.scored_revision_id, AttemptItem.question_revision_id)
    rows = db.session.execute(
        select(
            AttemptItem.attempt_id, QuestionRevision.question_key, QuestionRevision.type,
            AttemptItem.awarded, AttemptItem.points, AttemptItem.response, scored_on,
        )
        .join(Attempt, Attempt.id == AttemptItem.attempt_id)
        .join(ExamSession, ExamSession.id == Attempt.session_id)
        .join(QuestionRevision, QuestionRevision.id == scored_on)
        .where(ExamSession.exam_id == exam.id, Attempt.status == FINALIZED)
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
                chosen(kind, response),
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
    data = revision.data
    answer = data["answer"]
    if data["type"] == "fill":
        options, keys = [], set()
    elif data["type"] == "judge":
        options = [("true", "正确"), ("false", "错误")]
        keys = {"true" if answer else "false"}
    else:
        options = list(data.get("options", {}).items())
        keys = set(answer) if isinstance(answer, list) else {answer}
    return ItemReport(
        item,
        TYPE_TITLES[data["type"]],
        data["stem"],
        [(k, text, item.option_counts.get(k, 0), k in keys) for k, text in options],
    )
