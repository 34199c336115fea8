"""The audit log page (审计日志): every recorded admin action, filtered and paged."""

from __future__ import annotations

from flask import Blueprint

from app.admin.access import restrict
from app.models import Role

bp = Blueprint("admin_audit", __name__, url_prefix="/admin/audit")
restrict(bp, Role.SYSTEM_ADMIN)

from app.admin.audit import routes  # noqa: E402, F401  (registers the views)
