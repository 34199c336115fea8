"""GIFT, Moodle's text format: ``::id:: stem {=right ~wrong ####explanation}``.

Single choice ``{=A ~B}``, multiple choice with weights ``{~%50%A ~%50%C ~%-100%B}``
(every positive weight is a key), judge ``{T}`` / ``{F}``, and fill as a short answer
whose answers stand where the blank is, ``自2019年{=5月6日 =5月6号}起施行。``. A
``$CATEGORY:`` line names the topic of the questions after it. GIFT has one blank per
question: a fill question with more is left out of an export, by name.
"""

from __future__ import annotations

import re

from question_bank.diagnostics import Report
from question_bank.formats.base import BankDefaults, Dropped, Export, topic_id
from question_bank.formats.source import At, SourceDocument, Where
from question_bank.formats.text import bank_shape, decode, line_at
from question_bank.model import Bank
from question_bank.types import REGISTRY

LOST_FIELDS = (
    "主题编号（按主题名称保存）",
    "难度",
    "出处",
    "标签",
    "选项乱序",
    "互斥题",
    "仅用于考试（practice: false）",
)
_SPECIAL = "~=#{}:\\"
_TITLE = re.compile(r"^::((?:\\.|[^:\\]|:(?!:))*)::", re.DOTALL)
_WEIGHT = re.compile(r"^%(-?\d+(?:\.\d+)?)%")
_JUDGE = {"T": "true", "TRUE": "true", "F": "false", "FALSE": "false"}
_FORMAT = re.compile(r"^\[(?:html|moodle|plain|markdown)\]")


def read(data: bytes, filename: str, defaults: BankDefaults) -> SourceDocument | Report:
    text = decode(data, filename)
    if isinstance(text, Report):
        return text
    lines = text.splitlines()
    document = SourceDocument(At(None, line_at(1)), lines)
    topics: dict[str, str] = {}
    topic = defaults.topic[0]
    questions: list[At] = []
    block: list[tuple[int, str]] = []
    for number, line in enumerate([*lines, ""], start=1):
        stripped = line.strip()
        if stripped.startswith("//"):
            continue
        if stripped.startswith("$CATEGORY:"):
            title = stripped.removeprefix("$CATEGORY:").strip().removeprefix("$course$/")
            title = title.removeprefix("top/").rsplit("/", 1)[-1].strip() or defaults.topic[1]
            topic = topic_id(title, topics)
            topics[topic] = title
            continue
        if stripped:
            block.append((number, line))
        elif block:
            question = _question(block, len(questions) + 1, topic, document)
            if question is not None:
                questions.append(question)
            block = []
    if questions and any(q.value["topic"] == defaults.topic[0] for q in questions):
        topics.setdefault(*defaults.topic)
    document.shape = bank_shape(defaults, topics, questions)
    return document


def _question(
    block: list[tuple[int, str]], count: int, topic: str, document: SourceDocument
) -> At | None:
    first = block[0][0]
    text = "\n".join(line for _, line in block).strip()
    qid = f"q-{count:04d}"
    title = _TITLE.match(text)
    if title:
        qid = _unescape(title.group(1)).strip() or qid
        text = text[title.end() :].strip()
    text = _FORMAT.sub("", text).lstrip()
    opening, closing = _find(text, "{"), _find(text, "}")
    if opening < 0 or closing < opening:
        document.problems.append(
            (line_at(first), "找不到答案部分“{……}”；GIFT 的每道题都要用花括号写出答案")
        )
        return None
    where = line_at(first + text.count("\n", 0, opening))
    before, inside, after = text[:opening], text[opening + 1 : closing], text[closing + 1 :]
    inside, feedback = _split_feedback(inside)
    answers = _answers(inside, where, document)
    if answers is None:
        return None
    qtype, weighted = answers
    positive = sum(fraction > 0 for fraction, _ in weighted)
    kind = next(t for t in REGISTRY.values() if t.moodle_claims(qtype, positive))
    # A short answer's block stands where its blank is.
    stem = f"{before}____{after}" if qtype == "shortanswer" else f"{before}{after}"
    shape: dict = {"id": At(qid, line_at(first)), "type": kind.name, "topic": topic}
    shape["stem"] = At(_unescape(stem).strip(), line_at(first))
    read = kind.from_moodle(weighted)
    if "options" in read:
        shape["options"] = At({k: At(t, where) for k, t in read["options"].items()}, where)
    shape["answer"] = At(read["answer"], where)
    if feedback:
        shape["explanation"] = At(_unescape(feedback).strip(), where)
    return At(shape, line_at(first))


def _answers(
    inside: str, where: Where, document: SourceDocument
) -> tuple[str, list[tuple[float, str]]] | None:
    """The GIFT question kind (by Moodle's names: truefalse, shortanswer, multichoice)
    and its answers with their fractions, from the text between the braces."""
    plain = inside.strip()
    if plain.upper() in _JUDGE:
        right = _JUDGE[plain.upper()] == "true"
        return "truefalse", [(100 if right else 0, "true"), (0 if right else 100, "false")]
    tokens = _tokens(plain)
    if not tokens or any(mark not in "=~" for mark, _ in tokens):
        document.problems.append(
            (
                where,
                "答案部分无法识别；应为 {=对 ~错}、{~%50%甲 ~%50%乙 ~%-100%丙}、{T}/{F} 或 {=答案}",
            )
        )
        return None
    if all(mark == "=" for mark, _ in tokens) and "->" not in plain:
        return "shortanswer", [(100, _unescape(_drop_weight(t)[1]).strip()) for _, t in tokens]
    weighted = []
    for mark, token in tokens:
        weight, body = _drop_weight(token)
        fraction = 100 if mark == "=" else (weight or 0)
        weighted.append((fraction, _unescape(body).strip()))
    return "multichoice", weighted


def _tokens(inside: str) -> list[tuple[str, str]]:
    """Each answer as (``=`` or ``~``, its text without feedback), escapes kept."""
    tokens: list[tuple[str, str]] = []
    i = 0
    while i < len(inside):
        char = inside[i]
        if char == "\\":
            if tokens:
                tokens[-1] = (tokens[-1][0], tokens[-1][1] + inside[i : i + 2])
            i += 2
            continue
        if char in "=~":
            tokens.append((char, ""))
        elif tokens:
            tokens[-1] = (tokens[-1][0], tokens[-1][1] + char)
        elif not char.isspace():
            return []
        i += 1
    return [(mark, _strip_feedback(text)) for mark, text in tokens]


def _drop_weight(token: str) -> tuple[float | None, str]:
    token = token.strip()
    weight = _WEIGHT.match(token)
    if weight:
        return float(weight.group(1)), token[weight.end() :]
    return None, token


def _strip_feedback(text: str) -> str:
    cut = _find(text, "#")
    return text if cut < 0 else text[:cut]


def _split_feedback(inside: str) -> tuple[str, str]:
    at = _find(inside, "####")
    return (inside, "") if at < 0 else (inside[:at], inside[at + 4 :])


def _find(text: str, needle: str) -> int:
    """The first ``needle`` not escaped with a backslash, or -1."""
    i = 0
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text.startswith(needle, i):
            return i
        i += 1
    return -1


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), text)


def _escape(text: str) -> str:
    escaped = "".join(f"\\{c}" if c in _SPECIAL else c for c in text)
    return escaped.replace("\r\n", "\n").replace("\n", "\\n")


def write(bank: Bank) -> Export:
    parts, dropped = [], []
    topics = dict(bank.topics)
    current = None
    for question in bank.questions:
        mapping = REGISTRY[question.type]
        feedback = f"####{_escape(question.explanation)}" if question.explanation else ""
        body = mapping.gift_body(question, _escape, feedback)
        if body is None:
            dropped.append(Dropped(question.id, mapping.gift_refusal))
            continue
        if question.topic != current:
            current = question.topic
            parts.append(f"$CATEGORY: {topics[current]}")
        parts.append(f"::{_escape(question.id)}::{body}")
    return Export(("\n\n".join(parts) + "\n").encode("utf-8"), tuple(dropped), LOST_FIELDS)
