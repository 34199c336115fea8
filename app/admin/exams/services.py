"""Exams (试卷规则) from the admin pages, checked exactly as an imported YAML file is.

``store_exam`` adds only what the admin pages know on top of ``save_exam``: which exam
is being edited, and that sittings still to be taken can draw the edited exam from the
bank version they pinned.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from wtforms import SelectChoice

from app.exam.catalog import version_index
from app.exam.exams import save_exam
from app.exam.sittings import ExamRefused
from app.extensions import db
from app.models import Attempt, Bank, Exam, Sitting, User
from app.models.types import utcnow
from question_bank.diagnostics import Diagnostic
from question_bank.exam import check_satisfiable
from question_bank.exam_format import MAX_EXAM_BYTES, parse_exam

FILENAME = "试卷规则"


class ExamInvalid(ExamRefused):
    """An exam refused with problems located in its YAML (line, column, field)."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__([d.format() for d in diagnostics])
        self.diagnostics = diagnostics


def store_exam(source: str, actor: User, editing: Exam | None = None) -> Exam:
    """Create an exam, or replace ``editing``'s definition; attempts already started keep
    the policy they copied when they began."""
    data = source.encode("utf-8")
    if len(data) > MAX_EXAM_BYTES:
        raise ExamRefused(["试卷规则过大，不应超过 1 MB"])
    definition, report = parse_exam(data, FILENAME)
    if definition is None:
        raise ExamInvalid(report.ordered)
    existing = db.session.scalar(select(Exam).where(Exam.code == definition.code))
    if editing is not None and definition.code != editing.code:
        raise ExamInvalid(
            [Diagnostic(1, 1, f"试卷编号不能修改（应为“{editing.code}”）", field="exam")]
        )
    if editing is None and existing is not None:
        raise ExamInvalid([Diagnostic(1, 1, f"试卷编号“{definition.code}”已被使用", field="exam")])
    if editing is not None:
        _check_pinned_versions(definition, editing)
    try:
        return save_exam(data, FILENAME, actor)
    except ExamRefused as refused:
        db.session.rollback()
        raise ExamRefused([m.removeprefix(f"{FILENAME}: ") for m in refused.messages]) from None


def _check_pinned_versions(definition, exam: Exam) -> None:
    """Sittings not yet over draw from the bank version pinned when they were created;
    the edited exam must still be drawable from each of them."""
    sittings = db.session.scalars(
        select(Sitting).where(Sitting.exam_id == exam.id, Sitting.closes_at > utcnow())
    ).all()
    problems = []
    for sitting in sittings:
        bank = version_index(sitting.bank_version_id).bank
        if bank.name != definition.bank:
            problems.append(
                f"场次“{sitting.title}”使用题库 {bank.name}，不能改为 {definition.bank}"
            )
            continue
        problems += [
            f"场次“{sitting.title}”所用的题库版本不能满足本试卷规则：{s}"
            for s in check_satisfiable(definition, bank)
        ]
    if problems:
        raise ExamRefused(problems)


@dataclass(frozen=True)
class ExamRow:
    exam: Exam
    sittings: int


def exam_rows() -> list[ExamRow]:
    counts = dict(
        db.session.execute(select(Sitting.exam_id, func.count()).group_by(Sitting.exam_id)).all()
    )
    exams = db.session.scalars(select(Exam).order_by(Exam.code)).all()
    return [ExamRow(exam, counts.get(exam.id, 0)) for exam in exams]


def bank_choices() -> list[SelectChoice]:
    return [SelectChoice(b.name) for b in db.session.scalars(select(Bank).order_by(Bank.name))]


def started_attempts(exam: Exam) -> int:
    return db.session.scalar(
        select(func.count(Attempt.id))
        .join(Sitting, Attempt.sitting_id == Sitting.id)
        .where(Sitting.exam_id == exam.id)
    )
