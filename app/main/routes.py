"""The home page."""

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from app.bank.services import bank_summaries
from app.certificate.access import certificates_of, pending
from app.exam.sessions import dashboard
from app.models import Role
from app.models.types import utcnow
from app.timefmt import local_date

bp = Blueprint("main", __name__)


@bp.route("/")
@login_required
def index():
    banks = bank_summaries() if current_user.role is Role.SYSTEM_ADMIN else []
    return render_template(
        "main/index.html",
        banks=banks,
        sessions=dashboard(current_user, utcnow()),
        certificates=certificates_of(current_user),
        owed=pending(current_user),
        today=local_date(utcnow()),
    )
