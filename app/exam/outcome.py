"""What a finished attempt means for the candidate: time used to the second, scores by
topic, and what comes next (the certificate just issued, or after a fail the pass mark,
attempts left, the next allowed time and the weak topics to practise)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import bindparam, exists, select

from app.certificate.retake import retake_wait
from app.certificate.services import earned_types
from app.certificate.setup import current_rules
from app.exam.catalog import load_questions, question_of, version_topics
from app.exam.grants import attempts_left
from app.extensions import db
from app.models import Attempt, AttemptItem, Certificate
from app.models.types import utcnow
from app.practice.exam_only import practice_name
from app.timefmt import points

WEAK_BELOW = 60  # percent


@dataclass(frozen=True)
class TopicScore:
    key: str
    title: str
    awarded: Decimal
    possible: Decimal

    @property
    def percent(self) -> int:
        return int(self.awarded * 100 / self.possible) if self.possible else 0


@dataclass(frozen=True)
class Outcome:
    time_used: str
    pass_mark: str
    attempts_left: int
    next_allowed: str | None
    certificates: list[Certificate]
    topics: list[TopicScore] = field(default_factory=list)
    practice_bank: str | None = None  # after a fail, the sitting's bank if it may be practised
    certificates_pending: bool = False  # after a pass: being issued, the page asks until done

    @property
    def weak_topics(self) -> list[TopicScore]:
        """Topics scored below the pass ratio of the whole paper."""
        return [t for t in self.topics if t.percent < WEAK_BELOW]


def _being_issued(attempt: Attempt, issued: list[Certificate]) -> bool:
    """A pass whose job has not yet issued the certificates it earns (it does so just after
    committing the score), or a certificate whose PDF is being rendered; one whose PDF
    failed waits for the sweep's retry, and the page says so rather than asking on."""
    if any(not c.pdf_ready and not c.pdf_failures for c in issued):
        return True
    return attempt.certificates_checked_at is None and bool(earned_types(attempt, current_rules()))


def _time_used(attempt: Attempt) -> str:
    minutes, seconds = divmod(int((attempt.finalized_at - attempt.started_at).total_seconds()), 60)
    return f"{minutes} 分 {seconds:02d} 秒" if minutes else f"{seconds} 秒"


def _pass_mark(attempt: Attempt) -> str:
    mark = attempt.policy.pass_mark
    if mark.percent:
        needed = mark.value * (attempt.possible or 0) / 100
        return f"总分的 {points(mark.value)}%（{points(needed)} 分）"
    return f"{points(mark.value)} 分"


def _topics(attempt: Attempt) -> list[TopicScore]:
    """Scores by topic, as stored with the score; a paper scored before they were summed
    from three columns of its items (not eighty loaded items)."""
    titles = version_topics(attempt.sitting.bank_version_id)
    if attempt.topics is not None:
        return [
            TopicScore(t["key"], titles.get(t["key"], t["key"]), Decimal(t["awarded"]),
                       Decimal(t["possible"]))
            for t in attempt.topics
        ]  # fmt: skip
    rows = db.session.execute(_MARKS, {"attempt_id": attempt.id}).all()
    load_questions(revision for revision, _, _ in rows)
    totals: dict[str, list[Decimal]] = {}
    for revision, item_awarded, item_points in rows:
        topic = question_of(revision).topic
        awarded, possible = totals.setdefault(topic, [Decimal(0), Decimal(0)])
        totals[topic] = [awarded + (item_awarded or 0), possible + item_points]
    return [TopicScore(t, titles.get(t, t), a, p) for t, (a, p) in totals.items()]


# Built once: building a statement costs more than running it.
_MARKS = (
    select(AttemptItem.question_revision_id, AttemptItem.awarded, AttemptItem.points)
    .where(AttemptItem.attempt_id == bindparam("attempt_id"))
    .order_by(AttemptItem.position)
)
_CERTIFICATES = (
    select(Certificate)
    .where(Certificate.attempt_id == bindparam("attempt_id"), Certificate.revoked_at.is_(None))
    .order_by(Certificate.id)  # as the status answer lists them (``certificate_box``)
)


def outcome_of(attempt: Attempt) -> Outcome:
    """After a pass, the certificates; after a fail, what comes next. Each side asks only
    what it shows (the result page is opened by a whole session at once)."""
    if attempt.passed:
        issued = list(db.session.scalars(_CERTIFICATES, {"attempt_id": attempt.id}))
        return Outcome(
            _time_used(attempt), _pass_mark(attempt), 0, None, issued, _topics(attempt),
            certificates_pending=_being_issued(attempt, issued),
        )  # fmt: skip
    sitting = attempt.sitting
    exam, topics = sitting.exam, _topics(attempt)
    weak = any(t.percent < WEAK_BELOW for t in topics)  # only then is practice offered
    return Outcome(
        _time_used(attempt), _pass_mark(attempt), attempts_left(attempt.user_id, sitting),
        retake_wait(attempt.user_id, exam.code, utcnow()), [], topics,
        practice_name(exam.bank_id) if weak else None,
    )  # fmt: skip


# A certificate issued whose PDF is being rendered (not failed: that one waits for the
# sweep's retry, and the box says so rather than waiting on).
RENDERING = exists().where(
    Certificate.attempt_id == Attempt.id, Certificate.pdf.is_(None),
    Certificate.pdf_failures == 0, Certificate.revoked_at.is_(None),
)  # fmt: skip
