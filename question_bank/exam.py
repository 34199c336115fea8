"""Exams (试卷规则) as typed, immutable values, and how a section's spread becomes cells.

A section's spread over topics and difficulty is turned into a fixed table of cells
(topic × difficulty band → count) when the exam is read, from the exam alone. Every
paper of the exam draws the same cells, so every candidate gets the same spread and
the same total points, whatever the bank version.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from question_bank.model import TYPE_TITLES, Bank
from question_bank.types import REGISTRY

DIFFICULTIES = range(1, 6)
# An exam says how each type with a choice of scoring is scored: ``multiple_scoring: partial``.
SCORING_FIELDS = {f"{name}_scoring": name for name, t in REGISTRY.items() if t.scoring_choosable}
REVIEW_SHOW = ("score_only", "answers", "keys")
REVIEW_FROM = ("immediately", "after_close")


@dataclass(frozen=True)
class Band:
    """An inclusive range of difficulties, written ``3`` or ``4-5``."""

    low: int
    high: int

    @property
    def label(self) -> str:
        return str(self.low) if self.low == self.high else f"{self.low}-{self.high}"

    @property
    def difficulties(self) -> range:
        return range(self.low, self.high + 1)


@dataclass(frozen=True)
class Cell:
    """How many questions a section takes from one topic and band; None means any."""

    topic: str | None
    band: Band | None
    count: int

    def bucket_keys(self, kind: str, bank_topics: tuple[str, ...]) -> list[tuple[str, str, int]]:
        """The (type, topic, difficulty) buckets of a bank this cell draws from, in order."""
        topics = (self.topic,) if self.topic is not None else bank_topics
        levels = self.band.difficulties if self.band is not None else DIFFICULTIES
        return [(kind, topic, level) for topic in topics for level in levels]

    def describe(self, kind: str) -> str:
        parts = []
        if self.topic is not None:
            parts.append(f"主题 {self.topic}")
        if self.band is not None:
            parts.append(f"难度 {self.band.label}")
        return "、".join([*parts, TYPE_TITLES[kind]])


@dataclass(frozen=True)
class Section:
    type: str
    title: str
    count: int
    points: Decimal
    cells: tuple[Cell, ...]

    @property
    def total_points(self) -> Decimal:
        return self.points * self.count


@dataclass(frozen=True)
class PassMark:
    """Either points (``60``) or a percentage of the paper's total (``60%``)."""

    value: Decimal
    percent: bool

    def threshold(self, total: Decimal) -> Fraction:
        if self.percent:
            return Fraction(total) * Fraction(self.value) / 100
        return Fraction(self.value)


@dataclass(frozen=True)
class ScoringPolicy:
    """What scoring needs from the exam; kept apart so a re-score can state it alone."""

    modes: Mapping[str, str]  # question type → scoring mode; absent: the type's default
    pass_mark: PassMark

    def mode(self, kind: str) -> str:
        return self.modes.get(kind, REGISTRY[kind].default_scoring)

    def stored(self) -> dict[str, str]:
        """The modes as an attempt stores them (every choosable type, defaults included)."""
        return {name: self.mode(name) for name, t in REGISTRY.items() if t.scoring_choosable}

    @classmethod
    def from_stored(cls, stored: Mapping[str, Any], pass_mark: PassMark) -> ScoringPolicy:
        """From an attempt's policy; attempts before per-type modes kept the
        multiple-choice mode alone under ``multiple``."""
        modes = stored.get("scoring") or {"multiple": stored["multiple"]}
        return cls(dict(modes), pass_mark)


@dataclass(frozen=True)
class ReviewPolicy:
    """What a candidate sees after finishing (``show``). ``when`` is kept as the exam
    file says it, but answers and keys open only once no attempt of the sitting can
    still be answered, whatever it says: the web layer's ``review_level`` decides."""

    show: str = "score_only"
    when: str = "immediately"


@dataclass(frozen=True)
class Exam:
    code: str
    title: str
    bank: str
    sections: tuple[Section, ...]
    time_limit_minutes: int
    pass_mark: PassMark
    scoring_modes: Mapping[str, str] = field(default_factory=dict)  # type → mode
    shuffle_questions: bool = True
    shuffle_options: bool = True
    review: ReviewPolicy = ReviewPolicy()
    practice: bool = True  # False: exam-only, the questions of its bank are never practised
    # 切屏次数上限: leaving the test page more often than this flags the attempt for the
    # admins (never fails or submits it); 0 means no limit.
    max_page_leaves: int = 0

    @property
    def total_points(self) -> Decimal:
        return sum((s.total_points for s in self.sections), Decimal(0))

    @property
    def question_count(self) -> int:
        return sum(s.count for s in self.sections)

    def scoring_mode(self, kind: str) -> str:
        return self.scoring.mode(kind)

    @property
    def scoring(self) -> ScoringPolicy:
        return ScoringPolicy(self.scoring_modes, self.pass_mark)


@dataclass(frozen=True)
class Shortfall:
    """One cell of one section that the bank cannot fill."""

    section: str
    cell: str
    needed: int
    available: int
    note: str = ""

    def __str__(self) -> str:
        note = f"（{self.note}）" if self.note else ""
        return f"{self.cell}：需要 {self.needed} 道，题库只有 {self.available} 道{note}"


@dataclass(frozen=True)
class CellSupply:
    """One cell of one section against a bank: the buckets it draws from, how many
    questions they hold, and the shortfall if it cannot be filled."""

    section: Section
    cell: Cell
    keys: frozenset[tuple[str, str, int]]  # (type, topic, difficulty)
    available: int
    shortfall: Shortfall | None


def cell_supplies(exam: Exam, bank: Bank) -> list[CellSupply]:
    """Every cell of the exam against the bank, in the exam's order.

    Questions that exclude each other count against a cell: each excluded pair with a
    question in the cell (and its partner anywhere the exam draws from) may keep one
    question of the cell off a paper, so a cell must hold that many spare questions.
    """
    if bank.name != exam.bank:
        raise ValueError(f"exam {exam.code} draws from bank {exam.bank}, not {bank.name}")
    counts = Counter((q.type, q.topic, q.difficulty) for q in bank.questions)
    topics = tuple(t for t, _ in bank.topics)
    pool = {
        (section.type, *key[1:])
        for section in exam.sections
        for cell in section.cells
        for key in cell.bucket_keys(section.type, topics)
    }
    supplies = []
    for section in exam.sections:
        for cell in section.cells:
            keys = frozenset(cell.bucket_keys(section.type, topics))
            available = sum(counts[key] for key in keys)
            at_risk = _excluded_in_cell(bank, keys, pool)
            shortfall = None
            if available - at_risk < cell.count:
                unknown = cell.topic not in (None, *topics)
                note = f"题库中没有主题 {cell.topic}" if unknown else ""
                if at_risk and not unknown:
                    note = f"其中 {at_risk} 道可能因互斥题（excludes）不能同卷"
                shortfall = Shortfall(
                    section.title, cell.describe(section.type), cell.count, available, note
                )
            supplies.append(CellSupply(section, cell, keys, available, shortfall))
    return supplies


def check_satisfiable(exam: Exam, bank: Bank) -> list[Shortfall]:
    """Every cell the bank has too few questions for; empty when every paper can be drawn."""
    return [s.shortfall for s in cell_supplies(exam, bank) if s.shortfall is not None]


def _excluded_in_cell(bank: Bank, keys: frozenset[tuple[str, str, int]], pool: set) -> int:
    """How many of a cell's questions excluded partners could keep off one paper: at
    most one per excluded pair touching the cell, and at most the cell's questions
    that have a partner the exam draws from."""
    bucket = {q.id: (q.type, q.topic, q.difficulty) for q in bank.questions}
    pairs: set[frozenset[str]] = set()
    touched: set[str] = set()
    for qid, partners in bank.exclusions.items():
        if bucket.get(qid) not in keys:
            continue
        for partner in partners:
            if bucket.get(partner) in pool:
                pairs.add(frozenset((qid, partner)))
                touched.add(qid)
    return min(len(pairs), len(touched))
