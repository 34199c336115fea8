"""An attempt once started (starting it is ``starting``): its paper, scoring it once, closing
it; saving answers is in ``answers``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import joinedload

from app.certificate.services import issue_certificates
from app.exam.catalog import load_questions, question_of
from app.exam.grants import (
    grace,
)
from app.exam.item_updates import item_update
from app.exam.review import record_reviewed_mistakes
from app.extensions import db
from app.jobs.tasks import score_later
from app.models import Attempt, AttemptItem, Exam, Sitting, User
from app.models.attempt import FINALIZED, IN_PROGRESS, SUBMITTED
from app.models.audit import record_by_id
from app.refusal import Refused
from question_bank.assembly import Paper, PaperItem, PaperSection
from question_bank.attempt_policy import AttemptPolicy
from question_bank.exam import ScoringPolicy
from question_bank.scoring import PaperResult, as_decimal, score_paper


class AttemptRefused(Refused):
    """The candidate may not do this now; the message says why, in their language."""


class NotRegistered(AttemptRefused):
    """The sitting is not the candidate's (the start page answers 404, as for a missing one)."""


def owned_attempt(attempt_id: int, user: User, with_sitting: bool = False) -> Attempt | None:
    """Another candidate's attempt is indistinguishable from a missing one.
    ``with_sitting``: its sitting loaded in the same query (the result page needs it)."""
    statement = _OWNED_WITH_SITTING if with_sitting else _OWNED
    return db.session.scalar(statement, {"attempt_id": attempt_id, "user_id": user.id})


# Built once (every page of an attempt asks): building a statement costs more than running it.
_OWNED = select(Attempt).where(
    Attempt.id == bindparam("attempt_id"), Attempt.user_id == bindparam("user_id")
)
# The exam too: a pass's result page asks which certificates its exam earns.
_OWNED_WITH_SITTING = _OWNED.options(joinedload(Attempt.sitting).joinedload(Sitting.exam))


# The server closes a crowd's papers in one statement just after their grace
# (``app.jobs.deadlines``); a poll closes its own paper only if that close is this late (the
# job workers stopped or far behind). At a 10,000-candidate close the polls that came
# first each closed their own: thousands of writes in the seconds every save waited on.
SERVER_CLOSE_LEEWAY = timedelta(seconds=20)


def paper_of(attempt: Attempt) -> Paper:
    """The paper as given (stored option orders), with the revisions it is scored on."""
    return _paper(attempt.sitting.exam.code, attempt.seed, attempt.policy, attempt.items)


def _paper(exam_code: str, seed: int, policy: AttemptPolicy, items: Sequence[Any]) -> Paper:
    """``items``: objects or rows (``_SCORED_ITEMS``) with the revision scored on."""
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


def scoring_policy(attempt: Attempt) -> ScoringPolicy:
    return attempt.policy.scoring


def finalize(attempt_id: int, by: str, now: datetime) -> Attempt:
    """Close (if still open) and score now, then certificates and notebook: for the CLI
    and tests; requests close the attempt and leave the scoring to a worker."""
    attempt = score_closed(attempt_id, by, now)
    issue_certificates(attempt)  # after the commit, and never raises: the score is kept
    record_reviewed_mistakes(attempt, now)
    return attempt


def score_closed(attempt_id: int, by: str, now: datetime) -> Attempt:
    """``score_once``, and the attempt with what its certificates and notebook read."""
    score_once(attempt_id, by, now)
    return _load(attempt_id)


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
    paper = _paper(row.exam_code, row.seed, policy, items)
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


def scored_attempt(attempt_id: int) -> Attempt:
    """The attempt with what its certificates and notebook read (not its items)."""
    return _load(attempt_id)


def _load(attempt_id: int) -> Attempt:
    return db.session.scalars(_LOAD, {"attempt_id": attempt_id}).first()


# Built once, as ``_OWNED``: a statement's cache key costs more than its query here. A
# scored attempt's items are read again only by a notebook that shows the keys now.
_LOAD = (
    select(Attempt)
    .options(joinedload(Attempt.sitting).joinedload(Sitting.exam), joinedload(Attempt.user))
    .where(Attempt.id == bindparam("attempt_id"))
    .execution_options(populate_existing=True)
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


def store_result(attempt: Attempt, result: PaperResult) -> None:
    fields, verdicts = result_values(result, attempt.items)
    for item, (_position, awarded, verdict) in zip(attempt.items, verdicts, strict=True):
        item.awarded, item.verdict = awarded, verdict
    for name, value in fields.items():
        setattr(attempt, name, value)


def finalize_if_expired(attempt: Attempt, now: datetime) -> Attempt:
    """Past its deadline (and the network's grace), an open attempt is closed with what
    was saved and scored by a worker."""
    if attempt.status == IN_PROGRESS and now > attempt.deadline + grace():
        close_attempt(attempt.id, "deadline", now)
        db.session.refresh(attempt)
    return attempt


def close_attempt(attempt_id: int, by: str, now: datetime) -> bool:
    """One short write (answers frozen), then the scoring job; False if already closed."""
    db.session.rollback()  # the write comes first in its transaction: no lock upgrade
    closed = db.session.execute(
        update(Attempt)
        .where(Attempt.id == attempt_id, Attempt.status == IN_PROGRESS)
        .values(status=SUBMITTED, finalized_at=now, finalized_by=by)
    ).rowcount
    db.session.commit()
    if closed:
        score_later(attempt_id)
    return bool(closed)


def finalize_expired(now: datetime) -> int:
    """For manual use: finalize every attempt past its deadline with what was saved, and
    score any closed attempt a worker has not scored yet."""
    due = db.session.scalars(
        select(Attempt.id).where(
            (Attempt.status == SUBMITTED)
            | ((Attempt.status == IN_PROGRESS) & (Attempt.deadline < now - grace()))
        )
    ).all()
    return sum(
        1 for attempt_id in due if finalize(attempt_id, "deadline", now).finalized_by == "deadline"
    )
