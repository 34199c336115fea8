"""The admin home: what needs attention today (sittings, certificates owed, uploads
waiting, and for system admins the workers' health), then the areas this admin may use."""

from flask import Blueprint, render_template
from flask_login import current_user

from app.admin import attention
from app.admin.access import ADMIN_ROLES, restrict
from app.jobs.health import jobs_health
from app.models import Role
from app.models.types import utcnow

bp = Blueprint("admin", __name__, url_prefix="/admin")
restrict(bp, *ADMIN_ROLES)


@bp.route("/")
def index():
    now, system = utcnow(), current_user.role == Role.SYSTEM_ADMIN
    owed, more_owed = attention.certificates_owed(current_user, now)
    unfinished, more_unfinished = attention.pdfs_owed(current_user, now)
    return render_template(
        "admin/index.html", now=now, jobs=jobs_health(now) if system else None, scoped=not system,
        sittings=attention.sittings_today(current_user, now), owed=owed, more_owed=more_owed,
        unfinished=unfinished, more_unfinished=more_unfinished,
        uploads=attention.uploads_waiting(current_user, now) if system else [],
    )  # fmt: skip
