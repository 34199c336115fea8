"""Exam pages: the list (with sittings), the structured form and the YAML editor."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from wtforms import Field, FieldList, FormField

from app.admin.exams.design import SEED_BITS, bank_coverage, new_seed, try_sample
from app.admin.exams.exam_yaml import ExamYaml, build_exam_yaml, form_data
from app.admin.exams.forms import SECTION_ROWS, ExamForm, ExamYamlForm
from app.admin.exams.queries import bank_choices, exam_rows, started_attempts
from app.admin.sittings.listing import sitting_rows
from app.bounds import query_int
from app.exam.catalog import exam_definition
from app.exam.exams import FORM_NAME, ExamInvalid, save_exam
from app.exam.sittings import ExamRefused
from app.form_words import field_labels, in_form_words
from app.lookup import get_or_404
from app.models import Exam
from app.models.types import utcnow
from question_bank.exam_format import parse_exam
from question_bank.model import QUESTION_TYPES

NEW_EXAM = {
    "shuffle_questions": True,
    "shuffle_options": True,
    "review_show": "keys",
    "sections": [{"type": t} for t in QUESTION_TYPES],
}
YAML_TEMPLATE = """\
exam: new-exam
title: 新试卷
bank: party-basics
time_limit_minutes: 45
pass_mark: 60%
multiple_scoring: all_or_nothing
review: {show: keys, from: after_close}
sections:
  - {type: single, count: 20, points: 2}
"""


def index():
    return render_template(
        "admin/exams/index.html", exams=exam_rows(), sittings=sitting_rows(utcnow())
    )


def new_exam():
    return _structured(None)


def edit_exam(exam_id: int):
    return _structured(get_or_404(Exam, exam_id))


def _structured(exam: Exam | None):
    """The structured form: it writes exam YAML, and the YAML checks decide. 检查题库容量
    and 预览样卷 check the form against the bank, or draw a paper from it, without saving."""
    initial = NEW_EXAM if exam is None else form_data(exam.source)
    if initial is None:
        return redirect(url_for("admin_exams.edit_exam_yaml", exam_id=exam.id))
    used = {row.get("type") for row in initial["sections"]}
    spare = [{"type": kind} for kind in QUESTION_TYPES if kind not in used]
    form = ExamForm(data={**initial, "sections": (initial["sections"] + spare)[:SECTION_ROWS]})
    form.bank.choices = bank_choices()
    problems: list[str] = []
    definition = exam_definition(exam) if exam is not None else None
    paper = None
    if form.validate_on_submit():
        built = build_exam_yaml({**form.data, "code": exam.code if exam else form.code.data})
        definition, report = parse_exam(built.source.encode(), FORM_NAME)
        if form.check.data or form.sample.data:  # look, do not save
            if definition is None:
                problems = _place_problems(form, built, ExamInvalid(report.ordered))
            elif form.sample.data:
                paper, problems = try_sample(definition, new_seed())
        else:
            try:
                saved = save_exam(
                    built.source.encode(), actor=current_user, editing=exam, new=exam is None
                )
            except ExamRefused as refused:
                problems = _place_problems(form, built, refused)
            else:
                flash(f"已保存试卷规则 {saved.code}（{saved.title}）", "success")
                return redirect(url_for("admin_exams.index"))
    bank = definition.bank if definition else form.bank.data or _first(form.bank.choices)
    return render_template(
        "admin/exams/exam_form.html", form=form, exam=exam, problems=problems, paper=paper,
        design=bank_coverage(bank, definition), checked=bool(form.check.data), **_context(exam),
    )  # fmt: skip


def _context(exam: Exam | None) -> dict:
    return {"started": started_attempts(exam) if exam else 0}


def _first(choices) -> str | None:
    return choices[0].value if choices else None


def sample(exam_id: int):
    """One paper drawn with a random seed (or ``?seed=``), keys shown; no attempt made."""
    exam = get_or_404(Exam, exam_id)
    seed = query_int("seed", low=0, high=2**SEED_BITS - 1)
    seed = new_seed() if seed is None else seed
    paper, problems = try_sample(exam_definition(exam), seed)
    page = render_template("admin/exams/sample.html", exam=exam, paper=paper, problems=problems)
    return page, 200, {"Cache-Control": "no-store"}


def _place_problems(form: ExamForm, built: ExamYaml, refused: ExamRefused) -> list[str]:
    """Put each located problem beside its field; the rest are shown above the form."""
    if not isinstance(refused, ExamInvalid):
        return refused.messages
    fields, labels = dict(_walk(form)), field_labels(form)
    rest = []
    for diagnostic in refused.diagnostics:
        field = fields.get(built.field_of(diagnostic) or "")
        message = in_form_words(diagnostic.message, labels)
        if field is None:
            rest.append(message)
        else:
            field.errors = [*field.errors, message]
    return rest


def _walk(form) -> list[tuple[str, Field]]:
    found = []
    for field in form:
        if isinstance(field, FieldList):
            for entry in field:
                found += _walk(entry.form) if isinstance(entry, FormField) else []
        else:
            found.append((field.name, field))
    return found


def new_exam_yaml():
    return _raw(None)


def edit_exam_yaml(exam_id: int):
    return _raw(get_or_404(Exam, exam_id))


def _raw(exam: Exam | None):
    """The YAML editor for power users: the same checks, problems shown by line."""
    form = ExamYamlForm(data={"source": exam.source if exam else YAML_TEMPLATE})
    diagnostics, problems = [], []
    if form.validate_on_submit():
        try:
            saved = save_exam(
                form.source.data.encode(), actor=current_user, editing=exam, new=exam is None
            )
        except ExamInvalid as invalid:
            diagnostics = invalid.diagnostics
        except ExamRefused as refused:
            problems = refused.messages
        else:
            flash(f"已保存试卷规则 {saved.code}（{saved.title}）", "success")
            return redirect(url_for("admin_exams.index"))
    return render_template(
        "admin/exams/exam_yaml.html",
        form=form,
        exam=exam,
        diagnostics=diagnostics,
        problems=problems,
        **_context(exam),
    )
