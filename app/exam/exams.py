"""Storing an exam definition (试卷规则): the one write path of the YAML import
(``flask exam import``), the admin form and the admin YAML editor, so every door checks
the same things: the size, the YAML, the code, the bank, and that the sittings still to
be taken can draw the changed exam from the bank version they pinned.
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select

from app.bank.services import load_version
from app.exam.catalog import version_index
from app.exam.sittings import ExamRefused
from app.extensions import db
from app.models import Bank, Exam, Sitting, User
from app.models.audit import record
from app.models.types import utcnow
from question_bank.diagnostics import Diagnostic
from question_bank.exam import SCORING_FIELDS, check_satisfiable
from question_bank.exam import Exam as ExamDefinition
from question_bank.exam_format import MAX_EXAM_BYTES, parse_exam
from question_bank.types import REGISTRY

FORM_NAME = "试卷规则"  # what the YAML checks call a definition typed on an admin page


class ExamInvalid(ExamRefused):
    """An exam refused with problems located in its YAML (line, column, field)."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__([d.format() for d in diagnostics])
        self.diagnostics = diagnostics


def save_exam(
    source: bytes,
    filename: str | None = None,
    actor: User | None = None,
    *,
    editing: Exam | None = None,
    new: bool = False,
) -> Exam:
    """Create or replace the exam the definition names, after every check.

    ``filename`` names the file in messages (none for the admin pages); ``editing`` is the
    exam an admin page replaces (its code cannot change); ``new`` refuses a code already
    used. Attempts already started keep the policy they copied when they began.
    """
    if len(source) > MAX_EXAM_BYTES:
        raise ExamRefused(["试卷规则过大，不应超过 1 MB"])
    definition, report = parse_exam(source, filename or FORM_NAME)
    if definition is None:
        raise ExamInvalid(report.ordered)
    exam = db.session.scalar(select(Exam).where(Exam.code == definition.code))
    if editing is not None and definition.code != editing.code:
        raise ExamInvalid(
            [Diagnostic(1, 1, f"试卷编号不能修改（应为“{editing.code}”）", field="exam")]
        )
    if new and exam is not None:
        raise ExamInvalid([Diagnostic(1, 1, f"试卷编号“{definition.code}”已被使用", field="exam")])
    bank = db.session.scalar(select(Bank).where(Bank.name == definition.bank))
    if bank is None:
        raise ExamRefused([_in(filename, f"题库“{definition.bank}”不存在；请先导入题库")])
    text = source.decode("utf-8-sig")
    before = exam.source if exam else None
    if before is not None and (
        before == text
        or _meaning(parse_exam(before.encode(), filename or FORM_NAME)[0]) == _meaning(definition)
    ):
        return exam  # unchanged (a form saved as served, or `make run`): no new entry
    if exam is not None:
        _check_pinned_versions(definition, exam)
    _, content = load_version(bank.name)
    shortfalls = check_satisfiable(definition, content)
    if shortfalls:
        raise ExamRefused([_in(filename, f"题库不能满足本试卷规则：{s}") for s in shortfalls])
    if exam is None:
        exam = Exam(code=definition.code)
        db.session.add(exam)
    exam.title, exam.bank, exam.source = definition.title, bank, text
    record(actor, "exam.save", definition.code, before=before, after=exam.source)
    db.session.commit()
    return exam


def _in(filename: str | None, message: str) -> str:
    return f"{filename}: {message}" if filename else message


def _meaning(definition: ExamDefinition | None) -> ExamDefinition | None:
    """The definition with every type's scoring spelled out: a form writes the default
    scoring that a hand-written file leaves out, and both mean the same."""
    if definition is None:
        return None
    defaults = {kind: REGISTRY[kind].default_scoring for kind in SCORING_FIELDS.values()}
    return replace(definition, scoring_modes={**defaults, **definition.scoring_modes})


def _check_pinned_versions(definition: ExamDefinition, exam: Exam) -> None:
    """Sittings not yet over draw from the bank version pinned when they were created;
    the changed exam must still be drawable from each of them."""
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
