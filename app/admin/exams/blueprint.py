"""URL rules of the exams and sessions area (试卷与场次), system admins only."""

from __future__ import annotations

from flask import Blueprint

from app.admin.access import restrict
from app.admin.exams import exam_views, session_views
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
rule("/<int:exam_id>/sample", "sample", exam_views.sample)
rule("/<int:exam_id>/yaml", "edit_exam_yaml", exam_views.edit_exam_yaml, methods=FORM)
rule("/sessions/new", "new_session", session_views.new_session, methods=FORM)
rule("/sessions/<int:session_id>", "session", session_views.session_page)
rule("/sessions/<int:session_id>/edit", "edit_session", session_views.edit_session, methods=FORM)
rule("/sessions/<int:session_id>/open", "open_session", session_views.open_now, methods=POST)
rule("/sessions/<int:session_id>/close", "close_session", session_views.close_now, methods=POST)
rule("/sessions/<int:session_id>/extend", "extend_session", session_views.extend, methods=POST)
rule("/sessions/<int:session_id>/grants", "grant", session_views.grant, methods=POST)
