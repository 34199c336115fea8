"""The exam definition YAML format (试卷规则): reading and validating it.

``parse_exam`` reports every problem as ``FILE:LINE:COL: message``, like banks do.
Whether a bank can satisfy the exam is ``exam.check_satisfiable``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

from ruamel.yaml.nodes import Node

from question_bank.bank_format import BANK_NAME
from question_bank.diagnostics import Report
from question_bank.exam import (
    REVIEW_FROM,
    REVIEW_SHOW,
    SCORING_FIELDS,
    Cell,
    Exam,
    PassMark,
    ReviewPolicy,
    Section,
)
from question_bank.exam_spread import band_key, reject_overlap, shares, spread_cells, topic_key
from question_bank.model import QUESTION_TYPES, TYPE_TITLES
from question_bank.nodes import NodeReader, read_document
from question_bank.types import REGISTRY

EXAM_FIELDS = (
    "exam", "title", "bank", "time_limit_minutes", "pass_mark", *SCORING_FIELDS,
    "shuffle_questions", "shuffle_options", "review", "topics", "difficulty", "sections",
    "max_page_leaves",
    "practice",
)  # fmt: skip
REQUIRED = ("exam", "title", "bank", "time_limit_minutes", "pass_mark", "sections")
SECTION_FIELDS = ("type", "title", "count", "points", "topics", "difficulty")
REVIEW_FIELDS = ("show", "from")
MAX_EXAM_BYTES = 1024 * 1024
MAX_SECTION_COUNT = 500
_POINTS = re.compile(r"[0-9]{1,3}(\.[0-9]{1,2})?")
_PASS_MARK = re.compile(r"([0-9]{1,5}(?:\.[0-9]{1,2})?)\s*(%?)")

T = TypeVar("T")


def parse_exam(data: bytes, filename: str = "<exam>") -> tuple[Exam | None, Report]:
    """Read and validate an exam file; the exam is None whenever there is any error."""
    report = Report(filename)
    document = read_document(
        data, report, kind="试卷规则", owner="试卷规则", max_bytes=MAX_EXAM_BYTES,
        known=EXAM_FIELDS, required=REQUIRED,
        empty_message=f"文件为空；试卷规则至少需要 {'、'.join(REQUIRED)}",
    )  # fmt: skip
    if document is None:
        return None, report
    reader, fields = document

    def get(name: str, read: Callable[[Node], T | None], default: Any = None) -> T | None:
        return read(fields[name][1]) if name in fields else default

    spread_defaults = {k: fields[k][1] for k in ("topics", "difficulty") if k in fields}
    values = {
        "code": get("exam", lambda n: _name(reader, n, "exam", "试卷编号")),
        "title": get("title", lambda n: reader.text(n, "title")),
        "bank": get("bank", lambda n: _name(reader, n, "bank", "题库名")),
        "time_limit_minutes": get(
            "time_limit_minutes", lambda n: reader.integer(n, "time_limit_minutes", 1, 1440)
        ),
        "pass_mark": get("pass_mark", lambda n: _pass_mark(reader, n)),
        "scoring_modes": _scoring_modes(fields, reader),
        "shuffle_questions": get(
            "shuffle_questions", lambda n: reader.boolean(n, "shuffle_questions"), True
        ),
        "shuffle_options": get(
            "shuffle_options", lambda n: reader.boolean(n, "shuffle_options"), True
        ),
        "review": get("review", lambda n: _review(reader, n), ReviewPolicy()),
        "practice": get("practice", lambda n: reader.boolean(n, "practice"), True),
        "max_page_leaves": get(
            "max_page_leaves", lambda n: reader.integer(n, "max_page_leaves", 0, 100), 0
        ),
        "sections": get("sections", lambda n: _sections(report, n, spread_defaults)),
    }
    if not report.ok or None in values.values():
        return None, report
    exam = Exam(**values)
    mark = exam.pass_mark
    if mark.value > (100 if mark.percent else exam.total_points):
        limit = "100%" if mark.percent else f"总分 {exam.total_points}"
        reader.error(fields["pass_mark"][1], "pass_mark", f"合格线超过了{limit}；请改小")
        return None, report
    return exam, report


def _name(reader: NodeReader, node: Node, field: str, what: str) -> str | None:
    name = reader.text(node, field)
    if name is not None and not BANK_NAME.fullmatch(name):
        reader.error(
            node, field, f"{what}“{name}”不合规；只能用小写字母、数字和“-”，长 2 到 64 个字符"
        )
        return None
    return name


def _scoring_modes(fields: dict[str, tuple[Node, Node]], reader: NodeReader) -> dict | None:
    """``<type>_scoring`` for each type with a choice; absent ones keep the type's default."""
    modes = {}
    for name, kind in SCORING_FIELDS.items():
        if name in fields:
            mode = _choice(reader, fields[name][1], name, REGISTRY[kind].scoring_modes)
            if mode is None:
                return None
            modes[kind] = mode
    return modes


def _choice(reader: NodeReader, node: Node, field: str, allowed: tuple[str, ...]) -> str | None:
    value = reader.text(node, field)
    if value is not None and value not in allowed:
        reader.error(node, field, f"{field} 应为 {' 或 '.join(allowed)}，而不是“{value}”")
        return None
    return value


def _decimal(reader: NodeReader, node: Node, field: str) -> Decimal | None:
    value = reader.text(node, field)
    if value is None:
        return None
    if not _POINTS.fullmatch(value.strip()) or Decimal(value) == 0:
        reader.error(node, field, f"{field} 应为正数，最多两位小数（如 2 或 1.5），而不是“{value}”")
        return None
    return Decimal(value.strip())


def _pass_mark(reader: NodeReader, node: Node) -> PassMark | None:
    value = reader.text(node, "pass_mark")
    if value is None:
        return None
    match = _PASS_MARK.fullmatch(value.strip())
    if match is None:
        reader.error(
            node,
            "pass_mark",
            f"pass_mark 应为分数（如 60）或总分的百分比（如 60%），而不是“{value}”",
        )
        return None
    return PassMark(Decimal(match.group(1)), percent=bool(match.group(2)))


def _review(reader: NodeReader, node: Node) -> ReviewPolicy | None:
    fields = reader.mapping(node, "review", REVIEW_FIELDS)
    if fields is None:
        return None
    default = ReviewPolicy()
    show = (
        _choice(reader, fields["show"][1], "show", REVIEW_SHOW)
        if "show" in fields
        else default.show
    )
    when = (
        _choice(reader, fields["from"][1], "from", REVIEW_FROM)
        if "from" in fields
        else default.when
    )
    return None if None in (show, when) else ReviewPolicy(show, when)


def _sections(report: Report, node: Node, defaults: dict[str, Node]) -> tuple[Section, ...] | None:
    items = NodeReader(report, "试卷规则").sequence(node, "sections")
    if items is None:
        return None
    if not items:
        NodeReader(report, "试卷规则").error(node, "sections", "sections 为空；至少要有一个部分")
        return None
    sections: list[Section] = []
    seen: dict[str, int] = {}
    for number, item in enumerate(items, start=1):
        section = _section(NodeReader(report, f"第 {number} 部分"), item, defaults)
        if section is None:
            continue
        if section.type in seen:
            NodeReader(report, f"第 {number} 部分").error(
                item,
                "type",
                f"题型 {section.type} 已在第 {seen[section.type]} 部分出现；同一题型请写在一个部分里",
            )
            continue
        seen[section.type] = number
        sections.append(section)
    return tuple(sections) if len(sections) == len(items) else None


def _section(reader: NodeReader, node: Node, defaults: dict[str, Node]) -> Section | None:
    fields = reader.mapping(node, "sections", SECTION_FIELDS)
    if fields is None:
        return None
    errors_before = len(reader.report.errors)
    for required in ("type", "count", "points"):
        if required not in fields:
            reader.error(node, required, f"缺少必填字段“{required}”")
    kind = _choice(reader, fields["type"][1], "type", QUESTION_TYPES) if "type" in fields else None
    count = (
        reader.integer(fields["count"][1], "count", 1, MAX_SECTION_COUNT)
        if "count" in fields
        else None
    )
    points = _decimal(reader, fields["points"][1], "points") if "points" in fields else None
    title = reader.text(fields["title"][1], "title") if "title" in fields else None
    if kind is None or count is None or points is None:
        return None
    spread = {k: fields[k][1] for k in ("topics", "difficulty") if k in fields}
    spread = {**defaults, **spread}
    topics = (
        shares(reader, spread["topics"], "topics", count, topic_key) if "topics" in spread else None
    )
    bands = (
        shares(reader, spread["difficulty"], "difficulty", count, band_key)
        if "difficulty" in spread
        else None
    )
    if len(reader.report.errors) > errors_before:
        return None
    if bands is not None:
        reject_overlap(reader, spread["difficulty"], [b for b, _ in bands])
    if topics is None and bands is None:
        cells: tuple[Cell, ...] = (Cell(None, None, count),)
    else:
        cells = spread_cells(topics, bands)
    if len(reader.report.errors) > errors_before:
        return None
    return Section(kind, title or TYPE_TITLES[kind], count, points, cells)
