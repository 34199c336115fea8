"""YAML syntax errors point at the line to fix and speak only Chinese (issue 13, defect 15)."""

from __future__ import annotations

import re

import pytest

from question_bank.bank_format import parse_bank

HEAD = "bank: b\nquestions:\n  - id: q1\n"
ENGLISH = re.compile(r"while|found|expected|scalar|mapping|sequence|token|stream", re.I)

# (mistake, file text, line, column, words of the message)
MISTAKES = [
    ("unclosed double quote", HEAD + '    stem: "党的\n    answer: A\n', 4, 11, "引号没有闭合"),
    ("unclosed single quote", HEAD + "    stem: '党的\n    answer: A\n", 4, 11, "引号没有闭合"),
    (
        "field indented less",
        HEAD + "    stem: 党的\n   answer: A\n",
        5,
        4,
        "缩进不一致：这一行没有和上面同一列表的“- ”对齐",
    ),
    (
        "field indented more",
        HEAD + "    stem: 党的\n      answer: A\n",
        5,
        13,
        "这一行可能比上一行的字段缩进得更深",
    ),
    ("no space after colon", HEAD + "    stem:党的\n    answer: A\n", 4, 5, "缺少“: ”"),
    ("stray dash", HEAD + "    stem: 党的\n    -\n    answer: A\n", 5, 5, "是否有多余的“-”"),
    ("unclosed bracket", HEAD + "    answer: [A, B\n    stem: 党的\n", 4, 13, "方括号“[”没有闭合"),
    (
        "unclosed brace",
        HEAD + "    options: {A: 1, B: 2\n    stem: 党的\n",
        4,
        14,
        "花括号“{”没有闭合",
    ),
    ("colon in text", HEAD + "    stem: 注意: 党的\n", 4, 13, "文字中含有“: ”"),
    ("at sign", HEAD + "    stem: @党的\n", 4, 11, "不能作为开头的字符“@”"),
    ("bad escape", HEAD + '    stem: "党\\q的"\n', 4, 13, "不是有效的转义字符"),
    ("text after a quote", HEAD + '    stem: "党的" 二十大\n', 4, 16, "引号后是否还有文字"),
]


@pytest.mark.parametrize(
    ("mistake", "text", "line", "column", "words"), MISTAKES, ids=[m[0] for m in MISTAKES]
)
def test_syntax_errors_point_at_the_line_to_fix_in_chinese(mistake, text, line, column, words):
    bank, report = parse_bank(text.encode(), "b.yaml")
    assert bank is None
    [error] = report.errors
    assert (error.line, error.column) == (line, column), error.format()
    assert words in error.message, error.message
    assert error.message.startswith("YAML 语法错误：")
    assert not ENGLISH.search(error.message), error.message
