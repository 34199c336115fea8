"""One write path for exams (issue 9, item 4): the YAML import and the admin pages store
an exam through ``save_exam`` and are held to the same checks."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import func, select

from app.bank.services import publish
from app.exam.exams import ExamInvalid, save_exam
from app.exam.sittings import ExamRefused
from app.extensions import db
from app.models import AuditEntry, Exam
from tests.app.exam_fixtures import MINI_EXAM, open_sitting, shipped_bank

SOURCE = MINI_EXAM.replace("{when}", "immediately")


def mini() -> Exam:
    return db.session.scalar(select(Exam).where(Exam.code == "mini"))


def test_importing_an_exam_its_open_sitting_cannot_draw_is_refused(runner, ctx, tmp_path):
    """The import used to skip the check the admin pages made: a sitting not yet over
    draws from the bank version it pinned, so its exam cannot move to another bank."""
    open_sitting(())
    publish(replace(shipped_bank(), name="other-bank"))
    path = tmp_path / "mini.yaml"
    path.write_text(SOURCE.replace("bank: party-basics", "bank: other-bank"), encoding="utf-8")

    result = runner.invoke(args=["exam", "import", str(path)])

    assert result.exit_code == 1
    assert "场次“测试场次”使用题库 party-basics，不能改为 other-bank" in result.output
    assert mini().bank.name == "party-basics"


def test_a_new_exam_may_not_take_a_code_in_use(ctx):
    open_sitting(())
    with pytest.raises(ExamInvalid) as refused:
        save_exam(SOURCE.encode(), new=True)
    assert [d.message for d in refused.value.diagnostics] == ["试卷编号“mini”已被使用"]


def test_an_edit_may_not_change_the_exam_code(ctx):
    open_sitting(())
    with pytest.raises(ExamInvalid) as refused:
        save_exam(SOURCE.replace("exam: mini", "exam: other").encode(), editing=mini())
    assert [d.message for d in refused.value.diagnostics] == ["试卷编号不能修改（应为“mini”）"]
    assert db.session.scalar(select(func.count(Exam.id))) == 1


def test_an_oversized_definition_is_refused_before_it_is_read(ctx):
    open_sitting(())
    with pytest.raises(ExamRefused) as refused:
        save_exam(SOURCE.encode() + b"#" * (1024 * 1024), "mini.yaml")
    assert refused.value.messages == ["试卷规则过大，不应超过 1 MB"]


def test_an_unchanged_import_adds_no_audit_entry_and_names_its_file_in_problems(ctx):
    open_sitting(())
    entries = db.session.scalar(select(func.count(AuditEntry.id)))
    assert save_exam(SOURCE.encode(), "mini.yaml") == mini()
    assert db.session.scalar(select(func.count(AuditEntry.id))) == entries
    with pytest.raises(ExamRefused) as refused:
        save_exam(SOURCE.replace("party-basics", "no-such-bank").encode(), "mini.yaml")
    assert refused.value.messages == ["mini.yaml: 题库“no-such-bank”不存在；请先导入题库"]
