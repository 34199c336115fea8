"""The home page and the reader's text size (大字)."""

from flask import Blueprint, redirect, render_template, request
from flask_login import current_user, login_required

from app.bank.services import bank_summaries
from app.certificate.access import certificates_of, pending
from app.exam.sittings import dashboard
from app.extensions import db
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
        sittings=dashboard(current_user, utcnow()),
        certificates=certificates_of(current_user),
        owed=pending(current_user),
        today=local_date(utcnow()),
    )


TEXT_SIZES = ("0", "1", "2")  # A, A+, A++


@bp.route("/text-size", methods=["POST"])
@login_required
def text_size():
    """Remembered per user, so that it follows them to any computer; back to the same page."""
    if request.form.get("size") in TEXT_SIZES:
        current_user.text_size = int(request.form["size"])
        db.session.commit()
    back = request.form.get("next", "")
    return redirect(back if back.startswith("/") and not back.startswith("//") else "/")
