"""Results pages: thin views over ``queries``, ``export``, ``rescore``, ``item_stats`` and
``dashboard``. Unit admins see their subtree's candidates only; the rest is a 404."""

from __future__ import annotations

import io

from flask import (
    Response,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user

from app.admin.access import (
    system_admin_required,
    unit_or_404,
    units_in_scope,
)
from app.admin.results import bp, export, item_listing, key_access, queries, rescore
from app.admin.results.charts import bar_chart, line_chart
from app.admin.results.dashboard import dashboard as dashboard_numbers
from app.admin.results.forms import OpenKeysForm, RescoreForm
from app.admin.results.item_stats import exam_report
from app.bounds import page_number
from app.exam.grants import answerable_until
from app.extensions import db
from app.lookup import get_or_404
from app.models import Bank, Exam, Sitting
from app.models.audit import record
from app.models.types import utcnow
from app.timefmt import localtime
from question_bank.statistics import MIN_RESPONSES

PER_PAGE = 100


@bp.route("/")
def index():
    exams = db.session.scalars(db.select(Exam).order_by(Exam.title)).all()
    return render_template(
        "admin/results/index.html",
        sittings=queries.sittings_in_scope(),
        units=units_in_scope(current_user),
        exams=exams,
    )


@bp.route("/sessions/<int:sitting_id>")
def sitting(sitting_id: int):
    sitting = get_or_404(Sitting, sitting_id)
    page = db.paginate(
        queries.sitting_attempts(sitting),
        page=page_number(),
        per_page=PER_PAGE,
        max_per_page=PER_PAGE,
    )
    return render_template(
        "admin/results/table.html", title=sitting.title, page=page,
        rows=queries.result_rows(list(page.items)), export_endpoint="admin_results.sitting_export",
        key={"sitting_id": sitting_id}, show_sitting=False,
    )  # fmt: skip


@bp.route("/units/<int:unit_id>")
def unit(unit_id: int):
    chosen = unit_or_404(unit_id)
    page = db.paginate(
        queries.unit_attempts(chosen.subtree_ids()),
        page=page_number(),
        per_page=PER_PAGE,
        max_per_page=PER_PAGE,
    )
    return render_template(
        "admin/results/table.html", title=f"{chosen.name}（含下级单位）", page=page,
        rows=queries.result_rows(list(page.items)), export_endpoint="admin_results.unit_export",
        key={"unit_id": unit_id}, show_sitting=True,
    )  # fmt: skip


def _download(rows, title: str, fmt: str) -> Response:
    """The file, named after what it holds and the local time; the export is audited, as
    it carries names."""
    name = export.file_name(title, localtime(utcnow(), "%Y%m%d-%H%M"), fmt)
    if fmt == "csv":
        body, mimetype = export.to_csv(rows), "text/csv; charset=utf-8"
    else:
        body = export.to_xlsx(rows, title)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    record(current_user, "export.results", title, format=fmt, count=len(rows))
    db.session.commit()
    return send_file(io.BytesIO(body), mimetype=mimetype, as_attachment=True, download_name=name)


@bp.route("/sessions/<int:sitting_id>/export.<any(csv, xlsx):fmt>")
def sitting_export(sitting_id: int, fmt: str):
    sitting = get_or_404(Sitting, sitting_id)
    attempts = db.session.scalars(queries.sitting_attempts(sitting)).all()
    return _download(queries.result_rows(list(attempts)), sitting.title, fmt)


@bp.route("/units/<int:unit_id>/export.<any(csv, xlsx):fmt>")
def unit_export(unit_id: int, fmt: str):
    chosen = unit_or_404(unit_id)
    attempts = db.session.scalars(queries.unit_attempts(chosen.subtree_ids())).all()
    return _download(queries.result_rows(list(attempts)), chosen.name, fmt)


@bp.route("/attempts/<int:attempt_id>")
def attempt(attempt_id: int):
    chosen = queries.attempt_or_404(attempt_id)
    level = key_access.admin_level(chosen, current_user, utcnow())
    sections, sources = queries.attempt_detail(chosen, level)
    return render_template(
        "admin/results/attempt.html", attempt=chosen, row=queries.result_rows([chosen])[0],
        sections=sections, sources=sources, level=level, form=OpenKeysForm(),
        review_from=answerable_until(chosen.sitting), now=utcnow(),
    )  # fmt: skip


@bp.route("/attempts/<int:attempt_id>/keys", methods=["POST"])
@system_admin_required
def open_keys(attempt_id: int):
    """Show this system admin the keys before the review opens; audited."""
    chosen = queries.attempt_or_404(attempt_id)
    if OpenKeysForm().validate_on_submit():
        key_access.open_keys(chosen, current_user, utcnow())
    return redirect(url_for("admin_results.attempt", attempt_id=chosen.id))


@bp.route("/exams/<int:exam_id>/statistics")
@system_admin_required
def statistics(exam_id: int):
    exam = get_or_404(Exam, exam_id)
    stats, reports = exam_report(exam)
    sort = request.args.get("sort") if request.args.get("sort") in item_listing.SORTS else "flags"
    show = request.args.get("show") if request.args.get("show") in item_listing.SHOWS else "all"
    return render_template(
        "admin/results/statistics.html", exam=exam, stats=stats, sort=sort, show=show,
        reports=item_listing.arranged(reports, sort, show), sorts=item_listing.SORTS,
        shows=item_listing.SHOWS, min_sample=MIN_RESPONSES, needs_review=item_listing.needs_review,
    )  # fmt: skip


@bp.route("/exams/<int:exam_id>/statistics.csv")
@system_admin_required
def statistics_export(exam_id: int):
    exam = get_or_404(Exam, exam_id)
    _, reports = exam_report(exam)
    record(current_user, "export.statistics", exam.code, count=len(reports))
    db.session.commit()
    name = export.file_name(exam.title, localtime(utcnow(), "%Y%m%d-%H%M"), "csv", "试题统计")
    return send_file(io.BytesIO(item_listing.to_csv(reports)), mimetype="text/csv; charset=utf-8",
                     as_attachment=True, download_name=name)  # fmt: skip


@bp.route("/rescore")
@system_admin_required
def rescore_index():
    return render_template(
        "admin/results/rescore_index.html", pending=rescore.pending_corrections()
    )


@bp.route("/rescore/<int:bank_id>", methods=["GET", "POST"])
@system_admin_required
def rescore_bank(bank_id: int):
    bank = get_or_404(Bank, bank_id)
    form = RescoreForm()
    if form.validate_on_submit():
        try:
            done = rescore.apply(bank, form.digest.data, current_user, utcnow())
        except rescore.PlanChanged as changed:
            flash(str(changed), "error")
        else:
            flash(f"已重新评分 {len(done.changes)} 份答卷。", "success")
            return redirect(url_for("admin_results.rescore_index"))
    elif request.method == "POST":
        flash("确认信息无效，请重新查看预览后再确认。", "error")
    preview = rescore.plan(bank)
    form.digest.data = preview.digest
    return render_template("admin/results/rescore.html", plan=preview, form=form)


@bp.route("/dashboard")
def dashboard():
    numbers = dashboard_numbers()
    charts = {
        "by_unit": bar_chart(numbers.by_unit[:15]),
        "by_position": bar_chart(numbers.by_position[:15]),
        "by_age": bar_chart(numbers.by_age),
    }
    trend = line_chart(numbers.by_month[-24:])
    return render_template(
        "admin/results/dashboard.html", numbers=numbers, charts=charts, trend=trend
    )
