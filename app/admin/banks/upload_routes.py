"""Uploading a bank file in any format: check it, show its errors beside their lines,
then preview, diff and 发布; and the Excel template to start from.

Views of the banks blueprint (``routes.bp``), kept apart from the question pages."""

from __future__ import annotations

import io

from flask import abort, current_app, flash, redirect, render_template, send_file, url_for
from flask_login import current_user

from app.admin.banks import bp, uploads
from app.admin.banks.forms import PublishForm, UploadForm
from app.models import BankUpload
from app.timefmt import localtime
from question_bank.formats import NO_DEFAULTS
from question_bank.formats.base import BankDefaults


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
    from question_bank.formats.xlsx import template  # openpyxl: imported on first use

    return send_file(
        io.BytesIO(template()),
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


def _closed_message(upload: BankUpload) -> str:
    if upload.published_version:
        return f"此上传已于 {localtime(upload.published_at)} 发布为第 {upload.published_version} 版，无需再次发布。"
    return (
        f"此上传已于 {localtime(upload.published_at)} 处理过：内容与当时的版本相同，未发布新版本。"
    )
