"""Practice runs and the wrong-answer notebook: drawing, answering, collecting, clearing.

Everything lives in the database (no per-process state), so a run started on one app
server is answered on another. Practice counts toward nothing; its only lasting
effect is the notebook.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from app.bank.services import bank_summaries
from app.extensions import db
from app.models import Bank, BankVersion, QuestionRevision
from app.models.practice import FROM_NOTEBOOK, FROM_TOPICS, NotebookEntry, PracticeItem, PracticeRun
from app.models.types import utcnow
from app.practice.exam_only import EXAM_ONLY, exam_only_bank_ids
from app.practice.notebook import (
    SOURCE_PRACTICE,
    clear_from_notebook,
    current_revisions,
    record_wrong_answers,
    version_questions,
)
from question_bank.model import Question
from question_bank.scoring import InvalidResponse, Verdict, score_question, validate_response
from question_bank.types import REGISTRY

DEFAULT_BANK = "party-basics"
MAX_QUESTIONS = 50


class NothingToPractise(LookupError):
    """The chosen topics and types (or the notebook) hold no question; message for the user."""


class NotInRun(LookupError):
    """An answer names a question that is not in the run: a forged or stale form."""


@dataclass(frozen=True)
class BankChoice:
    name: str
    title: str
    topics: dict[str, str]


def practice_banks() -> list[BankChoice]:
    """Banks with a published version that may be practised, the default bank first."""
    closed = exam_only_bank_ids()
    banks = [
        BankChoice(b.name, v.title, dict(v.topics))
        for b, v, _ in bank_summaries()
        if b.id not in closed
    ]
    return sorted(banks, key=lambda b: (b.name != DEFAULT_BANK, b.name))


def start_run(
    user_id: int, bank_name: str, topics: list[str], types: list[str], count: int
) -> PracticeRun:
    """Draw ``count`` questions at random (seed stored) from the bank's latest version."""
    version = _latest_version(bank_name)
    query = version_questions(version.id).where(QuestionRevision.topic.in_(topics))
    if types:
        query = query.where(QuestionRevision.type.in_(types))
    pool = list(db.session.execute(query).tuples())
    if not pool:
        raise NothingToPractise("所选范围内没有题目，请换一些知识范围或题型")
    seed = secrets.randbits(62)
    chosen = random.Random(seed).sample(pool, min(count, len(pool)))
    run = PracticeRun(
        user_id=user_id,
        bank_id=version.bank_id,
        bank_version_id=version.id,
        seed=seed,
        origin=FROM_TOPICS,
        topics=sorted(topics),
        types=sorted(types),
    )
    return _save_run(run, [rid for rid, _ in chosen])


def start_notebook_run(user_id: int, bank_name: str) -> PracticeRun:
    """A run over the open notebook entries of one bank, at their current revisions."""
    version = _latest_version(bank_name)
    keys = db.session.scalars(
        select(NotebookEntry.question_key).where(
            NotebookEntry.user_id == user_id,
            NotebookEntry.bank_id == version.bank_id,
            NotebookEntry.cleared_at.is_(None),
        )
    ).all()
    current = current_revisions(version.bank_id, keys)
    if not current:
        raise NothingToPractise("错题本中没有可以练习的题目")
    seed = secrets.randbits(62)
    ids = sorted(current.values())
    chosen = random.Random(seed).sample(ids, min(MAX_QUESTIONS, len(ids)))
    run = PracticeRun(
        user_id=user_id,
        bank_id=version.bank_id,
        bank_version_id=version.id,
        seed=seed,
        origin=FROM_NOTEBOOK,
        topics=[],
        types=[],
    )
    return _save_run(run, chosen)


def _save_run(run: PracticeRun, revision_ids: list[int]) -> PracticeRun:
    """Store the run with each question's option order, drawn from the run's seed."""
    rng = random.Random(run.seed ^ 0x5EED)
    revisions = {
        r.id: r
        for r in db.session.scalars(
            select(QuestionRevision).where(QuestionRevision.id.in_(revision_ids))
        )
    }
    for position, rid in enumerate(revision_ids, start=1):
        question = Question.from_dict(revisions[rid].data)
        order = REGISTRY[question.type].option_order(question, rng, shuffle=True)
        run.items.append(
            PracticeItem(
                position=position,
                question_revision_id=rid,
                question_key=question.id,
                option_order=list(order),
            )
        )
    db.session.add(run)
    db.session.commit()
    return run


def get_run(run_id: int, user_id: int) -> PracticeRun | None:
    """The run if it is this user's (anyone else's is as good as missing)."""
    return db.session.scalar(
        select(PracticeRun)
        .where(PracticeRun.id == run_id, PracticeRun.user_id == user_id)
        .options(selectinload(PracticeRun.items).selectinload(PracticeItem.revision))
    )


def item_for(run: PracticeRun, question_key: str | None) -> PracticeItem:
    """The run's item for a posted question id; ``NotInRun`` for any other id."""
    item = next((i for i in run.items if i.question_key == question_key), None)
    if item is None:
        raise NotInRun("该题不在本次练习中，请返回练习重新作答")
    return item


def answer(run: PracticeRun, item: PracticeItem, raw: Any) -> PracticeItem:
    """Check an answer, keep it and update the notebook; the first answer to an item stands.

    Raises ``InvalidResponse`` (its message is for the candidate).
    """
    question_key = item.question_key
    if item.verdict is not None:
        return item
    question = Question.from_dict(item.revision.data)
    response = validate_response(question, raw)
    if response is None:
        raise InvalidResponse("请先作答再提交")
    _, verdict = score_question(question, response, 1, "all_or_nothing")
    now = utcnow()
    # Claim the item in one conditional UPDATE, so a double submit counts once.
    claimed = db.session.execute(
        update(PracticeItem)
        .where(
            PracticeItem.run_id == run.id,
            PracticeItem.position == item.position,
            PracticeItem.verdict.is_(None),
        )
        .values(
            response=list(response) if isinstance(response, tuple) else response,
            verdict=verdict.value,
            answered_at=now,
        )
    ).rowcount
    if claimed:
        if verdict is Verdict.CORRECT:
            clear_from_notebook(run.user_id, run.bank_id, question_key)
        else:
            record_wrong_answers(
                run.user_id, run.bank_id, [(question_key, item.question_revision_id)],
                source=SOURCE_PRACTICE, given={question_key: (response, item.option_order)},
            )  # fmt: skip
    db.session.commit()
    return item


def recent_runs(user_id: int, limit: int = 5) -> list[PracticeRun]:
    return list(
        db.session.scalars(
            select(PracticeRun)
            .where(PracticeRun.user_id == user_id)
            .order_by(PracticeRun.id.desc())
            .limit(limit)
            .options(selectinload(PracticeRun.items))
        )
    )


def _latest_version(bank_name: str) -> BankVersion:
    version = db.session.scalar(
        select(BankVersion)
        .join(Bank)
        .where(Bank.name == bank_name)
        .order_by(BankVersion.number.desc())
        .limit(1)
    )
    if version is None:
        raise NothingToPractise("题库不存在或尚未发布")
    if version.bank_id in exam_only_bank_ids():
        raise NothingToPractise(EXAM_ONLY)
    return version
