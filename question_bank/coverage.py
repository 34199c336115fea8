"""What a bank version holds for an exam designer: its questions counted by type ×
topic × difficulty, and each cell of an exam's rules against those counts, short cells
marked with the reason, so a shortfall is seen while the exam is being written."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from question_bank.exam import DIFFICULTIES, Exam, cell_supplies
from question_bank.model import QUESTION_TYPES, TYPE_TITLES, Bank

ANY_TOPIC = "任意主题"
ANY_DIFFICULTY = "任意难度"


@dataclass(frozen=True)
class Demand:
    """One cell of the exam's rules: what it draws and whether the bank can supply it."""

    number: int  # 1, 2, … as the grids refer to it
    section: str
    type_title: str
    topic: str
    difficulty: str
    needed: int
    available: int
    problem: str | None  # why the bank cannot supply it, in words; None when it can


@dataclass(frozen=True)
class GridCell:
    held: int  # questions of this type, topic and difficulty in the bank
    drawn_by: tuple[int, ...]  # numbers of the demands drawing from it
    short: bool  # some demand drawing from it cannot be supplied


@dataclass(frozen=True)
class GridRow:
    topic: str
    title: str
    cells: tuple[GridCell, ...]  # one per difficulty 1..5

    @property
    def total(self) -> int:
        return sum(cell.held for cell in self.cells)


@dataclass(frozen=True)
class TypeGrid:
    type: str
    title: str
    rows: tuple[GridRow, ...]

    @property
    def totals(self) -> tuple[int, ...]:
        return tuple(sum(row.cells[i].held for row in self.rows) for i in range(len(DIFFICULTIES)))

    @property
    def total(self) -> int:
        return sum(self.totals)


@dataclass(frozen=True)
class Coverage:
    bank: str
    question_count: int
    grids: tuple[TypeGrid, ...]
    demands: tuple[Demand, ...]

    @property
    def short(self) -> tuple[Demand, ...]:
        return tuple(d for d in self.demands if d.problem)


def coverage(bank: Bank, exam: Exam | None = None) -> Coverage:
    """The bank's counts, and when an exam drawing from it is given, its demands."""
    counts = Counter((q.type, q.topic, q.difficulty) for q in bank.questions)
    titles = dict(bank.topics)
    demands: list[Demand] = []
    drawn: dict[tuple[str, str, int], list[int]] = {}
    short: set[tuple[str, str, int]] = set()
    supplies = cell_supplies(exam, bank) if exam is not None else []
    for number, supply in enumerate(supplies, start=1):
        cell, shortfall = supply.cell, supply.shortfall
        demands.append(
            Demand(
                number, supply.section.title, TYPE_TITLES[supply.section.type],
                titles.get(cell.topic, cell.topic) if cell.topic is not None else ANY_TOPIC,
                cell.band.label if cell.band is not None else ANY_DIFFICULTY,
                cell.count, supply.available, _problem(shortfall) if shortfall else None,
            )
        )  # fmt: skip
        for key in supply.keys:
            drawn.setdefault(key, []).append(number)
            if shortfall:
                short.add(key)
    used = {q.type for q in bank.questions} | {s.section.type for s in supplies}
    grids = tuple(
        TypeGrid(kind, TYPE_TITLES[kind], tuple(
            GridRow(topic, title, tuple(
                GridCell(counts[(kind, topic, level)], tuple(drawn.get((kind, topic, level), ())),
                         (kind, topic, level) in short)
                for level in DIFFICULTIES
            ))
            for topic, title in bank.topics
        ))
        for kind in QUESTION_TYPES
        if kind in used
    )  # fmt: skip
    return Coverage(bank.name, len(bank.questions), grids, tuple(demands))


def _problem(shortfall) -> str:
    note = f"；{shortfall.note}" if shortfall.note else ""
    return f"需要 {shortfall.needed} 道，题库只有 {shortfall.available} 道{note}"
