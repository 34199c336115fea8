"""Moodle XML (question/format/xml in Moodle): categories as topics, multichoice with
one or several keys (every positive fraction is a key), truefalse, and shortanswer as
a one-blank fill; ``generalfeedback`` is the explanation.

Parsed with defusedxml and no DTD at all, so entity bombs and external entities are
refused. Difficulty and source travel as Moodle tags (``难度:3``, ``出处:……``); a
question of another Moodle type is skipped with a warning naming it, and a fill
question with more than one blank is left out of an export, by name.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from xml.etree.ElementTree import Element, TreeBuilder

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from question_bank.bank_format import IDENTIFIER
from question_bank.diagnostics import Report
from question_bank.formats.base import BankDefaults, Dropped, Export, topic_id
from question_bank.formats.source import At, SourceDocument, Where
from question_bank.formats.text import bank_shape, decode, line_at
from question_bank.model import Bank, Question
from question_bank.types import BLANK

LOST_FIELDS = ("互斥题",)
DIFFICULTY_TAG, SOURCE_TAG = "难度:", "出处:"
_TAG = re.compile(r"<[^>]+>")
_BREAK = re.compile(r"<br\s*/?>|</p>\s*<p[^>]*>", re.IGNORECASE)


class _LineBuilder(TreeBuilder):
    """Remembers the line on which each element starts."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: dict[int, int] = {}
        self.parser: DefusedXMLParser | None = None

    def start(self, tag, attrs):
        element = super().start(tag, attrs)
        self.lines[id(element)] = self.parser.parser.CurrentLineNumber
        return element


def read(data: bytes, filename: str, defaults: BankDefaults) -> SourceDocument | Report:
    text = decode(data, filename)
    if isinstance(text, Report):
        return text
    builder = _LineBuilder()
    parser = DefusedXMLParser(target=builder, forbid_dtd=True)
    builder.parser = parser
    report = Report(filename)
    try:
        parser.feed(data)
        root = parser.close()
    except ET.ParseError as exc:
        line, column = exc.position
        reason = re.sub(r": line \d+, column \d+$", "", str(exc))
        report.error(
            line, column + 1, f"XML 格式有误（{reason}）；请检查此处的标签是否成对、是否完整"
        )
        return report
    except DefusedXmlException:
        report.error(1, 1, "XML 文件含有 DTD 或实体声明；为安全起见不予读取，请删除后再导入")
        return report
    if root.tag != "quiz":
        report.error(builder.lines.get(id(root), 1), 1, f"根元素应为 <quiz>，而不是 <{root.tag}>")
        return report
    return _document(root, builder.lines, text.splitlines(), defaults)


def _document(
    root: Element, lines: dict[int, int], source: list[str], defaults: BankDefaults
) -> SourceDocument:
    document = SourceDocument(At(None, line_at(1)), source)
    topics: dict[str, str] = {}
    topic = defaults.topic[0]
    questions: list[At] = []
    for element in root.findall("question"):
        where = line_at(lines.get(id(element), 1))
        kind = element.get("type", "")
        if kind == "category":
            path = _text(element.find("category")).removeprefix("$course$/").removeprefix("top/")
            title = path.rsplit("/", 1)[-1].strip() or defaults.topic[1]
            wanted = _text(element.find("idnumber"))
            topic = wanted if IDENTIFIER.fullmatch(wanted) else topic_id(title, topics)
            topics[topic] = title
            continue
        reader = _READERS.get(kind)
        if reader is None:
            document.notes.append((where, f"跳过了题型为“{kind}”的题目：题库没有对应的题型"))
            continue
        shape = _common(element, len(questions) + 1, topic, where, lines)
        shape.update(reader(element, where, lines))
        if shape["type"] == "fill" and not BLANK.search(shape["stem"].value):
            shape["stem"] = At(shape["stem"].value + "____", shape["stem"].where)
        questions.append(At(shape, where))
    if any(q.value["topic"] == defaults.topic[0] for q in questions):
        topics.setdefault(*defaults.topic)
    document.shape = bank_shape(defaults, topics, questions)
    return document


def _common(element: Element, count: int, topic: str, where: Where, lines) -> dict:
    qid = _text(element.find("idnumber")) or _text(element.find("name"))
    shape: dict = {
        "id": At(qid if IDENTIFIER.fullmatch(qid) else f"q-{count:04d}", where),
        "type": "single",
        "topic": topic,
        "stem": At(_text(element.find("questiontext")), _at(element.find("questiontext"), lines)),
    }
    tags = [_text(tag) for tag in element.findall("tags/tag")]
    for tag in tags:
        if tag.startswith(DIFFICULTY_TAG):
            shape["difficulty"] = At(tag.removeprefix(DIFFICULTY_TAG), where)
    explanation = _text(element.find("generalfeedback"))
    if explanation:
        shape["explanation"] = At(explanation, _at(element.find("generalfeedback"), lines))
    for tag in tags:
        if tag.startswith(SOURCE_TAG):
            shape["source"] = At(tag.removeprefix(SOURCE_TAG), where)
    shuffle = _text(element.find("shuffleanswers")).lower()
    # Moodle reads a missing <shuffleanswers> of a multichoice as "do not shuffle".
    if shuffle in ("0", "false") or (not shuffle and element.get("type") == "multichoice"):
        shape["shuffle_options"] = At(False, where)
    plain = [t for t in tags if not t.startswith((DIFFICULTY_TAG, SOURCE_TAG))]
    if plain:
        shape["tags"] = At(plain, where)
    return shape


def _multichoice(element: Element, where: Where, lines) -> dict:
    options, keys = {}, []
    for key, answer in zip("ABCDEFGHIJKLMNOP", element.findall("answer"), strict=False):
        options[key] = At(_text(answer), _at(answer, lines))
        if _fraction(answer) > 0:
            keys.append(key)
    return {
        "type": "multiple" if len(keys) > 1 else "single",
        "options": At(options, where),
        "answer": At(keys if len(keys) > 1 else "".join(keys), where),
    }


def _truefalse(element: Element, where: Where, lines) -> dict:
    right = [_text(a).lower() for a in element.findall("answer") if _fraction(a) > 0]
    return {"type": "judge", "answer": At(right[0] if len(right) == 1 else "", where)}


def _shortanswer(element: Element, where: Where, lines) -> dict:
    accepted = [_text(a) for a in element.findall("answer") if _fraction(a) >= 100]
    return {"type": "fill", "answer": At([At(accepted, where)], where)}


_READERS = {"multichoice": _multichoice, "truefalse": _truefalse, "shortanswer": _shortanswer}


def _fraction(answer: Element) -> float:
    try:
        return float(answer.get("fraction", "0"))
    except ValueError:
        return 0.0


def _at(element: Element | None, lines: dict[int, int]) -> Where:
    return line_at(lines.get(id(element), 1))


def _text(element: Element | None) -> str:
    """An element's ``<text>`` (or own text); HTML reduced to the text a person reads."""
    if element is None:
        return ""
    inner = element.find("text")
    value = (inner.text if inner is not None else element.text) or ""
    if element.get("format", "html") == "html" and element.tag != "text":
        value = html.unescape(_TAG.sub("", _BREAK.sub("\n", value)))
    return value.strip()


def write(bank: Bank) -> Export:
    quiz = Element("quiz")
    dropped = []
    titles = dict(bank.topics)
    for topic, title in bank.topics:  # every topic, even one without questions, in order
        quiz.append(_category(topic, title))
    current = bank.topics[-1][0]
    for question in bank.questions:
        if question.type == "fill" and len(question.blanks) != 1:
            dropped.append(Dropped(question.id, "Moodle 简答题只有一个空，本题有多个空"))
            continue
        if question.topic != current:
            current = question.topic
            quiz.append(_category(current, titles[current]))
        quiz.append(_question(question))
    ET.indent(quiz)
    data = b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(quiz, encoding="utf-8")
    return Export(data + b"\n", tuple(dropped), LOST_FIELDS)


def _category(topic: str, title: str) -> Element:
    element = Element("question", type="category")
    _child(element, "category", f"$course$/top/{title}")
    _child(element, "info", "")
    ET.SubElement(element, "idnumber").text = topic
    return element


_MOODLE_TYPES = {"single": "multichoice", "multiple": "multichoice"}
_MOODLE_TYPES |= {"judge": "truefalse", "fill": "shortanswer"}


def _question(question: Question) -> Element:
    element = Element("question", type=_MOODLE_TYPES[question.type])
    _child(element, "name", question.id)
    _child(element, "questiontext", question.stem)
    _child(element, "generalfeedback", question.explanation or "")
    ET.SubElement(element, "defaultgrade").text = "1"
    ET.SubElement(element, "idnumber").text = question.id
    ET.SubElement(element, "shuffleanswers").text = "true" if question.shuffle_options else "false"
    if question.type in ("single", "multiple"):
        ET.SubElement(element, "single").text = "true" if question.type == "single" else "false"
        ET.SubElement(element, "answernumbering").text = "ABCD"
        share = f"{100 / len(question.keys):.5f}".rstrip("0").rstrip(".")
        wrong = "0" if question.type == "single" else "-100"
        for key, text in question.options:
            _answer(element, share if key in question.keys else wrong, text)
    elif question.type == "judge":
        right = question.keys == ("true",)
        _answer(element, "100" if right else "0", "true")
        _answer(element, "0" if right else "100", "false")
    else:
        ET.SubElement(element, "usecase").text = "0"
        for text in question.blanks[0]:
            _answer(element, "100", text)
    tags = [f"{DIFFICULTY_TAG}{question.difficulty}", *question.tags]
    if question.source:
        tags.append(f"{SOURCE_TAG}{question.source}")
    holder = ET.SubElement(element, "tags")
    for tag in tags:
        ET.SubElement(ET.SubElement(holder, "tag"), "text").text = tag
    return element


def _child(parent: Element, tag: str, text: str) -> Element:
    element = ET.SubElement(parent, tag, format="plain_text")
    ET.SubElement(element, "text").text = text
    return element


def _answer(parent: Element, fraction: str, text: str) -> None:
    _child(parent, "answer", text).set("fraction", fraction)
