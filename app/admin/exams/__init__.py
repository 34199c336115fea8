"""Exams (试卷规则) and sittings (考试场次): system admins define them, open, close and
extend sittings, and give a candidate extra time or a fresh attempt."""

from __future__ import annotations

from flask import Blueprint

from app.admin.access import restrict
from app.admin.exams import routes
from app.models import Role

bp = Blueprint("admin_exams", __name__, url_prefix="/admin/exams")


restrict(bp, Role.SYSTEM_ADMIN)  # every page here changes or shows what only a system admin may


FORM = ["GET", "POST"]
POST = ["POST"]
rule = bp.add_url_rule
rule("/", "index", routes.index)
rule("/new", "new_exam", routes.new_exam, methods=FORM)
rule("/new/yaml", "new_exam_yaml", routes.new_exam_yaml, methods=FORM)
rule("/<int:exam_id>/edit", "edit_exam", routes.edit_exam, methods=FORM)
rule("/<int:exam_id>/yaml", "edit_exam_yaml", routes.edit_exam_yaml, methods=FORM)
