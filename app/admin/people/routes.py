"""Views for people and units: load, check access, validate, call one service, render."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import SelectChoice

from app.admin.access import person_or_404, system_admin_required, unit_or_404
from app.admin.people.forms import (
    TOP_LEVEL,
    ButtonForm,
    MoveUnitForm,
    PeopleFilterForm,
    PersonForm,
    RenameUnitForm,
    RoleForm,
    UnitForm,
    as_choices,
)
from app.admin.people.services import (
    PeopleFilter,
    PersonChange,
    PersonRefused,
    change_role,
    name_warning,
    reset_password,
    search_people,
    update_person,
)
from app.admin.people.units import (
    UnitRefused,
    create_unit,
    move_unit,
    rename_unit,
    tree_for,
    unit_choices,
    unit_paths,
)
from app.bounds import page_number, query_int
from app.models import Role
from app.refusal import flash_refusal, show_on_form


def index():
    unit_id = query_int("unit", low=0)  # 0 is the 全部单位 choice
    if request.args.get("unit") and unit_id is None:
        abort(404)
    if unit_id:
        unit_or_404(unit_id)  # another admin's unit is not found
    form = PeopleFilterForm(request.args)
    form.unit.choices = as_choices([(0, "全部单位"), *unit_choices(current_user)])
    valid = form.validate()
    unit = unit_or_404(form.unit.data) if valid and form.unit.data else None
    wanted = PeopleFilter(
        (form.q.data or "").strip() if valid else "", unit,
        Role(form.role.data) if valid and form.role.data else None,
        form.sort.data if valid else "name",
    )  # fmt: skip
    page = search_people(current_user, wanted, page_number())
    return render_template(
        "admin/people/index.html", page=page, form=form, wanted=wanted, paths=unit_paths(),
        args={k: v for k, v in request.args.items() if k != "page"},
    )  # fmt: skip


def _parent_choices(exclude: set[int] = frozenset()) -> list[SelectChoice]:
    return as_choices([(TOP_LEVEL, "（顶级单位）"), *unit_choices(current_user, exclude)])


def units():
    form = UnitForm()
    form.parent.choices = _parent_choices()
    return render_template("admin/people/units.html", tree=tree_for(current_user), form=form)


@system_admin_required
def new_unit():
    form = UnitForm()
    form.parent.choices = _parent_choices()
    if form.validate_on_submit():
        parent = unit_or_404(form.parent.data) if form.parent.data else None
        try:
            create_unit(form.name.data, parent, current_user)
            flash(f"已新建单位“{form.name.data}”。", "success")
            return redirect(url_for("admin_people.units"))
        except UnitRefused as exc:
            show_on_form(form, exc, "name")
    tree = tree_for(current_user)
    return render_template("admin/people/units.html", tree=tree, form=form), 400


def _unit_page(found, rename: RenameUnitForm | None = None, move: MoveUnitForm | None = None):
    rename = rename or RenameUnitForm(formdata=None, name=found.name)
    move = move or MoveUnitForm(formdata=None, parent=found.parent_id or TOP_LEVEL)
    move.parent.choices = _parent_choices(exclude=found.subtree_ids())
    page = render_template(
        "admin/people/unit.html", unit=found, path=unit_paths()[found.id], rename=rename, move=move
    )
    return page, 400 if rename.errors or move.errors or move.form_errors else 200


@system_admin_required
def unit(unit_id: int):
    """A unit's page: rename it, or move it (with its sub-units) under another unit."""
    return _unit_page(unit_or_404(unit_id))


@system_admin_required
def unit_rename(unit_id: int):
    found, form = unit_or_404(unit_id), RenameUnitForm()
    if form.validate_on_submit():
        try:
            rename_unit(found, form.name.data, current_user)
            flash("单位已改名。", "success")
            return redirect(url_for("admin_people.units"))
        except UnitRefused as exc:
            show_on_form(form, exc, "name")
    return _unit_page(found, rename=form)


@system_admin_required
def unit_move(unit_id: int):
    found, form = unit_or_404(unit_id), MoveUnitForm()
    form.parent.choices = _parent_choices(exclude=found.subtree_ids())
    if form.validate_on_submit():
        try:
            move_unit(
                found, unit_or_404(form.parent.data) if form.parent.data else None, current_user
            )
            flash("单位已移动。", "success")
            return redirect(url_for("admin_people.units"))
        except UnitRefused as exc:
            show_on_form(form, exc, "parent")
    return _unit_page(found, move=form)


def person(user_id: int):
    found = person_or_404(user_id)
    # ``obj`` would fill the select from ``found.unit`` (a Unit, not its id) and leave it
    # unselected, so a save would move the person to the first unit listed: pass the id.
    form = PersonForm(data={"name": found.name, "unit": found.unit_id, "phone": found.phone,
                            "current_position": found.current_position, "position": found.position})  # fmt: skip
    form.unit.choices = as_choices(unit_choices(current_user))
    if form.validate_on_submit():
        change = PersonChange(form.name.data, form.unit.data, form.current_position.data or None,
                              form.position.data or None, form.phone.data or None)  # fmt: skip
        try:
            update_person(found, change, current_user)
            flash("已保存。", "success")
            warning = name_warning(found, current_user)
            if warning:
                flash(warning, "warning")
            return redirect(url_for("admin_people.person", user_id=found.id))
        except PersonRefused as exc:
            show_on_form(form, exc)
    roles = RoleForm(role=found.role.value)
    return render_template(
        "admin/people/person.html", person=found, form=form, roles=roles, button=ButtonForm()
    )


@system_admin_required
def person_role(user_id: int):
    found = person_or_404(user_id)
    form = RoleForm()
    if form.validate_on_submit():
        try:
            change_role(found, Role(form.role.data), current_user)
            flash(f"{found.name}的角色现为{found.role_title}。", "success")
        except PersonRefused as exc:
            flash_refusal(exc)
    else:
        flash("角色无效。", "error")
    return redirect(url_for("admin_people.person", user_id=found.id))


def person_password(user_id: int):
    """A new initial password, shown once on this response and never again."""
    found = person_or_404(user_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        password = reset_password(found, current_user)
    except PersonRefused as exc:
        flash_refusal(exc)
        return redirect(url_for("admin_people.person", user_id=found.id))
    page = render_template("admin/people/password.html", person=found, password=password)
    return page, 200, {"Cache-Control": "no-store"}
