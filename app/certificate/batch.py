"""The certificates of many passes at once, for the job workers after a close.

``services.issue_for_attempt`` issues one attempt's certificates with a dozen small
queries and three transactions; at a close, thousands of passes pay that again and
again. A batch reads its attempts and their candidates' certificates in two queries,
numbers every certificate it issues in one transaction (one ``UPDATE … RETURNING`` per
number prefix, taken in prefix order so that two batches on PostgreSQL cannot deadlock,
then the rows and their audit entries), renders and signs the PDFs with no transaction
open, and stores them and marks the attempts checked in one more. Both writes are short:
inserts and updates of rows already built in Python.

Whatever is not the plain case goes to ``issue_for_attempt``, one attempt at a time: an
attempt with a certificate still waiting for its PDF, and the whole batch if another
issuer (``flask cert issue``) numbered one of its certificates meanwhile (seen under the
sequence rows' lock, before the commit, so no number is used twice or skipped).
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import joinedload

from app.certificate.numbering import next_numbers
from app.certificate.pdfs import record_failure, signed_pdf
from app.certificate.services import (
    RESCORE_REVOCATION,
    Draft,
    IssueRefused,
    checked_token,
    content_for,
    draft_for,
    earned_types,
    issue_for_attempt,
)
from app.certificate.setup import current_rules
from app.extensions import db
from app.models import Attempt, AuditEntry, Certificate, Sitting
from certificates.rules import HeldCertificate

logger = logging.getLogger(__name__)


@dataclass
class _New:
    """A certificate to number: its draft, token and, once numbered, its row and PDF."""

    attempt_id: int
    user_id: int
    draft: Draft
    token: str
    number: str = ""
    certificate_id: int = 0
    pdf: bytes | None = None


def issue_batch(attempt_ids: list[int], now: datetime) -> dict[int, Exception]:
    """Issue the certificates these finalized attempts earn and do not have yet, store
    their PDFs and mark the attempts checked. Returns the attempts that failed (a PDF
    not rendered, signed or stored, or an error), each with its error; the others are
    done. Idempotent, like ``issue_for_attempt``."""
    db.session.rollback()
    rules = current_rules()
    attempts = db.session.scalars(
        select(Attempt)
        .options(joinedload(Attempt.sitting).joinedload(Sitting.exam), joinedload(Attempt.user))
        .where(Attempt.id.in_(attempt_ids))
        .order_by(Attempt.id)
    ).all()
    rows = db.session.execute(
        select(Certificate.user_id, Certificate.attempt_id, Certificate.type_id,
               Certificate.issued_on, Certificate.expires_on, Certificate.revoked_at,
               Certificate.revoked_reason, Certificate.pdf.is_(None).label("no_pdf"))
        .where(Certificate.user_id.in_({a.user_id for a in attempts}))
    ).all()  # fmt: skip
    held: dict[int, list[HeldCertificate]] = {}
    issued, unfinished = set(), set()
    for row in rows:
        held.setdefault(row.user_id, []).append(
            HeldCertificate(row.type_id, row.issued_on, row.expires_on, row.revoked_at is not None)
        )
        if _counts_as_issued(row.revoked_at, row.revoked_reason):
            issued.add((row.attempt_id, row.type_id))
        if row.no_pdf:
            unfinished.add(row.attempt_id)
    every = [a.id for a in attempts]  # read now: the rollback below expires the objects
    plain = [a.id for a in attempts if a.id not in unfinished]
    new, refused = [], []
    for attempt in attempts:
        if attempt.id in unfinished:
            continue
        user_held = held.setdefault(attempt.user_id, [])
        for kind in earned_types(attempt, rules):
            if (attempt.id, kind.id) in issued:
                continue
            try:
                draft = draft_for(attempt, kind, rules, now, user_held)
                new.append(_New(attempt.id, attempt.user_id, draft, checked_token(draft)))
            except IssueRefused as refusal:
                refused.append((attempt.id, kind.id, refusal.message))
                continue
            user_held.append(HeldCertificate(kind.id, draft.issued_on, draft.expires_on, False))
    db.session.rollback()  # the reads end: the write comes first in its transaction
    try:
        numbered = _number(new, refused)
    except Exception:
        db.session.rollback()
        raise
    if not numbered:
        return _one_by_one(every, now)
    failures = _render(new)
    _store([n for n in new if n.pdf is not None], [a for a in plain if a not in failures], now)
    failures.update(_one_by_one([a for a in every if a in unfinished], now))
    return failures


def _counts_as_issued(revoked_at: datetime | None, reason: str | None) -> bool:
    """As ``services._issued``: one revoked by a re-score does not count."""
    return revoked_at is None or reason is None or not reason.startswith(RESCORE_REVOCATION)


def _number(new: list[_New], refused: list[tuple[int, str, str]]) -> bool:
    """Number and insert the new rows and audit the refusals in one transaction; False
    (nothing written) if another issuer numbered one of them first. The rows are built
    before the first write and inserted with two statements: SQLite's write lock, which
    every save waits for, was held 10-20 ms a batch by the ORM's flush of 40 objects."""
    wanted = Counter((n.draft.prefix, n.draft.issued_on.year) for n in new)
    rows = [_certificate_row(item) for item in new]
    refusals = [
        {"actor_id": None, "action": "certificate.refused", "target": f"attempt:{attempt_id}",
         "details": {"type": type_id, "reason": reason}}
        for attempt_id, type_id, reason in refused
    ]  # fmt: skip
    numbers = {key: iter(next_numbers(*key, count)) for key, count in sorted(wanted.items())}
    if new and _already_issued(new):
        db.session.rollback()
        return False
    audits = []
    for item, row in zip(new, rows, strict=True):
        item.number = row["number"] = next(numbers[(item.draft.prefix, item.draft.issued_on.year)])
        audits.append({"actor_id": None, "action": "certificate.issue", "target": item.number,
                       "details": {"attempt": item.attempt_id}})  # fmt: skip
    if rows:
        ids = dict(db.session.execute(_INSERT_CERTIFICATES, rows).tuples().all())
        for item in new:
            item.certificate_id = ids[item.token]
    if audits or refusals:
        db.session.execute(insert(AuditEntry.__table__), audits + refusals)
    db.session.commit()
    for attempt_id, type_id, reason in refused:
        logger.warning("certificate %s refused for attempt %s: %s", type_id, attempt_id, reason)
    return True


# Each row's id found by its token (unique): asking for the rows' order instead makes
# SQLite insert them one statement each.
_INSERT_CERTIFICATES = insert(Certificate.__table__).returning(
    Certificate.__table__.c.token, Certificate.__table__.c.id
)


def _certificate_row(item: _New) -> dict[str, object]:
    """A new certificate's row, all but its number."""
    draft = item.draft
    return {
        "type_id": draft.type_id, "user_id": item.user_id, "attempt_id": item.attempt_id,
        "holder_name": draft.holder_name, "title": draft.title, "level": draft.level,
        "position": draft.position, "issued_on": draft.issued_on, "expires_on": draft.expires_on,
        "issuer": draft.issuer, "rules_version": draft.rules_version,
        "rules_digest": draft.rules_digest, "token": item.token, "pdf": None,
    }  # fmt: skip


def _already_issued(new: list[_New]) -> bool:
    """Under the sequence rows' lock: has a concurrent issuer committed one of these?"""
    rows = db.session.execute(
        select(Certificate.attempt_id, Certificate.type_id, Certificate.revoked_at,
               Certificate.revoked_reason)
        .where(Certificate.attempt_id.in_({n.attempt_id for n in new}))
    ).all()  # fmt: skip
    wanted = {(n.attempt_id, n.draft.type_id) for n in new}
    return any(
        (r.attempt_id, r.type_id) in wanted and _counts_as_issued(r.revoked_at, r.revoked_reason)
        for r in rows
    )


def _render(new: list[_New]) -> dict[int, Exception]:
    """Render and sign each PDF (no transaction open); a failure is recorded on its row
    for the sweep's later retry, as ``pdfs.finish`` does, and fails its attempt."""
    failures: dict[int, Exception] = {}
    for item in new:
        try:
            item.pdf = signed_pdf(content_for(item.draft, item.number, item.token))
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"[:500]
            record_failure(item.certificate_id, error)
            failures[item.attempt_id] = exc
    return failures


_STORE_PDF = (
    update(Certificate.__table__)
    .where(Certificate.__table__.c.id == bindparam("b_id"), Certificate.__table__.c.pdf.is_(None))
    .values(pdf=bindparam("b_pdf"), pdf_retry_at=None, pdf_error=None)
)


def _store(rendered: list[_New], done: list[int], now: datetime) -> None:
    """The PDFs and the attempts' checked mark, in one short transaction."""
    if rendered:
        db.session.connection().execute(
            _STORE_PDF, [{"b_id": n.certificate_id, "b_pdf": n.pdf} for n in rendered]
        )
    if done:
        db.session.execute(
            update(Attempt).where(Attempt.id.in_(done)).values(certificates_checked_at=now)
        )
    db.session.commit()


def _one_by_one(attempt_ids: list[int], now: datetime) -> dict[int, Exception]:
    from app.exam.attempts import scored_attempt

    failures: dict[int, Exception] = {}
    for attempt_id in attempt_ids:
        try:
            issue_for_attempt(scored_attempt(attempt_id), now)
        except Exception as exc:
            db.session.rollback()
            failures[attempt_id] = exc
    return failures
