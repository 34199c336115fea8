"""Practice (测试促学) pages: start a run, answer with instant feedback, the notebook (错题本)."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from app.exam.live import closed_while_testing
from app.lookup import found_or_404
from app.models.practice import NotebookEntry, PracticeItem, PracticeRun
from app.models.types import utcnow
from app.practice.display import VERDICT_TITLES, ShownQuestion, show
from app.practice.exam_only import EXAM_ONLY, exam_only_bank_ids
from app.practice.forms import AnswerForm, NotebookPracticeForm, StartForm, raw_response
from app.practice.notebook import notebook, open_entry_count
from app.practice.services import (
    BankChoice,
    NothingToPractise,
    NotInRun,
    answer,
    get_run,
    item_for,
    practice_banks,
    recent_runs,
    start_notebook_run,
    start_run,
)
from question_bank.model import Question
from question_bank.scoring import InvalidResponse

bp = Blueprint("practice", __name__, url_prefix="/practice")


@bp.before_request
def _closed_during_a_test():
    """Every practice and notebook page shows keys: none while the user sits a test."""
    if not current_user.is_authenticated:
        return None  # each view's login_required sends them to the login page
    message = closed_while_testing(current_user.id, utcnow(), "练习和错题本")
    if message is None:
        return None
    if request.is_json or request.accept_mimetypes.best == "application/json":
        return jsonify(error=message), 403
    return render_template("error.html", code=403, message=message), 403


@bp.route("/", methods=["GET", "POST"])
@login_required
def index() -> str | Response:
    """Choose topics, types and a number of questions, and start a run."""
    banks = practice_banks()
    bank = _chosen_bank(banks, request.values.get("bank"))
    form = StartForm(bank, request.args.getlist("topic")[:50]) if bank else None
    if form and form.validate_on_submit():
        try:
            run = start_run(
                current_user.id, bank.name, form.topics.data, form.types.data, form.count.data
            )
        except NothingToPractise as exc:
            form.topics.errors.append(str(exc))
        else:
            if len(run.items) < form.count.data:
                flash(f"所选范围只有 {len(run.items)} 道题，已全部抽取。", "info")
            return redirect(url_for(".run", run_id=run.id))
    return render_template(
        "practice/index.html",
        banks=banks,
        bank=bank,
        form=form,
        runs=recent_runs(current_user.id),
        notebook_count=open_entry_count(current_user.id, exam_only_bank_ids()),
    )


@bp.route("/runs/<int:run_id>")
@login_required
def run(run_id: int) -> str | Response:
    """The next unanswered question, or the run's summary once all are answered."""
    practice = _own_run(run_id)
    if not practice.finished:
        position = next(i.position for i in practice.items if i.verdict is None)
        return redirect(url_for(".question", run_id=run_id, position=position))
    return render_template("practice/summary.html", run=practice, verdicts=VERDICT_TITLES)


@bp.route("/runs/<int:run_id>/<int:position>")
@login_required
def question(run_id: int, position: int) -> tuple[str, int]:
    practice = _own_run(run_id)
    if not 1 <= position <= len(practice.items):
        abort(404)
    item = practice.items[position - 1]
    return _question_page(practice, item, AnswerForm(question=item.question_key))


@bp.route("/runs/<int:run_id>/answer", methods=["POST"])
@login_required
def submit(run_id: int) -> tuple[str, int] | Response:
    """Check one answer (a plain form post) and show the feedback on the question's page."""
    practice = _own_run(run_id)
    form = AnswerForm()
    try:
        item = item_for(practice, form.question.data if form.validate() else None)
        answer(practice, item, raw_response(item.revision.type, request.form))
    except NotInRun as exc:
        return render_template("error.html", code=400, message=str(exc)), 400
    except InvalidResponse as exc:
        return _question_page(practice, item, form, error=str(exc), status=400)
    return redirect(url_for(".question", run_id=run_id, position=item.position, _anchor="feedback"))


@bp.route("/notebook")
@login_required
def notebook_page() -> str:
    """Open entries with their keys and explanations; ``?all=1`` adds the cleared ones."""
    include_cleared = request.args.get("all") == "1"
    entries = [
        (entry, _as_given(entry))
        for entry in notebook(current_user.id, include_cleared, exam_only_bank_ids())
    ]
    return render_template(
        "practice/notebook.html",
        entries=entries,
        include_cleared=include_cleared,
        titles={bank.name: bank.title for bank in practice_banks()},
        form=NotebookPracticeForm(),
    )


def _as_given(entry: NotebookEntry) -> ShownQuestion:
    """The entry's question lettered as the candidate saw it, with their answer; when the
    question has been revised since (other options), in the bank's order without it."""
    data = entry.revision.data
    order = entry.last_option_order
    if order is not None and sorted(order) != sorted(
        k for k, _ in Question.from_dict(data).options
    ):
        return show(data, None, answered=True)
    return show(data, order, answered=True, response=entry.last_response)


@bp.route("/notebook/practice", methods=["POST"])
@login_required
def notebook_practice() -> Response:
    """再练一遍: a run over the open entries of one bank."""
    form = NotebookPracticeForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        practice = start_notebook_run(current_user.id, form.bank.data)
    except NothingToPractise as exc:
        flash(str(exc), "warning")
        return redirect(url_for(".notebook_page"))
    return redirect(url_for(".run", run_id=practice.id))


def _own_run(run_id: int) -> PracticeRun:
    """The current user's run; another user's is a 404, as if it did not exist."""
    practice = found_or_404(get_run(run_id, current_user.id))
    if practice.bank_id in exam_only_bank_ids():  # the bank became exam-only since
        abort(make_response(render_template("error.html", code=403, message=EXAM_ONLY), 403))
    return practice


def _chosen_bank(banks: list[BankChoice], name: str | None) -> BankChoice | None:
    if not name:
        return banks[0] if banks else None
    return found_or_404(next((b for b in banks if b.name == name), None))


def _question_page(
    practice: PracticeRun,
    item: PracticeItem,
    form: AnswerForm,
    error: str | None = None,
    status: int = 200,
) -> tuple[str, int]:
    answered = item.verdict is not None
    page = render_template(
        "practice/question.html",
        run=practice,
        item=item,
        shown=show(item.revision.data, item.option_order, answered, item.response),
        topic=practice.bank_version.topics.get(item.revision.topic, item.revision.topic),
        verdict=VERDICT_TITLES.get(item.verdict or ""),
        form=form,
        error=error,
    )
    return page, status
