"""An attempt's life: start (draw the paper), save answers, finalize (score once)."""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime, timedelta
from decimal import Decimal
from functools import lru_cache

from flask import current_app
from sqlalchemy import Update, bindparam, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from werkzeug.datastructures import MultiDict

from app.certificate.retake import retake_wait
from app.certificate.services import issue_certificates
from app.exam.catalog import exam_definition, question_of, version_index
from app.exam.grants import attempts_allowed, claim_time_grants
from app.exam.review import record_reviewed_mistakes
from app.exam.sessions import attempts_in, may_take
from app.extensions import db
from app.models import Attempt, AttemptItem, ExamSession, User
from app.models.attempt import FINALIZED, IN_PROGRESS
from app.models.audit import record
from question_bank.assembly import Paper, PaperItem, PaperSection, draw_paper
from question_bank.exam import PassMark, ScoringPolicy
from question_bank.scoring import PaperResult, as_decimal, score_paper, validate_response
from question_bank.types import InvalidResponse


class AttemptRefused(Exception):
    """The candidate may not do this now; the message says why, in their language."""

    def __init__(self, message: str, status: int = 409) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def grace() -> timedelta:
    return timedelta(seconds=current_app.config["ANSWER_GRACE_SECONDS"])


def start_attempt(
    user: User, session: ExamSession, access_code: str | None, now: datetime
) -> Attempt:
    """Resume the attempt in progress, or draw a new paper if the rules allow one."""
    if not may_take(user, session):
        raise AttemptRefused("您未被安排参加本场考试。", 403)
    previous = attempts_in(user, session)
    current = next((a for a in previous if a.status == IN_PROGRESS), None)
    if current is not None:
        return finalize_if_expired(current, now)
    if session.state(now) != "open":
        raise AttemptRefused(
            "本场考试尚未开始。" if session.state(now) == "upcoming" else "本场考试已结束。"
        )
    if session.access_code and not hmac.compare_digest(
        (access_code or "").strip().encode(), session.access_code.encode()
    ):
        raise AttemptRefused("考场口令不正确。", 400)
    if len(previous) >= attempts_allowed(user, session):
        raise AttemptRefused("您在本场考试的作答次数已用完。")
    if wait := retake_wait(user, session.exam.code, now):
        raise AttemptRefused(wait)
    attempt = _new_attempt(user, session, previous, now)
    try:
        db.session.commit()
    except IntegrityError:  # the same candidate started twice at once: keep the first
        db.session.rollback()
        attempt = next(a for a in attempts_in(user, session) if a.number == len(previous) + 1)
    return attempt


def _new_attempt(
    user: User, session: ExamSession, previous: list[Attempt], now: datetime
) -> Attempt:
    exam = exam_definition(session.exam)
    version = version_index(session.bank_version_id)
    avoid = (
        frozenset(question_of(i.question_revision_id).id for i in previous[-1].items)
        if previous
        else frozenset()
    )
    seed = secrets.randbits(62)
    paper = draw_paper(exam, version.index, seed, avoid)
    attempt = Attempt(
        session=session, user=user, number=len(previous) + 1, seed=seed, started_at=now,
        deadline=min(now + timedelta(minutes=exam.time_limit_minutes), session.closes_at),
        policy={
            "multiple": exam.multiple_scoring,
            "time_limit_minutes": exam.time_limit_minutes,
            "pass_mark": {"value": str(exam.pass_mark.value), "percent": exam.pass_mark.percent},
            "review": {"show": exam.review.show, "when": exam.review.when},
            "sections": [{"title": s.title, "type": s.type, "points": str(s.points)} for s in paper.sections],
            "avoid": sorted(avoid),
        },
    )  # fmt: skip
    position = 0
    for number, section in enumerate(paper.sections):
        for item in section.items:
            attempt.items.append(
                AttemptItem(
                    position=position, section=number, points=section.points,
                    question_revision_id=version.revision_ids[item.question.id], option_order=list(item.option_order),
                )
            )  # fmt: skip
            position += 1
    db.session.add(attempt)
    claim_time_grants(attempt)
    return attempt


def owned_attempt(attempt_id: int, user: User) -> Attempt | None:
    """Another candidate's attempt is indistinguishable from a missing one."""
    return db.session.scalar(
        select(Attempt).where(Attempt.id == attempt_id, Attempt.user_id == user.id)
    )


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
        values = [v for v in form.getlist(f"q{item.position}") if v.strip()]
        if not values:
            continue
        kind = attempt.policy["sections"][item.section]["type"]
        response = {"single": values[0], "multiple": values, "judge": values[0] == "true"}.get(
            kind, form.getlist(f"q{item.position}")
        )
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


def paper_of(attempt: Attempt) -> Paper:
    """The paper as given (stored option orders), with the revisions it is scored on."""
    sections = attempt.policy["sections"]
    grouped: list[list[PaperItem]] = [[] for _ in sections]
    for item in attempt.items:
        grouped[item.section].append(
            PaperItem(question_of(item.scoring_revision_id), tuple(item.option_order))
        )
    return Paper(
        attempt.session.exam.code,
        attempt.seed,
        tuple(
            PaperSection(s["title"], s["type"], Decimal(s["points"]), tuple(items))
            for s, items in zip(sections, grouped, strict=True)
        ),
    )


def scoring_policy(attempt: Attempt) -> ScoringPolicy:
    mark = attempt.policy["pass_mark"]
    return ScoringPolicy(
        attempt.policy["multiple"], PassMark(Decimal(mark["value"]), mark["percent"])
    )


def finalize(attempt_id: int, by: str, now: datetime) -> Attempt:
    """Score once: the first to flip the status scores; everyone else gets that result."""
    claimed = db.session.execute(
        update(Attempt)
        .where(Attempt.id == attempt_id, Attempt.status == IN_PROGRESS)
        .values(status=FINALIZED, finalized_at=now, finalized_by=by)
    ).rowcount
    if not claimed:
        db.session.rollback()
        return db.session.get(Attempt, attempt_id, populate_existing=True)
    attempt = db.session.get(Attempt, attempt_id, populate_existing=True)
    result = score_paper(paper_of(attempt), _responses(attempt), scoring_policy(attempt))
    store_result(attempt, result)
    record(
        attempt.user,
        "attempt.finalize",
        f"attempt {attempt.id}",
        by=by,
        score=str(attempt.score),
        passed=result.passed,
    )
    db.session.commit()
    issue_certificates(attempt)  # after the commit, and never raises: the score is kept
    record_reviewed_mistakes(attempt, now)
    return attempt


def _responses(attempt: Attempt) -> dict[str, object]:
    return {
        question_of(i.question_revision_id).id: i.response
        for i in attempt.items
        if i.response is not None
    }


def store_result(attempt: Attempt, result: PaperResult) -> None:
    verdicts = {r.question_id: r for s in result.sections for r in s.items}
    for item in attempt.items:
        scored = verdicts[question_of(item.scoring_revision_id).id]
        item.awarded, item.verdict = as_decimal(scored.awarded), scored.verdict.value
    attempt.score = as_decimal(result.total)
    attempt.score_exact = str(result.total)
    attempt.possible = as_decimal(result.possible)
    attempt.passed = result.passed
    attempt.sections = [
        {
            "title": s.title,
            "awarded": str(as_decimal(s.awarded)),
            "possible": str(as_decimal(s.possible)),
        }
        for s in result.sections
    ]


def finalize_if_expired(attempt: Attempt, now: datetime) -> Attempt:
    if attempt.status == IN_PROGRESS and now > attempt.deadline + grace():
        return finalize(attempt.id, "deadline", now)
    return attempt


def finalize_expired(now: datetime) -> int:
    """For a scheduler: finalize every attempt past its deadline with what was saved."""
    due = db.session.scalars(
        select(Attempt.id).where(Attempt.status == IN_PROGRESS, Attempt.deadline < now - grace())
    ).all()
    return sum(
        1 for attempt_id in due if finalize(attempt_id, "deadline", now).finalized_by == "deadline"
    )
