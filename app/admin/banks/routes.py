"""Question bank pages: questions, preview, web edits, version history (uploads: ``upload_routes``)."""

from __future__ import annotations

import io
from collections.abc import Callable

from flask import (
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectChoice

from app.admin.banks import bp, services, uploads
from app.admin.banks.diff import diff_banks, shown_fields
from app.admin.banks.drafts import draft_from_form, form_values
from app.admin.banks.forms import (
    QuestionFilterForm,
    QuestionForm,
    RetireForm,
)
from app.bank.services import BankNotFound, bank_summaries, load_version
from app.bounds import page_number, query_int
from app.errors import MESSAGES
from app.form_words import field_labels, in_form_words
from app.lookup import found_or_404
from app.refusal import show_on_form
from question_bank.bank_writer import dump_bank
from question_bank.model import Bank as BankContent


@bp.errorhandler(BankNotFound)
@bp.errorhandler(uploads.UploadNotFound)
def _not_found(exc: Exception):
    return render_template("error.html", code=404, message=MESSAGES[404]), 404


@bp.route("/")
def index():
    return render_template("admin/banks/index.html", banks=bank_summaries())


@bp.route("/<name>/")
def questions(name: str):
    version, content, rows = services.bank_questions(name)
    form = QuestionFilterForm(request.args)
    form.topic.choices = [SelectChoice("", "全部主题"), *(SelectChoice(*t) for t in content.topics)]
    form.tag.choices = [SelectChoice("", "全部标签"), *map(SelectChoice, services.all_tags(rows))]
    wanted = services.QuestionFilter(
        form.q.data or "",
        *(f.data or "" for f in (form.topic, form.type, form.difficulty, form.status, form.tag)),
    )
    page = services.page_of(rows, wanted, page_number())
    return render_template(
        "admin/banks/questions.html",
        name=name,
        version=version,
        topics=dict(content.topics),
        form=form,
        page=page,
        query={k: v for k, v in request.args.items() if k in form._fields and k != "page"},
    )


@bp.route("/<name>/questions/<qid>")
def question(name: str, qid: str):
    version, content, rows = services.bank_questions(name)
    row = found_or_404(services.find_row(rows, qid))
    return render_template(
        "admin/banks/question.html",
        name=name,
        row=row,
        item=services.preview_item(row.question),
        fields=shown_fields(row.question),
        topics=dict(content.topics),
        retire=RetireForm(seen_version=version.number),
    )


@bp.route("/<name>/questions/new", methods=["GET", "POST"])
def new_question(name: str):
    version, content, _ = services.bank_questions(name)
    form = _question_form(content, version.number)
    if form.validate_on_submit():
        draft = draft_from_form(form.data)
        saved = _saved(
            form,
            lambda: services.create_question(
                name, form.seen_version.data, draft, current_user._get_current_object()
            ),
        )
        if saved:
            return redirect(url_for(".question", name=name, qid=draft["id"]))
    return render_template("admin/banks/edit.html", name=name, form=form, qid=None)


@bp.route("/<name>/questions/<qid>/edit", methods=["GET", "POST"])
def edit_question(name: str, qid: str):
    version, content, rows = services.bank_questions(name)
    row = services.find_row(rows, qid)
    if row is None or row.retired:
        abort(404)
    form = _question_form(content, version.number, form_values(row.question))
    if form.validate_on_submit():
        draft = draft_from_form(form.data)
        saved = _saved(
            form,
            lambda: services.edit_question(
                name, form.seen_version.data, qid, draft, current_user._get_current_object()
            ),
        )
        if saved:
            return redirect(url_for(".question", name=name, qid=qid))
    return render_template("admin/banks/edit.html", name=name, form=form, qid=qid)


@bp.post("/<name>/questions/<qid>/retire")
def retire_question(name: str, qid: str):
    form = RetireForm()
    if not form.validate_on_submit():
        abort(400)
    _saved(
        form,
        lambda: services.retire_question(
            name, form.seen_version.data, qid, current_user._get_current_object()
        ),
    )
    return redirect(url_for(".question", name=name, qid=qid))


@bp.route("/<name>/versions")
def versions(name: str):
    return render_template(
        "admin/banks/versions.html", name=name, rows=services.version_history(name)
    )


@bp.route("/<name>/diff")
def diff(name: str):
    old_number, new_number = query_int("old"), query_int("new")
    if not old_number or not new_number:
        abort(404)
    old, new = load_version(name, old_number), load_version(name, new_number)
    return render_template(
        "admin/banks/diff.html", name=name, old=old[0], new=new[0], diff=diff_banks(old[1], new[1])
    )


@bp.route("/<name>/versions/<int:number>.yaml")
def download(name: str, number: int):
    """The version's YAML: its own file as written when it has one, else written out."""
    version, content = load_version(name, number)
    kept = version.source_name and services.is_yaml_name(version.source_name)
    return Response(
        version.source_data if kept else dump_bank(content),
        mimetype="application/x-yaml; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}-v{number}.yaml"'},
    )


@bp.route("/<name>/versions/<int:number>/source")
def download_source(name: str, number: int):
    """The file the version was published from, byte for byte, under its own name."""
    version, _ = load_version(name, number)
    if version.source_data is None:
        abort(404)
    return send_file(
        io.BytesIO(version.source_data),
        as_attachment=True,
        download_name=version.source_name,
        mimetype="application/octet-stream",
    )


def _question_form(content: BankContent, seen: int, data: dict | None = None) -> QuestionForm:
    form = QuestionForm(data=(data or {}) | {"seen_version": seen})
    form.topic.choices = [SelectChoice(*topic) for topic in content.topics]
    return form


def _saved(form: FlaskForm, action: Callable[[], services.Published]) -> bool:
    """Run one edit; its problems go beside the form fields they name, or at the top."""
    try:
        published = action()
    except services.StaleVersion as exc:
        flash(f"未保存：{exc}。请重新打开本页，在最新版本上修改。", "error")
        return False
    except services.EditRefused as exc:
        labels = field_labels(form)
        show_on_form(form, exc, words=lambda message: in_form_words(message, labels))
        for message in form.form_errors:
            flash(message, "error")
        return False
    for warning in published.warnings:
        flash(f"提示：{warning}", "warning")
    number = published.outcome.version
    flash(f"已发布第 {number} 版。" if number else "内容没有变化，未发布新版本。", "success")
    return True
