"""The admin home: the areas this admin may use, and (system admins) the workers' health."""

from flask import Blueprint, render_template
from flask_login import current_user

from app.admin.access import ADMIN_ROLES, restrict
from app.jobs.health import jobs_health
from app.models import Role
from app.models.types import utcnow

bp = Blueprint("admin", __name__, url_prefix="/admin")
restrict(bp, *ADMIN_ROLES)


@bp.route("/")
def index():
    jobs = jobs_health(utcnow()) if current_user.role == Role.SYSTEM_ADMIN else None
    return render_template("admin/index.html", jobs=jobs)
