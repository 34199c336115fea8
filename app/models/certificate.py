"""Issued certificates, their number sequences, and the verify page's rate counter.

A certificate row is a record of what was issued: the printed texts, the dates and the
rules in force are copied onto it, and the signed PDF is kept as issued, so changing a
user's name, the rules or the renderer never changes a certificate already handed out.
The row is numbered and committed first and its PDF stored moments later, so rendering
and signing never hold the numbering lock; ``pdf_ready`` says whether it is there yet.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from app.extensions import db
from app.models.attempt import Attempt
from app.models.people import User
from app.models.types import UTCDateTime, utcnow


class Certificate(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    type_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempt.id"), index=True)
    holder_name: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(200))
    level: Mapped[str | None] = mapped_column(String(50))
    position: Mapped[str | None] = mapped_column(String(100))
    issued_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date] = mapped_column(Date)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    issuer: Mapped[str] = mapped_column(String(200))
    rules_version: Mapped[str] = mapped_column(String(64))
    rules_digest: Mapped[str] = mapped_column(String(64))
    token: Mapped[str] = mapped_column(String(64), unique=True)
    # Deferred: lists and the verify page never need the PDF's bytes. None for the moment
    # between numbering and storing the signed PDF (or until the sweep finishes it).
    # Stored uncompressed on PostgreSQL (migration a7c3e9f1b5d8): a PDF is compressed.
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    # A PDF that failed to render or sign: how often, the last error, and when the sweep
    # may try again (the waits grow, so a broken certificate does not cost every sweep).
    pdf_failures: Mapped[int] = mapped_column(default=0, server_default="0")
    pdf_retry_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pdf_error: Mapped[str | None] = mapped_column(String(500))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_reason: Mapped[str | None] = mapped_column(String(500))
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    reissued_from_id: Mapped[int | None] = mapped_column(ForeignKey("certificate.id"))

    holder: Mapped[User] = relationship(foreign_keys=[user_id])
    attempt: Mapped[Attempt] = relationship()
    revoked_by: Mapped[User | None] = relationship(foreign_keys=[revoked_by_id])
    reissued_from: Mapped[Certificate | None] = relationship(remote_side=[id])

    # Loaded with the row, so lists can say "being generated" without the PDF's bytes.
    pdf_ready: Mapped[bool] = column_property(pdf.column.is_not(None))

    def status(self, today: date) -> str:
        """valid, expired or revoked (a replaced certificate counts as revoked)."""
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if today > self.expires_on else "valid"


class CertificateSequence(db.Model):
    """The last sequence number used per (number prefix, year): one row, bumped in the
    transaction inserting the certificate's row, so numbers have no gaps from failed issues
    and no duplicates."""

    __tablename__ = "certificate_sequence"

    prefix: Mapped[str] = mapped_column(String(4), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(default=0)


class RateCounter(db.Model):
    """Hits per key (e.g. a client address) per fixed time window, shared by every worker."""

    __tablename__ = "rate_counter"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    window: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False, index=True)
    hits: Mapped[int] = mapped_column(default=0)
