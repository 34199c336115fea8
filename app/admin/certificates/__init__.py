"""Certificates in the browser (证书管理): the list with filters, revoking with a reason
and re-issuing, for system admins; the domain work is ``app.certificate.services`` and ``app.certificate.revocation``."""

from __future__ import annotations

from flask import Blueprint

from app.admin.access import restrict
from app.models import Role

bp = Blueprint("admin_certificates", __name__, url_prefix="/admin/certificates")
restrict(bp, Role.SYSTEM_ADMIN)

from app.admin.certificates import routes  # noqa: E402, F401  (registers the views)
