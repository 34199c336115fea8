"""Aiken: single-choice questions as plain text, as Moodle reads them.

    党的最高领导机关是（　）。
    A. 党的全国代表大会和它所产生的中央委员会
    B. 中央政治局
    ANSWER: A

Aiken holds a stem, its options and one key, nothing else: other types are left out
of an export by name, and ids, topics and the other fields are not kept.
"""

from __future__ import annotations

import re

from question_bank.diagnostics import Report
from question_bank.formats.base import BankDefaults, Dropped, Export
from question_bank.formats.source import At, SourceDocument
from question_bank.formats.text import bank_shape, decode, line_at
from question_bank.model import Bank, normalize_text
from question_bank.types import REGISTRY

LOST_FIELDS = (
    "题目编号",
    "主题",
    "难度",
    "解析",
    "出处",
    "标签",
    "选项乱序",
    "互斥题",
    "仅用于考试（practice: false）",
)
_OPTION = re.compile(r"^([A-Za-z])\s*[.)．、）]\s*(.*)$")
_ANSWER = re.compile(r"^ANSWER\s*[:：]\s*(.*)$", re.IGNORECASE)


def read(data: bytes, filename: str, defaults: BankDefaults) -> SourceDocument | Report:
    text = decode(data, filename)
    if isinstance(text, Report):
        return text
    lines = text.splitlines()
    document = SourceDocument(At(None, line_at(1)), lines)
    questions: list[At] = []
    block: list[tuple[int, str]] = []
    for number, line in enumerate([*lines, ""], start=1):
        if line.strip():
            block.append((number, line.strip()))
        elif block:
            question = _question(block, len(questions) + 1, defaults, document)
            if question is not None:
                questions.append(question)
            block = []
    document.shape = bank_shape(defaults, {}, questions)
    return document


def _question(
    block: list[tuple[int, str]], count: int, defaults: BankDefaults, document: SourceDocument
) -> At | None:
    (first, stem), rest = block[0], block[1:]
    options: dict[str, At] = {}
    answer: At | None = None
    for number, line in rest:
        option, key = _OPTION.match(line), _ANSWER.match(line)
        if key and answer is None:
            answer = At(key.group(1).strip(), line_at(number))
        elif option and answer is None:
            options[option.group(1).upper()] = At(option.group(2), line_at(number))
        else:
            document.problems.append(
                (line_at(number), f"无法识别这一行“{line[:40]}”；应为选项（A. ……）或“ANSWER: A”")
            )
    if answer is None:
        document.problems.append(
            (line_at(first), "这道题缺少“ANSWER: 字母”一行；每道题以答案行结束，题与题之间空一行")
        )
        return None
    return At(
        {
            "id": At(f"q-{count:04d}", line_at(first)),
            "type": next(m.name for m in REGISTRY.values() if m.aiken),
            "topic": defaults.topic[0],
            "stem": At(stem, line_at(first)),
            "options": At(options, line_at(first + 1)),
            "answer": answer,
        },
        line_at(first),
    )


def write(bank: Bank) -> Export:
    blocks, dropped = [], []
    for question in bank.questions:
        if not REGISTRY[question.type].aiken:
            dropped.append(Dropped(question.id, "Aiken 只能表示单选题"))
            continue
        lines = [_one_line(question.stem)]
        lines += [f"{key}. {_one_line(text)}" for key, text in question.options]
        lines.append(f"ANSWER: {question.keys[0]}")
        blocks.append("\n".join(lines))
    data = ("\n\n".join(blocks) + "\n").encode("utf-8")
    return Export(data, tuple(dropped), LOST_FIELDS)


def _one_line(text: str) -> str:
    """Aiken has one line per stem and option: line breaks become spaces."""
    return normalize_text(text) if "\n" in text else text
