"""A certificate's signed PDF, rendered and stored after its numbered row is committed.

Numbering holds the sequence row's lock (on SQLite, the database's write lock) until its
transaction ends, so that transaction only numbers and inserts the row. Rendering and
signing (~10 ms) run with no transaction open, and one short UPDATE stores the PDF. A
row whose worker died in between keeps its number and is finished by the sweep, so a
failure leaves no gap in the numbering and no certificate without its PDF for long.
A PDF that fails to render or sign (a broken font, a missing key) is recorded on the row
and retried by the sweep after growing waits, so one broken certificate does not cost
every sweep a render; ``flask cert issue`` retries it at once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import or_, select, update

from app.certificate.setup import fonts, seal_image, signing_identity, verification_url
from app.extensions import db
from app.models import Attempt, Certificate, Exam, Sitting
from app.models.types import utcnow
from certificates.pdf import CertificateContent, render_certificate

# After the n-th failure the sweep waits FIRST_RETRY * 2 ** (n - 1), at most LONGEST_WAIT.
FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=6)


class PdfNotStored(Exception):
    """A certificate's PDF failed to render, sign or store; the failure is on its row."""

    def __init__(self, number: str, failures: int, error: str) -> None:
        super().__init__(f"{number}: {error}")
        self.number, self.failures, self.error = number, failures, error


def retry_wait(failures: int) -> timedelta:
    return min(FIRST_RETRY * 2 ** min(failures - 1, 16), LONGEST_WAIT)


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
    """Render, sign and store the PDF of a certificate that has none yet. Raises
    ``PdfNotStored`` if that fails (recorded on the row, which waits for a retry); False
    if another worker stored it."""
    certificate = db.session.get(Certificate, certificate_id, populate_existing=True)
    if certificate is None or certificate.pdf_ready:
        return False
    content, number = content_of(certificate), certificate.number
    db.session.rollback()  # end the read: nothing is held while rendering and signing
    try:
        pdf = signed_pdf(content)
        stored = db.session.execute(
            update(Certificate)
            .where(Certificate.id == certificate_id, Certificate.pdf.is_(None))
            .values(pdf=pdf, pdf_retry_at=None, pdf_error=None)
            .execution_options(synchronize_session=False)
        ).rowcount
        db.session.commit()
    except Exception as exc:
        db.session.rollback()
        error = f"{type(exc).__name__}: {exc}"[:500]
        raise PdfNotStored(number, record_failure(certificate_id, error), error) from exc
    return stored == 1


def signed_pdf(content: CertificateContent) -> bytes:
    """Render and sign a certificate's PDF (~10 ms; with no transaction open). The
    signer's library is imported here, by the processes that sign: it costs every
    process that imports it 0.6 s of CPU at its start (``certificates.pdf_signature``)."""
    from certificates.pdf_signature import sign_pdf

    return sign_pdf(render_certificate(content, fonts(), seal_image()), signing_identity())


def record_failure(certificate_id: int, error: str) -> int:
    """Count the failure and set when the sweep may try again; returns the count."""
    failures = (
        db.session.scalar(select(Certificate.pdf_failures).where(Certificate.id == certificate_id))
        or 0
    ) + 1
    db.session.execute(
        update(Certificate)
        .where(Certificate.id == certificate_id, Certificate.pdf.is_(None))
        .values(
            pdf_failures=failures, pdf_error=error, pdf_retry_at=utcnow() + retry_wait(failures)
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return failures


def without_pdf(
    attempt_id: int | None = None,
    issued_before: datetime | None = None,
    due_at: datetime | None = None,
) -> list[int]:
    """Certificates numbered but not yet holding their PDF, oldest first; with ``due_at``
    those that failed only once their wait for a retry is over."""
    query = select(Certificate.id).where(Certificate.pdf.is_(None))
    if due_at is not None:
        query = query.where(
            or_(Certificate.pdf_retry_at.is_(None), Certificate.pdf_retry_at <= due_at)
        )
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
        except PdfNotStored as failed:
            current_app.logger.warning(
                "PDF of certificate %s not stored (failure %d, retried in %s): %s",
                failed.number, failed.failures, retry_wait(failed.failures), failed.error,
            )  # fmt: skip
        except Exception:
            db.session.rollback()
            current_app.logger.exception("PDF of certificate %s not stored yet", certificate_id)
    return stored


def waiting_for_pdf() -> list[Certificate]:
    """Certificates still without their PDF, oldest first, for ``flask cert pending``."""
    query = select(Certificate).where(Certificate.pdf.is_(None)).order_by(Certificate.id)
    return list(db.session.scalars(query))
