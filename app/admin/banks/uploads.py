"""Bank files uploaded in the browser: checked, shown as a diff, published on request.

A valid upload waits in the database (app servers are stateless), keyed by an
unguessable id and visible only to its uploader, until it is published or expires.
It remembers the version it was compared with: publishing it over a newer version
would silently undo someone else's work, so that is refused and a fresh upload asked for.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from typing import IO

from sqlalchemy import delete, func, select

from app.admin.banks.diff import BankDiff, diff_banks
from app.bank.services import ImportResult, SourceFile, load_version, publish
from app.extensions import db
from app.models import Bank, BankUpload, BankVersion, User
from app.models.types import utcnow
from question_bank.diagnostics import Diagnostic, Report
from question_bank.formats import NO_DEFAULTS, UnknownFormat, read_bank
from question_bank.formats.base import BankDefaults, ReadResult
from question_bank.model import Bank as BankContent

UPLOAD_TTL = timedelta(hours=24)
MAX_PENDING_PER_USER = 5
MAX_SHOWN_ERRORS = 200
CONTEXT_LINES = 2
MAX_LINE_CHARS = 500


@dataclass(frozen=True)
class SourceLine:
    number: int
    text: str
    messages: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Review:
    upload: BankUpload
    bank: BankContent
    warnings: list[Diagnostic]
    diff: BankDiff
    latest: int

    @property
    def stale(self) -> bool:
        return self.latest != self.upload.base_version


class UploadNotFound(LookupError):
    """No such upload for this user, or it has expired."""


class UploadClosed(Exception):
    """Already published (or found unchanged) once."""

    def __init__(self, upload: BankUpload) -> None:
        super().__init__(upload.id)
        self.upload = upload


class StaleUpload(Exception):
    def __init__(self, base: int, latest: int) -> None:
        super().__init__(f"上传基于第 {base} 版，而题库现在是第 {latest} 版")
        self.base, self.latest = base, latest


def read_limited(stream: IO[bytes], max_bytes: int) -> bytes:
    """At most one byte past the limit: enough for the validator to say it is too big."""
    return stream.read(max_bytes + 1)


def check_upload(
    data: bytes, filename: str, max_bytes: int, defaults: BankDefaults = NO_DEFAULTS
) -> ReadResult:
    """The same validator, with the same size limit, as ``flask bank validate``, for
    every format (chosen by the file's extension)."""
    try:
        return read_bank(data, filename, None, defaults, max_bytes)
    except UnknownFormat as exc:
        report = Report(filename)
        report.error(1, 1, str(exc))
        return ReadResult(None, report, [])


def upload_defaults(upload: BankUpload) -> BankDefaults:
    return BankDefaults(
        upload.default_bank or NO_DEFAULTS.bank, upload.default_title or NO_DEFAULTS.title
    )


def error_excerpts(lines: list[str], report: Report) -> list[list[SourceLine]]:
    """The source around each error (lines, rows or paragraphs), the errors beside them;
    nothing when the source cannot be shown."""
    if not lines:
        return []
    messages: dict[int, list[str]] = {}
    for item in report.errors[:MAX_SHOWN_ERRORS]:
        messages.setdefault(min(max(item.line, 1), max(len(lines), 1)), []).append(item.message)
    wanted = sorted(
        {
            n
            for line in messages
            for n in range(line - CONTEXT_LINES, line + CONTEXT_LINES + 1)
            if 1 <= n <= len(lines)
        }
    )
    excerpts: list[list[SourceLine]] = []
    for n in wanted:
        if not excerpts or excerpts[-1][-1].number != n - 1:
            excerpts.append([])
        excerpts[-1].append(SourceLine(n, lines[n - 1][:MAX_LINE_CHARS], messages.get(n, [])))
    return excerpts


def store_upload(
    data: bytes, filename: str, bank: BankContent, user: User, defaults: BankDefaults = NO_DEFAULTS
) -> BankUpload:
    """Keep a valid upload for its review page; expired and surplus ones are dropped."""
    db.session.execute(delete(BankUpload).where(BankUpload.created_at < utcnow() - UPLOAD_TTL))
    keep = select(BankUpload.id).where(BankUpload.uploader_id == user.id)
    keep = keep.order_by(BankUpload.created_at.desc()).limit(MAX_PENDING_PER_USER - 1)
    db.session.execute(
        delete(BankUpload)
        .where(BankUpload.uploader_id == user.id)
        .where(BankUpload.id.not_in(keep.scalar_subquery()))
    )
    upload = BankUpload(
        id=secrets.token_urlsafe(32),
        uploader_id=user.id,
        bank_name=bank.name,
        filename=filename[:200],
        base_version=latest_number(bank.name),
        data=data,
        default_bank=defaults.bank,
        default_title=defaults.title,
    )
    db.session.add(upload)
    db.session.commit()
    return upload


def own_upload(token: str, user: User, *, lock: bool = False) -> BankUpload:
    query = select(BankUpload).where(BankUpload.id == token, BankUpload.uploader_id == user.id)
    upload = db.session.scalar(query.with_for_update() if lock else query)
    if upload is None or upload.created_at < utcnow() - UPLOAD_TTL:
        raise UploadNotFound(token)
    return upload


def review(upload: BankUpload, max_bytes: int) -> Review:
    """The upload read again and compared with the bank as it is now."""
    result = check_upload(upload.data, upload.filename, max_bytes, upload_defaults(upload))
    if result.bank is None:
        raise UploadNotFound(upload.id)
    latest = latest_number(upload.bank_name)
    current = load_version(upload.bank_name)[1] if latest else None
    return Review(
        upload, result.bank, result.report.warnings, diff_banks(current, result.bank), latest
    )


def publish_upload(token: str, user: User, max_bytes: int) -> ImportResult:
    """Publish once, and only over the version the uploader was shown."""
    try:
        upload = own_upload(token, user, lock=True)
        if upload.published_at is not None:
            raise UploadClosed(upload)
        db.session.scalar(select(Bank).where(Bank.name == upload.bank_name).with_for_update())
        latest = latest_number(upload.bank_name)
        if latest != upload.base_version:
            raise StaleUpload(upload.base_version, latest)
        bank = check_upload(upload.data, upload.filename, max_bytes, upload_defaults(upload)).bank
        if bank is None:
            raise UploadNotFound(token)
        source = SourceFile(upload.filename, upload.data)
        upload.published_at = utcnow()
        upload.data = b""
    except BaseException:
        db.session.rollback()
        raise
    result = publish(bank, user, f"网页上传 {upload.filename}", source)
    upload.published_version = result.version
    db.session.commit()
    return result


def latest_number(name: str) -> int:
    """The bank's newest version number; 0 for a bank not yet published."""
    number = db.session.scalar(
        select(func.max(BankVersion.number)).join(Bank).where(Bank.name == name)
    )
    return number or 0
