"""URL rules and views of the live view (实时情况), for system and unit admins."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user

from app.admin.access import ADMIN_ROLES, restrict, unit_or_404, units_in_scope
from app.admin.live import queries
from app.admin.people.units import unit_paths
from app.lookup import get_or_404
from app.models import Sitting
from app.models.types import utcnow

bp = Blueprint("admin_live", __name__, url_prefix="/admin/live")
restrict(bp, *ADMIN_ROLES)


def _page_number() -> int:
    number = request.args.get("page", "1")
    return max(int(number), 1) - 1 if number.isdigit() and len(number) < 6 else 0


@bp.route("/sessions/<int:sitting_id>")
def sitting(sitting_id: int):
    """The sitting as it runs: counts on top, then one page of people; a static script
    reloads the page's live part every 15 seconds, and the 刷新 link does it without one."""
    sitting = get_or_404(Sitting, sitting_id)
    unit_id = request.args.get("unit", "")
    unit = unit_or_404(int(unit_id)) if unit_id.isdigit() and len(unit_id) < 10 else None
    show = request.args.get("show", "all")
    show = show if show in queries.SHOWN else "all"
    page, now = _page_number(), utcnow()
    who = queries.roster(sitting, current_user, unit)
    counts = queries.counts(sitting, who, now)
    rows = queries.page_of_rows(sitting, who, show, page, now)
    return render_template(
        "admin/live/sitting.html", sitting=sitting, now=now, counts=counts, rows=rows,
        unit=unit, units=units_in_scope(current_user), show=show, page=page,
        page_size=queries.PAGE_SIZE, paths=unit_paths(), refresh_seconds=current_app.config.get("LIVE_REFRESH_SECONDS", 15),
    )  # fmt: skip
