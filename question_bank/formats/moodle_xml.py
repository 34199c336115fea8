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
from question_bank.types import REGISTRY
from question_bank.types.format_mapping import MoodleAnswers

LOST_FIELDS = ("互斥题", "仅用于考试（practice: false）")
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
        answers = [(_fraction(a), _text(a), _at(a, lines)) for a in element.findall("answer")]
        positive = sum(fraction > 0 for fraction, _, _ in answers)
        mapping = next((m for m in REGISTRY.values() if m.moodle_claims(kind, positive)), None)
        if mapping is None:
            document.notes.append((where, f"跳过了题型为“{kind}”的题目：题库没有对应的题型"))
            continue
        shape = _common(element, len(questions) + 1, topic, where, lines)
        shape["type"] = mapping.name
        read = mapping.from_moodle([(fraction, text) for fraction, text, _ in answers])
        if "options" in read:
            placed = zip(read["options"].items(), answers, strict=False)
            shape["options"] = At({k: At(t, a[2]) for (k, t), a in placed}, where)
        shape["answer"] = At(read["answer"], where)
        shape["stem"] = At(mapping.moodle_stem(shape["stem"].value), shape["stem"].where)
        questions.append(At(shape, where))
    if any(q.value["topic"] == defaults.topic[0] for q in questions):
        topics.setdefault(*defaults.topic)
    document.shape = bank_shape(defaults, topics, questions)
    return document


def _common(element: Element, count: int, topic: str, where: Where, lines) -> dict:
    qid = _text(element.find("idnumber")) or _text(element.find("name"))
    shape: dict = {
        "id": At(qid if IDENTIFIER.fullmatch(qid) else f"q-{count:04d}", where),
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
        mapping = REGISTRY[question.type]
        answers = mapping.moodle_answers(question)
        if answers is None:
            dropped.append(Dropped(question.id, mapping.moodle_refusal))
            continue
        if question.topic != current:
            current = question.topic
            quiz.append(_category(current, titles[current]))
        quiz.append(_question(question, mapping.moodle_qtype, answers))
    ET.indent(quiz)
    data = b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(quiz, encoding="utf-8")
    return Export(data + b"\n", tuple(dropped), LOST_FIELDS)


def _category(topic: str, title: str) -> Element:
    element = Element("question", type="category")
    _child(element, "category", f"$course$/top/{title}")
    _child(element, "info", "")
    ET.SubElement(element, "idnumber").text = topic
    return element


def _question(question: Question, qtype: str, answers: MoodleAnswers) -> Element:
    element = Element("question", type=qtype)
    _child(element, "name", question.id)
    _child(element, "questiontext", question.stem)
    _child(element, "generalfeedback", question.explanation or "")
    ET.SubElement(element, "defaultgrade").text = "1"
    ET.SubElement(element, "idnumber").text = question.id
    ET.SubElement(element, "shuffleanswers").text = "true" if question.shuffle_options else "false"
    if qtype == "multichoice":
        single = sum(float(fraction) > 0 for fraction, _ in answers) == 1
        ET.SubElement(element, "single").text = "true" if single else "false"
        ET.SubElement(element, "answernumbering").text = "ABCD"
    for fraction, text in answers:
        _answer(element, fraction, text)
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
