"""How an exam section's spread is written: ``topics`` and ``difficulty`` as counts or
percentages per topic or difficulty band, read into exact counts, and the cells
(topic × band) those counts are spread over."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable
from fractions import Fraction
from itertools import pairwise
from typing import TypeVar

from ruamel.yaml.nodes import Node, ScalarNode

from question_bank.bank_format import IDENTIFIER
from question_bank.exam import Band, Cell
from question_bank.nodes import NodeReader

_SHARE = re.compile(r"([0-9]{1,4})\s*(%?)")
_BAND = re.compile(r"([1-5])(?:\s*-\s*([1-5]))?")

T = TypeVar("T")


def shares(
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


def topic_key(reader: NodeReader, node: Node, key: str) -> str | None:
    if not IDENTIFIER.fullmatch(key):
        reader.error(node, "topics", f"主题编号“{key}”不合规；只能用字母、数字、“_”和“-”")
        return None
    return key


def band_key(reader: NodeReader, node: Node, key: str) -> Band | None:
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


def reject_overlap(reader: NodeReader, node: Node, bands: list[Band]) -> None:
    ordered = sorted(bands, key=lambda b: b.low)
    for before, after in pairwise(ordered):
        if after.low <= before.high:
            reader.error(
                node,
                "difficulty",
                f"难度档 {before.label} 与 {after.label} 重叠；每个难度只能属于一档",
            )


def apportion(total: int, weights: list[Fraction]) -> list[int]:
    """Split ``total`` by ``weights`` (summing to 1) with the largest-remainder method;
    ties go to the entry listed first, so the result depends on the exam text alone."""
    quotas = [total * w for w in weights]
    counts = [int(q) for q in quotas]
    order = sorted(range(len(quotas)), key=lambda i: (-(quotas[i] - counts[i]), i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def spread_cells(
    topics: list[tuple[str, int]] | None, bands: list[tuple[Band, int]] | None
) -> tuple[Cell, ...]:
    """Cells whose topic totals and band totals are exactly the given counts, each cell
    within one question of its proportional share (controlled rounding)."""
    if topics is None and bands is None:
        raise ValueError("a spread needs topics or bands")
    if bands is None:
        return tuple(Cell(t, None, n) for t, n in topics if n)
    if topics is None:
        return tuple(Cell(None, b, n) for b, n in bands if n)
    total = sum(n for _, n in topics)
    shares = [[Fraction(r * c, total) for _, c in bands] for _, r in topics]
    counts = [[int(x) for x in row] for row in shares]
    row_left = [r - sum(row) for (_, r), row in zip(topics, counts, strict=True)]
    col_left = [c - sum(row[j] for row in counts) for j, (_, c) in enumerate(bands)]
    # The leftovers are placed one per cell with a fractional share, so that every row
    # and column total is met: a small flow problem, always solvable (the fractional
    # parts themselves are a solution). Larger fractions are tried first.
    edges: list[tuple[object, object, int]] = [
        (_SOURCE, ("t", i), n) for i, n in enumerate(row_left)
    ]
    fractional = [
        (i, j) for i, row in enumerate(shares) for j, x in enumerate(row) if x.denominator != 1
    ]
    fractional.sort(key=lambda ij: (-(shares[ij[0]][ij[1]] % 1), ij))
    edges += [(("t", i), ("b", j), 1) for i, j in fractional]
    edges += [(("b", j), _SINK, n) for j, n in enumerate(col_left)]
    residual = _max_flow(edges)
    for i, j in fractional:
        counts[i][j] += residual[(("b", j), ("t", i))]
    return tuple(
        Cell(topic, band, counts[i][j])
        for i, (topic, _) in enumerate(topics)
        for j, (band, _) in enumerate(bands)
        if counts[i][j]
    )


_SOURCE, _SINK = "source", "sink"


def _max_flow(edges: list[tuple[object, object, int]]) -> dict[tuple[object, object], int]:
    """Residual capacities after a maximum flow (Edmonds-Karp); graphs here are tiny."""
    residual: dict[tuple[object, object], int] = {}
    neighbours: dict[object, list[object]] = {}
    for u, v, capacity in edges:
        residual[(u, v)] = residual.get((u, v), 0) + capacity
        residual.setdefault((v, u), 0)
        neighbours.setdefault(u, []).append(v)
        neighbours.setdefault(v, []).append(u)
    while True:
        parent: dict[object, object] = {_SOURCE: None}
        queue = deque([_SOURCE])
        while queue and _SINK not in parent:
            u = queue.popleft()
            for v in neighbours.get(u, ()):
                if v not in parent and residual[(u, v)] > 0:
                    parent[v] = u
                    queue.append(v)
        if _SINK not in parent:
            return residual
        v = _SINK
        while parent[v] is not None:
            u = parent[v]
            residual[(u, v)] -= 1
            residual[(v, u)] += 1
            v = u
