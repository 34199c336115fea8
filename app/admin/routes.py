"""The admin home: the areas this admin may use."""

from flask import Blueprint, render_template

from app.admin.access import admin_required

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/")
@admin_required
def index():
    return render_template("admin/index.html")
