"""Malformed banks: each problem is reported with its line, column, field and a fix."""

from __future__ import annotations

import pytest

from question_bank.bank_format import parse_bank

HEADER = """\
bank: demo
title: 演示题库
topics:
  charter: 党章
  branch: 支部工作条例
questions:
"""  # questions start on line 7

SINGLE = """\
  - id: q1
    type: single
    topic: charter
    stem: 党的最高领导机关是（　）。
    options:
      A: 党的全国代表大会和它所产生的中央委员会
      B: 中央政治局
    answer: A
    source: 党章第十条
"""


def bank(questions: str, header: str = HEADER) -> bytes:
    return (header + questions).encode()


# (case, file text, line, field, words the message must contain)
CASES = [
    (
        "unknown field with suggestion",
        SINGLE.replace("    answer: A", "    anwser: A"),
        14,
        "anwser",
        "是否应为“answer”",
    ),
    ("missing answer", SINGLE.replace("    answer: A\n", ""), 7, "answer", "缺少必填字段“answer”"),
    (
        "missing stem",
        SINGLE.replace("    stem: 党的最高领导机关是（　）。\n", ""),
        7,
        "stem",
        "缺少必填字段“stem”",
    ),
    ("missing type", SINGLE.replace("    type: single\n", ""), 7, "type", "缺少必填字段“type”"),
    (
        "missing topic",
        SINGLE.replace("    topic: charter\n", ""),
        7,
        "topic",
        "缺少必填字段“topic”",
    ),
    ("missing id", SINGLE.replace("  - id: q1\n    type", "  - type"), 7, "id", "缺少必填字段“id”"),
    (
        "empty stem",
        SINGLE.replace("stem: 党的最高领导机关是（　）。", "stem: ''"),
        10,
        "stem",
        "stem 不能为空",
    ),
    (
        "null stem",
        SINGLE.replace("stem: 党的最高领导机关是（　）。", "stem:"),
        10,
        "stem",
        "stem 不能为空",
    ),
    (
        "answer not an option",
        SINGLE.replace("answer: A", "answer: E"),
        14,
        "answer",
        "答案“E”不是本题的选项",
    ),
    (
        "single with two keys",
        SINGLE.replace("answer: A", "answer: AB"),
        14,
        "answer",
        "单选题只能有一个答案",
    ),
    ("unknown type", SINGLE.replace("type: single", "type: choice"), 8, "type", "题型“choice”未知"),
    (
        "unknown topic with list",
        SINGLE.replace("topic: charter", "topic: chrter"),
        9,
        "topic",
        "已列出的有：charter、branch",
    ),
    (
        "difficulty too high",
        SINGLE.replace("    source:", "    difficulty: 6\n    source:"),
        15,
        "difficulty",
        "1 到 5 之间的整数",
    ),
    (
        "difficulty zero",
        SINGLE.replace("    source:", "    difficulty: 0\n    source:"),
        15,
        "difficulty",
        "而不是“0”",
    ),
    (
        "difficulty not a number",
        SINGLE.replace("    source:", "    difficulty: 难\n    source:"),
        15,
        "difficulty",
        "而不是“难”",
    ),
    (
        "difficulty decimal",
        SINGLE.replace("    source:", "    difficulty: 2.5\n    source:"),
        15,
        "difficulty",
        "而不是“2.5”",
    ),
    (
        "duplicate option texts",
        SINGLE.replace("B: 中央政治局", "B: 党的全国代表大会和它所产生的中央委员会"),
        13,
        "options",
        "选项 B 与选项 A 的文字相同",
    ),
    (
        "duplicate option texts after NFKC",
        SINGLE.replace("A: 党的全国代表大会和它所产生的中央委员会", "A: ABC").replace(
            "B: 中央政治局", "B: ＡＢＣ"
        ),
        13,
        "options",
        "文字相同",
    ),
    (
        "options out of order",
        SINGLE.replace("      B: 中央政治局", "      C: 中央政治局"),
        13,
        "options",
        "此处应为“B”",
    ),
    (
        "one option only",
        SINGLE.replace("      B: 中央政治局\n", ""),
        12,
        "options",
        "应为 2 到 8 个",
    ),
    (
        "options as a list",
        SINGLE.replace(
            "      A: 党的全国代表大会和它所产生的中央委员会\n      B: 中央政治局",
            "      - 甲\n      - 乙",
        ),
        12,
        "options",
        "应为“键: 值”形式的映射",
    ),
    (
        "single without options",
        SINGLE.replace(
            "    options:\n      A: 党的全国代表大会和它所产生的中央委员会\n      B: 中央政治局\n",
            "",
        ),
        8,
        "options",
        "single 题缺少 options",
    ),
    (
        "duplicate key in question",
        SINGLE.replace(
            "    source: 党章第十条", "    source: 党章第十条\n    source: 党章第十一条"
        ),
        16,
        "source",
        "字段“source”重复（第一次出现在第 15 行）",
    ),
    (
        "empty option text",
        SINGLE.replace("B: 中央政治局", "B: ''"),
        13,
        "options",
        "options 不能为空",
    ),
    (
        "shuffle_options yes is text",
        SINGLE.replace("    source:", "    shuffle_options: yes\n    source:"),
        15,
        "shuffle_options",
        "YAML 1.2 中 yes/no 是文本",
    ),
    (
        "tags not a list",
        SINGLE.replace("    source:", "    tags: 组织\n    source:"),
        15,
        "tags",
        "tags 应为列表",
    ),
    (
        "stem is a list",
        SINGLE.replace("stem: 党的最高领导机关是（　）。", "stem: [a, b]"),
        10,
        "stem",
        "stem 应为文本，而不是列表",
    ),
    ("bad question id", SINGLE.replace("id: q1", "id: 第一题"), 7, "id", "题目编号“第一题”不合规"),
    ("question not a mapping", "  - 这不是题目\n", 7, "questions", "应为“键: 值”形式的映射"),
    (
        "duplicate question id",
        SINGLE + SINGLE.replace("stem: 党的最高领导机关是（　）。", "stem: 另一题（　）。"),
        16,
        "id",
        "题目编号“q1”重复（第一次出现在第 7 行）",
    ),
    (
        "multiple with one key",
        SINGLE.replace("type: single", "type: multiple").replace("answer: A", "answer: [A]"),
        14,
        "answer",
        "多选题至少要有两个正确选项",
    ),
    (
        "multiple with a repeated key",
        SINGLE.replace("type: single", "type: multiple").replace("answer: A", "answer: AAB"),
        14,
        "answer",
        "重复的选项",
    ),
    (
        "multiple key not an option",
        SINGLE.replace("type: single", "type: multiple").replace("answer: A", "answer: A,B,F"),
        14,
        "answer",
        "答案“F”不是本题的选项",
    ),
    (
        "judge with options",
        SINGLE.replace("type: single", "type: judge").replace("answer: A", "answer: true"),
        11,
        "options",
        "judge 题不应有 options",
    ),
    (
        "judge answer yes",
        "  - id: j1\n    type: judge\n    topic: charter\n    stem: 党员有表决权。\n    answer: yes\n    source: 党章\n",
        11,
        "answer",
        "判断题答案应为 true 或 false",
    ),
    (
        "fill blanks and answers differ",
        "  - id: f1\n    type: fill\n    topic: branch\n    stem: 正式党员____人以上的应当成立党支部。\n    answer: [三, 五]\n    source: 条例\n",
        11,
        "answer",
        "题干有 1 个空，答案却有 2 项",
    ),
    (
        "fill without a blank",
        "  - id: f1\n    type: fill\n    topic: branch\n    stem: 正式党员三人以上的应当成立党支部。\n    answer: [三]\n    source: 条例\n",
        11,
        "answer",
        "题干中没有填空位置",
    ),
    (
        "fill answer not a list",
        "  - id: f1\n    type: fill\n    topic: branch\n    stem: 正式党员____人以上。\n    answer: 三\n    source: 条例\n",
        11,
        "answer",
        "answer 应为列表",
    ),
    (
        "fill empty accepted list",
        "  - id: f1\n    type: fill\n    topic: branch\n    stem: 正式党员____人以上。\n    answer: [[]]\n    source: 条例\n",
        11,
        "answer",
        "空的可接受答案列表",
    ),
    (
        "tab indentation",
        SINGLE.replace("    topic: charter", "\ttopic: charter"),
        9,
        None,
        "用制表符（Tab）缩进",
    ),
    (
        "full-width colon",
        SINGLE.replace("    topic: charter", "    topic： charter"),
        9,
        "topic",
        "全角冒号",
    ),
    ("unclosed flow list", SINGLE.replace("answer: A", "answer: [A, B"), 14, None, "YAML 语法错误"),
    (
        "unclosed quote",
        SINGLE.replace("stem: 党的最高领导机关是（　）。", "stem: '党的最高"),
        10,
        None,
        "引号没有闭合",
    ),
]

HEADER_CASES = [
    ("missing bank", HEADER.replace("bank: demo\n", ""), 1, "bank", "缺少必填字段“bank”"),
    (
        "bad bank name",
        HEADER.replace("bank: demo", "bank: Demo Bank"),
        1,
        "bank",
        "题库名“Demo Bank”不合规",
    ),
    ("missing title", HEADER.replace("title: 演示题库\n", ""), 1, "title", "缺少必填字段“title”"),
    (
        "unknown top-level field",
        HEADER.replace("title: 演示题库", "title: 演示题库\ntitel: 重复"),
        3,
        "titel",
        "是否应为“title”",
    ),
    (
        "empty topics",
        HEADER.replace("  charter: 党章\n  branch: 支部工作条例\n", "  {}\n").replace(
            "topics:\n  {}", "topics: {}"
        ),
        3,
        "topics",
        "topics 为空",
    ),
    (
        "duplicate topic",
        HEADER.replace("  branch: 支部工作条例", "  charter: 又一个"),
        5,
        "charter",
        "字段“charter”重复",
    ),
    (
        "bad topic id",
        HEADER.replace("  branch: 支部工作条例", "  支部: 支部工作条例"),
        5,
        "topics",
        "主题编号“支部”不合规",
    ),
]


@pytest.mark.parametrize(
    ("case", "text", "line", "field", "words"),
    [(c[0], bank(c[1]), *c[2:]) for c in CASES]
    + [(c[0], bank(SINGLE, c[1]), *c[2:]) for c in HEADER_CASES],
    ids=[c[0] for c in CASES + HEADER_CASES],
)
def test_malformed_bank_is_reported_at_its_line_and_field(case, text, line, field, words):
    parsed, report = parse_bank(text, "demo.yaml")
    assert parsed is None, f"{case}: should be invalid"
    matches = [d for d in report.errors if words in d.message]
    assert matches, (
        f"{case}: no error mentions {words!r}; got {[d.format() for d in report.errors]}"
    )
    diagnostic = matches[0]
    assert diagnostic.line == line, diagnostic.format()
    assert diagnostic.field == field
    assert diagnostic.format().startswith(f"demo.yaml:{line}:{diagnostic.column}: 错误: ")


def test_every_problem_is_reported_not_just_the_first():
    text = bank(
        SINGLE.replace("answer: A", "answer: E")
        + SINGLE.replace("id: q1", "id: q2").replace("topic: charter", "topic: nowhere")
        + SINGLE.replace("id: q1", "id: q3")
        .replace("anwser", "x")
        .replace("    source:", "    difficulty: 9\n    source:")
    )
    _, report = parse_bank(text, "demo.yaml")
    assert [(d.question_id, d.field) for d in report.errors] == [
        ("q1", "answer"),
        ("q2", "topic"),
        ("q3", "difficulty"),
    ]


def test_error_messages_name_the_question():
    _, report = parse_bank(bank(SINGLE.replace("answer: A", "answer: E")), "demo.yaml")
    assert report.errors[0].question_id == "q1"
    assert "题目 q1" in report.errors[0].message


def test_questions_with_errors_are_not_returned_even_if_others_are_fine():
    parsed, report = parse_bank(
        bank(SINGLE + SINGLE.replace("id: q1", "id: q2").replace("answer: A", "answer: Z"))
    )
    assert parsed is None
    assert len(report.errors) == 1


def test_missing_source_and_same_stem_are_warnings_not_errors():
    second = SINGLE.replace("id: q1", "id: q2").replace("    source: 党章第十条\n", "")
    parsed, report = parse_bank(bank(SINGLE + second), "demo.yaml")
    assert parsed is not None
    assert report.errors == []
    messages = [(d.line, d.field, d.message) for d in report.warnings]
    assert any(field == "source" and "缺少 source" in m for _, field, m in messages)
    assert any(field == "stem" and "题干与题目 q1 相同" in m for _, field, m in messages)
