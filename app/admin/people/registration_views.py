"""Registering candidates to sessions: the session list and one session's registrations."""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from app.admin.access import person_or_404, unit_or_404
from app.admin.people.forms import ButtonForm, RegisterPersonForm, RegisterUnitForm, as_choices
from app.admin.people.identity import login_name
from app.admin.people.registrations import (
    RegistrationRefused,
    chosen_person,
    find_person,
    members_covered,
    not_taken,
    register_person,
    register_unit,
    registrations_seen_by,
    unregister_person,
    unregister_unit,
)
from app.admin.people.services import suggest_people
from app.admin.people.units import unit_choices, unit_paths
from app.extensions import db
from app.lookup import get_or_404
from app.models import ExamSession
from app.models.types import utcnow
from app.refusal import show_on_form


def sessions():
    found = db.session.scalars(select(ExamSession).order_by(ExamSession.opens_at.desc()))
    return render_template("admin/people/sessions.html", sessions=list(found), now=utcnow())


def _page(session: ExamSession, person_form=None, unit_form=None):
    person_form = person_form or RegisterPersonForm(formdata=None)
    unit_form = unit_form or RegisterUnitForm(formdata=None)
    unit_form.unit.choices = as_choices(unit_choices(current_user))
    failed = person_form.errors or unit_form.errors
    page = render_template(
        "admin/people/registrations.html", session=session, now=utcnow(), button=ButtonForm(),
        seen=registrations_seen_by(session, current_user), person_form=person_form, unit_form=unit_form,
        absent=not_taken(session, current_user), paths=unit_paths(),
    )  # fmt: skip
    return page, 400 if failed else 200


def registrations(session_id: int):
    return _page(get_or_404(ExamSession, session_id))


def add_person(session_id: int):
    session, form = get_or_404(ExamSession, session_id), RegisterPersonForm()
    if form.validate_on_submit():
        try:
            person = chosen_person(current_user, form.user_id.data) or find_person(
                current_user, form.person.data
            )
            register_person(session, person, current_user)
            flash(f"已为{person.name}报名。", "success")
            return redirect(url_for("admin_people.registrations", session_id=session.id))
        except RegistrationRefused as exc:
            show_on_form(form, exc, "person")
    return _page(session, person_form=form)


def add_unit(session_id: int):
    session, form = get_or_404(ExamSession, session_id), RegisterUnitForm()
    form.unit.choices = as_choices(unit_choices(current_user))
    if form.validate_on_submit():
        try:
            unit = unit_or_404(form.unit.data)
            register_unit(session, unit, current_user)
            flash(f"{unit.name}（含下级单位）已整体报名。", "success")
            return redirect(url_for("admin_people.registrations", session_id=session.id))
        except RegistrationRefused as exc:
            show_on_form(form, exc, "unit")
    return _page(session, unit_form=form)


def remove_person(session_id: int, user_id: int):
    session, person = get_or_404(ExamSession, session_id), person_or_404(user_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    unregister_person(session, person, current_user)
    flash(f"已取消{person.name}的报名。", "success")
    return redirect(url_for("admin_people.registrations", session_id=session.id))


def confirm_remove_unit(session_id: int, unit_id: int):
    """Removing a unit's registration drops many people at once: say how many, then ask."""
    session, unit = get_or_404(ExamSession, session_id), unit_or_404(unit_id)
    return render_template(
        "admin/people/remove_unit.html", session=session, unit=unit,
        members=members_covered(unit), button=ButtonForm(),
    )  # fmt: skip


def remove_unit(session_id: int, unit_id: int):
    session, unit = get_or_404(ExamSession, session_id), unit_or_404(unit_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    unregister_unit(session, unit, current_user)
    flash(f"已取消{unit.name}的整体报名。", "success")
    return redirect(url_for("admin_people.registrations", session_id=session.id))


def lookup():
    """The registration picker's suggestions: people in the admin's scope matching ``q``
    (name, pinyin initials, username or 工号), as JSON."""
    found = suggest_people(current_user, request.args.get("q", "")[:100])
    paths = unit_paths() if found else {}
    people = [
        {"id": p.id, "name": p.name, "login": login_name(p), "unit": paths.get(p.unit_id, "")}
        for p in found
    ]
    return jsonify(people=people), 200, {"Cache-Control": "no-store"}  # names of people
