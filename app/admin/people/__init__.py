"""People and units (人员与单位): the unit tree, people in an admin's scope, importing
candidates from CSV/XLSX, roles, and registering candidates to sittings."""

from __future__ import annotations

from flask import Blueprint

from app.admin.access import ADMIN_ROLES, restrict
from app.admin.people import import_routes, registration_routes, routes

bp = Blueprint("admin_people", __name__, url_prefix="/admin/people")
restrict(bp, *ADMIN_ROLES)  # system-admin-only views are marked @system_admin_required

POST = ["POST"]
rule = bp.add_url_rule
rule("/", "index", routes.index)
rule("/<int:user_id>", "person", routes.person, methods=["GET", "POST"])
rule("/<int:user_id>/role", "person_role", routes.person_role, methods=POST)
rule("/<int:user_id>/password", "person_password", routes.person_password, methods=POST)
rule("/units", "units", routes.units)
rule("/units", "new_unit", routes.new_unit, methods=POST)
rule("/units/<int:unit_id>", "unit", routes.unit)
rule("/units/<int:unit_id>/rename", "unit_rename", routes.unit_rename, methods=POST)
rule("/units/<int:unit_id>/move", "unit_move", routes.unit_move, methods=POST)
rule("/import", "import_people", import_routes.import_people, methods=["GET", "POST"])
rule("/import/confirm", "confirm_import", import_routes.confirm_import, methods=POST)
rule("/import/template.<any(csv, xlsx):kind>", "import_template", import_routes.import_template)
rule("/sessions", "sittings", registration_routes.sittings)
rule("/sessions/<int:sitting_id>/registrations", "registrations", registration_routes.registrations)
rule("/sessions/<int:sitting_id>/registrations/people", "add_person", registration_routes.add_person, methods=POST)  # fmt: skip
rule("/sessions/<int:sitting_id>/registrations/units", "add_unit", registration_routes.add_unit, methods=POST)  # fmt: skip
rule("/sessions/<int:sitting_id>/registrations/people/<int:user_id>/remove", "remove_person", registration_routes.remove_person, methods=POST)  # fmt: skip
rule("/sessions/<int:sitting_id>/registrations/units/<int:unit_id>/remove", "confirm_remove_unit", registration_routes.confirm_remove_unit)  # fmt: skip
rule("/sessions/<int:sitting_id>/registrations/units/<int:unit_id>/remove", "remove_unit", registration_routes.remove_unit, methods=POST)  # fmt: skip
