"""Issuing certificates (revoking and re-issuing them: ``app.certificate.revocation``).

Issuance follows a finalized, passed attempt under the rules in force at that moment;
the texts, dates and rules version are copied onto the certificate and the signed PDF
is stored, so nothing later (a renamed user, new rules, a new renderer) changes it.
The row is numbered and committed first; its PDF is rendered, signed and stored right
after, outside that transaction (``app.certificate.pdfs``).
Refusals (a name the fonts cannot print, a missing prerequisite or position, no signing
key) are written to the audit log and listed by ``flask cert pending`` for a retry.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from flask import current_app
from sqlalchemy import select, update

from app.certificate.numbering import next_number
from app.certificate.pdfs import finish, without_pdf
from app.certificate.setup import current_rules, fonts, signing_identity, verification_url
from app.extensions import db
from app.models import Attempt, Certificate, User
from app.models.audit import record
from app.models.types import utcnow
from app.refusal import Refused
from app.timefmt import local_date
from certificates.fonts import UnprintableCharacter
from certificates.pdf import CertificateContent
from certificates.rules import CertificateType, CertificationRules, HeldCertificate


class IssueRefused(Refused):
    """A certificate that must not be issued as things stand; the message says why."""


class CertificateNotFound(LookupError):
    pass


@dataclass
class IssueOutcome:
    issued: list[Certificate] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (title, reason)
    completed: int = 0  # PDFs stored for certificates numbered before this run


@dataclass(frozen=True)
class Draft:
    """Everything printed on a certificate except its number."""

    type_id: str
    prefix: str
    holder_name: str
    title: str
    level: str | None
    position: str | None
    issued_on: date
    expires_on: date
    issuer: str
    rules_version: str
    rules_digest: str
    exam_title: str | None


def percent_score(attempt: Attempt) -> Decimal:
    """The score out of 100: rule pass marks and level bands are percentages of the paper."""
    if not attempt.possible:
        return Decimal(attempt.score or 0)
    return Decimal(attempt.score) * 100 / Decimal(attempt.possible)


def earned_types(attempt: Attempt, rules: CertificationRules) -> list[CertificateType]:
    """Types this attempt earns: it passed its exam and reached the type's pass mark."""
    if not attempt.finalized or not attempt.passed or attempt.score is None:
        return []
    score = percent_score(attempt)
    return [t for t in rules.types_for_exam(attempt.sitting.exam.code) if t.passed(score)]


def issue_certificates(attempt: Attempt) -> None:
    """Called once an attempt's score is committed; never raises, so a certificate
    problem cannot lose the score. Failures are logged for ``flask cert issue``."""
    try:
        issue_for_attempt(attempt, utcnow())
    except Exception:
        db.session.rollback()
        current_app.logger.exception(
            "certificate issuance failed for attempt %s; retry with `flask cert issue %s`",
            attempt.id,
            attempt.id,
        )


def issue_for_attempt(attempt: Attempt, now: datetime, retry_failed: bool = False) -> IssueOutcome:
    """Issue each certificate the attempt earns and does not have yet, one commit each;
    store their PDFs (raises ``PdfNotStored`` if one fails: the queue retries); then mark
    the attempt's certificates checked (the sweep re-enqueues a pass without). A PDF that
    failed waits for the sweep's retry after a growing wait, so the queue's retry marks
    the attempt checked without rendering it again; ``retry_failed`` (``flask cert
    issue``) renders it at once."""
    rules, attempt_id = current_rules(), attempt.id  # the id read once: commits expire it
    outcome, numbered_now = IssueOutcome(), set()
    for kind in earned_types(attempt, rules):
        if _issued(attempt_id, kind.id):
            continue
        try:
            certificate = create(draft_for(attempt, kind, rules, now), attempt)
            numbered_now.add(certificate.id)
            record(None, "certificate.issue", certificate.number, attempt=attempt_id)
            db.session.commit()
            outcome.issued.append(certificate)
        except AlreadyIssued:
            db.session.rollback()
        except IssueRefused as refused:
            db.session.rollback()
            record(
                None, "certificate.refused", f"attempt:{attempt_id}",
                type=kind.id, reason=refused.message,
            )  # fmt: skip
            db.session.commit()
            current_app.logger.warning(
                "certificate %s refused for attempt %s: %s", kind.id, attempt_id, refused.message
            )
            outcome.refused.append((kind.title, refused.message))
    for certificate_id in without_pdf(attempt_id, due_at=None if retry_failed else now):
        if finish(certificate_id) and certificate_id not in numbered_now:
            outcome.completed += 1
    db.session.execute(
        update(Attempt).where(Attempt.id == attempt_id).values(certificates_checked_at=now)
    )
    db.session.commit()
    return outcome


RESCORE_REVOCATION = "更正答案后重新评分"


def _issued(attempt_id: int, type_id: str) -> bool:
    """Whether the attempt already has this certificate. One revoked by a re-score does
    not count (a later re-score may earn it again); one revoked by an admin does."""
    return (
        db.session.scalar(
            select(Certificate.id).where(
                Certificate.attempt_id == attempt_id,
                Certificate.type_id == type_id,
                Certificate.revoked_at.is_(None)
                | Certificate.revoked_reason.is_(None)
                | Certificate.revoked_reason.not_like(f"{RESCORE_REVOCATION}%"),
            )
        )
        is not None
    )


def draft_for(
    attempt: Attempt,
    kind: CertificateType,
    rules: CertificationRules,
    now: datetime,
    held: list[HeldCertificate] | None = None,
) -> Draft:
    """``held``: the candidate's certificates, if already read (a batch reads them once)."""
    user, today = attempt.user, local_date(now)
    position = ((user.position or "").strip() or None) if kind.names_position else None
    if kind.names_position and position is None:
        raise IssueRefused(f"{user.name}（{user.username}）未登记拟任职务，{kind.title}须写明职务")
    held = held_certificates(user) if held is None else held
    missing = kind.missing_prerequisites(held, today)
    if missing:
        names = "、".join(_title(rules, type_id) for type_id in missing)
        raise IssueRefused(f"{user.name}（{user.username}）尚未持有有效的{names}")
    return Draft(
        kind.id, kind.number_prefix, user.name.strip(), kind.title,
        kind.level_for(percent_score(attempt)), position, today, kind.expiry_for(today),
        rules.issuer, rules.version, rules.digest, attempt.sitting.exam.title,
    )  # fmt: skip


def _title(rules: CertificationRules, type_id: str) -> str:
    try:
        return rules.type(type_id).title
    except KeyError:
        return type_id


def held_certificates(user: User) -> list[HeldCertificate]:
    rows = db.session.scalars(select(Certificate).where(Certificate.user_id == user.id))
    return [
        HeldCertificate(c.type_id, c.issued_on, c.expires_on, c.revoked_at is not None)
        for c in rows
    ]


class AlreadyIssued(Exception):
    """Another process issued this certificate in the meantime."""


def create(draft: Draft, attempt: Attempt, reissued_from: Certificate | None = None) -> Certificate:
    """Check and number one certificate and add its row, without its PDF, to the current
    transaction: the caller commits at once, then has the PDF stored (``pdfs.finish``)."""
    token = checked_token(draft)
    # The number last: the sequence row stays locked until the caller commits the row.
    number = next_number(draft.prefix, draft.issued_on.year)
    if reissued_from is None and _issued(attempt.id, draft.type_id):
        # Checked again under the sequence row's lock: a concurrent issuer (the automatic
        # one and `flask cert issue` at once) has committed the same certificate.
        raise AlreadyIssued(attempt.id)
    certificate = Certificate(
        number=number, type_id=draft.type_id, holder=attempt.user, attempt=attempt,
        holder_name=draft.holder_name, title=draft.title, level=draft.level,
        position=draft.position, issued_on=draft.issued_on, expires_on=draft.expires_on,
        issuer=draft.issuer, rules_version=draft.rules_version, rules_digest=draft.rules_digest,
        token=token, pdf=None, reissued_from=reissued_from,
    )  # fmt: skip
    db.session.add(certificate)
    db.session.flush()
    return certificate


def checked_token(draft: Draft) -> str:
    """The new certificate's verification token, once its texts are known printable and
    the signing key exists (else ``IssueRefused``)."""
    token = secrets.token_urlsafe(24)
    try:
        fonts().check(*content_for(draft, "", token).texts())
    except UnprintableCharacter as exc:
        raise IssueRefused(str(exc)) from exc
    identity = signing_identity()
    if not (identity.key_path.exists() and identity.cert_path.exists()):
        raise IssueRefused(f"签名密钥不存在（{identity.key_path}）；请先运行 flask cert init-key")
    return token


def content_for(draft: Draft, number: str, token: str) -> CertificateContent:
    """What the PDF prints (as ``pdfs.content_of`` reads it back from the row)."""
    return CertificateContent(
        draft.holder_name, draft.title, number, draft.issued_on, draft.expires_on, draft.issuer,
        verification_url(token), draft.level, draft.position, draft.exam_title,
    )  # fmt: skip
