"""Exam-only banks: their questions are never practised, nor their keys shown in the notebook.

A bank is exam-only when its latest version says ``practice: false``, or when any exam
drawn from it says so. An exam draws its papers from its whole bank, so a question
practised today may be on tomorrow's paper: marking an exam exam-only closes its whole
bank to practice, for as long as the exam says so (keep a separate bank for practice).
"""

from __future__ import annotations

from sqlalchemy import bindparam, func, select

from app.exam.catalog import exam_definition
from app.extensions import db
from app.models import Bank, BankVersion, Exam

EXAM_ONLY = "该题库仅用于正式考试，不开放练习。"


def exam_only_bank_ids() -> set[int]:
    """Ids of the banks no one may practise."""
    latest = (
        select(BankVersion.bank_id, func.max(BankVersion.number).label("number"))
        .group_by(BankVersion.bank_id)
        .subquery()
    )
    closed = set(
        db.session.scalars(
            select(BankVersion.bank_id)
            .join(
                latest,
                (latest.c.bank_id == BankVersion.bank_id) & (latest.c.number == BankVersion.number),
            )
            .where(BankVersion.practice.is_(False))
        )
    )
    for exam in db.session.scalars(select(Exam)):
        if not exam_definition(exam).practice:
            closed.add(exam.bank_id)
    return closed


def practice_name(bank_id: int) -> str | None:
    """The bank's name if it may be practised (not in ``exam_only_bank_ids()``), else None:
    one query of the bank's exams, each row with the bank's name and latest ``practice``,
    not of every bank and exam (a failed result offers the practice link)."""
    rows = db.session.execute(_BANK_EXAMS, {"bank_id": bank_id}).all()
    if not rows or rows[0].practice is False:
        return None
    if any(not exam_definition(row.Exam).practice for row in rows):
        return None
    return rows[0].name


_BANK_EXAMS = (
    select(
        Exam,
        Bank.name,
        select(BankVersion.practice)
        .where(BankVersion.bank_id == bindparam("bank_id"))
        .order_by(BankVersion.number.desc())
        .limit(1)
        .scalar_subquery()
        .label("practice"),
    )
    .join(Bank, Bank.id == Exam.bank_id)
    .where(Exam.bank_id == bindparam("bank_id"))
)
