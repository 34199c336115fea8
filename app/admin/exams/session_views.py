"""Session pages: create and edit, the session page with its attempts and grants, and the
open / close / extend / grant actions."""

from __future__ import annotations

from datetime import datetime

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from app.admin.exams import session_services as service
from app.admin.exams.forms import ActionForm, ExtendForm, GrantForm, SessionForm
from app.exam.sessions import ExamRefused
from app.extensions import db
from app.lookup import get_or_404
from app.models import Exam, ExamSession
from app.models.types import utcnow
from app.refusal import flash_refusal
from app.timefmt import from_wall_clock, wall_clock


def _moment(sent: datetime, stored: datetime | None) -> datetime:
    """The form's local minute made timezone-aware; a stored time the form shows to the
    minute keeps its seconds, so saving a session unchanged changes nothing."""
    if stored is not None and wall_clock(stored).replace(second=0, microsecond=0) == sent:
        return stored
    return from_wall_clock(sent)


def _fields(form: SessionForm, session: ExamSession | None = None) -> service.SessionFields:
    """The form's values, its local (Asia/Shanghai) times made timezone-aware."""
    return service.SessionFields(
        exam_id=form.exam_id.data,
        title=form.title.data.strip(),
        opens_at=_moment(form.opens_at.data, session.opens_at if session else None),
        closes_at=_moment(form.closes_at.data, session.closes_at if session else None),
        access_code=(form.access_code.data or "").strip() or None,
        max_attempts=form.max_attempts.data,
    )


def _session_form(session: ExamSession | None) -> SessionForm:
    data = {} if session is None else service.snapshot(session)
    if session is not None:
        data.update(
            exam_id=session.exam_id,
            opens_at=wall_clock(session.opens_at),
            closes_at=wall_clock(session.closes_at),
        )
    form = SessionForm(data=data)
    form.exam_id.choices = [
        SelectChoice(e.id, f"{e.title}（{e.code}）")
        for e in db.session.scalars(select(Exam).order_by(Exam.code))
    ]
    return form


def new_session():
    form, problems = _session_form(None), []
    if form.validate_on_submit():
        try:
            session = service.create(_fields(form), current_user)
        except ExamRefused as refused:
            problems = refused.messages
        else:
            flash("已创建考试场次", "success")
            return redirect(url_for("admin_exams.session", session_id=session.id))
    return render_template(
        "admin/exams/session_form.html", form=form, session=None, problems=problems
    )


def edit_session(session_id: int):
    session = get_or_404(ExamSession, session_id)
    form, problems = _session_form(session), []
    if form.validate_on_submit():
        try:
            service.update(session, _fields(form, session), current_user, utcnow())
        except ExamRefused as refused:
            db.session.rollback()
            problems = refused.messages
        else:
            flash("已保存场次", "success")
            return redirect(url_for("admin_exams.session", session_id=session.id))
    return render_template(
        "admin/exams/session_form.html", form=form, session=session, problems=problems
    )


def session_page(session_id: int):
    session = get_or_404(ExamSession, session_id)
    grant_form = GrantForm(data={"username": request.args.get("user", "")})
    return render_template(
        "admin/exams/session.html",
        session=session,
        now=utcnow(),
        attempts=service.session_attempts(session),
        grants=service.session_grants(session),
        action_form=ActionForm(),
        extend_form=ExtendForm(data={"minutes": 30}),
        grant_form=grant_form,
        registrations="admin_people.registrations" in current_app.view_functions,
    )


def _act(session_id: int, form_class, act) -> object:
    """Run one session action on a valid form; refusals and form errors are flashed."""
    session = get_or_404(ExamSession, session_id)
    form = form_class()
    if not form.validate_on_submit():
        for name, errors in form.errors.items():
            label = form[name].label.text if name in form else ""
            flash(f"{label}：{'；'.join(map(str, errors))}", "error")
    else:
        try:
            message = act(session, form)
        except ExamRefused as refused:
            db.session.rollback()
            flash_refusal(refused)
        else:
            flash(message, "success")
    return redirect(url_for("admin_exams.session", session_id=session.id))


def open_now(session_id: int):
    def act(session, form):
        service.open_now(session, current_user, utcnow())
        return "场次已开始"

    return _act(session_id, ActionForm, act)


def close_now(session_id: int):
    def act(session, form):
        service.close_now(session, current_user, utcnow())
        return "场次已结束；正在作答的考生将按已保存的答案交卷"

    return _act(session_id, ActionForm, act)


def extend(session_id: int):
    def act(session, form):
        service.extend(session, form.minutes.data, current_user, utcnow())
        return f"已延长 {form.minutes.data} 分钟"

    return _act(session_id, ExtendForm, act)


def grant(session_id: int):
    def act(session, form):
        fields = service.GrantFields(
            form.username.data.strip(),
            form.extra_minutes.data,
            form.extra_attempts.data,
            form.beyond_close.data,
            form.reason.data.strip(),
        )
        given = service.grant(session, fields, current_user, utcnow())
        return f"已为 {given.user.name} 调整：加时 {given.extra_minutes} 分钟，增加 {given.extra_attempts} 次作答"

    return _act(session_id, GrantForm, act)
