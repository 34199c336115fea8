"""Typed reading of YAML nodes, recording each problem with its position and field."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from question_bank.diagnostics import Report
from question_bank.echo import quoted
from question_bank.yaml_source import is_null, load, position

_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}
_INTEGER = re.compile(r"[0-9]+")


class NodeReader:
    """Reads fields of one owner (the bank, or a question) and reports problems about them."""

    def __init__(self, report: Report, owner: str, qid: str | None = None) -> None:
        self.report = report
        self.owner = owner
        self.qid = qid

    def error(self, node: Node, field: str | None, message: str) -> None:
        where = position(node)
        self.report.error(
            where.line, where.column, f"{self.owner}：{message}", qid=self.qid, field=field
        )

    def warning(self, node: Node, field: str | None, message: str) -> None:
        where = position(node)
        self.report.warning(
            where.line, where.column, f"{self.owner}：{message}", qid=self.qid, field=field
        )

    def mapping(
        self, node: Node, field: str | None, known: Iterable[str] | None = None
    ) -> dict[str, tuple[Node, Node]] | None:
        """Key → (key node, value node); reports duplicate keys and, given ``known``, unknown ones."""
        if not isinstance(node, MappingNode):
            self.error(node, field, f"{_label(field)}应为“键: 值”形式的映射，而不是{_kind(node)}")
            return None
        fields: dict[str, tuple[Node, Node]] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                self.error(key_node, field, "字段名应为文本")
                continue
            key = key_node.value
            if key in fields:
                first = position(fields[key][0]).line
                self.error(
                    key_node,
                    key,
                    f"字段{quoted(key)}重复（第一次出现在第 {first} 行）；请删除或合并其中一个",
                )
                continue
            fields[key] = (key_node, value_node)
        if known is not None:
            self.reject_unknown(fields, known)
        return fields

    def reject_unknown(self, fields: dict[str, tuple[Node, Node]], known: Iterable[str]) -> None:
        """Report and drop fields the format does not define, suggesting the likely one."""
        known = list(known)
        for key in [k for k in fields if k not in known]:
            self.error(fields.pop(key)[0], key, f"未知字段{quoted(key)}{_suggest(key, known)}")

    def text(self, node: Node, field: str, *, required: bool = True) -> str | None:
        """A scalar kept exactly as written; numbers and dates stay text."""
        if not isinstance(node, ScalarNode):
            self.error(node, field, f"{field} 应为文本，而不是{_kind(node)}")
            return None
        if is_null(node) or not node.value.strip():
            if required:
                self.error(node, field, f"{field} 不能为空；请填写内容")
            return None
        return node.value

    def integer(self, node: Node, field: str, low: int, high: int) -> int | None:
        value = node.value if isinstance(node, ScalarNode) else None
        if value is None or not _INTEGER.fullmatch(value.strip()) or not low <= int(value) <= high:
            shown = value if value is not None else _kind(node)
            self.error(node, field, f"{field} 应为 {low} 到 {high} 之间的整数，而不是“{shown}”")
            return None
        return int(value)

    def boolean(self, node: Node, field: str) -> bool | None:
        value = node.value if isinstance(node, ScalarNode) else ""
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        self.error(
            node, field, f"{field} 应为 true 或 false（YAML 1.2 中 yes/no 是文本），而不是“{value}”"
        )
        return None

    def sequence(self, node: Node, field: str) -> list[Node] | None:
        if not isinstance(node, SequenceNode):
            self.error(
                node, field, f"{field} 应为列表（以“- ”开头的各行，或 [a, b]），而不是{_kind(node)}"
            )
            return None
        return list(node.value)


def _label(field: str | None) -> str:
    return f"{field} " if field else "此处"


def _kind(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "映射"
    if isinstance(node, SequenceNode):
        return "列表"
    return f"文本“{node.value}”" if node.value else "空值"


def _suggest(key: str, known: list[str]) -> str:
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    if close:
        return f"，是否应为“{close[0]}”？"
    return f"；可用字段：{', '.join(known)}"


Fields = dict[str, tuple[Node, Node]]


def read_document(
    data: bytes,
    report: Report,
    *,
    kind: str,
    owner: str,
    max_bytes: int,
    known: Sequence[str],
    required: Sequence[str],
    empty_message: str | None = None,
) -> tuple[NodeReader, Fields] | None:
    """The top-level mapping of a bank, exam or rules file, with unknown and missing
    top-level fields reported; None when nothing further can be read.

    ``empty_message``, when given, is reported for a file of only blanks and comments.
    """
    if empty_message is not None and _blank(data):
        report.error(1, 1, empty_message)
        return None
    root = load(data, report, max_bytes, kind=kind)
    if root is None:
        return None
    reader = NodeReader(report, owner)
    fields = reader.mapping(root, None, known)
    if fields is None:
        return None
    for name in required:
        if name not in fields:
            reader.error(root, name, f"缺少必填字段“{name}”")
    return reader, fields


def _blank(data: bytes) -> bool:
    text = data.decode("utf-8-sig", errors="replace")
    return all(not line.strip() or line.lstrip().startswith("#") for line in text.splitlines())
