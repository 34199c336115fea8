"""URL rules of the exams and sittings area (试卷与场次), system admins only."""

from __future__ import annotations

from flask import Blueprint

from app.admin.access import restrict
from app.admin.exams import exam_views
from app.admin.sittings import routes as sitting_views
from app.models import Role

bp = Blueprint("admin_exams", __name__, url_prefix="/admin/exams")


restrict(bp, Role.SYSTEM_ADMIN)  # every page here changes or shows what only a system admin may


FORM = ["GET", "POST"]
POST = ["POST"]
rule = bp.add_url_rule
rule("/", "index", exam_views.index)
rule("/new", "new_exam", exam_views.new_exam, methods=FORM)
rule("/new/yaml", "new_exam_yaml", exam_views.new_exam_yaml, methods=FORM)
rule("/<int:exam_id>/edit", "edit_exam", exam_views.edit_exam, methods=FORM)
rule("/<int:exam_id>/yaml", "edit_exam_yaml", exam_views.edit_exam_yaml, methods=FORM)
rule("/sessions/new", "new_sitting", sitting_views.new_sitting, methods=FORM)
rule("/sessions/<int:sitting_id>", "sitting", sitting_views.sitting_page)
rule("/sessions/<int:sitting_id>/edit", "edit_sitting", sitting_views.edit_sitting, methods=FORM)
rule("/sessions/<int:sitting_id>/open", "open_sitting", sitting_views.open_now, methods=POST)
rule("/sessions/<int:sitting_id>/close", "close_sitting", sitting_views.close_now, methods=POST)
rule("/sessions/<int:sitting_id>/extend", "extend_sitting", sitting_views.extend, methods=POST)
rule("/sessions/<int:sitting_id>/grants", "grant", sitting_views.grant, methods=POST)
