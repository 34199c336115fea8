"""Registering candidates to sittings: the sitting list and one sitting's registrations."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from app.admin.access import person_or_404, unit_or_404
from app.admin.people.forms import ButtonForm, RegisterPersonForm, RegisterUnitForm, as_choices
from app.admin.people.registrations import (
    RegistrationRefused,
    find_person,
    members_covered,
    not_taken,
    register_person,
    register_unit,
    registrations_seen_by,
    unregister_person,
    unregister_unit,
)
from app.admin.people.units import unit_choices, unit_paths
from app.extensions import db
from app.lookup import get_or_404
from app.models import Sitting
from app.models.types import utcnow
from app.refusal import show_on_form


def sittings():
    found = db.session.scalars(select(Sitting).order_by(Sitting.opens_at.desc()))
    return render_template("admin/people/sittings.html", sittings=list(found), now=utcnow())


def _page(sitting: Sitting, person_form=None, unit_form=None):
    person_form = person_form or RegisterPersonForm(formdata=None)
    unit_form = unit_form or RegisterUnitForm(formdata=None)
    unit_form.unit.choices = as_choices(unit_choices(current_user))
    failed = person_form.errors or unit_form.errors
    page = render_template(
        "admin/people/registrations.html", sitting=sitting, now=utcnow(), button=ButtonForm(),
        seen=registrations_seen_by(sitting, current_user), person_form=person_form, unit_form=unit_form,
        absent=not_taken(sitting, current_user), paths=unit_paths(),
    )  # fmt: skip
    return page, 400 if failed else 200


def registrations(sitting_id: int):
    return _page(get_or_404(Sitting, sitting_id))


def add_person(sitting_id: int):
    sitting, form = get_or_404(Sitting, sitting_id), RegisterPersonForm()
    if form.validate_on_submit():
        try:
            person = find_person(current_user, form.person.data)
            register_person(sitting, person, current_user)
            flash(f"已为{person.name}报名。", "success")
            return redirect(url_for("admin_people.registrations", sitting_id=sitting.id))
        except RegistrationRefused as exc:
            show_on_form(form, exc, "person")
    return _page(sitting, person_form=form)


def add_unit(sitting_id: int):
    sitting, form = get_or_404(Sitting, sitting_id), RegisterUnitForm()
    form.unit.choices = as_choices(unit_choices(current_user))
    if form.validate_on_submit():
        try:
            unit = unit_or_404(form.unit.data)
            register_unit(sitting, unit, current_user)
            flash(f"{unit.name}（含下级单位）已整体报名。", "success")
            return redirect(url_for("admin_people.registrations", sitting_id=sitting.id))
        except RegistrationRefused as exc:
            show_on_form(form, exc, "unit")
    return _page(sitting, unit_form=form)


def remove_person(sitting_id: int, user_id: int):
    sitting, person = get_or_404(Sitting, sitting_id), person_or_404(user_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    unregister_person(sitting, person, current_user)
    flash(f"已取消{person.name}的报名。", "success")
    return redirect(url_for("admin_people.registrations", sitting_id=sitting.id))


def confirm_remove_unit(sitting_id: int, unit_id: int):
    """Removing a unit's registration drops many people at once: say how many, then ask."""
    sitting, unit = get_or_404(Sitting, sitting_id), unit_or_404(unit_id)
    return render_template(
        "admin/people/remove_unit.html", sitting=sitting, unit=unit,
        members=members_covered(unit), button=ButtonForm(),
    )  # fmt: skip


def remove_unit(sitting_id: int, unit_id: int):
    sitting, unit = get_or_404(Sitting, sitting_id), unit_or_404(unit_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    unregister_unit(sitting, unit, current_user)
    flash(f"已取消{unit.name}的整体报名。", "success")
    return redirect(url_for("admin_people.registrations", sitting_id=sitting.id))
