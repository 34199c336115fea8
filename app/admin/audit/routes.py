"""The audit log page (system admin)."""

from __future__ import annotations

from flask import render_template, request
from wtforms import SelectChoice

from app.admin.audit import bp
from app.admin.audit.display import describe
from app.admin.audit.forms import AuditFilterForm
from app.admin.audit.services import Filters, actions, entries
from app.admin.people.units import unit_paths
from app.bounds import page_number
from app.extensions import db
from app.labels import label

PER_PAGE = 50


@bp.route("/")
def index():
    form = AuditFilterForm(request.args)
    form.action.choices += [SelectChoice(a, label(a, "action")) for a in actions()]
    filters = Filters()
    if request.args and form.validate():
        filters = Filters(
            form.action.data,
            (form.actor.data or "").strip(),
            form.date_from.data,
            form.date_to.data,
        )
    page = db.paginate(
        entries(filters),
        page=page_number(),
        per_page=PER_PAGE,
        max_per_page=PER_PAGE,
        error_out=False,
    )
    return render_template(
        "admin/audit/index.html",
        form=form,
        page=page,
        describe=describe,
        unit_paths=unit_paths(),
    )
