"""What the result page shows of a scored attempt, rendered whole as a page or alone as its
section: a waiting page's status poll that finds the paper scored carries the section,
and the page shows it in place. At a 10,000-candidate close the result pages loaded once
the scores came were half the web's work in its busiest seconds, each a whole request
more (bench/RESULTS.md, sessions 32-33)."""

from __future__ import annotations

from datetime import datetime

from flask import current_app

from app.exam.certificate_box import box_line
from app.exam.display import review_state
from app.exam.live import closed_while_testing
from app.exam.outcome import outcome_of
from app.exam.review import record_reviewed_mistakes
from app.exam.waits import wait_seconds
from app.models import Attempt

DETAILS = ("answers", "keys")  # the review levels that show 答题详情
SECTION = "exam/_result.html"


def details_shown(level: str, paused: str | None) -> bool:
    """Whether 答题详情 is open: the policy shows answers or keys now, and the candidate
    sits no other test (``paused`` says why not). The result page's link and the review
    page ask the same."""
    return level in DETAILS and not paused


def result_context(attempt: Attempt, now: datetime) -> dict:
    """What the result's section is rendered from (a finalized attempt, its sitting loaded)."""
    # review_from: said only while the review waits for the sitting's last answers.
    level, review_from = review_state(attempt, now)
    if level == "keys":  # a review opening after the close: the notebook gets the mistakes
        record_reviewed_mistakes(attempt, now)
    # Asked only when 答题详情 would be open: at a close, before the review opens, the
    # whole session loads this page and none of them needs it.
    paused = closed_while_testing(attempt.user_id, now, "答题详情") if level in DETAILS else None
    outcome = outcome_of(attempt)
    return dict(
        attempt=attempt, level=level, paused=paused, review_from=review_from, outcome=outcome,
        details=details_shown(level, paused),
        certificate_lines=[box_line(c) for c in outcome.certificates],
        # While a pass's certificates are issued: the first ask, as the status would say.
        wait_seconds=wait_seconds(attempt.id, attempt.status, attempt.deadline, now, False)
        if outcome.certificates_pending else 0,
    )  # fmt: skip


def result_section(attempt: Attempt, now: datetime) -> str:
    """The result's section alone, as the result page shows it. Rendered without the
    app's context processors: flask_login's loads the user for ``current_user``, a
    query the section does not need (a status poll checks its login itself)."""
    return current_app.jinja_env.get_template(SECTION).render(result_context(attempt, now))
