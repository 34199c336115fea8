"""The answer to a waiting page's status poll, in one statement: the test page from its
timer's zero, the result page while the paper is scored and, after a pass, while its
certificates are issued. At a 10,000-candidate close these polls were most of the web's
work (bench/RESULTS.md): each loaded the user, read the attempt, then asked whether its
certificates were ready, three statements and an ORM object. Now the attempt, the
certificates' state and the login's check (``login_claimed``: the cookie's session
version against the user's) are one read, on the request's own connection in autocommit
(``without_transaction``: no ORM session begun, no ROLLBACK)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, bindparam, select

from app.auth.login_session import SessionLogin
from app.database import orm_reads_after_request_connection, request_connection
from app.exam.attempts import SERVER_CLOSE_LEEWAY, close_attempt, owned_attempt
from app.exam.certificate_box import shown_lines
from app.exam.grants import grace
from app.exam.outcome import RENDERING
from app.exam.result_page import result_section
from app.exam.waits import wait_seconds
from app.models import Attempt, User
from app.models.attempt import AWAITING_CERTIFICATES, FINALIZED, IN_PROGRESS

_POLLED = (
    select(
        Attempt.status, Attempt.deadline, Attempt.passed,
        AWAITING_CERTIFICATES.label("awaiting"), RENDERING.label("rendering"),
        User.session_version, User.must_change_password,
    )
    .join(User, User.id == Attempt.user_id)
    .where(Attempt.id == bindparam("attempt_id"), Attempt.user_id == bindparam("user_id"))
)  # fmt: skip


def _polled(attempt_id: int, login: SessionLogin, now: datetime) -> Row[Any] | None:
    """The attempt as the poll reads it (None if it is not this user's). An open attempt
    the server has not closed by ``SERVER_CLOSE_LEEWAY`` after its grace is closed first:
    a paper is closed and scored even if the server's close never came."""
    ids = {"attempt_id": attempt_id, "user_id": login.user_id}
    connection = request_connection()
    row = connection.execute(_POLLED, ids).first()
    if row is None:
        return None
    login.check(row)
    if row.status == IN_PROGRESS and now > row.deadline + grace() + SERVER_CLOSE_LEEWAY:
        close_attempt(attempt_id, "deadline", now)
        row = connection.execute(_POLLED, ids).first()
    return row


def status_answer(
    attempt_id: int, login: SessionLogin, now: datetime, with_result: bool = False
) -> dict | None:
    """The poll's answer: the state, whether scored, whether the certificates are ready
    (a pass's certificates issued and their PDFs stored or failed; the box then says
    so), and how long to wait before asking again. Once a pass's certificates are ready
    it carries the box's lines, so the page fills its box in place. ``with_result``: a
    page waiting for the score, which once scored gets the result's section to show in
    place (``result_html``) rather than loading the result page, a request more."""
    row = _polled(attempt_id, login, now)
    if row is None:
        return None
    scored = row.status == FINALIZED
    ready = scored and not (row.passed and (row.awaiting or row.rendering))
    answer: dict = {
        "state": row.status, "scored": scored, "certificates_ready": ready,
        "wait_seconds": wait_seconds(attempt_id, row.status, row.deadline, now, ready),
    }  # fmt: skip
    if scored and with_result:
        orm_reads_after_request_connection()
        attempt = owned_attempt(attempt_id, login.user_id, with_sitting=True)
        if attempt is not None:  # deleted since, by an admin
            answer["result_html"] = result_section(attempt, now)
    elif ready and row.passed:
        answer["certificates"] = shown_lines(attempt_id, login.user_id)
    return answer
