"""Excel (.xlsx): one row per question on the sheet “题目”, the bank's id, title and
topics on the sheet “题库信息”.

Columns (Chinese headers, English aliases accepted, any order): 编号, 题型, 主题, 难度,
题干, 选项A … 选项H, 答案, 解析, 出处, 标签, 选项乱序, 互斥题. A cell holding a number
or a date is read as the text a person sees in it (``1921``, ``5月6日``, ``50%``),
never as ``1921.0`` or a serial number. Every message names the sheet, row and column.
"""

from __future__ import annotations

import io
import re
import unicodedata
from typing import Any

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from question_bank.diagnostics import Report
from question_bank.formats.base import BankDefaults, Export, answer_from_text
from question_bank.formats.samples import SAMPLE_BANK
from question_bank.formats.source import At, SourceDocument, Where
from question_bank.formats.xlsx_cells import WorkbookError, open_workbook
from question_bank.model import TYPE_TITLES, Bank, Question
from question_bank.types import REGISTRY

QUESTIONS_SHEET, INFO_SHEET = "题目", "题库信息"
OPTION_KEYS = "ABCDEFGH"
HEADERS = (
    ("id", "编号"), ("type", "题型"), ("topic", "主题"), ("difficulty", "难度"),
    ("stem", "题干"), *((f"option{k}", f"选项{k}") for k in OPTION_KEYS),
    ("answer", "答案"), ("explanation", "解析"), ("source", "出处"), ("tags", "标签"),
    ("shuffle_options", "选项乱序"), ("excludes", "互斥题"),
)  # fmt: skip
_ALIASES = {
    "题目编号": "id", "question id": "id", "题目类型": "type", "question type": "type",
    "主题编号": "topic", "difficulty level": "difficulty", "题目": "stem", "question": "stem",
    "正确答案": "answer", "key": "answer", "答案解析": "explanation", "依据": "source",
    "shuffle": "shuffle_options", "乱序": "shuffle_options",
}  # fmt: skip
_TYPE_WORDS = {title: kind for kind, title in TYPE_TITLES.items()} | {
    title.removesuffix("题"): kind for kind, title in TYPE_TITLES.items()
}
_LIST_SEPARATORS = re.compile(r"[,，、;；\s]+")
_YES = {"是", "true", "1", "yes", "y", "打乱"}
_NO = {"否", "false", "0", "no", "n", "不打乱"}
_REQUIRED = ("type", "stem", "answer")


def _header_field(text: str) -> str | None:
    word = unicodedata.normalize("NFKC", text).strip().lower()
    for name, title in HEADERS:
        if word in (name.lower(), title.lower(), title.lower().replace("选项", "option ")):
            return name
    if re.fullmatch(r"(?:选项|option\s*)?([a-h])", word):
        return f"option{word[-1].upper()}"
    return _ALIASES.get(word)


def read(data: bytes, filename: str, defaults: BankDefaults) -> SourceDocument | Report:
    report = Report(filename)
    try:
        sheets = open_workbook(data)
    except WorkbookError as exc:
        report.error(1, 1, str(exc))
        return report
    rows = sheets.get(QUESTIONS_SHEET) or next(iter(sheets.values()), [])
    name = QUESTIONS_SHEET if QUESTIONS_SHEET in sheets else next(iter(sheets), QUESTIONS_SHEET)
    lines = [" | ".join(cell for cell in row) for row in rows]
    document = SourceDocument(At(None, Where(1, 1)), lines)
    columns = _columns(rows[0] if rows else [], name, document)
    info = _info(sheets.get(INFO_SHEET, []), defaults)
    questions = [
        _question(row, number, columns, name, info["topics_by_title"], defaults)
        for number, row in enumerate(rows[1:], start=2)
        if any(cell.strip() for cell in row)
    ]
    topics = info["topics"] or _topics_in(questions, defaults)
    start = Where(1, 1, f"“{name}”工作表")
    document.shape = At(
        {
            "bank": info["bank"],
            "title": info["title"],
            **({"practice": info["practice"]} if "practice" in info else {}),
            "topics": At(topics.value if isinstance(topics, At) else topics, start),
            "questions": At(questions, start),
        },
        start,
    )
    return document


def _columns(header: list[str], sheet: str, document: SourceDocument) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, text in enumerate(header):
        if not text.strip():
            continue
        field = _header_field(text)
        letter = get_column_letter(index + 1)
        if field is None:
            known = "、".join(title for _, title in HEADERS)
            document.problems.append(
                (Where(1, index + 1, f"“{sheet}”工作表第 1 行 {letter} 列"),
                 f"未知的列名“{text}”；可用的列名：{known}")
            )  # fmt: skip
        elif field in columns:
            document.problems.append(
                (Where(1, index + 1, f"“{sheet}”工作表第 1 行 {letter} 列"), f"列名“{text}”重复")
            )
        else:
            columns[field] = index
    for field in _REQUIRED:
        if field not in columns:
            title = dict(HEADERS)[field]
            document.problems.append(
                (Where(1, 1, f"“{sheet}”工作表第 1 行"), f"缺少“{title}”列；第 1 行应为列名")
            )
    return columns


def _question(
    row: list[str], number: int, columns: dict[str, int], sheet: str,
    topics_by_title: dict[str, str], defaults: BankDefaults,
) -> At:  # fmt: skip
    def cell(field: str) -> At | None:
        index = columns.get(field)
        if index is None or index >= len(row) or not row[index].strip():
            return None
        title = next(t for n, t in HEADERS if n == field)
        letter = get_column_letter(index + 1)
        return At(
            row[index],
            Where(number, index + 1, f"“{sheet}”工作表第 {number} 行“{title}”列（{letter}）"),
        )

    start = Where(number, 1, f"“{sheet}”工作表第 {number} 行")
    shape: dict[str, Any] = {}
    for field in ("id", "type", "topic", "difficulty", "stem"):
        value = cell(field)
        if value is not None:
            shape[field] = value
    shape.setdefault("id", At(f"q-{number - 1:04d}", start))
    if "type" in shape:
        word = shape["type"].value.strip()
        shape["type"] = At(_TYPE_WORDS.get(word, word.lower()), shape["type"].where)
    topic = shape.get("topic")
    if topic is None:
        shape["topic"] = At(defaults.topic[0], start)
    elif topic.value.strip() in topics_by_title:
        shape["topic"] = At(topics_by_title[topic.value.strip()], topic.where)
    options = {k: cell(f"option{k}") for k in OPTION_KEYS}
    options = {k: v for k, v in options.items() if v is not None}
    if options:
        first = next(iter(options.values())).where
        shape["options"] = At(options, first)
    answer = cell("answer")
    if answer is not None:
        kind = shape["type"].value if "type" in shape else ""
        shape["answer"] = At(answer_from_text(kind, answer.value), answer.where)
    for field in ("explanation", "source"):
        value = cell(field)
        if value is not None:
            shape[field] = value
    for field in ("tags", "excludes"):
        value = cell(field)
        if value is not None:
            items = [t for t in _LIST_SEPARATORS.split(value.value) if t]
            shape[field] = At(items, value.where)
    shuffle = cell("shuffle_options")
    if shuffle is not None:
        word = shuffle.value.strip().lower()
        flag = True if word in _YES else False if word in _NO else shuffle.value
        shape["shuffle_options"] = At(flag, shuffle.where)
    return At(shape, start)


def _info(rows: list[list[str]], defaults: BankDefaults) -> dict[str, Any]:
    info: dict[str, Any] = {"bank": defaults.bank, "title": defaults.title, "topics": {}}
    in_topics = False
    topics: dict[str, At] = {}
    for number, row in enumerate(rows, start=1):
        label = row[0].strip() if row else ""
        value = row[1].strip() if len(row) > 1 else ""
        where = Where(number, 2, f"“{INFO_SHEET}”工作表第 {number} 行")
        if label in ("题库编号", "bank"):
            info["bank"] = At(value, where)
        elif label in ("题库名称", "title"):
            info["title"] = At(value, where)
        elif label in ("用于练习", "practice"):
            word = value.lower()
            info["practice"] = At(True if word in _YES else False if word in _NO else value, where)
        elif label in ("主题编号", "topic"):
            in_topics = True
        elif in_topics and label:
            topics[label] = At(value, where)
    info["topics"] = topics
    info["topics_by_title"] = {v.value: k for k, v in topics.items()}
    return info


def _topics_in(questions: list[At], defaults: BankDefaults) -> dict[str, str]:
    """Without a “题库信息” sheet, each topic named in the rows is its own title."""
    named = {q.value["topic"].value: q.value["topic"].value for q in questions}
    return named or {defaults.topic[0]: defaults.topic[1]}


def write(bank: Bank) -> Export:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = QUESTIONS_SHEET
    _append(sheet, [title for _, title in HEADERS])
    for question in bank.questions:
        _append(sheet, _row(question))
    for letter, width in (("A", 16), ("E", 48), ("N", 40)):
        sheet.column_dimensions[letter].width = width
    info = workbook.create_sheet(INFO_SHEET)
    _append(info, ["题库编号", bank.name])
    _append(info, ["题库名称", bank.title])
    if not bank.practice:
        _append(info, ["用于练习", "否"])
    _append(info, [])
    _append(info, ["主题编号", "主题名称"])
    for topic, title in bank.topics:
        _append(info, [topic, title])
    stream = io.BytesIO()
    workbook.save(stream)
    return Export(stream.getvalue())


def _row(question: Question) -> list[str]:
    options = dict(question.options)
    return [
        question.id, TYPE_TITLES[question.type], question.topic, str(question.difficulty),
        question.stem, *(options.get(k, "") for k in OPTION_KEYS), REGISTRY[question.type].answer_text(question),
        question.explanation or "", question.source or "", "、".join(question.tags),
        "是" if question.shuffle_options else "否", "、".join(question.excludes),
    ]  # fmt: skip


def _append(sheet, values: list[str]) -> None:
    """A row of text cells: ``1921`` stays text, ``=`` never starts a formula."""
    sheet.append(values)
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"
            cell.number_format = "@"


def template() -> bytes:
    """The downloadable template: the columns and a sample row of every type."""
    return write(SAMPLE_BANK).data
