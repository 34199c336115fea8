"""Word (.docx) in the layout of Chinese question papers.

Read: optional section headings (一、单选题 …), numbered stems (``1.``, ``1、``,
``（1）``), options on their own lines or several to a line (``A.``, ``A、``, ``A．``,
``A)``), and ``答案：`` / ``【答案】``, ``解析：``, ``出处：``, ``难度：`` lines (also 编号,
主题, 标签, 互斥题, 选项乱序), either under each question or in an answer-key section
(参考答案) by question number. Judge answers 正确/错误, 对/错, √/×; fill blanks ``____``
or ``（　）``, one answer per blank separated by ``；``. A paragraph that fits no rule is
reported with its number. Written: a printable paper, then the answer key, then the
bank's id and topics, so that reading the export gives the same bank.
"""

from __future__ import annotations

import io
import re
from typing import Any

from question_bank.bank_format import IDENTIFIER
from question_bank.diagnostics import Report
from question_bank.formats.base import BankDefaults, Export, answer_from_text, topic_id
from question_bank.formats.source import At, SourceDocument, Where
from question_bank.formats.xlsx_cells import WorkbookError, check_archive
from question_bank.model import TYPE_TITLES, Bank
from question_bank.types import REGISTRY

NUMERALS = "一二三四五六七八九十"
_SECTION_WORDS = {title.removesuffix("题"): name for name, title in TYPE_TITLES.items()}
_SECTION_WORDS |= {"单项选择": _SECTION_WORDS["单选"], "多项选择": _SECTION_WORDS["多选"]}
_SECTION = re.compile(rf"^[{NUMERALS}]+\s*[、.．]\s*({'|'.join(_SECTION_WORDS)})题?")
_KEY_HEADING = re.compile(r"^(参考答案|答案与解析|答案)\s*$")
INFO_HEADING = "题库信息"
_STEM = re.compile(r"^(?:[（(](\d+)[）)]|(\d+)\s*[.．、])\s*(.*)$", re.DOTALL)
# Several options on one line are set apart by a tab, an ideographic space or two spaces.
_OPTION_START = re.compile(r"(?:^|(?<=\t)|(?<=\u3000)|(?<=  ))([A-Ha-h])\s*[.．、)）]\s*")
_META_NAMES = {
    "答案": "answer", "解析": "explanation", "出处": "source", "难度": "difficulty",
    "编号": "id", "主题": "topic", "标签": "tags", "互斥题": "excludes", "互斥": "excludes",
    "选项乱序": "shuffle_options",
}  # fmt: skip
_META = re.compile(
    rf"^(?:【({'|'.join(_META_NAMES)})】|({'|'.join(_META_NAMES)})\s*[：:])\s*(.*)$", re.DOTALL
)
_LIST = re.compile(r"[,，、;；\s]+")


def read(data: bytes, filename: str, defaults: BankDefaults) -> SourceDocument | Report:
    import docx

    report = Report(filename)
    try:
        check_archive(data)
        paragraphs = [p.text for p in docx.Document(io.BytesIO(data)).paragraphs]
    except WorkbookError as exc:
        report.error(1, 1, str(exc).replace("XLSX", "DOCX").replace("Excel", "Word"))
        return report
    except Exception:  # python-docx raises many kinds for a damaged or fake file
        report.error(
            1, 1, "DOCX 文件已损坏或不是 Word 文件（.docx）；请在 Word 中另存为 .docx 后再导入"
        )
        return report
    return _Reader(paragraphs, defaults).document()


class _Reader:
    """One pass over the paragraphs, in the states a paper goes through."""

    def __init__(self, paragraphs: list[str], defaults: BankDefaults) -> None:
        self.paragraphs = paragraphs
        self.defaults = defaults
        self.doc = SourceDocument(At(None, _at(1)), paragraphs)
        self.questions: list[dict[str, Any]] = []
        self.by_number: dict[tuple[str | None, str], dict[str, Any]] = {}
        self.section: str | None = None
        self.part = "paper"
        self.current: dict[str, Any] | None = None
        self.title: At | None = None
        self.bank: At | None = None
        self.practice: At | None = None
        self.topics: dict[str, At] = {}

    def document(self) -> SourceDocument:
        for number, raw in enumerate(self.paragraphs, start=1):
            text = raw.strip()
            if text:
                self._paragraph(number, text)
        shaped = [self._shape(q, i) for i, q in enumerate(self.questions, start=1)]
        topics: dict[str, Any] = dict(self.topics)
        for question in shaped:
            topic = question.value["topic"]
            if isinstance(topic, At) and topic.value not in topics:
                default = topic.value == self.defaults.topic[0]
                topics[topic.value] = At(
                    self.defaults.topic[1] if default else topic.value, topic.where
                )
        if not topics:
            topics = {self.defaults.topic[0]: self.defaults.topic[1]}
        start = _at(1)
        self.doc.shape = At(
            {
                "bank": self.bank or self.defaults.bank,
                "title": self.title or self.defaults.title,
                **({"practice": self.practice} if self.practice else {}),
                "topics": At(topics, start),
                "questions": At(shaped, start),
            },
            start,
        )
        return self.doc

    def _paragraph(self, number: int, text: str) -> None:
        where = _at(number)
        section = _SECTION.match(text)
        if section:
            self.section = _SECTION_WORDS[section.group(1)]
            self.current = None
        elif _KEY_HEADING.match(text):
            self.part, self.section, self.current = "key", None, None
        elif text == INFO_HEADING:
            self.part, self.current = "info", None
        elif self.part == "info":
            self._info(text, where)
        elif (meta := _META.match(text)) is not None:
            self._meta(meta.group(1) or meta.group(2), meta.group(3).strip(), where)
        elif (stem := _STEM.match(text)) is not None:
            self._numbered(stem.group(1) or stem.group(2), stem.group(3).strip(), where)
        elif _OPTION_START.match(text) and self.current is not None and self.part == "paper":
            self._options(text, where)
        elif self.title is None and not self.questions and self.part == "paper":
            self.title = At(text, where)
        else:
            self.doc.problems.append(
                (
                    where,
                    f"无法识别这一段“{text[:30]}”；应为题号开头的题干、选项（A. ……）或“答案：”等行",
                )
            )

    def _numbered(self, number: str, text: str, where: Where) -> None:
        if self.part == "key":
            self.current = self.by_number.get((self.section, number)) or self.by_number.get(
                (None, number)
            )
            if self.current is None:
                self.doc.problems.append((where, f"答案部分的第 {number} 题在试卷中找不到"))
            elif text:
                meta = _META.match(text)
                name = meta.group(1) or meta.group(2) if meta else "答案"
                self._meta(name, (meta.group(3) if meta else text).strip(), where)
            return
        self.current = {
            "where": where,
            "section": self.section,
            "stem": At(text, where),
            "options": {},
        }
        self.questions.append(self.current)
        self.by_number.setdefault((self.section, number), self.current)
        self.by_number.setdefault((None, number), self.current)

    def _options(self, text: str, where: Where) -> None:
        starts = list(_OPTION_START.finditer(text))
        for i, start in enumerate(starts):
            end = starts[i + 1].start() if i + 1 < len(starts) else len(text)
            self.current["options"][start.group(1).upper()] = At(
                text[start.end() : end].strip(), where
            )

    def _meta(self, name: str, value: str, where: Where) -> None:
        if self.current is None:
            self.doc.problems.append((where, f"“{name}”行之前没有题目；请把它放在所属题目的下面"))
            return
        field = _META_NAMES[name]
        if field in self.current:
            first = self.current[field].where.line
            self.doc.problems.append(
                (where, f"这道题的“{name}”已在第 {first} 段写过；每道题只写一次")
            )
            return
        self.current[field] = At(value, where)

    def _info(self, text: str, where: Where) -> None:
        meta = re.match(r"^(题库编号|题库名称|用于练习|主题)\s*[：:]\s*(.*)$", text)
        if meta is None:
            self.doc.problems.append(
                (
                    where,
                    f"无法识别题库信息“{text[:30]}”；应为“题库编号：”“题库名称：”“用于练习：”或“主题：编号 名称”",
                )
            )
        elif meta.group(1) == "题库编号":
            self.bank = At(meta.group(2).strip(), where)
        elif meta.group(1) == "题库名称":
            self.title = At(meta.group(2).strip(), where)
        elif meta.group(1) == "用于练习":
            word = meta.group(2).strip()
            self.practice = At({"是": True, "否": False}.get(word, word), where)
        else:
            topic, _, title = meta.group(2).strip().partition(" ")
            self.topics[topic] = At(title.strip() or topic, where)

    def _shape(self, q: dict[str, Any], index: int) -> At:
        where: Where = q["where"]
        answer: At | None = q.get("answer")
        kind = q["section"] or _guess_type(q["options"], answer)
        stem = q["stem"]
        if kind in REGISTRY:
            stem = At(REGISTRY[kind].paper_stem(stem.value), stem.where)
        shape: dict[str, Any] = {
            "id": q.get("id") or At(f"q-{index:04d}", where),
            "type": At(kind, where),
            "topic": self._topic(q.get("topic"), where),
            "stem": stem,
        }
        if "difficulty" in q:
            shape["difficulty"] = q["difficulty"]
        if q["options"]:
            shape["options"] = At(q["options"], next(iter(q["options"].values())).where)
        if answer is not None:
            shape["answer"] = At(answer_from_text(kind, answer.value), answer.where)
        for name in ("explanation", "source"):
            if name in q:
                shape[name] = q[name]
        for name in ("tags", "excludes"):
            if name in q:
                shape[name] = At([t for t in _LIST.split(q[name].value) if t], q[name].where)
        if "shuffle_options" in q:
            flag = q["shuffle_options"]
            shape["shuffle_options"] = At(
                {"是": True, "否": False}.get(flag.value, flag.value), flag.where
            )
        return At(shape, where)

    def _topic(self, named: At | None, where: Where) -> At:
        if named is None:
            return At(self.defaults.topic[0], where)
        for topic, title in self.topics.items():
            if named.value in (topic, title.value):
                return At(topic, named.where)
        if IDENTIFIER.fullmatch(named.value):
            return named
        topic = topic_id(named.value, {k: v.value for k, v in self.topics.items()})
        self.topics[topic] = At(named.value, named.where)
        return At(topic, named.where)


def _guess_type(options: dict[str, At], answer: At | None) -> str:
    """Without a section heading, the first type that claims the question's layout."""
    text = answer.value.strip() if answer is not None else ""
    return next(t.name for t in REGISTRY.values() if t.paper_claims(bool(options), text))


def _at(number: int) -> Where:
    return Where(number, 1, f"第 {number} 段")


def write(bank: Bank) -> Export:
    """A printable paper, then the answer key and the bank's id and topics."""
    from question_bank.formats.docx_writer import paper

    return paper(bank)
