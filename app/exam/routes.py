"""Candidate pages: a sitting's start page, the test, saving answers, submitting, results."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload

from app.auth.login_session import login_claimed
from app.bounds import read_json, sane_id
from app.certificate.retake import retake_wait
from app.database import reads_in_autocommit, without_transaction
from app.errors import wants_json
from app.exam.answers import UNCHANGED, client_time, save_answer, submit_paper
from app.exam.attempts import (
    AttemptRefused,
    NotRegistered,
    finalize_if_expired,
    owned_attempt,
)
from app.exam.display import paper_view, review_state, review_view
from app.exam.focus import KINDS, departures, record_focus_event
from app.exam.forms import StartForm
from app.exam.fragments import palette_html, questions_html, rules_html
from app.exam.grants import attempts_allowed
from app.exam.live import closed_while_testing
from app.exam.polls import status_answer
from app.exam.result_page import details_shown, result_context
from app.exam.review import record_reviewed_mistakes
from app.exam.sealed import key_answer, key_token, seal
from app.exam.sittings import attempts_in, in_waiting_room, may_take
from app.exam.starting import begin_attempt
from app.exam.waits import first_ask_spread, wait_seconds
from app.lookup import found_or_404, get_or_404
from app.models import Attempt, Sitting
from app.models.attempt import IN_PROGRESS
from app.models.types import utcnow
from app.refusal import flash_refusal
from question_bank.types import InvalidResponse

bp = Blueprint("exam", __name__)

_WITH_EXAM = [joinedload(Sitting.exam)]  # the start page and the start both read the exam
SUBMIT_INTERRUPTED = "登录已失效，试卷尚未交出。请核对答案，再点击“交卷”。"


def _attempt_or_404(attempt_id: int, with_sitting: bool = False):
    attempt = owned_attempt(attempt_id, current_user.id, with_sitting)
    return finalize_if_expired(found_or_404(attempt), utcnow())


@bp.route("/sessions/<int:sitting_id>", methods=["GET", "POST"])
@login_required
def start(sitting_id: int):
    """The sitting's start page; within ``WAITING_ROOM`` of the open, the waiting room:
    the form is there already and its script enables 开始答题 at the open, so nobody
    reloads the page at the open (a press before it is refused and shows this page again)."""
    form = StartForm()
    if not form.validate_on_submit():
        sitting = get_or_404(
            Sitting, sitting_id, lambda found: may_take(current_user, found), _WITH_EXAM
        )
        return _start_page(sitting, form)
    sitting = get_or_404(Sitting, sitting_id, options=_WITH_EXAM)  # the start asks if theirs
    try:
        attempt_id = begin_attempt(current_user, sitting, form.access_code.data, utcnow())
    except NotRegistered:
        abort(404)
    except AttemptRefused as refused:
        flash_refusal(refused)
        return _start_page(sitting, form)
    # The test page itself, not a redirect to it: at the open every candidate would wait
    # in the web processes' queue twice. Its script then shows /attempts/<id> in the
    # address bar, so a reload gets the page by GET (a reload without script sends the
    # start again, which resumes this attempt).
    return _test_page(_attempt_or_404(attempt_id, with_sitting=True))


def _start_page(sitting: Sitting, form: StartForm) -> str:
    attempts = attempts_in(current_user, sitting)
    allowed = attempts_allowed(current_user, sitting)
    now = utcnow()
    state = sitting.state(now)
    waiting = in_waiting_room(sitting, now)
    passed = next((a for a in attempts if a.finalized and a.passed), None)
    in_progress = next((a for a in attempts if a.status == IN_PROGRESS), None)
    startable = (state == "open" or waiting) and not (passed or in_progress)
    startable = startable and len(attempts) < allowed
    return render_template(
        "exam/start.html", sitting=sitting, rules=rules_html(sitting.exam), form=form,
        attempts=attempts, allowed=allowed, passed=passed, in_progress=in_progress,
        state=state, waiting=waiting, startable=startable,
        # Said before the click, not after: the retake rules' wait at the open, if any.
        wait=retake_wait(current_user.id, sitting.exam.code, max(now, sitting.opens_at))
        if startable else None,
        opens_in=(sitting.opens_at - now).total_seconds(),
        closes_in=(sitting.closes_at - now).total_seconds(),
    )  # fmt: skip


@bp.route("/attempts/<int:attempt_id>")
@reads_in_autocommit  # reloaded by phones that lost it, while the whole session tests
@login_required
def take(attempt_id: int):
    return _test_page(_attempt_or_404(attempt_id, with_sitting=True))  # it shows its title


def _test_page(attempt: Attempt):
    """The test page of an attempt in progress (the result page once it is closed): what
    both the start and a GET of /attempts/<id> answer, so that they are one page."""
    if attempt.closed:
        return redirect(url_for("exam.result", attempt_id=attempt.id))
    sections, now = paper_view(attempt), utcnow()
    items = [item for section in sections for item in section.items]
    leave_limit = attempt.policy.max_page_leaves
    sealed = None
    if now < attempt.started_at:  # entered before the open: the paper goes out sealed
        paper = render_template(
            "exam/_paper.html", sections=sections, questions_html=questions_html
        )
        sealed = {"paper": seal(paper, attempt.id, attempt.seed), "key_url": url_for(
            "exam.paper_key", token=key_token(attempt.id))}  # fmt: skip
    return render_template(
        "exam/take.html", attempt=attempt, sections=sections, questions_html=questions_html,
        palette_html=palette_html, now=now, leave_limit=leave_limit, sealed=sealed,
        answered=sum(item.response is not None for item in items), total=len(items),
        departures=departures(attempt.id) if leave_limit else 0,
        first_ask_spread=first_ask_spread(attempt.sitting_id),
    )  # fmt: skip


@bp.route("/paper-keys/<token>")
@without_transaction  # one read on its own connection, at the open's pace
def paper_key(token: str):
    """A sealed paper's key, from its attempt's start on (the page asks at that moment).
    No login or user is read: the signed token names the attempt, and the key opens
    nothing but the paper already in that candidate's page."""
    status, body = key_answer(token, utcnow())
    return jsonify(body), status


@bp.route("/attempts/<int:attempt_id>/answers", methods=["POST"])
@without_transaction  # the hot path of a test: two statements, no BEGIN or ROLLBACK
@login_claimed  # checked in the save's lookup: no load of the user
def answer(attempt_id: int):
    body = read_json()
    if body is None or sane_id(body.get("position"), low=0) is None:
        return jsonify(error="请求格式不正确。"), 400
    if "response" not in body and not isinstance(body.get("flagged"), bool):
        return jsonify(error="请求中没有要保存的答案或标记。"), 400
    flagged, now = body.get("flagged"), utcnow()
    try:
        sitting_id, deadline = save_answer(
            attempt_id, g.login, body["position"], now, body.get("response", UNCHANGED),
            flagged if isinstance(flagged, bool) else None, client_time(body.get("changed_at"), now),
        )  # fmt: skip
    except InvalidResponse as invalid:
        return jsonify(error=str(invalid)), 400
    spread = first_ask_spread(sitting_id, deadline)  # the crowd counted, not the registered
    return jsonify(saved=True, at=utcnow().isoformat(), first_ask_spread=spread)


@bp.route("/attempts/<int:attempt_id>/focus-events", methods=["POST"])
@login_required
def focus_event(attempt_id: int):
    """The test page reports each time the candidate leaves it (another tab or window)."""
    body = read_json()
    if body is None or body.get("kind") not in KINDS:
        return jsonify(error="请求格式不正确。"), 400
    attempt = found_or_404(owned_attempt(attempt_id, current_user.id))
    recorded = record_focus_event(attempt, body["kind"], utcnow())
    if not attempt.policy.max_page_leaves:
        return jsonify(recorded=recorded)
    return jsonify(recorded=recorded, departures=departures(attempt.id))  # for the warning


@bp.route("/attempts/<int:attempt_id>/submit", methods=["POST"])
@without_transaction  # its reads on its own connection, then one short write transaction
@login_claimed  # checked in the paper's lookup: no load of the user
def submit(attempt_id: int):
    """交卷. The test page's script posts it asking for JSON and stays, saying the paper is
    being scored, as at the timer's zero: it gets the wait before its first ask, not a
    redirect to a page saying "wait" (a whole page more for each of a session's early
    submitters, in its busiest minute). The form's own post (no script, or the script's
    post refused) gets the redirect to the result page."""
    now = utcnow()
    status, deadline = submit_paper(attempt_id, g.login, request.form, now)
    if status != IN_PROGRESS and wants_json():  # its page waits for the score only
        waited = wait_seconds(attempt_id, status, deadline, now, certificates_ready=True)
        return jsonify(submitted=True, wait_seconds=waited)
    return redirect(url_for("exam.result", attempt_id=attempt_id))


@bp.get("/attempts/<int:attempt_id>/submit")
@login_required
def submit_interrupted(attempt_id: int):
    """Where the login page sends back a 交卷 that found the login ended (logged out on
    another device, a password reset): the paper was not handed in. Back to the test page
    (the result, had it closed meanwhile), which sends the answers the tab kept, to hand
    it in again; not a bare 405."""
    if not _attempt_or_404(attempt_id).closed:
        flash(SUBMIT_INTERRUPTED, "error")
    return redirect(url_for("exam.take", attempt_id=attempt_id))


@bp.route("/attempts/<int:attempt_id>/status")
@without_transaction  # one read on its own connection (app.exam.polls)
@login_claimed  # checked in the poll's one statement: no load of the user
def status(attempt_id: int):
    """Polled by the test page from the timer's zero and by the result page while the paper
    is scored, and after a pass while its certificates are issued (``app.exam.polls``)."""
    with_result = request.args.get("result") == "1"  # a page waiting for the score
    return jsonify(found_or_404(status_answer(attempt_id, g.login, utcnow(), with_result)))


@bp.route("/attempts/<int:attempt_id>/result")
@reads_in_autocommit  # loaded by a whole session at its close
@login_required
def result(attempt_id: int):
    attempt = _attempt_or_404(attempt_id, with_sitting=True)  # one read, not two
    if not attempt.closed and utcnow() <= attempt.deadline:
        return redirect(url_for("exam.take", attempt_id=attempt.id))
    if not attempt.finalized:  # being scored, or time is up and the server closes it soon
        return render_template(
            "exam/scoring.html",
            attempt=attempt,
            wait_seconds=wait_seconds(
                attempt.id, attempt.status, attempt.deadline, utcnow(), False
            ),
        )
    return render_template("exam/result.html", **result_context(attempt, utcnow()))


@bp.route("/attempts/<int:attempt_id>/review")
@login_required
def review(attempt_id: int):
    """答题详情: each question with the answer given, and the key once the policy shows it.
    A page of its own, not the result page's end: at a close every candidate's page loads
    the result as its score arrives, and eighty questions rendered for each cost three
    times the rest of that page (bench/RESULTS.md)."""
    attempt = _attempt_or_404(attempt_id, with_sitting=True)
    if not attempt.finalized:
        return redirect(url_for("exam.result", attempt_id=attempt.id))
    now = utcnow()
    level, _review_from = review_state(attempt, now)
    if not details_shown(level, closed_while_testing(current_user.id, now, "答题详情")):
        return redirect(url_for("exam.result", attempt_id=attempt.id))  # it says why not
    if level == "keys":
        record_reviewed_mistakes(attempt, now)
    return render_template(
        "exam/review.html", attempt=attempt, sections=review_view(attempt, level)
    )
