"""A certificate's signed PDF, rendered and stored after its numbered row is committed.

Numbering holds the sequence row's lock (on SQLite, the database's write lock) until its
transaction ends, so that transaction only numbers and inserts the row. Rendering and
signing (~22 ms) run with no transaction open, and one short UPDATE stores the PDF. A
row whose worker died in between keeps its number and is finished by the sweep, so a
failure leaves no gap in the numbering and no certificate without its PDF for long.
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy import select, update

from app.certificate.setup import fonts, seal_image, signing_identity, verification_url
from app.extensions import db
from app.models import Attempt, Certificate, Exam, Sitting
from certificates.pdf import CertificateContent, render_certificate
from certificates.signing import sign_pdf


def content_of(certificate: Certificate) -> CertificateContent:
    """What the PDF prints: the texts copied onto the row when it was numbered."""
    return CertificateContent(
        certificate.holder_name, certificate.title, certificate.number, certificate.issued_on,
        certificate.expires_on, certificate.issuer, verification_url(certificate.token),
        certificate.level, certificate.position, _exam_title(certificate.attempt_id),
    )  # fmt: skip


def _exam_title(attempt_id: int) -> str:
    """One query rather than loading the attempt, its sitting and its exam."""
    return db.session.scalar(
        select(Exam.title)
        .join(Sitting, Sitting.exam_id == Exam.id)
        .join(Attempt, Attempt.sitting_id == Sitting.id)
        .where(Attempt.id == attempt_id)
    )


def finish(certificate_id: int) -> bool:
    """Render, sign and store the PDF of a certificate that has none yet. Raises if that
    fails (the row stays without PDF for a retry); False if another worker stored it."""
    certificate = db.session.get(Certificate, certificate_id, populate_existing=True)
    if certificate is None or certificate.pdf_ready:
        return False
    content = content_of(certificate)
    db.session.rollback()  # end the read: nothing is held while rendering and signing
    pdf = sign_pdf(render_certificate(content, fonts(), seal_image()), signing_identity())
    stored = db.session.execute(
        update(Certificate)
        .where(Certificate.id == certificate_id, Certificate.pdf.is_(None))
        .values(pdf=pdf)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return stored == 1


def without_pdf(attempt_id: int | None = None, issued_before: datetime | None = None) -> list[int]:
    """Certificates numbered but not yet holding their PDF, oldest first."""
    query = select(Certificate.id).where(Certificate.pdf.is_(None))
    if attempt_id is not None:
        query = query.where(Certificate.attempt_id == attempt_id)
    if issued_before is not None:
        query = query.where(Certificate.issued_at <= issued_before)
    ids = list(db.session.scalars(query.order_by(Certificate.id)))
    db.session.rollback()
    return ids


def finish_each(certificate_ids: list[int]) -> int:
    """Finish each certificate, logging a failure and going on (the sweep comes back to
    it); returns how many PDFs were stored."""
    stored = 0
    for certificate_id in certificate_ids:
        try:
            stored += finish(certificate_id)
        except Exception:
            db.session.rollback()
            current_app.logger.exception("PDF of certificate %s not stored yet", certificate_id)
    return stored
