"""What the exam pages read: the exam list with its sittings counted, the banks to
choose from, attempts started on an exam. Exams are stored by ``app.exam.exams``."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from wtforms import SelectChoice

from app.extensions import db
from app.models import Attempt, Bank, Exam, Sitting


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
