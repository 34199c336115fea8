"""Papers drawn ahead of the start rush (see ``app.models.prepared``).

A background job draws every registered candidate's first paper of a sitting shortly
before it opens, each with its own fresh secret seed, exactly as a start would; the
candidate's first start then claims it instead of drawing. A prepared paper is claimed
once (the start deletes it in the transaction that inserts the attempt), only by its
candidate, in its sitting, while they are registered and the sitting still has the exam
and the bank version it was drawn for; otherwise the start draws as it always did.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, func, or_, select, union
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.database import request_connection
from app.exam.catalog import exam_definition, version_index
from app.exam.recounted import Recounted
from app.extensions import db
from app.models import (
    Attempt,
    PreparedPaper,
    Role,
    Sitting,
    SittingCandidate,
    SittingUnit,
    Unit,
    User,
)
from question_bank.assembly import UnsatisfiableExam, draw_paper
from question_bank.attempt_policy import AttemptPolicy, SectionPolicy

BATCH = 200  # papers drawn, then written in one short transaction
_REGISTERED = Recounted()  # sitting id -> how many may take it


@dataclass(frozen=True)
class DrawnPaper:
    """A paper as an attempt stores it: seed, policy and items [section, revision, order]."""

    seed: int
    policy: dict[str, Any]
    items: list[list[Any]]


def draw_for(sitting: Sitting, avoid: frozenset[str] = frozenset()) -> DrawnPaper:
    """A new paper of the sitting's exam from its pinned bank version, with a fresh seed."""
    exam = exam_definition(sitting.exam)
    version = version_index(sitting.bank_version_id)
    seed = secrets.randbits(62)
    paper = draw_paper(exam, version.index, seed, avoid)
    policy = AttemptPolicy(
        sections=tuple(SectionPolicy(s.title, s.type, s.points) for s in paper.sections),
        scoring=exam.scoring, review=exam.review, time_limit_minutes=exam.time_limit_minutes,
        avoid=tuple(avoid), max_page_leaves=exam.max_page_leaves,
    )  # fmt: skip
    items = [
        [number, version.revision_ids[item.question.id], list(item.option_order)]
        for number, section in enumerate(paper.sections)
        for item in section.items
    ]
    return DrawnPaper(seed, policy.stored(), items)


_PAPERS = PreparedPaper.__table__
# Built once: both run on every first start.
_PREPARED = select(
    _PAPERS.c.seed, _PAPERS.c.policy, _PAPERS.c["items"],
    _PAPERS.c.exam_id, _PAPERS.c.exam_updated_at, _PAPERS.c.bank_version_id,
).where(_PAPERS.c.session_id == bindparam("b_sitting"), _PAPERS.c.user_id == bindparam("b_user"))  # fmt: skip
_CLAIM = delete(_PAPERS).where(
    _PAPERS.c.session_id == bindparam("b_sitting"),
    _PAPERS.c.user_id == bindparam("b_user"),
    _PAPERS.c.seed == bindparam("b_seed"),
)


def prepared_for(user_id: int, sitting: Sitting) -> DrawnPaper | None:
    """The candidate's prepared paper, if it was drawn for what the sitting is now."""
    row = db.session.execute(_PREPARED, {"b_sitting": sitting.id, "b_user": user_id}).first()
    if row is None or (row.exam_id, row.exam_updated_at, row.bank_version_id) != (
        sitting.exam_id, sitting.exam.updated_at, sitting.bank_version_id,
    ):  # fmt: skip
        return None
    return DrawnPaper(row.seed, row.policy, row.items)


def claim(user_id: int, sitting_id: int, seed: int) -> bool:
    """Delete the prepared paper read before (same seed): False if it is gone meanwhile.
    Run in the transaction that inserts the attempt, so it is used at most once."""
    params = {"b_sitting": sitting_id, "b_user": user_id, "b_seed": seed}
    return bool(db.session.execute(_CLAIM, params).rowcount)


def registered(sitting_id: int):
    """The ids of everyone who may take the sitting (as ``may_take`` says), as a query:
    registered by name, or candidates of a registered unit or one of its sub-units."""
    by_name = select(SittingCandidate.user_id).where(SittingCandidate.sitting_id == sitting_id)
    units = (
        select(Unit.id)
        .where(Unit.id.in_(select(SittingUnit.unit_id).where(SittingUnit.sitting_id == sitting_id)))
        .cte("registered_units", recursive=True)
    )
    units = units.union(select(Unit.id).join(units, Unit.parent_id == units.c.id))
    by_unit = select(User.id).where(
        User.role == Role.CANDIDATE, User.unit_id.in_(select(units.c.id))
    )
    return union(by_name, by_unit)


def registered_count(sitting_id: int) -> int:
    """How many may take the sitting, counted at most once a minute per process: the open's
    and the close's spreads are sized by it (``app.exam.sealed``, ``app.exam.waits``), and
    thousands of pages are served while it hardly moves. The statement is built only to
    count: building it cost each page more than the count's lookup."""

    def count() -> int:
        statement = select(func.count()).select_from(registered(sitting_id).subquery())
        return request_connection().scalar(statement)

    return _REGISTERED.get(sitting_id, count)


def forget_stale(sitting: Sitting) -> int:
    """Delete the sitting's prepared papers nobody may claim any more: drawn for another
    exam edit or bank version, of someone no longer registered, or of someone who has
    started without it. Read first, so the write (and SQLite's lock) only when some are
    found; committed. How many were deleted."""
    stale = db.session.scalars(
        select(PreparedPaper.user_id).where(
            PreparedPaper.sitting_id == sitting.id,
            or_(
                PreparedPaper.exam_id != sitting.exam_id,
                PreparedPaper.exam_updated_at != sitting.exam.updated_at,
                PreparedPaper.bank_version_id != sitting.bank_version_id,
                PreparedPaper.user_id.not_in(registered(sitting.id)),
                PreparedPaper.user_id.in_(
                    select(Attempt.user_id).where(Attempt.sitting_id == sitting.id)
                ),
            ),
        )
    ).all()
    if stale:
        sitting_id = sitting.id
        db.session.rollback()  # the write comes first in its transaction
        forget(sitting_id, list(stale))
        db.session.commit()
    return len(stale)


def forget_closed(now: datetime) -> None:
    """Delete the prepared papers of closed sittings (their candidates never started)."""
    closed = select(Sitting.id).where(Sitting.closes_at <= now)
    if (
        db.session.scalar(
            select(PreparedPaper.user_id).where(PreparedPaper.sitting_id.in_(closed)).limit(1)
        )
        is not None
    ):
        db.session.rollback()
        db.session.execute(delete(PreparedPaper).where(PreparedPaper.sitting_id.in_(closed)))
        db.session.commit()


def forget(sitting_id: int, user_ids: list[int]) -> None:
    """Delete the prepared papers of these candidates in the sitting; not committed."""
    db.session.execute(
        delete(PreparedPaper).where(
            PreparedPaper.sitting_id == sitting_id, PreparedPaper.user_id.in_(user_ids)
        )
    )


def forget_unregistered(sitting_id: int) -> None:
    """Delete the sitting's prepared papers of people it no longer registers: in the
    transaction that unregisters them, so no paper outlives its registration."""
    db.session.execute(
        delete(PreparedPaper).where(
            PreparedPaper.sitting_id == sitting_id,
            PreparedPaper.user_id.not_in(registered(sitting_id)),
        )
    )


def prepare_papers(sitting_id: int, now: datetime) -> int:
    """Draw the first paper of every registered candidate of the sitting who has neither
    an attempt nor a prepared paper yet; idempotent. How many were prepared."""
    sitting = db.session.get(Sitting, sitting_id)
    if sitting is None or now >= sitting.closes_at:
        return 0
    forget_stale(sitting)
    waiting = db.session.scalars(
        select(User.id)
        .where(
            User.id.in_(registered(sitting.id)),
            User.id.not_in(select(Attempt.user_id).where(Attempt.sitting_id == sitting.id)),
            User.id.not_in(
                select(PreparedPaper.user_id).where(PreparedPaper.sitting_id == sitting.id)
            ),
        )
        .order_by(User.id)
    ).all()
    prepared = 0
    for start in range(0, len(waiting), BATCH):
        prepared += _prepare(sitting, waiting[start : start + BATCH], now)
    return prepared


def _prepare(sitting: Sitting, user_ids: list[int], now: datetime) -> int:
    """Draw outside any transaction, then write the batch in one short one."""
    key = {
        "sitting_id": sitting.id, "exam_id": sitting.exam_id,
        "exam_updated_at": sitting.exam.updated_at, "bank_version_id": sitting.bank_version_id,
    }  # fmt: skip
    try:
        papers = [(user_id, draw_for(sitting)) for user_id in user_ids]
    except UnsatisfiableExam:
        return 0  # the bank cannot fill the exam: each start says so, as without this
    rows = [
        {**key, "user_id": user_id, "seed": paper.seed, "policy": paper.policy,
         "items": paper.items, "prepared_at": now}
        for user_id, paper in papers
    ]  # fmt: skip
    dialect = db.session.get_bind().dialect.name
    insert = {"postgresql": postgresql_insert, "sqlite": sqlite_insert}[dialect]
    db.session.rollback()
    written = db.session.scalars(
        insert(PreparedPaper)
        .on_conflict_do_nothing(index_elements=[PreparedPaper.sitting_id, PreparedPaper.user_id])
        .returning(PreparedPaper.user_id),
        rows,
    ).all()
    db.session.commit()
    return len(written)
