"""The wrong-answer notebook (错题本): collecting questions answered wrong, clearing them.

One row per user, bank and question id. Practice and the exam results both add to it
(``record_wrong_answers``); a right answer in practice marks the row cleared and keeps
it, so the counts and dates stay as history.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import BankVersion, BankVersionItem, QuestionRevision
from app.models.practice import NotebookEntry
from app.models.types import utcnow

SOURCE_PRACTICE = "practice"
SOURCE_EXAM = "exam"


def record_wrong_answers(
    user_id: int,
    bank_id: int,
    question_keys_with_revision_ids: Iterable[tuple[str, int]],
    source: str = SOURCE_EXAM,
    *,
    given: Mapping[str, tuple[Any, list[str] | None]] | None = None,
    sitting_id: int | None = None,
) -> None:
    """Put questions a candidate got wrong into their notebook (again, if cleared).

    For the exam results code too (questions wrong in reviewed tests). Works inside the
    caller's transaction and does not commit; a concurrent first insert of the same
    entry is caught in a savepoint and turned into an update. ``given`` holds, per question
    id, the wrong response and the option order it was given in, kept so that the notebook
    shows the options lettered as the candidate saw them; ``sitting_id`` names the test.
    """
    now = utcnow()
    for key, revision_id in dict(question_keys_with_revision_ids).items():
        response, order = (given or {}).get(key, (None, None))
        last = {
            "last_response": response,
            "last_option_order": order,
            "last_sitting_id": sitting_id,
        }
        if not _bump(user_id, bank_id, key, revision_id, source, now, last):
            try:
                with db.session.begin_nested():
                    db.session.add(
                        NotebookEntry(
                            user_id=user_id,
                            bank_id=bank_id,
                            question_key=key,
                            question_revision_id=revision_id,
                            times_wrong=1,
                            first_wrong_at=now,
                            last_wrong_at=now,
                            last_source=source,
                            **last,
                        )
                    )
            except IntegrityError:
                _bump(user_id, bank_id, key, revision_id, source, now, last)


def _bump(
    user_id: int,
    bank_id: int,
    key: str,
    revision_id: int,
    source: str,
    now: datetime,
    last: dict[str, Any],
) -> bool:
    """Count one more wrong answer on an existing entry; False when there is none."""
    entry = NotebookEntry
    return bool(
        db.session.execute(
            update(entry)
            .where(entry.user_id == user_id, entry.bank_id == bank_id, entry.question_key == key)
            .values(
                times_wrong=entry.times_wrong + 1,
                last_wrong_at=now,
                last_source=source,
                cleared_at=None,
                **last,
                # Keep the newest revision seen: an old exam must not roll it back.
                question_revision_id=case(
                    (entry.question_revision_id < revision_id, revision_id),
                    else_=entry.question_revision_id,
                ),
            )
            .execution_options(synchronize_session=False)
        ).rowcount
    )


def clear_from_notebook(user_id: int, bank_id: int, question_key: str) -> None:
    """Mark an open entry cleared (answered right in practice); the row and counts stay."""
    entry = NotebookEntry
    db.session.execute(
        update(entry)
        .where(
            entry.user_id == user_id,
            entry.bank_id == bank_id,
            entry.question_key == question_key,
            entry.cleared_at.is_(None),
        )
        .values(cleared_at=utcnow(), times_cleared=entry.times_cleared + 1)
        .execution_options(synchronize_session=False)
    )


def notebook(
    user_id: int, include_cleared: bool = False, hidden_banks: Iterable[int] = ()
) -> list[NotebookEntry]:
    """A user's notebook, most recently wrong first, without the ``hidden_banks``
    (exam-only banks, whose keys the notebook never shows)."""
    query = select(NotebookEntry).where(
        NotebookEntry.user_id == user_id, NotebookEntry.bank_id.not_in(list(hidden_banks))
    )
    if not include_cleared:
        query = query.where(NotebookEntry.cleared_at.is_(None))
    query = query.options(
        selectinload(NotebookEntry.bank),
        selectinload(NotebookEntry.revision),
        selectinload(NotebookEntry.last_sitting),
    )
    return list(db.session.scalars(query.order_by(NotebookEntry.last_wrong_at.desc())))


def open_entry_count(user_id: int, hidden_banks: Iterable[int] = ()) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(NotebookEntry)
        .where(
            NotebookEntry.user_id == user_id,
            NotebookEntry.cleared_at.is_(None),
            NotebookEntry.bank_id.not_in(list(hidden_banks)),
        )
    )


def current_revisions(bank_id: int, keys: Iterable[str]) -> dict[str, int]:
    """Question id → its revision id in the bank's latest version (retired ones left out)."""
    keys = list(keys)
    latest = (
        select(BankVersion.id)
        .where(BankVersion.bank_id == bank_id)
        .order_by(BankVersion.number.desc())
        .limit(1)
    )
    rows = db.session.execute(
        version_questions(latest.scalar_subquery()).where(QuestionRevision.question_key.in_(keys))
    ).tuples()
    return {key: rid for rid, key in rows}


def version_questions(version_id):
    """(revision id, question id) of a version's questions, in file order."""
    return (
        select(QuestionRevision.id, QuestionRevision.question_key)
        .join(BankVersionItem, BankVersionItem.question_revision_id == QuestionRevision.id)
        .where(BankVersionItem.bank_version_id == version_id)
        .order_by(BankVersionItem.position)
    )
