"""URL rules of the people area (人员与单位): people, units, import, session registrations."""

from __future__ import annotations

from flask import Blueprint

from app.admin.access import ADMIN_ROLES, restrict
from app.admin.people import import_views, people_views, registration_views, slips

bp = Blueprint("admin_people", __name__, url_prefix="/admin/people")
restrict(bp, *ADMIN_ROLES)  # system-admin-only views are marked @system_admin_required

POST = ["POST"]
rule = bp.add_url_rule
rule("/", "index", people_views.index)
rule("/<int:user_id>", "person", people_views.person, methods=["GET", "POST"])
rule("/<int:user_id>/role", "person_role", people_views.person_role, methods=POST)
rule("/<int:user_id>/password", "person_password", people_views.person_password, methods=POST)
rule("/units", "units", people_views.units)
rule("/units", "new_unit", people_views.new_unit, methods=POST)
rule("/units/<int:unit_id>", "unit", people_views.unit)
rule("/units/<int:unit_id>/rename", "unit_rename", people_views.unit_rename, methods=POST)
rule("/units/<int:unit_id>/move", "unit_move", people_views.unit_move, methods=POST)
rule("/import", "import_people", import_views.import_people, methods=["GET", "POST"])
rule("/import/confirm", "confirm_import", import_views.confirm_import, methods=POST)
rule("/import/template.<any(csv, xlsx):kind>", "import_template", import_views.import_template)
rule("/sessions", "sessions", registration_views.sessions)
rule("/sessions/<int:session_id>/registrations", "registrations", registration_views.registrations)
rule("/sessions/<int:session_id>/registrations/people", "add_person", registration_views.add_person, methods=POST)  # fmt: skip
rule("/sessions/<int:session_id>/registrations/units", "add_unit", registration_views.add_unit, methods=POST)  # fmt: skip
rule("/sessions/<int:session_id>/registrations/people/<int:user_id>/remove", "remove_person", registration_views.remove_person, methods=POST)  # fmt: skip
rule("/sessions/<int:session_id>/registrations/units/<int:unit_id>/remove", "confirm_remove_unit", registration_views.confirm_remove_unit)  # fmt: skip
rule("/sessions/<int:session_id>/registrations/units/<int:unit_id>/remove", "remove_unit", registration_views.remove_unit, methods=POST)  # fmt: skip
rule("/sessions/<int:session_id>/slips", "slips", slips.slips)
