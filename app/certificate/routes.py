"""Certificate downloads: a candidate's own, and a unit admin's unit as one ZIP."""

from __future__ import annotations

import io

from flask import Blueprint, abort, render_template, send_file
from flask_login import current_user, login_required

from app.certificate.access import (
    downloadable,
    may_download_unit,
    safe_file_name,
    unit_certificates,
    write_zip,
)
from app.exam.certificate_box import PDF_BEING_MADE
from app.extensions import db
from app.lookup import found_or_404
from app.models.audit import record
from app.models.types import utcnow
from app.timefmt import local_date

bp = Blueprint("certificate", __name__)


@bp.route("/certificates/<int:certificate_id>.pdf")
@login_required
def download(certificate_id: int):
    certificate = found_or_404(downloadable(certificate_id, current_user))
    if not certificate.pdf_ready:  # numbered, its PDF stored in a moment
        page = render_template("error.html", code="请稍候", message=PDF_BEING_MADE)
        return page, 503, {"Retry-After": "5"}
    return send_file(
        io.BytesIO(certificate.pdf),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=f"{certificate.number}.pdf",
    )


@bp.route("/certificates/unit.zip")
@login_required
def unit_zip():
    if not may_download_unit(current_user):
        abort(404)
    certificates = unit_certificates(current_user)
    archive = write_zip(certificates)
    record(current_user, "export.certificates", current_user.unit.name, count=len(certificates))
    db.session.commit()
    name = safe_file_name(f"{current_user.unit.name}-证书-{local_date(utcnow()):%Y%m%d}") + ".zip"
    return send_file(archive, mimetype="application/zip", as_attachment=True, download_name=name)
