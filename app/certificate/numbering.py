"""Certificate numbers: the next sequence per (prefix, year), safe with many workers.

The counter row is bumped with ``UPDATE ... RETURNING`` inside the issuing transaction.
PostgreSQL locks the row until that transaction ends and SQLite takes its single write
lock, so two workers never get the same number, and a failed issue rolls its number back
instead of leaving a gap. That transaction only numbers and inserts the certificate's row
(its PDF is stored after the commit, ``app.certificate.pdfs``), so the lock is short.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import CertificateSequence
from certificates.numbers import format_number


def next_number(prefix: str, year: int) -> str:
    """The next certificate number for this prefix and year, in the current transaction."""
    return format_number(prefix, year, _next_sequence(prefix, year))


def next_numbers(prefix: str, year: int, count: int) -> list[str]:
    """The next ``count`` numbers at once, in the current transaction (a batch's): one
    statement, and the row stays locked until that transaction ends."""
    last = _next_sequence(prefix, year, count)
    return [format_number(prefix, year, n) for n in range(last - count + 1, last + 1)]


def _next_sequence(prefix: str, year: int, count: int = 1) -> int:
    bump = (
        update(CertificateSequence)
        .where(CertificateSequence.prefix == prefix, CertificateSequence.year == year)
        .values(last=CertificateSequence.last + count)
        .returning(CertificateSequence.last)
        .execution_options(synchronize_session=False)
    )
    value = db.session.scalar(bump)
    if value is not None:
        return value
    try:
        with db.session.begin_nested():  # the first number of a year: create the row
            db.session.add(CertificateSequence(prefix=prefix, year=year, last=0))
    except IntegrityError:
        pass  # another worker created it first; bumping below waits for it
    return db.session.scalar(bump)
