"""Scoring a closed paper once and storing its result (the rules of scoring are
``question_bank.scoring``): what a job worker does for each paper at a close, so it
reads and writes rows, not objects."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy import bindparam, func, select, update

from app.exam.catalog import load_questions, question_of
from app.exam.item_updates import item_update
from app.extensions import db
from app.models import Attempt, AttemptItem, Exam, Sitting
from app.models.attempt import FINALIZED, IN_PROGRESS, SUBMITTED
from app.models.audit import record_by_id
from question_bank.assembly import Paper, PaperItem, PaperSection
from question_bank.attempt_policy import AttemptPolicy
from question_bank.scoring import PaperResult, as_decimal, score_paper


class Scored(NamedTuple):
    """A paper after ``score_once``: scored (not still open) and passed."""

    finalized: bool
    passed: bool | None


def score_once(attempt_id: int, by: str, now: datetime) -> Scored:
    """Score once: the first to claim the closed paper stores its result; everyone else
    gets that result. ``LookupError`` if there is no such attempt.

    The paper is closed first if still open (its answers frozen; one closed by a submit
    or the sweep keeps when and how it ended, and costs no write here), scored outside
    any write transaction, and then written in one short one whose first statement is
    the claim, so SQLite's write lock is never held while Python scores. What scoring
    needs of the attempt, its sitting and its exam is one row, and its items are rows:
    a job scores thousands of papers at a close, and loading them as objects (the
    attempt with its sitting, exam and candidate, before and after) was a third of the
    scoring's time in the job (bench/RESULTS.md, session 26).
    """
    db.session.rollback()
    row = _scoring_row(attempt_id)
    if row.status == IN_PROGRESS:
        db.session.rollback()  # the write comes first in its transaction: no lock upgrade
        db.session.execute(
            update(Attempt)
            .where(Attempt.id == attempt_id, Attempt.status == IN_PROGRESS)
            .values(status=SUBMITTED, finalized_at=now, finalized_by=by)
        )
        db.session.commit()
        row = _scoring_row(attempt_id)
    if row.status != SUBMITTED:
        return Scored(row.status == FINALIZED, row.passed)
    items = db.session.execute(_SCORED_ITEMS, {"attempt_id": attempt_id}).all()
    load_questions(i.scoring_revision_id for i in items)
    policy = AttemptPolicy.from_stored(row.policy)
    paper = paper_from(row.exam_code, row.seed, policy, items)
    result = score_paper(paper, _responses(items), policy.scoring)
    fields, verdicts = result_values(result, items)
    db.session.rollback()
    claim = {"b_attempt_id": attempt_id, **{f"b_{name}": value for name, value in fields.items()}}
    claimed = db.session.execute(_CLAIM, claim).rowcount
    if claimed:
        _ITEM_VERDICT.run(db.session.connection(), attempt_id, verdicts)
        record_by_id(
            row.user_id, "attempt.finalize", f"attempt {attempt_id}",
            by=row.finalized_by, score=str(fields["score"]), passed=result.passed,
        )  # fmt: skip
    db.session.commit()
    if claimed:
        return Scored(True, result.passed)
    row = _scoring_row(attempt_id)  # another claimed it meanwhile: its result
    db.session.rollback()
    return Scored(row.status == FINALIZED, row.passed)


def _scoring_row(attempt_id: int) -> Any:
    row = db.session.execute(_SCORING_ROW, {"attempt_id": attempt_id}).first()
    if row is None:
        raise LookupError(f"attempt {attempt_id} does not exist")
    return row


def paper_from(exam_code: str, seed: int, policy: AttemptPolicy, items: Sequence[Any]) -> Paper:
    """The paper of these items (objects or rows, as ``_SCORED_ITEMS``), with the
    revisions they are scored on."""
    grouped: list[list[PaperItem]] = [[] for _ in policy.sections]
    for item in items:
        grouped[item.section].append(
            PaperItem(question_of(item.scoring_revision_id), tuple(item.option_order))
        )
    return Paper(
        exam_code,
        seed,
        tuple(
            PaperSection(s.title, s.type, s.points, tuple(items))
            for s, items in zip(policy.sections, grouped, strict=True)
        ),
    )


_SCORING_ROW = (
    select(
        Attempt.status, Attempt.seed, Attempt.stored_policy.label("policy"), Attempt.user_id,
        Attempt.finalized_by, Attempt.passed, Exam.code.label("exam_code"),
    )
    .join(Sitting, Sitting.id == Attempt.sitting_id)
    .join(Exam, Exam.id == Sitting.exam_id)
    .where(Attempt.id == bindparam("attempt_id"))
)  # fmt: skip
_RESULT_COLUMNS = ("score", "score_exact", "possible", "passed", "sections", "topics")
_CLAIM = (
    update(Attempt.__table__)
    .where(Attempt.__table__.c.id == bindparam("b_attempt_id"),
           Attempt.__table__.c.status == SUBMITTED)
    .values(status=FINALIZED, **{name: bindparam(f"b_{name}") for name in _RESULT_COLUMNS})
)  # fmt: skip
_SCORED_ITEMS = (
    select(
        AttemptItem.position, AttemptItem.section, AttemptItem.question_revision_id,
        func.coalesce(AttemptItem.scored_revision_id, AttemptItem.question_revision_id)
        .label("scoring_revision_id"),
        AttemptItem.option_order, AttemptItem.response,
    )
    .where(AttemptItem.attempt_id == bindparam("attempt_id"))
    .order_by(AttemptItem.position)
)  # fmt: skip


_ITEM_VERDICT = item_update(
    {"awarded": AttemptItem.awarded.type, "verdict": AttemptItem.verdict.type},
    lambda given: {"awarded": given["awarded"], "verdict": given["verdict"]},
)


def _responses(items: Sequence[Any]) -> dict[str, object]:
    return {
        question_of(i.question_revision_id).id: i.response for i in items if i.response is not None
    }


def result_values(
    result: PaperResult, items: Sequence[Any]
) -> tuple[dict[str, Any], list[tuple[int, Decimal, str]]]:
    """The attempt's score columns and each item's (position, awarded, verdict)."""
    verdicts = {r.question_id: r for s in result.sections for r in s.items}
    scored_items = []
    topics: dict[str, list[Decimal]] = {}
    for item in items:
        scored = verdicts[question_of(item.scoring_revision_id).id]
        awarded = as_decimal(scored.awarded)
        scored_items.append((item.position, awarded, scored.verdict.value))
        topic = topics.setdefault(question_of(item.question_revision_id).topic, [Decimal(0)] * 2)
        topic[0] += awarded
        topic[1] += as_decimal(scored.possible)
    fields = {
        "score": as_decimal(result.total),
        "score_exact": str(result.total),
        "possible": as_decimal(result.possible),
        "passed": result.passed,
        "sections": [
            {"title": s.title, "awarded": str(as_decimal(s.awarded)), "possible": str(as_decimal(s.possible))}
            for s in result.sections
        ],
        "topics": [
            {"key": key, "awarded": str(awarded), "possible": str(possible)}
            for key, (awarded, possible) in topics.items()
        ],
    }  # fmt: skip
    return fields, scored_items
