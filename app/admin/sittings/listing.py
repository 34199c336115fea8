"""What the sessions' admin pages list: every session with its counts, a session's
attempts and its grants. Read-only; the changes are in ``services``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from app.extensions import db
from app.models import Attempt, Sitting, SittingCandidate, SittingGrant, SittingUnit
from app.models.attempt import FINALIZED, OPEN_PAPER, SUBMITTED


@dataclass(frozen=True)
class SittingRow:
    sitting: Sitting
    state: str
    candidates: int
    units: int
    attempts: int
    running: int
    finished: int


def sitting_rows(now: datetime) -> list[SittingRow]:
    """Every session, newest first, with its registrations and attempts counted."""

    def counted(column, *where) -> dict[int, int]:
        query = select(column, func.count()).where(*where).group_by(column)
        return dict(db.session.execute(query).all())

    candidates = counted(SittingCandidate.sitting_id)
    units = counted(SittingUnit.sitting_id)
    attempts = counted(Attempt.sitting_id)
    running = counted(Attempt.sitting_id, OPEN_PAPER)
    finished = counted(Attempt.sitting_id, Attempt.status.in_((SUBMITTED, FINALIZED)))
    sittings = db.session.scalars(select(Sitting).order_by(Sitting.opens_at.desc()))
    return [
        SittingRow(
            s,
            s.state(now),
            candidates.get(s.id, 0),
            units.get(s.id, 0),
            attempts.get(s.id, 0),
            running.get(s.id, 0),
            finished.get(s.id, 0),
        )
        for s in sittings
    ]


def sitting_attempts(sitting: Sitting) -> list[Attempt]:
    return list(
        db.session.scalars(
            select(Attempt)
            .where(Attempt.sitting_id == sitting.id)
            .order_by(Attempt.started_at.desc())
        )
    )


def sitting_grants(sitting: Sitting) -> list[SittingGrant]:
    return list(
        db.session.scalars(
            select(SittingGrant)
            .where(SittingGrant.sitting_id == sitting.id)
            .order_by(SittingGrant.granted_at.desc())
        )
    )
