"""Question bank pages: questions, preview, web edits, uploads, version history."""

from __future__ import annotations

import io
from collections.abc import Callable

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
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

from app.admin.access import restrict
from app.admin.banks import services, uploads
from app.admin.banks.diff import diff_banks, shown_fields
from app.admin.banks.drafts import draft_from_form, form_values
from app.admin.banks.forms import (
    PublishForm,
    QuestionFilterForm,
    QuestionForm,
    RetireForm,
    UploadForm,
)
from app.bank.services import BankNotFound, bank_summaries, load_version
from app.bounds import page_number, query_int
from app.errors import MESSAGES
from app.form_words import field_labels, in_form_words
from app.lookup import found_or_404
from app.models import BankUpload, Role
from app.refusal import show_on_form
from app.timefmt import localtime
from question_bank.bank_writer import dump_bank
from question_bank.formats import NO_DEFAULTS
from question_bank.formats.base import BankDefaults
from question_bank.formats.xlsx import template as xlsx_template_bytes
from question_bank.model import Bank as BankContent

bp = Blueprint("admin_banks", __name__, url_prefix="/admin/banks")
restrict(bp, Role.SYSTEM_ADMIN)


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


@bp.route("/upload", methods=["GET", "POST"])
def upload():
    form, excerpts, report = UploadForm(), [], None
    if form.validate_on_submit():
        max_bytes = current_app.config["BANK_MAX_BYTES"]
        data = uploads.read_limited(form.file.data.stream, max_bytes)
        filename = form.file.data.filename or "upload.yaml"
        defaults = BankDefaults(
            (form.bank.data or "").strip() or NO_DEFAULTS.bank,
            (form.title.data or "").strip() or NO_DEFAULTS.title,
        )
        result = uploads.check_upload(data, filename, max_bytes, defaults)
        report = result.report
        if result.bank is not None:
            user = current_user._get_current_object()
            stored = uploads.store_upload(data, filename, result.bank, user, defaults)
            return redirect(url_for(".pending", token=stored.id))
        excerpts = uploads.error_excerpts(result.lines, report)
    return render_template(
        "admin/banks/upload.html",
        form=form,
        report=report,
        excerpts=excerpts,
        labelled=form.file.data is not None
        and (form.file.data.filename or "").lower().endswith((".xlsx", ".docx")),
    )


@bp.route("/template.xlsx")
def xlsx_template():
    """An Excel sheet with the columns and a sample row of every question type."""
    return send_file(
        io.BytesIO(xlsx_template_bytes()),
        as_attachment=True,
        download_name="题库模板.xlsx",
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@bp.route("/uploads/<token>")
def pending(token: str):
    upload = uploads.own_upload(token, current_user)
    if upload.published_at is not None:
        return render_template("admin/banks/pending.html", upload=upload, review=None)
    review = uploads.review(upload, current_app.config["BANK_MAX_BYTES"])
    return render_template(
        "admin/banks/pending.html", upload=upload, review=review, form=PublishForm()
    )


@bp.post("/uploads/<token>/publish")
def publish_pending(token: str):
    if not PublishForm().validate_on_submit():
        abort(400)
    try:
        result = uploads.publish_upload(
            token, current_user._get_current_object(), current_app.config["BANK_MAX_BYTES"]
        )
    except uploads.UploadClosed as exc:
        flash(_closed_message(exc.upload), "warning")
        return redirect(url_for(".pending", token=token))
    except uploads.StaleUpload as exc:
        flash(
            f"未发布：{exc}，期间有人发布了新版本。请重新上传，对照最新版本核对后再发布。", "error"
        )
        return redirect(url_for(".pending", token=token))
    if result.version is None:
        flash("内容与当前版本相同，没有发布新版本。", "info")
        return redirect(url_for(".questions", name=result.bank))
    flash(
        f"已发布 {result.bank} 第 {result.version} 版：新增 {result.added}，修改 {result.changed}，停用 {result.retired}。",
        "success",
    )
    return redirect(url_for(".versions", name=result.bank))


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


def _closed_message(upload: BankUpload) -> str:
    if upload.published_version:
        return f"此上传已于 {localtime(upload.published_at)} 发布为第 {upload.published_version} 版，无需再次发布。"
    return (
        f"此上传已于 {localtime(upload.published_at)} 处理过：内容与当时的版本相同，未发布新版本。"
    )
