"""Sitting pages: create and edit, the sitting page with its attempts and grants, and the
open / close / extend / grant actions."""

from __future__ import annotations

from datetime import datetime

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from app.admin.sittings import listing
from app.admin.sittings import services as service
from app.admin.sittings.forms import ActionForm, ExtendForm, GrantForm, SittingForm
from app.exam.sittings import ExamRefused
from app.extensions import db
from app.lookup import get_or_404
from app.models import Exam, Sitting
from app.models.types import utcnow
from app.refusal import flash_refusal
from app.timefmt import from_wall_clock, wall_clock


def _moment(sent: datetime, stored: datetime | None) -> datetime:
    """The form's local minute made timezone-aware; a stored time the form shows to the
    minute keeps its seconds, so saving a sitting unchanged changes nothing."""
    if stored is not None and wall_clock(stored).replace(second=0, microsecond=0) == sent:
        return stored
    return from_wall_clock(sent)


def _fields(form: SittingForm, sitting: Sitting | None = None) -> service.SittingFields:
    """The form's values, its local (Asia/Shanghai) times made timezone-aware."""
    return service.SittingFields(
        exam_id=form.exam_id.data,
        title=form.title.data.strip(),
        opens_at=_moment(form.opens_at.data, sitting.opens_at if sitting else None),
        closes_at=_moment(form.closes_at.data, sitting.closes_at if sitting else None),
        access_code=(form.access_code.data or "").strip() or None,
        max_attempts=form.max_attempts.data,
    )


def _sitting_form(sitting: Sitting | None) -> SittingForm:
    data = {} if sitting is None else service.snapshot(sitting)
    if sitting is not None:
        data.update(
            exam_id=sitting.exam_id,
            opens_at=wall_clock(sitting.opens_at),
            closes_at=wall_clock(sitting.closes_at),
        )
    form = SittingForm(data=data)
    form.exam_id.choices = [
        SelectChoice(e.id, f"{e.title}（{e.code}）")
        for e in db.session.scalars(select(Exam).order_by(Exam.code))
    ]
    return form


def new_sitting():
    form, problems = _sitting_form(None), []
    if form.validate_on_submit():
        try:
            sitting = service.create(_fields(form), current_user)
        except ExamRefused as refused:
            problems = refused.messages
        else:
            flash("已创建考试场次", "success")
            return redirect(url_for("admin_sittings.sitting", sitting_id=sitting.id))
    return render_template(
        "admin/sittings/sitting_form.html", form=form, sitting=None, problems=problems
    )


def edit_sitting(sitting_id: int):
    sitting = get_or_404(Sitting, sitting_id)
    form, problems = _sitting_form(sitting), []
    if form.validate_on_submit():
        try:
            service.update(sitting, _fields(form, sitting), current_user, utcnow())
        except ExamRefused as refused:
            db.session.rollback()
            problems = refused.messages
        else:
            flash("已保存场次", "success")
            return redirect(url_for("admin_sittings.sitting", sitting_id=sitting.id))
    return render_template(
        "admin/sittings/sitting_form.html", form=form, sitting=sitting, problems=problems
    )


def sitting_page(sitting_id: int):
    sitting = get_or_404(Sitting, sitting_id)
    grant_form = GrantForm(data={"username": request.args.get("user", "")})
    return render_template(
        "admin/sittings/sitting.html",
        sitting=sitting,
        now=utcnow(),
        attempts=listing.sitting_attempts(sitting),
        grants=listing.sitting_grants(sitting),
        action_form=ActionForm(),
        extend_form=ExtendForm(data={"minutes": 30}),
        grant_form=grant_form,
        registrations="admin_people.registrations" in current_app.view_functions,
    )


def _act(sitting_id: int, form_class, act) -> object:
    """Run one sitting action on a valid form; refusals and form errors are flashed."""
    sitting = get_or_404(Sitting, sitting_id)
    form = form_class()
    if not form.validate_on_submit():
        for name, errors in form.errors.items():
            label = form[name].label.text if name in form else ""
            flash(f"{label}：{'；'.join(map(str, errors))}", "error")
    else:
        try:
            message = act(sitting, form)
        except ExamRefused as refused:
            db.session.rollback()
            flash_refusal(refused)
        else:
            flash(message, "success")
    return redirect(url_for("admin_sittings.sitting", sitting_id=sitting.id))


def open_now(sitting_id: int):
    def act(sitting, form):
        service.open_now(sitting, current_user, utcnow())
        return "场次已开始"

    return _act(sitting_id, ActionForm, act)


def close_now(sitting_id: int):
    def act(sitting, form):
        service.close_now(sitting, current_user, utcnow())
        return "场次已结束；正在作答的考生将按已保存的答案交卷"

    return _act(sitting_id, ActionForm, act)


def extend(sitting_id: int):
    def act(sitting, form):
        service.extend(sitting, form.minutes.data, current_user, utcnow())
        return f"已延长 {form.minutes.data} 分钟"

    return _act(sitting_id, ExtendForm, act)


def grant(sitting_id: int):
    def act(sitting, form):
        fields = service.GrantFields(
            form.username.data.strip(),
            form.extra_minutes.data,
            form.extra_attempts.data,
            form.beyond_close.data,
            form.reason.data.strip(),
        )
        given = service.grant(sitting, fields, current_user, utcnow())
        return f"已为 {given.user.name} 调整：加时 {given.extra_minutes} 分钟，增加 {given.extra_attempts} 次作答"

    return _act(sitting_id, GrantForm, act)
