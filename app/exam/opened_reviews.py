"""The notebooks of a whole sitting when its review opens at the close: in batches.

When an exam shows the keys only after the close, the sweep fills thousands of
notebooks in the same minutes as the scores. One paper at a time costs an UPDATE and a
savepointed INSERT per mistake (~1 ms each). Here a batch's mistakes are read first,
with no transaction writing, and written in one short transaction: the claim of the
attempts (``notebook_recorded_at``), one UPDATE statement run for every entry the
candidates already have and one INSERT for the others. The entries are those
``record_wrong_answers`` makes one paper at a time. If another process inserts one of
them in between, the batch is rolled back and recorded one paper at a time.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import bindparam, case, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from app.exam.catalog import load_questions, question_of
from app.exam.grants import answerable_until
from app.exam.review import record_mistakes_one_by_one
from app.extensions import db
from app.models import Attempt, AttemptItem, Exam, Sitting
from app.models.attempt import FINALIZED
from app.models.practice import NotebookEntry
from app.models.types import utcnow
from app.practice.notebook import SOURCE_EXAM
from question_bank.attempt_policy import AttemptPolicy
from question_bank.types import Verdict

# Attempts written in one transaction: an 80-question fail adds 80 entries, so a batch
# holds SQLite's write lock for a few milliseconds.
BATCH = 25


class Waiting(NamedTuple):
    attempt_id: int
    user_id: int
    sitting_id: int
    bank_id: int
    stored_policy: dict[str, Any]


def record_in_batches(now: datetime, attempt_ids: Sequence[int] | None = None) -> int:
    """Notebook entries for every finalized attempt (of ``attempt_ids``, if given: a
    scoring job's papers) whose review shows the keys now; returns how many attempts
    were recorded."""
    recorded = 0
    for batch in _batches(_due(now, attempt_ids)):
        recorded += _record_batch(batch, now)
    return recorded


def record_attempt(attempt: Attempt, now: datetime) -> int:
    """One finalized attempt whose review shows the keys now (the caller checked), as a
    batch of one: its mistakes read first, then one short write. 1 if this recorded it."""
    waiting = Waiting(attempt.id, attempt.user_id, attempt.sitting_id,
                      attempt.sitting.exam.bank_id, attempt.stored_policy)  # fmt: skip
    return _record_batch([waiting], now)


def _due(now: datetime, attempt_ids: Sequence[int] | None = None) -> list[Waiting]:
    """The attempts without their notebook whose review shows the keys now."""
    query = (
        select(Attempt.id, Attempt.user_id, Attempt.sitting_id, Exam.bank_id,
               Attempt.stored_policy)
        .join(Sitting, Sitting.id == Attempt.sitting_id)
        .join(Exam, Exam.id == Sitting.exam_id)
        .where(Attempt.status == FINALIZED, Attempt.notebook_recorded_at.is_(None),
               Sitting.closes_at <= now)
        .order_by(Attempt.id)
    )  # fmt: skip
    if attempt_ids is not None:
        query = query.where(Attempt.id.in_(attempt_ids))
    waiting = [Waiting(*row) for row in db.session.execute(query)]
    due = _showing_keys(waiting, now)
    db.session.rollback()
    return due


def _showing_keys(waiting: list[Waiting], now: datetime) -> list[Waiting]:
    """Those whose exam shows the keys and whose sitting can no longer be answered (one
    query per sitting): ``review_level`` for each attempt."""
    opened: dict[int, bool] = {}
    due = []
    for attempt in waiting:
        if AttemptPolicy.from_stored(attempt.stored_policy).review.show != "keys":
            continue
        if attempt.sitting_id not in opened:
            sitting = db.session.get(Sitting, attempt.sitting_id)
            opened[attempt.sitting_id] = now >= answerable_until(sitting)
        if opened[attempt.sitting_id]:
            due.append(attempt)
    return due


def _batches(due: list[Waiting]) -> list[list[Waiting]]:
    """Batches of at most ``BATCH`` with one attempt per candidate in each, so that no
    entry is written twice in one statement (a candidate's second attempt bumps it)."""
    batches: list[list[Waiting]] = []
    left = due
    while left:
        batch, later, users = [], [], set()
        for attempt in left:
            if attempt.user_id in users or len(batch) == BATCH:
                later.append(attempt)
            else:
                users.add(attempt.user_id)
                batch.append(attempt)
        batches.append(batch)
        left = later
    return batches


def _record_batch(batch: Sequence[Waiting], now: datetime) -> int:
    entries = _mistakes(batch)
    keys = {(e["user_id"], e["bank_id"], e["question_key"]) for e in entries}
    existing = _existing(keys)
    db.session.rollback()  # the reads end here: the write comes first in its transaction
    try:
        claimed = set(
            db.session.scalars(
                update(Attempt)
                .where(Attempt.id.in_([a.attempt_id for a in batch]),
                       Attempt.notebook_recorded_at.is_(None))
                .values(notebook_recorded_at=now)
                .returning(Attempt.id)
            )
        )  # fmt: skip
        mine = [e for e in entries if e.pop("attempt_id") in claimed]
        bumps = [e for e in mine if (e["user_id"], e["bank_id"], e["question_key"]) in existing]
        new = [e for e in mine if (e["user_id"], e["bank_id"], e["question_key"]) not in existing]
        if bumps:
            db.session.connection().execute(_BUMP, [_bump_values(e) for e in bumps])
        if new:
            db.session.connection().execute(insert(NotebookEntry.__table__), new)
        db.session.commit()
    except IntegrityError:  # an entry inserted meanwhile (a practice run): one at a time
        db.session.rollback()
        return _one_by_one(batch, now)
    return len(claimed)


def _mistakes(batch: Sequence[Waiting]) -> list[dict[str, Any]]:
    """The notebook rows of each attempt's items not answered right, one per question."""
    attempts = {a.attempt_id: a for a in batch}
    items = db.session.execute(
        select(AttemptItem.attempt_id, AttemptItem.question_revision_id,
               AttemptItem.scored_revision_id, AttemptItem.response, AttemptItem.option_order)
        .where(AttemptItem.attempt_id.in_(attempts),
               or_(AttemptItem.verdict.is_(None), AttemptItem.verdict != Verdict.CORRECT.value))
        .order_by(AttemptItem.attempt_id, AttemptItem.position)
    ).all()  # fmt: skip
    load_questions(i.scored_revision_id or i.question_revision_id for i in items)
    stamp = utcnow()
    rows: dict[tuple[int, str], dict[str, Any]] = {}
    for item in items:
        attempt, revision_id = (
            attempts[item.attempt_id],
            item.scored_revision_id or item.question_revision_id,
        )
        key = question_of(revision_id).id
        rows[(item.attempt_id, key)] = {
            "attempt_id": item.attempt_id, "user_id": attempt.user_id,
            "bank_id": attempt.bank_id, "question_key": key,
            "question_revision_id": revision_id, "times_wrong": 1, "first_wrong_at": stamp,
            "last_wrong_at": stamp, "last_source": SOURCE_EXAM,
            "last_response": item.response, "last_option_order": item.option_order,
            "last_session_id": attempt.sitting_id,  # the column of ``last_sitting_id``
        }  # fmt: skip
    return list(rows.values())


def _existing(keys: set[tuple[int, int, str]]) -> set[tuple[int, int, str]]:
    if not keys:
        return set()
    entry = NotebookEntry
    users = {user_id for user_id, _, _ in keys}
    rows = db.session.execute(
        select(entry.user_id, entry.bank_id, entry.question_key).where(entry.user_id.in_(users))
    )
    return {tuple(row) for row in rows} & keys


_ENTRY = NotebookEntry.__table__.c
# ``_bump`` of app.practice.notebook, for many entries in one statement.
_BUMP = (
    update(NotebookEntry.__table__)
    .where(
        _ENTRY.user_id == bindparam("b_user"),
        _ENTRY.bank_id == bindparam("b_bank"),
        _ENTRY.question_key == bindparam("b_key"),
    )
    .values(
        times_wrong=_ENTRY.times_wrong + 1,
        last_wrong_at=bindparam("b_at"),
        last_source=bindparam("b_source"),
        cleared_at=None,
        last_response=bindparam("b_response", type_=_ENTRY.last_response.type),
        last_option_order=bindparam("b_order", type_=_ENTRY.last_option_order.type),
        last_session_id=bindparam("b_sitting"),
        question_revision_id=case(
            (_ENTRY.question_revision_id < bindparam("b_revision"), bindparam("b_revision")),
            else_=_ENTRY.question_revision_id,
        ),
    )
)


def _bump_values(entry: dict[str, Any]) -> dict[str, Any]:
    return {
        "b_user": entry["user_id"], "b_bank": entry["bank_id"], "b_key": entry["question_key"],
        "b_at": entry["last_wrong_at"], "b_source": entry["last_source"],
        "b_response": entry["last_response"], "b_order": entry["last_option_order"],
        "b_sitting": entry["last_session_id"], "b_revision": entry["question_revision_id"],
    }  # fmt: skip


def _one_by_one(batch: Sequence[Waiting], now: datetime) -> int:
    attempts = db.session.scalars(
        select(Attempt).where(Attempt.id.in_([a.attempt_id for a in batch]))
    ).all()
    for attempt in attempts:
        record_mistakes_one_by_one(attempt, now)
    return sum(1 for attempt in attempts if attempt.notebook_recorded_at is not None)
