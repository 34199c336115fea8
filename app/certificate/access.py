"""Which certificates a user may see, and a unit's certificates as one ZIP file."""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import undefer

from app.certificate.services import earned_types
from app.certificate.setup import current_rules
from app.extensions import db
from app.models import Attempt, AuditEntry, Certificate, Role, User
from app.models.attempt import FINALIZED


def certificates_of(user: User) -> list[Certificate]:
    return list(
        db.session.scalars(
            select(Certificate)
            .where(Certificate.user_id == user.id)
            .order_by(Certificate.issued_at.desc())
        )
    )


def may_download_unit(user: User) -> bool:
    """A unit admin downloads the certificates of their unit and the units below it."""
    return user.role is Role.UNIT_ADMIN and user.unit is not None


def may_download(user: User, certificate: Certificate) -> bool:
    """The holder, a system admin, or the admin of the holder's unit or a unit above it."""
    if certificate.user_id == user.id or user.role is Role.SYSTEM_ADMIN:
        return True
    return (
        user.role is Role.UNIT_ADMIN
        and user.unit is not None
        and certificate.holder.unit_id in user.unit.subtree_ids()
    )


def downloadable(certificate_id: int, user: User) -> Certificate | None:
    """Someone else's certificate is indistinguishable from a missing one."""
    certificate = db.session.get(Certificate, certificate_id)
    if certificate is None or not may_download(user, certificate):
        return None
    return certificate


def unit_certificates(admin: User) -> list[Certificate]:
    """Certificates in force (not revoked) of holders in the admin's unit and sub-units,
    those whose PDF is still being generated left out."""
    if admin.unit is None:
        return []
    return list(
        db.session.scalars(
            select(Certificate)
            .join(User, Certificate.user_id == User.id)
            .where(User.unit_id.in_(admin.unit.subtree_ids()), Certificate.revoked_at.is_(None))
            .where(Certificate.pdf.is_not(None))
            .options(undefer(Certificate.pdf))
            .order_by(Certificate.number)
        )
    )


UNSAFE_IN_FILE_NAMES = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def safe_file_name(text: str, limit: int = 100) -> str:
    """A file name any system and any HTTP header accepts: no path separators, control
    or format characters (CR/LF, bidi overrides) or characters Windows refuses."""
    visible = "".join(c for c in text if not unicodedata.category(c).startswith("C"))
    cleaned = " ".join(UNSAFE_IN_FILE_NAMES.sub("_", visible).split()).strip(". ")
    return cleaned[:limit] or "file"


def write_zip(certificates: list[Certificate]) -> io.BytesIO:
    """The PDFs as issued, named by number and holder; PDFs are compressed already.
    Built in memory: a unit's certificates are tens of kilobytes each."""
    spool = io.BytesIO()
    with zipfile.ZipFile(spool, "w", zipfile.ZIP_STORED) as archive:
        for certificate in certificates:
            name = safe_file_name(f"{certificate.number}-{certificate.holder_name}")
            archive.writestr(f"{name}.pdf", certificate.pdf)
    spool.seek(0)
    return spool


@dataclass(frozen=True)
class Pending:
    """A passed attempt still owed a certificate, with the last recorded refusal."""

    attempt: Attempt
    title: str
    reason: str | None


def pending(user: User | None = None) -> list[Pending]:
    """Certificates earned but not issued (refused or failed), for everyone or one user."""
    query = select(Attempt).where(Attempt.status == FINALIZED, Attempt.passed.is_(True))
    if user is not None:
        query = query.where(Attempt.user_id == user.id)
    rules = current_rules()
    owed = []
    for attempt in db.session.scalars(query.order_by(Attempt.finalized_at)):
        issued = set(
            db.session.scalars(
                select(Certificate.type_id).where(Certificate.attempt_id == attempt.id)
            )
        )
        for kind in earned_types(attempt, rules):
            if kind.id not in issued:
                owed.append(Pending(attempt, kind.title, _last_refusal(attempt.id, kind.id)))
    return owed


def _last_refusal(attempt_id: int, type_id: str) -> str | None:
    entries = db.session.scalars(
        select(AuditEntry)
        .where(
            AuditEntry.action == "certificate.refused", AuditEntry.target == f"attempt:{attempt_id}"
        )
        .order_by(AuditEntry.id.desc())
    )
    return next(
        (e.details.get("reason") for e in entries if e.details.get("type") == type_id), None
    )
