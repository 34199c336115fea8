"""Question banks in the browser: list, preview, edit, upload, publish, history (system admin)."""

from __future__ import annotations

from flask import Blueprint

from app.admin.access import restrict
from app.models import Role

bp = Blueprint("admin_banks", __name__, url_prefix="/admin/banks")
restrict(bp, Role.SYSTEM_ADMIN)

from app.admin.banks import routes, upload_routes  # noqa: E402, F401  (registers the views)
