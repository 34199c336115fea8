"""What the admin home asks an admin to look at (待办): today's and running sittings,
certificates earned but not issued or still without their PDF, bank uploads waiting to be
published; the workers' health stays in ``app.jobs.health``. A unit admin sees only what
concerns their units.

Every item is one or two queries whatever the size of the install (the sittings' counts
one aggregate per sitting of the day), so the home stays quick.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import exists, or_, select

from app.admin.access import unit_scope
from app.admin.banks.uploads import UPLOAD_TTL
from app.admin.live import queries as live
from app.certificate.services import earned_types
from app.certificate.setup import current_rules
from app.extensions import db
from app.jobs.health import LATE
from app.models import (
    Attempt,
    BankUpload,
    Certificate,
    Exam,
    Sitting,
    SittingCandidate,
    SittingUnit,
    User,
)
from app.models.attempt import FINALIZED
from app.timefmt import local_date, local_midnight

MAX_OWED = 20  # listed on the home; the command line (flask cert pending) lists all


@dataclass(frozen=True)
class SittingToday:
    sitting: Sitting
    counts: live.Counts


@dataclass(frozen=True)
class Owed:
    attempt: Attempt
    titles: list[str]


def _ancestors(user: User) -> set[int]:
    """The admin's own unit and every unit above it: a registration of any of them brings
    the admin's people."""
    ids, unit = set(), user.unit
    while unit is not None:
        ids.add(unit.id)
        unit = unit.parent
    return ids


def sittings_today(user: User, now: datetime) -> list[SittingToday]:
    """Sittings open at some time today (local), or running now; for a unit admin only
    those their units' people are registered to."""
    today = local_date(now)
    starts, ends = local_midnight(today), local_midnight(today + timedelta(days=1))
    query = select(Sitting).where(Sitting.opens_at < ends, Sitting.closes_at > starts)
    scope = unit_scope(user)
    if scope is not None:
        by_unit = exists().where(
            SittingUnit.sitting_id == Sitting.id,
            SittingUnit.unit_id.in_(scope | _ancestors(user)),
        )
        by_name = exists().where(
            SittingCandidate.sitting_id == Sitting.id,
            SittingCandidate.user_id == User.id,
            User.unit_id.in_(scope),
        )
        query = query.where(or_(by_unit, by_name))
    found = db.session.scalars(query.order_by(Sitting.opens_at).limit(20))
    return [SittingToday(s, live.counts(s, live.roster(s, user), now)) for s in found]


def certificates_owed(user: User, now: datetime) -> tuple[list[Owed], bool]:
    """Passed attempts (scored a while ago, so not still being issued) of a certified exam
    without a certificate: the first ``MAX_OWED``, and whether there are more."""
    rules = current_rules()
    certified = {code for kind in rules.types for code in kind.exams}
    query = (
        select(Attempt)
        .join(Sitting, Attempt.sitting_id == Sitting.id)
        .join(Exam, Sitting.exam_id == Exam.id)
        .join(User, Attempt.user_id == User.id)
        .where(
            Attempt.status == FINALIZED,
            Attempt.passed.is_(True),
            Attempt.finalized_at < now - LATE,
            Exam.code.in_(certified),
            ~exists().where(Certificate.attempt_id == Attempt.id),
        )
    )
    scope = unit_scope(user)
    if scope is not None:
        query = query.where(User.unit_id.in_(scope))
    owed = []
    for attempt in db.session.scalars(query.order_by(Attempt.finalized_at).limit(MAX_OWED + 1)):
        titles = [kind.title for kind in earned_types(attempt, rules)]
        if titles:
            owed.append(Owed(attempt, titles))
    return owed[:MAX_OWED], len(owed) > MAX_OWED


def pdfs_owed(user: User, now: datetime) -> tuple[list[Certificate], bool]:
    """Certificates numbered a while ago whose PDF is still missing (it failed to render,
    or its worker died): the first ``MAX_OWED``, and whether there are more."""
    query = (
        select(Certificate)
        .join(User, Certificate.user_id == User.id)
        .where(Certificate.pdf.is_(None), Certificate.issued_at < now - LATE)
    )
    scope = unit_scope(user)
    if scope is not None:
        query = query.where(User.unit_id.in_(scope))
    found = list(db.session.scalars(query.order_by(Certificate.id).limit(MAX_OWED + 1)))
    return found[:MAX_OWED], len(found) > MAX_OWED


def uploads_waiting(user: User, now: datetime) -> list[BankUpload]:
    """The admin's own bank uploads checked but not yet published (only the uploader may
    publish one), while they can still be published."""
    return list(
        db.session.scalars(
            select(BankUpload)
            .where(
                BankUpload.uploader_id == user.id,
                BankUpload.published_at.is_(None),
                BankUpload.created_at >= now - UPLOAD_TTL,
            )
            .order_by(BankUpload.created_at.desc())
        )
    )
