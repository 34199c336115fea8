"""What an admin needs to know about the background workers: failed jobs, late scores."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.models import Attempt, JobFailure
from app.models.attempt import SUBMITTED

RECENT = timedelta(hours=24)
LATE = timedelta(minutes=2)


@dataclass(frozen=True)
class JobsHealth:
    failures: int  # failed runs in the last 24 hours (each is retried)
    latest: list[JobFailure]
    late_scores: int  # papers closed more than 2 minutes ago and not yet scored

    @property
    def ok(self) -> bool:
        return not self.failures and not self.late_scores


def jobs_health(now: datetime) -> JobsHealth:
    recent = JobFailure.failed_at >= now - RECENT
    return JobsHealth(
        failures=db.session.scalar(select(func.count()).where(recent)) or 0,
        latest=list(
            db.session.scalars(
                select(JobFailure).where(recent).order_by(JobFailure.id.desc()).limit(5)
            )
        ),
        late_scores=db.session.scalar(
            select(func.count()).where(
                Attempt.status == SUBMITTED, Attempt.finalized_at < now - LATE
            )
        )
        or 0,
    )
