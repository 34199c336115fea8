"""A bank file uploaded in the browser and waiting to be published.

App servers are stateless, so the validated file waits here (not in memory) between
the diff page and the "发布" button, keyed by an unguessable id and its uploader.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import UTCDateTime, utcnow


class BankUpload(db.Model):
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    uploader_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    bank_name: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(200))
    # The latest version number when uploaded (0: a new bank); publishing over a newer
    # version would silently undo someone else's work, so it is refused.
    base_version: Mapped[int]
    data: Mapped[bytes] = mapped_column(LargeBinary)
    # The bank id and title to use when the file's format has none (Aiken, GIFT, Word).
    default_bank: Mapped[str | None] = mapped_column(String(64))
    default_title: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_version: Mapped[int | None]
