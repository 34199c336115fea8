"""``flask bank convert / validate / import`` in every format, without and with a database."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from app.bank.services import load_version
from question_bank.bank_format import parse_bank
from question_bank.formats import read_bank

SHIPPED = Path(__file__).resolve().parents[2] / "question_bank" / "banks" / "party-basics.yaml"
FIXTURES = Path(__file__).resolve().parents[1] / "question_bank" / "formats" / "fixtures"


def test_convert_between_formats_by_extension_keeps_the_bank(runner, tmp_path):
    original, _ = parse_bank(SHIPPED.read_bytes())
    sheet = tmp_path / "bank.xlsx"
    result = runner.invoke(args=["bank", "convert", str(SHIPPED), "-o", str(sheet)])
    assert result.exit_code == 0, result.output
    assert f"已写出 {len(original.questions)} 道题（Excel（.xlsx））" in result.output
    back = tmp_path / "back.yaml"
    assert runner.invoke(args=["bank", "convert", str(sheet), "-o", str(back)]).exit_code == 0
    assert parse_bank(back.read_bytes())[0] == original


def test_convert_names_every_dropped_question(runner, tmp_path):
    out = tmp_path / "single.txt"
    result = runner.invoke(args=["bank", "convert", str(SHIPPED), "-o", str(out), "--to", "aiken"])
    assert result.exit_code == 0, result.output
    original, _ = parse_bank(SHIPPED.read_bytes())
    others = [q.id for q in original.questions if q.type != "single"]
    for qid in others:
        assert f"未导出 {qid}：Aiken 只能表示单选题" in result.output
    assert f"未导出 {len(others)} 道" in result.output
    kept = len(original.questions) - len(others)
    assert len(read_bank(out.read_bytes(), "x.txt").bank.questions) == kept


def test_convert_takes_the_bank_id_and_title_a_format_lacks(runner, tmp_path):
    out = tmp_path / "bank.yaml"
    result = runner.invoke(
        args=[
            "bank", "convert", str(FIXTURES / "good.gift"), "-o", str(out),
            "--bank", "from-gift", "--title", "GIFT 题库",
        ]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    bank, _ = parse_bank(out.read_bytes())
    assert (bank.name, bank.title) == ("from-gift", "GIFT 题库")


def test_validate_reports_source_positions_and_refuses_unknown_extensions(runner, tmp_path):
    result = runner.invoke(args=["bank", "validate", str(FIXTURES / "broken.xlsx")])
    assert result.exit_code == 1
    assert (
        "broken.xlsx:2:6: 错误: “题目”工作表第 2 行“答案”列（F）：题目 q1：答案“E”不是本题的选项"
        in (result.output)
    )
    odd = tmp_path / "bank.pdf"
    odd.write_bytes(b"%PDF")
    result = runner.invoke(args=["bank", "validate", str(odd)])
    assert result.exit_code == 1 and "无法从扩展名“.pdf”判断格式" in result.output


def test_import_a_word_paper_keeps_the_file(runner, ctx):
    paper = FIXTURES / "paper.docx"
    result = runner.invoke(args=["bank", "import", str(paper), "--bank", "paper"])
    assert result.exit_code == 0, result.output
    version, content = load_version("paper")
    assert len(content.questions) == 5 and content.title == "党务基本知识测试卷"
    assert (version.source_name, version.source_data) == ("paper.docx", paper.read_bytes())


def test_export_to_another_format(runner, ctx, tmp_path):
    assert runner.invoke(args=["bank", "import", str(SHIPPED)]).exit_code == 0
    out = tmp_path / "bank.xml"
    result = runner.invoke(args=["bank", "export", "party-basics", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "此格式不保存：互斥题" in result.output
    original, _ = parse_bank(SHIPPED.read_bytes())
    assert read_bank(out.read_bytes(), "bank.xml").bank.questions == tuple(
        replace(q, excludes=()) for q in original.questions
    )
