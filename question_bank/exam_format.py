"""The exam definition YAML format (试卷规则): reading and validating it.

``parse_exam`` reports every problem as ``FILE:LINE:COL: message``, like banks do.
Whether a bank can satisfy the exam is ``exam.check_satisfiable``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from itertools import pairwise
from typing import Any, TypeVar

from ruamel.yaml.nodes import Node, ScalarNode

from question_bank.bank_format import BANK_NAME, IDENTIFIER
from question_bank.diagnostics import Report
from question_bank.exam import (
    MULTIPLE_SCORING,
    REVIEW_FROM,
    REVIEW_SHOW,
    Band,
    Cell,
    Exam,
    PassMark,
    ReviewPolicy,
    Section,
    apportion,
    spread_cells,
)
from question_bank.model import QUESTION_TYPES, TYPE_TITLES
from question_bank.nodes import NodeReader, read_document

EXAM_FIELDS = (
    "exam", "title", "bank", "time_limit_minutes", "pass_mark", "multiple_scoring",
    "shuffle_questions", "shuffle_options", "review", "topics", "difficulty", "sections",
    "practice",
)  # fmt: skip
REQUIRED = ("exam", "title", "bank", "time_limit_minutes", "pass_mark", "sections")
SECTION_FIELDS = ("type", "title", "count", "points", "topics", "difficulty")
REVIEW_FIELDS = ("show", "from")
MAX_EXAM_BYTES = 1024 * 1024
MAX_SECTION_COUNT = 500
_POINTS = re.compile(r"[0-9]{1,3}(\.[0-9]{1,2})?")
_PASS_MARK = re.compile(r"([0-9]{1,5}(?:\.[0-9]{1,2})?)\s*(%?)")
_SHARE = re.compile(r"([0-9]{1,4})\s*(%?)")
_BAND = re.compile(r"([1-5])(?:\s*-\s*([1-5]))?")

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
        "multiple_scoring": get(
            "multiple_scoring",
            lambda n: _choice(reader, n, "multiple_scoring", MULTIPLE_SCORING),
            "all_or_nothing",
        ),
        "shuffle_questions": get(
            "shuffle_questions", lambda n: reader.boolean(n, "shuffle_questions"), True
        ),
        "shuffle_options": get(
            "shuffle_options", lambda n: reader.boolean(n, "shuffle_options"), True
        ),
        "review": get("review", lambda n: _review(reader, n), ReviewPolicy()),
        "practice": get("practice", lambda n: reader.boolean(n, "practice"), True),
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
        _shares(reader, spread["topics"], "topics", count, _topic) if "topics" in spread else None
    )
    bands = (
        _shares(reader, spread["difficulty"], "difficulty", count, _band)
        if "difficulty" in spread
        else None
    )
    if len(reader.report.errors) > errors_before:
        return None
    if bands is not None:
        _reject_overlap(reader, spread["difficulty"], [b for b, _ in bands])
    if topics is None and bands is None:
        cells: tuple[Cell, ...] = (Cell(None, None, count),)
    else:
        cells = spread_cells(topics, bands)
    if len(reader.report.errors) > errors_before:
        return None
    return Section(kind, title or TYPE_TITLES[kind], count, points, cells)


def _shares(
    reader: NodeReader,
    node: Node,
    field: str,
    count: int,
    parse_key: Callable[[NodeReader, Node, str], T | None],
) -> list[tuple[T, int]] | None:
    """A ``key: 5`` or ``key: 30%`` mapping, turned into exact counts for this section."""
    entries = reader.mapping(node, field)
    if entries is None:
        return None
    if not entries:
        reader.error(node, field, f"{field} 为空；请删除它，或列出各项的题数或百分比")
        return None
    keys: list[T | None] = []
    numbers: list[int] = []
    kinds: set[str] = set()
    for key, (key_node, value_node) in entries.items():
        keys.append(parse_key(reader, key_node, key))
        raw = value_node.value if isinstance(value_node, ScalarNode) else ""
        match = _SHARE.fullmatch(raw.strip())
        if match is None:
            reader.error(
                value_node,
                field,
                f"{field} 中“{key}”应为题数（如 5）或百分比（如 30%），而不是“{raw}”",
            )
            return None
        numbers.append(int(match.group(1)))
        kinds.add(match.group(2))
    if None in keys:
        return None
    if len(kinds) > 1:
        reader.error(node, field, f"{field} 中不能混用题数和百分比；请统一写法")
        return None
    total = sum(numbers)
    if kinds == {"%"}:
        if total != 100:
            reader.error(node, field, f"{field} 的百分比合计为 {total}%，应为 100%")
            return None
        numbers = apportion(count, [Fraction(n, 100) for n in numbers])
    elif total != count:
        reader.error(
            node, field, f"{field} 的题数合计为 {total}，应等于本部分的题数 count（{count}）"
        )
        return None
    return list(zip(keys, numbers, strict=True))


def _topic(reader: NodeReader, node: Node, key: str) -> str | None:
    if not IDENTIFIER.fullmatch(key):
        reader.error(node, "topics", f"主题编号“{key}”不合规；只能用字母、数字、“_”和“-”")
        return None
    return key


def _band(reader: NodeReader, node: Node, key: str) -> Band | None:
    match = _BAND.fullmatch(key.strip())
    low, high = (int(match.group(1)), int(match.group(2) or match.group(1))) if match else (0, 0)
    if match is None or low > high:
        reader.error(
            node,
            "difficulty",
            f"难度档“{key}”不合规；应为 1 到 5 的一个难度（如 3）或范围（如 4-5）",
        )
        return None
    return Band(low, high)


def _reject_overlap(reader: NodeReader, node: Node, bands: list[Band]) -> None:
    ordered = sorted(bands, key=lambda b: b.low)
    for before, after in pairwise(ordered):
        if after.low <= before.high:
            reader.error(
                node,
                "difficulty",
                f"难度档 {before.label} 与 {after.label} 重叠；每个难度只能属于一档",
            )
