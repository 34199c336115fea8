"""Re-scoring after a corrected key (DESIGN.md section 3): preview, then apply, audited
(the results area's one audited change, hence services.py).

A question corrected in a newer bank version (same id, new revision whose key, type or
options differ) makes every finalized attempt scored on an older revision of it
affected. Attempts keep the revision they were shown (``question_revision_id``: the
paper stays as the candidate saw it); a re-score scores them on the bank's latest
revision of the corrected questions and records it in ``scored_revision_id``, so the
drill-down and the candidate's review show both. Certificates follow the new result:
revoked with a reason where no longer earned, issued where newly earned.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.certificate.revocation import reissue, revoke
from app.certificate.services import (
    RESCORE_REVOCATION,
    earned_types,
    issue_certificates,
    percent_score,
)
from app.certificate.setup import current_rules
from app.exam.attempts import paper_of, scoring_policy, store_result
from app.extensions import db
from app.models import (
    Attempt,
    AttemptItem,
    Bank,
    BankVersion,
    BankVersionItem,
    Certificate,
    QuestionRevision,
    User,
)
from app.models.attempt import FINALIZED
from app.models.audit import record
from question_bank.model import Question
from question_bank.scoring import as_decimal, score_paper
from question_bank.types import REGISTRY


class PlanChanged(Exception):
    """The affected attempts differ from the preview the admin confirmed."""


@dataclass(frozen=True)
class Correction:
    question_id: str
    revision_id: int  # the corrected (latest) revision
    revision: int
    answer: str


@dataclass(frozen=True)
class Change:
    attempt_id: int
    name: str
    username: str
    sitting: str
    possible: Decimal
    before: tuple[Decimal, bool]
    after: tuple[Decimal, bool]
    questions: tuple[tuple[str, int], ...]  # (question id, revision scored on before)

    @property
    def kind(self) -> str:
        """pass→fail, fail→pass, score (changed, same outcome) or same."""
        if self.before[1] != self.after[1]:
            return "new_pass" if self.after[1] else "new_fail"
        return "score" if self.before[0] != self.after[0] else "same"


@dataclass(frozen=True)
class Plan:
    bank: Bank
    corrections: dict[str, Correction]
    changes: list[Change]

    @property
    def digest(self) -> str:
        """What the admin saw; applying checks it, so nothing unseen is re-scored."""
        seen = [(c.attempt_id, c.questions, str(c.after[0])) for c in self.changes]
        return hashlib.sha256(json.dumps(seen).encode()).hexdigest()


def _scoring_part(data: dict) -> tuple:
    return data["type"], json.dumps(data["answer"]), tuple(sorted(data.get("options", {})))


def _answer_text(data: dict) -> str:
    question = Question.from_dict(data)
    return REGISTRY[question.type].answer_words(question)


def latest_revisions(bank_id: int) -> dict[str, QuestionRevision]:
    latest = (
        select(BankVersion.id)
        .where(BankVersion.bank_id == bank_id)
        .order_by(BankVersion.number.desc())
        .limit(1)
        .scalar_subquery()
    )
    rows = db.session.scalars(
        select(QuestionRevision)
        .join(BankVersionItem, BankVersionItem.question_revision_id == QuestionRevision.id)
        .where(BankVersionItem.bank_version_id == latest)
    )
    return {r.question_key: r for r in rows}


def _affected(bank_id: int) -> tuple[dict[str, Correction], dict[int, dict[str, int]]]:
    """Corrected questions, and per finalized attempt the ones it was scored on before."""
    latest = latest_revisions(bank_id)
    scored_on = func.coalesce(AttemptItem.scored_revision_id, AttemptItem.question_revision_id)
    rows = db.session.execute(
        select(AttemptItem.attempt_id, QuestionRevision)
        .join(Attempt, Attempt.id == AttemptItem.attempt_id)
        .join(QuestionRevision, QuestionRevision.id == scored_on)
        .where(
            Attempt.status == FINALIZED,
            QuestionRevision.bank_id == bank_id,
            QuestionRevision.id.not_in([r.id for r in latest.values()] or [0]),
        )
    ).tuples()
    corrections: dict[str, Correction] = {}
    attempts: dict[int, dict[str, int]] = {}
    for attempt_id, old in rows:
        new = latest.get(old.question_key)
        if new is None or new.revision < old.revision:
            continue  # retired since: nothing to correct it with
        if _scoring_part(old.data) == _scoring_part(new.data):
            continue  # reworded only: the score cannot change
        corrections[new.question_key] = Correction(
            new.question_key, new.id, new.revision, _answer_text(new.data)
        )
        attempts.setdefault(attempt_id, {})[new.question_key] = old.revision
    return corrections, attempts


def _rescored(attempt: Attempt, corrections: dict[str, Correction]):
    """Point the corrected items at their new revision and score the paper again."""
    for item in attempt.items:
        correction = corrections.get(item.revision.question_key)
        if correction is not None:
            item.scored_revision_id = correction.revision_id
    responses = {
        i.revision.question_key: i.response for i in attempt.items if i.response is not None
    }
    return score_paper(paper_of(attempt), responses, scoring_policy(attempt))


def plan(bank: Bank) -> Plan:
    """What a re-score would change; changes nothing (rolls its scoring back)."""
    corrections, affected = _affected(bank.id)
    changes = []
    with db.session.no_autoflush:
        for attempt in _load(affected):
            result = _rescored(attempt, corrections)
            change = Change(
                attempt.id, attempt.user.name, attempt.user.username, attempt.sitting.title,
                attempt.possible, (attempt.score, bool(attempt.passed)),
                (as_decimal(result.total), result.passed), tuple(sorted(affected[attempt.id].items())),
            )  # fmt: skip
            changes.append(change)
    db.session.rollback()
    order = {"new_fail": 0, "new_pass": 1, "score": 2, "same": 3}
    changes.sort(key=lambda c: (order[c.kind], c.attempt_id))
    return Plan(bank, corrections, changes)


def _load(affected: Collection[int]) -> list[Attempt]:
    if not affected:
        return []
    return list(
        db.session.scalars(
            select(Attempt)
            .where(Attempt.id.in_(affected))
            .options(selectinload(Attempt.items).selectinload(AttemptItem.revision))
            .order_by(Attempt.id)
        )
    )


def apply(bank: Bank, digest: str, actor: User, now: datetime) -> Plan:
    """Re-score as previewed (``digest``), audit each attempt, then settle certificates."""
    preview = plan(bank)
    if preview.digest != digest:
        raise PlanChanged("预览后数据已有变化，请重新查看预览后再确认。")
    changes = {c.attempt_id: c for c in preview.changes}
    attempts = _load(changes)
    for attempt in attempts:
        before = {"score": str(attempt.score), "passed": attempt.passed}
        store_result(attempt, _rescored(attempt, preview.corrections))
        record(
            actor, "attempt.rescore", f"attempt {attempt.id}", bank=bank.name,
            before=before, after={"score": str(attempt.score), "passed": attempt.passed},
            revisions={
                key: [old, preview.corrections[key].revision]
                for key, old in changes[attempt.id].questions
            },
        )  # fmt: skip
    db.session.commit()
    for attempt in attempts:
        settle_certificates(attempt, actor, now)
    return preview


def settle_certificates(attempt: Attempt, actor: User, now: datetime) -> None:
    """Revoke certificates the new result no longer earns, re-issue those whose level band
    changed, and issue newly earned ones (also after an earlier re-score revoked them)."""
    earned = {kind.id: kind for kind in earned_types(attempt, current_rules())}
    live = db.session.scalars(
        select(Certificate).where(
            Certificate.attempt_id == attempt.id, Certificate.revoked_at.is_(None)
        )
    ).all()
    for certificate in live:
        kind = earned.get(certificate.type_id)
        if kind is None:
            reason = f"{RESCORE_REVOCATION}，成绩 {attempt.score} 分，未达到发证要求"
            revoke(certificate.number, reason, actor, now)
        elif (level := kind.level_for(percent_score(attempt))) != certificate.level:
            reissue(certificate.number, actor, now, level=level)
    issue_certificates(attempt)


def pending_corrections() -> list[tuple[Bank, int, int]]:
    """Banks with corrected keys not yet applied: (bank, questions, attempts)."""
    out = []
    for bank in db.session.scalars(select(Bank).order_by(Bank.name)):
        corrections, attempts = _affected(bank.id)
        if attempts:
            out.append((bank, len(corrections), len(attempts)))
    return out
