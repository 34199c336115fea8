"""Saving answers as they are given: the hot path of a test.

One prepared read of exactly what is needed and one self-committing conditional update,
so that a finalize committing in between can never be overtaken and SQLite's write lock
is held only while the statement runs.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from sqlalchemy import Update, bindparam, select, update
from sqlalchemy.exc import OperationalError
from werkzeug.datastructures import MultiDict

from app.exam.attempts import AttemptRefused, finalize, grace
from app.exam.catalog import question_of
from app.extensions import db
from app.models import Attempt, AttemptItem
from app.models.attempt import FINALIZED, IN_PROGRESS
from question_bank.scoring import validate_response
from question_bank.types import REGISTRY, InvalidResponse

UNCHANGED = object()


def save_answer(
    attempt_id: int,
    user_id: int,
    position: int,
    now: datetime,
    response: object = UNCHANGED,
    flagged: bool | None = None,
) -> None:
    """Save one response (and/or the review flag) as given; refused once the attempt is
    final or past its deadline. ``response=None`` clears an answer.

    The hot path of a test: one read of exactly what it needs and one conditional
    update, so that a finalize committing in between can never be overtaken.
    """
    lookup = {"attempt_id": attempt_id, "user_id": user_id, "position": position}
    row = db.session.execute(_ANSWER_LOOKUP, lookup).first()
    if row is None:
        raise AttemptRefused("找不到该作答记录。", 404)
    status, finalized_by = row.status, row.finalized_by
    if status == IN_PROGRESS and now > row.deadline + grace():
        status, finalized_by = FINALIZED, finalize(attempt_id, "deadline", now).finalized_by
    if status != IN_PROGRESS:
        raise AttemptRefused(_closed_message(finalized_by))
    if row.question_revision_id is None:
        raise AttemptRefused("该题不在您的试卷中。", 400)
    values: dict[str, object] = {}
    if response is not UNCHANGED:
        normalized = validate_response(question_of(row.question_revision_id), response)
        values.update(response=_jsonable(normalized), answered_at=now)
    if flagged is not None:
        values["flagged"] = bool(flagged)
    params = {f"new_{name}": value for name, value in values.items()}
    params |= {"b_attempt_id": attempt_id, "b_position": position, "earliest": now - grace()}
    db.session.rollback()  # end the read; the write is one self-committing statement
    try:
        # Autocommit holds SQLite's write lock only while the statement runs, which is
        # what lets a hundred candidates save at once without queueing on the lock.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            done = conn.execute(_answer_update(frozenset(values)), params).rowcount
    except OperationalError as exc:
        raise AttemptRefused("保存冲突，请重试。", 503) from exc
    if not done:
        raise AttemptRefused(_closed_message(None))


_ANSWER_LOOKUP = (
    select(Attempt.status, Attempt.deadline, Attempt.finalized_by, AttemptItem.question_revision_id)
    .outerjoin(
        AttemptItem,
        (AttemptItem.attempt_id == Attempt.id) & (AttemptItem.position == bindparam("position")),
    )
    .where(Attempt.id == bindparam("attempt_id"), Attempt.user_id == bindparam("user_id"))
)


@lru_cache(maxsize=8)
def _answer_update(fields: frozenset[str]) -> Update:
    """Built once per set of fields: building statements cost more than running them.

    FOR SHARE (PostgreSQL) makes the save wait for a finalize in progress and then see
    the attempt final, so no answer is accepted that the score would not include.
    """
    still_open = (
        select(Attempt.id)
        .where(
            Attempt.id == bindparam("b_attempt_id"),
            Attempt.status == IN_PROGRESS,
            Attempt.deadline >= bindparam("earliest"),
        )
        .with_for_update(read=True)
        .exists()
    )
    return (
        update(AttemptItem)
        .where(
            AttemptItem.attempt_id == bindparam("b_attempt_id"),
            AttemptItem.position == bindparam("b_position"),
            still_open,
        )
        .values({name: bindparam(f"new_{name}") for name in fields})
    )


def save_posted_answers(attempt: Attempt, form: MultiDict[str, str], now: datetime) -> None:
    """Save the answers the submitted page holds: a save still queued in the browser when
    the candidate submits (or a browser without JavaScript) must not lose an answer. Only
    given answers are saved, never blanks, so a stale tab cannot erase newer answers."""
    for item in attempt.items:
        kind = REGISTRY[attempt.policy["sections"][item.section]["type"]]
        response = kind.response_from_form(form.getlist(f"q{item.position}"))
        if response is None:
            continue
        try:
            save_answer(attempt.id, attempt.user_id, item.position, now, response)
        except (AttemptRefused, InvalidResponse):
            continue  # the saved answer stands; a malformed post changes nothing


def _closed_message(finalized_by: str | None) -> str:
    if finalized_by == "deadline":
        return "作答时间已到，试卷已按已保存的答案自动交卷。"
    return "本次作答已交卷，答案不能再修改。"


def _jsonable(response: object) -> object:
    return list(response) if isinstance(response, tuple) else response
