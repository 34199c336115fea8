"""Helpers of the line-based formats (GIFT, Aiken): decoding, places, the bank shape."""

from __future__ import annotations

from question_bank.diagnostics import Report
from question_bank.formats.base import BankDefaults
from question_bank.formats.source import At, Where

START = Where(1, 1)


def decode(data: bytes, filename: str) -> str | Report:
    """UTF-8 text (a byte-order mark allowed), or a report saying what the file is."""
    try:
        return data.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
    except UnicodeDecodeError:
        report = Report(filename)
        try:
            data.decode("gb18030")
            hint = "看起来是 GB18030/GBK 编码；请另存为 UTF-8 后再导入"
        except UnicodeDecodeError:
            hint = "请另存为 UTF-8 文本后再导入"
        report.error(1, 1, f"文件不是 UTF-8 编码的文本；{hint}")
        return report


def line_at(number: int) -> Where:
    return Where(number, 1)


def bank_shape(defaults: BankDefaults, topics: dict[str, str], questions: list[At]) -> At:
    """The whole bank's YAML shape; a bank with no topics of its own gets the default."""
    if not topics:
        topics = {defaults.topic[0]: defaults.topic[1]}
    return At(
        {
            "bank": defaults.bank,
            "title": defaults.title,
            "topics": topics,
            "questions": At(questions, START),
        },
        START,
    )
