"""Checks across the certificate types of a rules file: unique ids and number prefixes,
prerequisites that exist and do not go round in a circle."""

from __future__ import annotations

from ruamel.yaml.nodes import Node

from certificates.rules import CertificateType
from question_bank.diagnostics import Report
from question_bank.nodes import NodeReader


def check_unique(types: list[tuple[Node, CertificateType]], report: Report) -> None:
    seen_ids: dict[str, CertificateType] = {}
    seen_prefixes: dict[str, CertificateType] = {}
    for node, kind in types:
        reader = NodeReader(report, f"证书类型 {kind.id}", kind.id)
        if kind.id in seen_ids:
            reader.error(node, "id", f"类型编号“{kind.id}”重复；每种证书类型的 id 须唯一")
        if kind.number_prefix in seen_prefixes:
            other = seen_prefixes[kind.number_prefix].id
            reader.error(
                node,
                "number_prefix",
                f"编号前缀“{kind.number_prefix}”已被证书类型 {other} 使用；前缀须唯一，否则编号会重复",
            )
        seen_ids.setdefault(kind.id, kind)
        seen_prefixes.setdefault(kind.number_prefix, kind)


def check_prerequisites(types: list[tuple[Node, CertificateType]], report: Report) -> None:
    by_id = {kind.id: kind for _, kind in types}
    for node, kind in types:
        reader = NodeReader(report, f"证书类型 {kind.id}", kind.id)
        for needed in kind.prerequisites:
            if needed == kind.id:
                reader.error(node, "prerequisites", "证书类型不能以自身为前置条件")
            elif needed not in by_id:
                reader.error(
                    node,
                    "prerequisites",
                    f"前置证书类型“{needed}”未定义；可用：{', '.join(by_id)}",
                )
        if _in_cycle(kind.id, by_id):
            reader.error(
                node, "prerequisites", "前置条件构成循环（A 需要 B、B 又需要 A）；请去掉其中一环"
            )


def _in_cycle(start: str, by_id: dict[str, CertificateType]) -> bool:
    """Whether following prerequisites from ``start`` leads back to it (self-loops excepted)."""
    stack = [p for p in by_id[start].prerequisites if p != start]
    seen: set[str] = set()
    while stack:
        current = stack.pop()
        if current == start:
            return True
        if current in seen or current not in by_id:
            continue
        seen.add(current)
        stack.extend(by_id[current].prerequisites)
    return False
