"""``excludes``: questions that give each other away and must never share a paper.

A question names the others it excludes; the relation is symmetric, so one side is
enough. The ids are checked once the whole bank is read: each must exist, and no
question may name itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from ruamel.yaml.nodes import Node

from question_bank.diagnostics import Report
from question_bank.nodes import NodeReader


@dataclass(frozen=True)
class ExcludeRef:
    """One id named in a question's ``excludes``, with where it was written."""

    owner: str
    target: str
    node: Node


def read_excludes(node: Node, reader: NodeReader) -> tuple[str, ...] | None:
    """The ids listed in ``excludes`` (duplicates reported), or None after an error."""
    items = reader.sequence(node, "excludes")
    if items is None:
        return None
    ids: list[str] = []
    for item in items:
        target = reader.text(item, "excludes")
        if target is None:
            return None
        if target in ids:
            reader.error(item, "excludes", f"excludes 中重复列出了“{target}”；每个编号只写一次")
            return None
        ids.append(target)
    return tuple(ids)


def exclude_refs(owner: str, node: Node, ids: tuple[str, ...]) -> list[ExcludeRef]:
    """Each listed id with the node it was written at, for ``check_excludes``."""
    items = node.value
    return [ExcludeRef(owner, target, item) for target, item in zip(ids, items, strict=True)]


def check_excludes(refs: list[ExcludeRef], known: set[str], report: Report) -> None:
    """Report ids that name no question of the bank, and questions that name themselves."""
    for ref in refs:
        reader = NodeReader(report, f"题目 {ref.owner}", ref.owner)
        if ref.target == ref.owner:
            reader.error(ref.node, "excludes", "excludes 不能列出本题自己；请删除这一项")
        elif ref.target not in known:
            reader.error(
                ref.node,
                "excludes",
                f"excludes 中的“{ref.target}”不是本题库中的题目编号；请核对编号",
            )
