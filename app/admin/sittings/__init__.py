"""Sittings (考试场次): system admins create, open, close and extend them, and give a
candidate extra time or a fresh attempt. Their URLs stay under ``/admin/exams/sessions``."""

from __future__ import annotations

from flask import Blueprint

from app.admin.access import restrict
from app.admin.sittings import routes
from app.models import Role

bp = Blueprint("admin_sittings", __name__, url_prefix="/admin/exams")
restrict(bp, Role.SYSTEM_ADMIN)  # every page here changes or shows what only a system admin may

FORM = ["GET", "POST"]
POST = ["POST"]
rule = bp.add_url_rule
rule("/sessions/new", "new_sitting", routes.new_sitting, methods=FORM)
rule("/sessions/<int:sitting_id>", "sitting", routes.sitting_page)
rule("/sessions/<int:sitting_id>/edit", "edit_sitting", routes.edit_sitting, methods=FORM)
rule("/sessions/<int:sitting_id>/open", "open_sitting", routes.open_now, methods=POST)
rule("/sessions/<int:sitting_id>/close", "close_sitting", routes.close_now, methods=POST)
rule("/sessions/<int:sitting_id>/extend", "extend_sitting", routes.extend, methods=POST)
rule("/sessions/<int:sitting_id>/grants", "grant", routes.grant, methods=POST)
