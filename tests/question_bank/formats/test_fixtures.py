"""Fixture files of every format: what good files hold, and the exact message and
position each broken one gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from question_bank.formats import read_bank

FIXTURES = Path(__file__).parent / "fixtures"


def read(name: str):
    return read_bank((FIXTURES / name).read_bytes(), name)


def errors(name: str) -> list[tuple[int, int, str]]:
    result = read(name)
    assert result.bank is None
    return [(d.line, d.column, d.message) for d in result.report.errors]


def summary(name: str) -> list[tuple]:
    bank = read(name).bank
    assert bank is not None, [d.format() for d in read(name).report.errors]
    return [(q.id, q.type, q.topic, q.options, q.keys, q.blanks) for q in bank.questions]


# --- good files --------------------------------------------------------------------------


def test_excel_reads_numbers_and_dates_as_shown_and_the_bank_sheet():
    result = read("good.xlsx")
    bank = result.bank
    assert (bank.name, bank.title) == ("demo-xlsx", "Excel 演示题库")
    assert dict(bank.topics) == {
        "charter": "中国共产党章程",
        "education": "中国共产党党员教育管理工作条例",
    }
    by_id = {q.id: q for q in bank.questions}
    assert by_id["history-0001"].options == (("A", "1921"), ("B", "1927"), ("C", "1949"))
    assert by_id["history-0001"].topic == "charter", "a topic given by its title"
    assert by_id["history-0001"].shuffle_options is False
    assert by_id["education-0052"].blanks == (("5月6日",),), "a date cell as the text shown"
    assert by_id["charter-0001"].tags == ("组织原则", "领导机关")
    assert by_id["charter-0002"].keys == ("A", "B", "C") and by_id["charter-0002"].difficulty == 3
    assert by_id["charter-0003"].keys == ("true",)
    assert len(bank.questions) == 5, "the empty row is skipped"


def test_word_paper_in_the_usual_layout():
    result = read("paper.docx")
    assert result.bank.title == "党务基本知识测试卷"
    assert summary("paper.docx") == [
        ("q-0001", "single", "general",
         (("A", "党的全国代表大会和它所产生的中央委员会"), ("B", "中央政治局"), ("C", "中央书记处")), ("A",), ()),
        ("q-0002", "single", "general", (("A", "1921"), ("B", "1927"), ("C", "1949")), ("A",), ()),
        ("q-0003", "multiple", "general",
         (("A", "警告"), ("B", "严重警告"), ("C", "撤销党内职务"), ("D", "降级")), ("A", "B", "C"), ()),
        ("q-0004", "judge", "general", (), ("true",), ()),
        ("q-0005", "fill", "general", (), (), (("基本单元",), ("战斗堡垒", "堡垒"))),
    ]  # fmt: skip
    first = result.bank.questions[0]
    assert (first.explanation, first.source) == ("党章第十条。", "《中国共产党章程》第十条")
    assert (
        result.bank.questions[4].stem == "党支部是党的组织体系的____，是党在社会基层组织中的____。"
    )
    assert dict(result.bank.topics) == {"general": "综合"}


def test_moodle_xml_categories_fractions_and_skipped_types():
    result = read("good.moodle.xml")
    assert dict(result.bank.topics) == {"charter": "中国共产党章程", "topic-2": "支部工作"}
    assert summary("good.moodle.xml") == [
        ("charter-0001", "single", "charter",
         (("A", "党的全国代表大会和它所产生的中央委员会"), ("B", "中央政治局")), ("A",), ()),
        ("q-0002", "multiple", "charter", (("A", "警告"), ("B", "严重警告"), ("C", "降级")), ("A", "B"), ()),
        ("branch-0001", "judge", "topic-2", (), ("true",), ()),
        ("branch-0002", "fill", "topic-2", (), (), (("战斗堡垒", "战斗堡垒作用"),)),
    ]  # fmt: skip
    first = result.bank.questions[0]
    assert (first.stem, first.explanation) == ("党的最高领导机关是（　）。", "党章第十条。")
    assert result.bank.questions[1].shuffle_options is False
    skipped = [d for d in result.report.warnings if "essay" in d.message]
    assert [(d.line, d.message) for d in skipped] == [
        (42, "跳过了题型为“essay”的题目：题库没有对应的题型")
    ]


def test_gift_categories_weights_blanks_and_escapes():
    result = read("good.gift")
    assert dict(result.bank.topics) == {
        "topic-1": "中国共产党章程",
        "topic-2": "中国共产党支部工作条例（试行）",
    }
    assert [(q.id, q.type, q.keys, q.blanks) for q in result.bank.questions] == [
        ("charter-0001", "single", ("A",), ()),
        ("charter-0002", "multiple", ("A", "B", "C"), ()),
        ("charter-0003", "judge", ("true",), ()),
        ("branch-0001", "fill", (), (("战斗堡垒", "战斗堡垒作用"),)),
        ("branch-0002", "single", ("A",), ()),
    ]
    assert result.bank.questions[0].explanation == "党章第十条。"
    assert result.bank.questions[3].stem == "党支部是党在社会基层组织中的____。"
    assert result.bank.questions[4].stem == "比例写作 1:2，答案中含等号 a=b 也可以。"


def test_aiken_single_choice_with_default_bank_and_topic():
    result = read("good.aiken.txt")
    assert (result.bank.name, result.bank.title, result.bank.topics) == (
        "imported", "导入的题库", (("general", "综合"),),
    )  # fmt: skip
    assert summary("good.aiken.txt")[1] == (
        "q-0002", "single", "general", (("A", "1921"), ("B", "1927")), ("A",), (),
    )  # fmt: skip


# --- broken files: every problem, where it is --------------------------------------------

BROKEN = {
    "broken.xlsx": [
        (1, 7, "“题目”工作表第 1 行 G 列：未知的列名“备注”；可用的列名：编号、题型、主题、难度、题干、"
         "选项A、选项B、选项C、选项D、选项E、选项F、选项G、选项H、答案、解析、出处、标签、选项乱序、互斥题"),
        (2, 6, "“题目”工作表第 2 行“答案”列（F）：题目 q1：答案“E”不是本题的选项；可选的是 A、B"),
        (3, 2, "“题目”工作表第 3 行“题型”列（B）：题目 q2：题型“问答”未知；"
         "应为 single（单选）、multiple（多选）、judge（判断）、fill（填空）、ordering（排序） 之一"),
        (4, 1, "“题目”工作表第 4 行：题目 q3：缺少必填字段“stem”"),
    ],
    "broken.docx": [
        (6, 1, "第 6 段：题目 q-0001：答案“E”不是本题的选项；可选的是 A、B"),
        (7, 1, "第 7 段：无法识别这一段“这一段既不是题目也不是选项”；应为题号开头的题干、选项（A. ……）或“答案：”等行"),
        (10, 1, "第 10 段：题目 q-0002：题干有 2 个空，答案却有 1 项；每个空对应一项答案"),
    ],
    "broken.moodle.xml": [(12, 5, "XML 格式有误（mismatched tag）；请检查此处的标签是否成对、是否完整")],
    "no_key.moodle.xml": [(3, 1, "题目 q1：answer 不能为空；请填写内容")],
    "entities.moodle.xml": [(1, 1, "XML 文件含有 DTD 或实体声明；为安全起见不予读取，请删除后再导入")],
    "broken.gift": [
        (1, 1, "找不到答案部分“{……}”；GIFT 的每道题都要用花括号写出答案"),
        (3, 1, "答案部分无法识别；应为 {=对 ~错}、{~%50%甲 ~%50%乙 ~%-100%丙}、{T}/{F} 或 {=答案}"),
        (7, 1, "题目 q3：题目编号“q3”重复（第一次出现在第 5 行）；每道题的 id 必须唯一"),
    ],
    "broken.aiken.txt": [
        (4, 1, "题目 q-0001：答案“E”不是本题的选项；可选的是 A、B"),
        (8, 1, "无法识别这一行“这一行不是选项”；应为选项（A. ……）或“ANSWER: A”"),
        (12, 1, "这道题缺少“ANSWER: 字母”一行；每道题以答案行结束，题与题之间空一行"),
    ],
}  # fmt: skip


@pytest.mark.parametrize("name", BROKEN)
def test_broken_files_give_each_message_at_its_place(name):
    assert errors(name) == BROKEN[name]


def test_a_file_that_is_not_what_its_extension_says():
    for name in ("fake.xlsx", "fake.docx"):
        result = read_bank(b"not a zip archive", name)
        assert result.bank is None
        [error] = result.report.errors
        assert "另存为" in error.message


def test_a_gbk_text_file_is_named_as_such():
    result = read_bank("党的最高领导机关是？\nA. 甲\nB. 乙\nANSWER: A\n".encode("gbk"), "q.txt")
    [error] = result.report.errors
    assert "GB18030/GBK" in error.message


def test_a_word_answer_given_twice_is_reported_not_overwritten(tmp_path):
    import docx

    document = docx.Document()
    for text in ["1. 预备党员的预备期为一年。", "答案：对", "参考答案", "1. 错"]:
        document.add_paragraph(text)
    document.save(tmp_path / "twice.docx")
    result = read_bank((tmp_path / "twice.docx").read_bytes(), "twice.docx")
    assert [(d.line, d.message) for d in result.report.errors] == [
        (4, "第 4 段：这道题的“答案”已在第 2 段写过；每道题只写一次")
    ]


def test_moodle_ordering_items_are_placed_by_their_fractions():
    xml = """<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="ordering">
    <name><text>order-1</text></name>
    <questiontext format="plain_text"><text>按召开顺序排列：</text></questiontext>
    <answer fraction="2"><text>遵义会议</text></answer>
    <answer fraction="1"><text>中共一大</text></answer>
    <answer fraction="3"><text>七届二中全会</text></answer>
  </question>
</quiz>
""".encode()
    [question] = read_bank(xml, "order.xml").bank.questions
    assert (question.type, question.keys) == ("ordering", ("B", "A", "C"))
    assert question.options[1] == ("B", "中共一大")


def test_a_word_ordering_section(tmp_path):
    import docx

    document = docx.Document()
    for text in ["一、排序题", "1. 按召开顺序排列：", "A. 遵义会议", "B. 中共一大", "答案：BA"]:
        document.add_paragraph(text)
    document.save(tmp_path / "order.docx")
    [question] = read_bank((tmp_path / "order.docx").read_bytes(), "order.docx").bank.questions
    assert (question.type, question.keys) == ("ordering", ("B", "A"))
