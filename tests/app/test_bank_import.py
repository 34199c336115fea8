"""``flask bank``: import publishes versions atomically; export gives the same content back."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.bank.services import load_version, publish
from app.extensions import db
from app.models import AuditEntry, Bank, BankVersion, QuestionRevision
from question_bank.bank_format import parse_bank
from question_bank.model import Bank as BankContent

SHIPPED = Path(__file__).resolve().parents[2] / "question_bank" / "banks" / "party-basics.yaml"

BANK = """\
bank: demo
title: 演示题库
topics:
  charter: 党章
questions:
  - id: q1
    type: single
    topic: charter
    stem: 党的最高领导机关是（　）。
    options: {A: 全国代表大会和中央委员会, B: 中央政治局}
    answer: A
    source: 党章第十条
  - id: q2
    type: judge
    topic: charter
    stem: 预备党员的预备期为一年。
    answer: true
    source: 党章第七条
  - id: q3
    type: fill
    topic: charter
    stem: 党员有____和选举权。
    answer: [表决权]
    source: 党章第四条
"""


def write(tmp_path: Path, text: str, name: str = "demo.yaml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def counts() -> tuple[int, int, int]:
    return (
        db.session.scalar(select(func.count()).select_from(Bank)),
        db.session.scalar(select(func.count()).select_from(BankVersion)),
        db.session.scalar(select(func.count()).select_from(QuestionRevision)),
    )


def test_validate_exit_codes_and_messages(runner, tmp_path):
    good = runner.invoke(args=["bank", "validate", write(tmp_path, BANK)])
    assert good.exit_code == 0 and "有效（3 道题" in good.output
    bad_path = write(tmp_path, BANK.replace("answer: A", "answer: E"), "bad.yaml")
    bad = runner.invoke(args=["bank", "validate", bad_path])
    assert bad.exit_code == 1
    assert f"{bad_path}:11:13: 错误: 题目 q1：答案“E”不是本题的选项" in bad.output


def test_import_publishes_versions_only_on_change(runner, tmp_path, ctx):
    first = runner.invoke(args=["bank", "import", write(tmp_path, BANK)])
    assert "已发布 demo 第 1 版：新增 3，修改 0，停用 0" in first.output
    again = runner.invoke(args=["bank", "import", write(tmp_path, BANK)])
    assert "无变化，未发布新版本" in again.output
    edited = BANK.replace(
        "预备党员的预备期为一年。", "预备党员的预备期为一年（从支部大会通过之日算起）。"
    )
    edited = (
        edited.split("  - id: q3")[0]
        + "  - id: q4\n    type: judge\n    topic: charter\n    stem: 新题。\n    answer: 错\n    source: 党章\n"
    )
    second = runner.invoke(args=["bank", "import", write(tmp_path, edited)])
    assert "已发布 demo 第 2 版：新增 1，修改 1，停用 1，未变 1" in second.output
    assert counts() == (1, 2, 5)
    listing = runner.invoke(args=["bank", "list"])
    assert "demo\t第 2 版\t3 道题" in listing.output
    audit = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [a.action for a in audit] == ["bank.publish", "bank.publish"]


def test_versions_pin_revisions_and_retire_without_deleting(runner, tmp_path, ctx):
    runner.invoke(args=["bank", "import", write(tmp_path, BANK)])
    runner.invoke(
        args=[
            "bank",
            "import",
            write(
                tmp_path,
                BANK.replace("党员有____和选举权。", "党员有____权和选举权。").split("  - id: q2")[
                    0
                ],
            ),
        ]
    )
    _, v1 = load_version("demo", 1)
    _, v2 = load_version("demo", 2)
    assert [q.id for q in v1.questions] == ["q1", "q2", "q3"]
    assert v1.questions[2].stem == "党员有____和选举权。"  # the old version is unchanged
    assert [q.id for q in v2.questions] == ["q1"]  # q2, q3 retired
    revisions = db.session.scalars(select(QuestionRevision).order_by(QuestionRevision.id)).all()
    assert [(r.question_key, r.revision) for r in revisions] == [("q1", 1), ("q2", 1), ("q3", 1)]
    # q1 is the same revision row in both versions.
    v1_row, v2_row = db.session.scalars(select(BankVersion).order_by(BankVersion.number)).all()
    assert {i.question_revision_id for i in v1_row.items} >= {
        i.question_revision_id for i in v2_row.items
    }


def test_a_returning_question_gets_a_new_revision_when_changed(ctx):
    content, _ = parse_bank(BANK.encode())
    publish(content)
    publish(BankContent(content.name, content.title, content.topics, content.questions[:1]))
    changed = content.questions[1].__class__(**{**content.questions[1].__dict__, "difficulty": 5})
    result = publish(
        BankContent(content.name, content.title, content.topics, (content.questions[0], changed))
    )
    assert (result.version, result.added, result.changed, result.retired) == (3, 1, 0, 0)
    rows = db.session.execute(
        select(QuestionRevision.question_key, QuestionRevision.revision).where(
            QuestionRevision.question_key == "q2"
        )
    ).all()
    assert sorted(rows) == [("q2", 1), ("q2", 2)]


def test_export_then_import_is_identical_for_the_shipped_bank(runner, tmp_path, ctx):
    imported = runner.invoke(args=["bank", "import", str(SHIPPED)])
    assert imported.exit_code == 0, imported.output
    out = tmp_path / "export.yaml"
    exported = runner.invoke(
        args=["bank", "export", "party-basics", "--version", "1", "-o", str(out)]
    )
    assert exported.exit_code == 0, exported.output
    original, _ = parse_bank(SHIPPED.read_bytes())
    again, report = parse_bank(out.read_bytes())
    assert report.errors == [] and again == original
    reimport = runner.invoke(args=["bank", "import", str(out)])
    assert "无变化" in reimport.output


def test_a_bank_with_any_error_imports_nothing(runner, tmp_path, ctx):
    good = write(tmp_path, BANK.replace("bank: demo", "bank: other"), "good.yaml")
    bad = write(tmp_path, BANK.replace("answer: A", "answer: E"), "bad.yaml")
    result = runner.invoke(args=["bank", "import", good, bad])
    assert result.exit_code == 1 and "未导入任何内容" in result.output
    assert counts() == (0, 0, 0)


@pytest.mark.parametrize(
    "hostile",
    [
        b"a: &a [x, x]\n"
        + b"".join(
            b"b%d: &b%d [*%s, *%s, *%s, *%s, *%s, *%s, *%s, *%s]\n"
            % ((i, i) + (b"a" if i == 0 else b"b%d" % (i - 1),) * 8)
            for i in range(12)
        ),
        "题库: 中文\n".encode("gbk"),
        b"\t- x\n",
    ],
)
def test_hostile_files_import_nothing(runner, tmp_path, ctx, hostile):
    path = tmp_path / "hostile.yaml"
    path.write_bytes(hostile)
    result = runner.invoke(args=["bank", "import", str(path)])
    assert result.exit_code == 1 and "错误" in result.output
    assert counts() == (0, 0, 0)


def test_oversize_file_is_refused_before_reading(runner, tmp_path, app, ctx):
    path = tmp_path / "big.yaml"
    with path.open("wb") as handle:
        handle.truncate(app.config["BANK_MAX_BYTES"] + 1)
    result = runner.invoke(args=["bank", "import", str(path)])
    assert result.exit_code == 1 and "文件过大" in result.output
    assert counts() == (0, 0, 0)


def test_a_failing_import_leaves_the_database_as_it_was(ctx):
    content, _ = parse_bank(BANK.encode())
    publish(content)
    before = counts()
    # Two questions with one id pass no validator; the database refuses the second
    # revision row midway through the import, after the version row was written.
    broken = BankContent(
        "demo",
        "改",
        content.topics,
        (content.questions[0].__class__(**{**content.questions[0].__dict__, "stem": "甲"}),) * 2,
    )
    broken = BankContent(
        "demo",
        "改",
        content.topics,
        (
            broken.questions[0],
            broken.questions[0].__class__(**{**broken.questions[0].__dict__, "stem": "乙"}),
        ),
    )
    with pytest.raises(IntegrityError):
        publish(broken)
    assert counts() == before
    assert load_version("demo")[1] == content


def test_check_leaks_lists_the_named_pairs_of_the_shipped_bank(runner):
    result = runner.invoke(args=["bank", "check-leaks", str(SHIPPED)])
    assert result.exit_code == 0, result.output
    for giver, taker in [
        ("organs-0035", "charter-0043"),
        ("organs-0038", "education-0036"),
        ("charter-0038", "education-0036"),
        ("dues-0043", "organs-0039"),
        ("political-life-0049", "political-life-0035"),
        ("political-life-0045", "political-life-0014"),
    ]:
        assert f"{giver} → {taker}\t已标记 excludes" in result.output
