"""Results (成绩): per session and per unit, one attempt in full, exports, re-scores after a
corrected key, item statistics and the dashboard."""

from __future__ import annotations

from flask import Blueprint

from app.admin.access import ADMIN_ROLES, restrict

bp = Blueprint("admin_results", __name__, url_prefix="/admin/results")
restrict(bp, *ADMIN_ROLES)

from app.admin.results import routes  # noqa: E402, F401  (registers the views)
