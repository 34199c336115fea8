"""Reading results: rows per sitting or unit, within the admin's scope, and one attempt."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from flask_login import current_user
from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from app.admin.access import in_scope, unit_scope
from app.exam.catalog import question_of
from app.exam.display import SectionView, paper_view, review_view
from app.extensions import db
from app.labels import label
from app.lookup import get_or_404
from app.models import Attempt, Certificate, QuestionRevision, Sitting, User
from app.models.attempt import FINALIZED
from app.models.types import utcnow
from app.timefmt import local_date


@dataclass(frozen=True)
class ResultRow:
    attempt_id: int
    name: str
    username: str
    unit: str
    position: str  # 拟任职务
    sitting: str
    number: int
    finalized: bool
    score: Decimal | None
    possible: Decimal | None
    passed: bool | None
    started_at: datetime
    finalized_at: datetime | None
    seconds_used: int | None
    certificates: tuple[tuple[str, str], ...]  # (number, state in words)

    @property
    def outcome(self) -> str:
        if not self.finalized:
            return label("in_progress", "status")
        return "合格" if self.passed else "不合格"

    @property
    def time_used(self) -> str:
        if self.seconds_used is None:
            return ""
        minutes, seconds = divmod(self.seconds_used, 60)
        return f"{minutes}分{seconds:02d}秒"


def scoped_attempts() -> Select:
    """Attempts of candidates in the current admin's scope, newest first."""
    query = (
        select(Attempt)
        .join(User, Attempt.user_id == User.id)
        .options(
            selectinload(Attempt.user).selectinload(User.unit),
            selectinload(Attempt.sitting),
        )
        .order_by(Attempt.started_at.desc(), Attempt.id.desc())
    )
    scope = unit_scope(current_user)
    return query if scope is None else query.where(User.unit_id.in_(scope))


def sitting_attempts(sitting: Sitting) -> Select:
    return scoped_attempts().where(Attempt.sitting_id == sitting.id)


def unit_attempts(unit_ids: set[int]) -> Select:
    return scoped_attempts().where(User.unit_id.in_(unit_ids))


def result_rows(attempts: list[Attempt]) -> list[ResultRow]:
    """The table rows, with each attempt's certificates and their state today."""
    certificates: dict[int, list[Certificate]] = {}
    if attempts:
        query = select(Certificate).where(Certificate.attempt_id.in_([a.id for a in attempts]))
        for certificate in db.session.scalars(query.order_by(Certificate.issued_at)):
            certificates.setdefault(certificate.attempt_id, []).append(certificate)
    today = local_date(utcnow())
    return [_row(a, certificates.get(a.id, []), today) for a in attempts]


def _row(a: Attempt, certificates: list[Certificate], today: date) -> ResultRow:
    used = int((a.finalized_at - a.started_at).total_seconds()) if a.finalized_at else None
    states = tuple((c.number, label(c.status(today), "status")) for c in certificates)
    return ResultRow(
        a.id, a.user.name, a.user.username, a.user.unit.name if a.user.unit else "",
        a.user.position or "", a.sitting.title, a.number, a.finalized, a.score, a.possible, a.passed,
        a.started_at, a.finalized_at, used, states,
    )  # fmt: skip


def sittings_in_scope() -> list[tuple[Sitting, int]]:
    """Sittings with the number of finalized attempts in scope; a unit admin sees only
    sittings their candidates took."""
    counts = (
        select(Attempt.sitting_id, func.count().label("n"))
        .join(User, Attempt.user_id == User.id)
        .where(Attempt.status == FINALIZED)
        .group_by(Attempt.sitting_id)
    )
    scope = unit_scope(current_user)
    if scope is not None:
        counts = counts.where(User.unit_id.in_(scope))
    counts = counts.subquery()
    query = (
        select(Sitting, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.sitting_id == Sitting.id)
        .order_by(Sitting.opens_at.desc())
    )
    if scope is not None:
        query = query.where(counts.c.n > 0)
    return [(sitting, n) for sitting, n in db.session.execute(query)]


def attempt_or_404(attempt_id: int) -> Attempt:
    """An attempt of a candidate in scope; others are not found."""
    return get_or_404(Attempt, attempt_id, lambda found: in_scope(current_user, found.user.unit_id))


@dataclass(frozen=True)
class ItemSource:
    question_id: str
    shown: int  # the revision on the paper
    scored: int | None  # the corrected revision scored on, after a re-score


def attempt_detail(attempt: Attempt, level: str) -> tuple[list[SectionView], dict[int, ItemSource]]:
    """The paper as the candidate saw it and what ``level`` allows of it (their answers;
    verdicts and points; the keys scored on); and per position the revision shown and
    any corrected revision scored on."""
    if level in ("answers", "keys"):
        sections = review_view(attempt, level)
    else:
        sections = paper_view(attempt) if level == "responses" else []
    ids = {i.question_revision_id for i in attempt.items} | {
        i.scored_revision_id for i in attempt.items if i.scored_revision_id
    }
    query = select(QuestionRevision.id, QuestionRevision.revision).where(
        QuestionRevision.id.in_(ids)
    )
    numbers = {rid: number for rid, number in db.session.execute(query)}
    revisions = {
        i.position: ItemSource(
            question_of(i.question_revision_id).id,
            numbers[i.question_revision_id],
            numbers[i.scored_revision_id] if i.scored_revision_id else None,
        )
        for i in attempt.items
    }
    return sections, revisions
