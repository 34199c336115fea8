"""Revoking and re-issuing certificates: an admin's corrections to what was issued.
A revoked certificate keeps its stored PDF as issued; a re-issue is a new certificate
(new number, today's date, the holder's current name) and revokes the old one."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from app.certificate.pdfs import finish_each
from app.certificate.services import CertificateNotFound, Draft, IssueRefused, create
from app.extensions import db
from app.models import Certificate, User
from app.models.audit import record
from app.timefmt import local_date
from certificates.numbers import InvalidNumber, parse_number


def find_by_number(text: str) -> Certificate | None:
    """A certificate by its number as a person may type it."""
    try:
        number = parse_number(text).text
    except InvalidNumber:
        return None
    return db.session.scalar(select(Certificate).where(Certificate.number == number))


def revoke(number: str, reason: str, actor: User | None, now: datetime) -> Certificate:
    """Revoke a certificate with a reason; audited. The stored PDF stays as issued."""
    certificate = _live(number)
    if not reason.strip():
        raise IssueRefused("撤销须写明原因")
    certificate.revoked_at, certificate.revoked_reason = now, reason.strip()
    certificate.revoked_by = actor
    record(actor, "certificate.revoke", certificate.number, reason=reason.strip())
    db.session.commit()
    return certificate


KEEP_LEVEL = object()


def reissue(
    number: str, actor: User | None, now: datetime, level: str | object | None = KEEP_LEVEL
) -> Certificate:
    """A new certificate (new number, today's date, the holder's current name) for the same
    grant and expiry; the old one is revoked as replaced. Audited. A re-score that moves
    the score into another band passes the new ``level``."""
    old = _live(number)
    level = old.level if level is KEEP_LEVEL else level
    user = old.holder
    position = ((user.position or "").strip() or old.position) if old.position else None
    draft = Draft(
        old.type_id, parse_number(old.number).prefix, user.name.strip(), old.title, level,
        position, local_date(now), old.expires_on, old.issuer, old.rules_version,
        old.rules_digest, old.attempt.sitting.exam.title,
    )  # fmt: skip
    try:
        new = create(draft, old.attempt, reissued_from=old)
    except BaseException:
        db.session.rollback()
        raise
    old.revoked_at, old.revoked_by = now, actor
    old.revoked_reason = f"已换发，新证书编号 {new.number}"
    record(actor, "certificate.reissue", old.number, new=new.number, level=[old.level, new.level])
    db.session.commit()
    finish_each([new.id])  # a failure is logged; the sweep stores the PDF later
    return new


def _live(number: str) -> Certificate:
    certificate = find_by_number(number)
    if certificate is None:
        raise CertificateNotFound(f"找不到证书 {number}")
    if certificate.revoked_at is not None:
        raise IssueRefused(
            f"证书 {certificate.number} 已于 {certificate.revoked_at:%Y-%m-%d} 撤销（{certificate.revoked_reason}）"
        )
    return certificate
