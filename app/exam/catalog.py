"""Exams and bank versions as domain objects, parsed once per process.

Both are immutable for a given key (an exam's id and update time, a bank version's
id), so caching them in each worker keeps app servers stateless in effect.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from sqlalchemy import select

from app.extensions import db
from app.models import BankVersion, BankVersionItem, Exam, QuestionRevision
from question_bank.assembly import BankIndex
from question_bank.exam import Exam as ExamDefinition
from question_bank.exam_format import parse_exam
from question_bank.model import Bank, Question


def exam_definition(exam: Exam) -> ExamDefinition:
    return _parse(exam.id, exam.updated_at, exam.source)


@lru_cache(maxsize=64)
def _parse(exam_id: int, updated_at: datetime, source: str) -> ExamDefinition:
    definition, report = parse_exam(source.encode(), f"exam-{exam_id}")
    if definition is None:
        raise ValueError(f"stored exam {exam_id} no longer parses: {report.errors[0].format()}")
    return definition


class VersionIndex:
    """A bank version bucketed for drawing, with each question's revision row id."""

    def __init__(self, bank: Bank, revision_ids: dict[str, int]) -> None:
        self.bank = bank
        self.index = BankIndex.from_bank(bank)
        self.revision_ids = revision_ids


@lru_cache(maxsize=8)
def version_index(version_id: int) -> VersionIndex:
    version = db.session.get(BankVersion, version_id)
    rows = db.session.execute(
        select(QuestionRevision.id, QuestionRevision.data)
        .join(BankVersionItem, BankVersionItem.question_revision_id == QuestionRevision.id)
        .where(BankVersionItem.bank_version_id == version_id)
        .order_by(BankVersionItem.position)
    ).all()
    questions = tuple(Question.from_dict(data) for _, data in rows)
    bank = Bank(version.bank.name, version.title, tuple(version.topics.items()), questions)
    return VersionIndex(bank, {q.id: rid for q, (rid, _) in zip(questions, rows, strict=True)})


@lru_cache(maxsize=4096)
def question_of(revision_id: int) -> Question:
    """A stored question revision; revisions never change once written."""
    return Question.from_dict(db.session.get(QuestionRevision, revision_id).data)


def clear_caches() -> None:
    """Forget parsed exams and bank versions: for tests, whose emptied tables reuse ids."""
    _parse.cache_clear()
    version_index.cache_clear()
    question_of.cache_clear()
