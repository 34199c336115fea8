"""Certificate pages: the list, one certificate with revoke and re-issue (system admin)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import SelectChoice

from app.admin.certificates import bp
from app.admin.certificates.forms import CertificateFilterForm, ReissueForm, RevokeForm
from app.admin.certificates.queries import certificate_list, titles
from app.bounds import page_number
from app.certificate.revocation import reissue, revoke
from app.certificate.services import CertificateNotFound, IssueRefused
from app.extensions import db
from app.lookup import get_or_404
from app.models import Certificate
from app.models.types import utcnow
from app.timefmt import local_date

PER_PAGE = 50


@bp.route("/")
def index():
    form = CertificateFilterForm(request.args)
    form.title.choices += [SelectChoice(t, t) for t in titles()]
    valid = form.validate()
    today = local_date(utcnow())
    query = certificate_list(
        (form.q.data or "").strip() if valid else "", form.status.data if valid else "",
        form.title.data if valid else "", today,
    )  # fmt: skip
    page = db.paginate(
        query, page=page_number(), per_page=PER_PAGE, max_per_page=PER_PAGE, error_out=False
    )
    args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template(
        "admin/certificates/index.html", form=form, page=page, today=today, args=args
    )


@bp.route("/<int:certificate_id>")
def certificate(certificate_id: int, revoke_form: RevokeForm | None = None):
    found = get_or_404(Certificate, certificate_id)
    page = render_template(
        "admin/certificates/certificate.html", certificate=found, today=local_date(utcnow()),
        revoke_form=revoke_form or RevokeForm(formdata=None), reissue_form=ReissueForm(),
    )  # fmt: skip
    return page, 400 if revoke_form and revoke_form.errors else 200


@bp.post("/<int:certificate_id>/revoke")
def revoke_certificate(certificate_id: int):
    found, form = get_or_404(Certificate, certificate_id), RevokeForm()
    if not form.validate_on_submit():
        return certificate(certificate_id, form)
    try:
        revoke(found.number, form.reason.data, current_user, utcnow())
    except (CertificateNotFound, IssueRefused) as refused:
        flash(str(refused), "error")
    else:
        flash(f"已撤销证书 {found.number}。", "success")
    return redirect(url_for(".certificate", certificate_id=found.id))


@bp.post("/<int:certificate_id>/reissue")
def reissue_certificate(certificate_id: int):
    found = get_or_404(Certificate, certificate_id)
    if not ReissueForm().validate_on_submit():
        abort(400)
    try:
        new = reissue(found.number, current_user, utcnow())
    except (CertificateNotFound, IssueRefused) as refused:
        flash(str(refused), "error")
        return redirect(url_for(".certificate", certificate_id=found.id))
    flash(f"已换发新证书 {new.number}，原证书 {found.number} 已作废。", "success")
    return redirect(url_for(".certificate", certificate_id=new.id))
