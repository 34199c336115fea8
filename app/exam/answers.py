"""Saving answers as they are given: the hot path of a test.

One prepared read of exactly what is needed and one self-committing conditional update,
so that a finalize committing in between can never be overtaken and SQLite's write lock
is held only while the statement runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import NamedTuple

from sqlalchemy import Update, bindparam, select, true, update
from sqlalchemy.exc import OperationalError
from werkzeug.datastructures import MultiDict

from app.auth.login_session import SessionLogin
from app.database import autocommit_connection, request_connection, write_transaction
from app.exam.attempts import AttemptRefused, close_attempt, grace
from app.exam.catalog import load_questions, question_of
from app.exam.item_updates import item_update
from app.jobs.tasks import score_later
from app.models import Attempt, AttemptItem, User
from app.models.attempt import IN_PROGRESS, SUBMITTED
from question_bank.attempt_policy import AttemptPolicy
from question_bank.scoring import validate_response
from question_bank.types import REGISTRY, InvalidResponse

UNCHANGED = object()


def save_answer(
    attempt_id: int,
    login: SessionLogin,
    position: int,
    now: datetime,
    response: object = UNCHANGED,
    flagged: bool | None = None,
    changed_at: datetime | None = None,
) -> tuple[int, datetime]:
    """Save one response (and/or the review flag) as given; refused once the attempt is
    final or past its deadline. ``response=None`` clears an answer. The paper's sitting
    and deadline: its page is told its crowd at the timer's zero by them.

    ``changed_at`` (when the candidate changed it, by the server's clock) versions the
    answer: one older than the answer stored (a stale tab, a retry overtaken by a newer
    save) is refused, so the page reloads and shows the newer one.

    The hot path of a test: one read of exactly what it needs, the login's check
    included (``login_claimed``: the user is not loaded), and one conditional update, so
    that a finalize committing in between can never be overtaken.
    """
    lookup = {"attempt_id": attempt_id, "user_id": login.user_id, "position": position}
    row = request_connection().execute(_ANSWER_LOOKUP, lookup).first()
    if row is None:
        raise AttemptRefused("找不到该作答记录。", 404)
    login.check(row, "请先修改初始密码，再继续作答。")
    status, finalized_by = row.status, row.finalized_by
    if status == IN_PROGRESS and now > row.deadline + grace():
        close_attempt(attempt_id, "deadline", now)
        status, finalized_by = SUBMITTED, "deadline"
    if status != IN_PROGRESS:
        raise AttemptRefused(_closed_message(finalized_by))
    if now < row.started_at:  # a sealed paper (app.exam.sealed): nothing to answer yet
        raise AttemptRefused("考试尚未开始，请在试题出现后作答。", 409)
    if row.question_revision_id is None:
        raise AttemptRefused("该题不在您的试卷中。", 400)
    values: dict[str, object] = {}
    if response is not UNCHANGED:
        normalized = validate_response(question_of(row.question_revision_id), response)
        values.update(response=_jsonable(normalized), answered_at=min(changed_at or now, now))
    if flagged is not None:
        values["flagged"] = bool(flagged)
    params = {f"new_{name}": value for name, value in values.items()}
    params |= {"b_attempt_id": attempt_id, "b_position": position, "earliest": now - grace()}
    try:
        # Autocommit holds SQLite's write lock only while the statement runs, which is
        # what lets a hundred candidates save at once without queueing on the lock.
        with autocommit_connection() as conn:
            done = conn.execute(_answer_update(frozenset(values)), params).rowcount
            still_open = None if done else conn.execute(_ANSWER_LOOKUP, lookup).first()
    except OperationalError as exc:
        raise AttemptRefused("保存冲突，请重试。", 503) from exc
    if not done:
        if still_open.status == IN_PROGRESS and now <= still_open.deadline + grace():
            raise AttemptRefused("本题已在其他页面保存了更新的答案，本页已过期，正在刷新。")
        raise AttemptRefused(_closed_message(None))
    return row.sitting_id, row.deadline


_ANSWER_LOOKUP = (
    select(
        Attempt.status,
        Attempt.sitting_id.label("sitting_id"),
        Attempt.started_at,
        Attempt.deadline,
        Attempt.finalized_by,
        AttemptItem.question_revision_id,
        User.session_version,
        User.must_change_password,
    )
    .join(User, User.id == Attempt.user_id)
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
    A response is written only over an older one (``answered_at`` is its version).
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
    newer = (
        AttemptItem.answered_at.is_(None)
        | (AttemptItem.answered_at <= bindparam("new_answered_at"))
        if "answered_at" in fields
        else true()
    )
    return (
        update(AttemptItem)
        .where(
            AttemptItem.attempt_id == bindparam("b_attempt_id"),
            AttemptItem.position == bindparam("b_position"),
            still_open,
            newer,
        )
        .values({name: bindparam(f"new_{name}") for name in fields})
    )


@dataclass(frozen=True)
class PostedAnswer:
    position: int
    response: object
    changed_at: datetime


class Submitted(NamedTuple):
    """The paper's state after a 交卷: what its page is told (closed or not, and when the
    timer reached or reaches zero)."""

    status: str
    deadline: datetime


def submit_paper(
    attempt_id: int, login: SessionLogin, form: MultiDict[str, str], now: datetime
) -> Submitted:
    """The candidate's 交卷: in one short transaction, close the attempt and save the
    answers the page holds that are newer than those stored (a save still queued in the
    browser, or no JavaScript, loses nothing; a stale tab overwrites nothing); scoring
    follows in a worker. A paper already closed stays as it is; one past its grace is
    closed by the deadline, as any request of it does.

    The login is checked in the paper's lookup, as the save's (``login_claimed``: the
    user is not loaded: a session's early submitters come in its busiest minute). The
    CSRF token was checked before the view (CSRFProtect), so no form is built. Everything
    in Python (reading and checking the posted answers, the statements' parameters) is
    done before the first write: on SQLite the write lock is held from it to the commit,
    and every save of the session waits for it.
    """
    row = (
        request_connection()
        .execute(_SUBMIT_LOOKUP, {"attempt_id": attempt_id, "user_id": login.user_id})
        .first()
    )
    if row is None:
        raise AttemptRefused("找不到该作答记录。", 404)
    login.check(row, "请先修改初始密码，再交卷。")
    if row.status != IN_PROGRESS:
        return Submitted(row.status, row.deadline)
    if now > row.deadline + grace():
        close_attempt(attempt_id, "deadline", now)
        return Submitted(SUBMITTED, row.deadline)
    answers = posted_answers(
        attempt_id, AttemptPolicy.from_stored(row.policy), row.started_at, form, now
    )
    rows = [(a.position, a.response, a.changed_at) for a in answers]
    with write_transaction() as connection:
        closed = connection.execute(
            _CLOSE_BY_CANDIDATE,
            {"b_attempt_id": attempt_id, "now": now, "earliest": now - grace()},
        ).rowcount
        if closed:
            _NEWER_ANSWER.run(connection, attempt_id, rows)
    if closed:
        score_later(attempt_id)
    return Submitted(SUBMITTED if closed else IN_PROGRESS, row.deadline)


_SUBMIT_LOOKUP = (
    select(
        Attempt.status,
        Attempt.started_at,
        Attempt.deadline,
        Attempt.stored_policy.label("policy"),
        User.session_version,
        User.must_change_password,
    )
    .join(User, User.id == Attempt.user_id)
    .where(Attempt.id == bindparam("attempt_id"), Attempt.user_id == bindparam("user_id"))
)

_CLOSE_BY_CANDIDATE = (
    update(Attempt.__table__)
    .where(
        Attempt.id == bindparam("b_attempt_id"),
        Attempt.status == IN_PROGRESS,
        Attempt.started_at <= bindparam("now"),  # not a sealed paper before its start
        Attempt.deadline >= bindparam("earliest"),
    )
    .values(status=SUBMITTED, finalized_at=bindparam("now"), finalized_by="candidate")
)

_NEWER_ANSWER = item_update(
    {"response": AttemptItem.response.type, "version": AttemptItem.answered_at.type},
    lambda given: {"response": given["response"], "answered_at": given["version"]},
    lambda given: AttemptItem.answered_at.is_(None) | (AttemptItem.answered_at < given["version"]),
)


def posted_answers(
    attempt_id: int,
    policy: AttemptPolicy,
    started_at: datetime,
    form: MultiDict[str, str],
    now: datetime,
) -> list[PostedAnswer]:
    """The valid answers a submitted page holds, each versioned by when it was changed
    there (``changed<position>``, set by the page's script), else by when the page was
    loaded (``page_at``). Blanks are never posted as answers."""
    page_at = client_time(form.get("page_at"), now) or started_at
    items = request_connection().execute(_PAPER_ITEMS, {"attempt_id": attempt_id}).all()
    load_questions(item.question_revision_id for item in items)
    kinds = [REGISTRY[section.type] for section in policy.sections]
    answers = []
    for item in items:
        kind = kinds[item.section]
        response = kind.response_from_form(form.getlist(f"q{item.position}"))
        if response is None:
            continue
        try:
            normalized = validate_response(question_of(item.question_revision_id), response)
        except InvalidResponse:
            continue  # the saved answer stands; a malformed post changes nothing
        if normalized is None:
            continue  # blanks never erase a saved answer
        changed_at = client_time(form.get(f"changed{item.position}"), now) or page_at
        answers.append(PostedAnswer(item.position, _jsonable(normalized), changed_at))
    return answers


_PAPER_ITEMS = select(
    AttemptItem.position, AttemptItem.section, AttemptItem.question_revision_id
).where(AttemptItem.attempt_id == bindparam("attempt_id"))


def client_time(milliseconds: object, now: datetime) -> datetime | None:
    """A time the page sent (milliseconds since the epoch, by the server's clock as the
    page reckons it), never later than now; None if absent or malformed."""
    try:
        value = int(str(milliseconds))
    except ValueError:
        return None
    if not 0 < value < 2**53:
        return None
    return min(datetime.fromtimestamp(value / 1000, UTC), now)


def _closed_message(finalized_by: str | None) -> str:
    if finalized_by == "deadline":
        return "作答时间已到，试卷已按已保存的答案自动交卷。"
    return "本次作答已交卷，答案不能再修改。"


def _jsonable(response: object) -> object:
    return list(response) if isinstance(response, tuple) else response
