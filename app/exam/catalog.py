"""Exams and bank versions as domain objects, parsed once per process.

Both are immutable for a given key (an exam's id and update time, a bank version's
id), so caching them in each worker keeps app servers stateless in effect.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from functools import lru_cache
from types import MappingProxyType

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
    _questions.update((rid, q) for q, (rid, _) in zip(questions, rows, strict=True))
    bank = Bank(version.bank.name, version.title, tuple(version.topics.items()), questions)
    return VersionIndex(bank, {q.id: rid for q, (rid, _) in zip(questions, rows, strict=True)})


@lru_cache(maxsize=64)
def version_topics(version_id: int) -> Mapping[str, str]:
    """A bank version's topic titles (a published version never changes)."""
    topics = db.session.scalar(select(BankVersion.topics).where(BankVersion.id == version_id))
    return MappingProxyType(dict(topics or {}))


# Revisions never change once written; a worker keeps those it has read.
_questions: dict[int, Question] = {}
_MAX_QUESTIONS = 100_000


def question_of(revision_id: int) -> Question:
    """A stored question revision, read once per process."""
    question = _questions.get(revision_id)
    if question is None:
        load_questions((revision_id,))
        question = _questions[revision_id]
    return question


def load_questions(revision_ids: Iterable[int]) -> None:
    """Read the revisions not yet known in one query (a paper's eighty at once)."""
    missing = {rid for rid in revision_ids if rid not in _questions}
    if not missing:
        return
    if len(_questions) + len(missing) > _MAX_QUESTIONS:
        _questions.clear()
    rows = db.session.execute(
        select(QuestionRevision.id, QuestionRevision.data).where(QuestionRevision.id.in_(missing))
    )
    _questions.update((rid, Question.from_dict(data)) for rid, data in rows)


def clear_caches() -> None:
    """Forget parsed exams and bank versions: for tests, whose emptied tables reuse ids."""
    _parse.cache_clear()
    version_index.cache_clear()
    version_topics.cache_clear()
    _questions.clear()
