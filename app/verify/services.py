"""Answering a verification: by number and holder's name, or by the QR link's token.

A typed number only confirms a match with the typed name, and a mismatch reads exactly
like an unknown number, so walking numbers reveals no names. A number whose check
characters disagree is reported as mistyped without touching the database.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.models import Certificate
from app.timefmt import local_date
from certificates.numbers import InvalidNumber, MistypedNumber, parse_number

UNKNOWN = "没有编号与持证人姓名均相符的证书。请核对证书编号和姓名后重试。"
PDF_NOT_READY = "电子证书正在生成，请稍后刷新。"


@dataclass(frozen=True)
class Verification:
    status: str  # valid, expired, revoked, unknown, mistyped, malformed
    message: str
    certificate: Certificate | None = None

    def as_json(self) -> dict[str, Any]:
        """What the JSON form says: the status and, for a match, the public details only."""
        c = self.certificate
        details = None
        if c is not None:
            details = {
                "number": c.number,
                "holder_name": c.holder_name,
                "title": c.title,
                "level": c.level,
                "issued_on": c.issued_on.isoformat(),
                "expires_on": c.expires_on.isoformat(),
                "issuer": c.issuer,
                "revoked_on": _local_day(c).isoformat() if c.revoked_at else None,
                "revoked_reason": c.revoked_reason,
            }
        return {"status": self.status, "message": self.message, "certificate": details}


def same_name(typed: str, printed: str) -> bool:
    """Names match after NFKC and without any white space (全角空格 included)."""
    fold = lambda text: "".join(unicodedata.normalize("NFKC", text).split())  # noqa: E731
    return bool(fold(typed)) and fold(typed) == fold(printed)


def check_number_and_name(number: str, name: str, today: date) -> Verification:
    try:
        canonical = parse_number(number).text
    except MistypedNumber as exc:
        return Verification("mistyped", str(exc))
    except InvalidNumber as exc:
        return Verification("malformed", str(exc))
    certificate = db.session.scalar(select(Certificate).where(Certificate.number == canonical))
    if certificate is None or not same_name(name, certificate.holder_name):
        return Verification("unknown", UNKNOWN)
    return verdict_for(certificate, today)


def by_token(token: str, today: date) -> Verification | None:
    """The QR link's answer; None for a token that names no certificate."""
    if not token or len(token) > 64:
        return None
    certificate = db.session.scalar(select(Certificate).where(Certificate.token == token))
    return verdict_for(certificate, today) if certificate else None


def verdict_for(certificate: Certificate, today: date) -> Verification:
    status = certificate.status(today)
    if status == "revoked":
        message = (
            f"证书已于 {_local_day(certificate):%Y-%m-%d} 撤销，不再有效。"
            f"原因：{certificate.revoked_reason}"
        )
    elif status == "expired":
        message = f"证书已过期（有效期至 {certificate.expires_on:%Y-%m-%d}）。"
    else:
        message = f"证书有效（有效期至 {certificate.expires_on:%Y-%m-%d}）。"
    if not certificate.pdf_ready:  # numbered moments ago; its signed PDF is being stored
        message += PDF_NOT_READY
    return Verification(status, message, certificate)


def _local_day(certificate: Certificate) -> date:
    return local_date(certificate.revoked_at)
