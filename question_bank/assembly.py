"""Drawing a paper for one attempt from an exam, a bank version and a stored seed.

The bank is indexed once (``BankIndex``) into buckets by (type, topic, difficulty), so
a draw samples positions in the few buckets each cell reads and costs O(paper size),
not O(bank size). Everything random comes from ``random.Random(seed)``, in a fixed
order, so the same seed and bank version always give the same paper.

Questions that exclude each other (``excludes``) never share a paper: a cell's sample
is kept when it clashes with nothing drawn so far (always so in a bank without
``excludes``, whose papers are therefore unchanged); otherwise the cell is drawn again
by walking a random order of it and skipping excluded questions.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import accumulate

from question_bank.exam import Exam, Section, Shortfall
from question_bank.model import Bank, Question
from question_bank.types import REGISTRY

BucketKey = tuple[str, str, int]


@dataclass(frozen=True)
class BankIndex:
    """One bank version bucketed for drawing; build it once per version and reuse it."""

    name: str
    topics: tuple[str, ...]
    buckets: dict[BucketKey, tuple[Question, ...]]
    bucket_of: dict[str, BucketKey]
    position: dict[str, int]
    excludes: dict[str, frozenset[str]]

    @classmethod
    def from_bank(cls, bank: Bank) -> BankIndex:
        buckets: dict[BucketKey, list[Question]] = {}
        for question in bank.questions:
            key = (question.type, question.topic, question.difficulty)
            buckets.setdefault(key, []).append(question)
        return cls(
            name=bank.name,
            topics=tuple(topic for topic, _ in bank.topics),
            buckets={key: tuple(questions) for key, questions in buckets.items()},
            bucket_of={q.id: (q.type, q.topic, q.difficulty) for q in bank.questions},
            position={q.id: i for i, q in enumerate(bank.questions)},
            excludes=bank.exclusions,
        )


@dataclass(frozen=True)
class PaperItem:
    """A question revision as given, with its options' original keys in display order
    (empty for judge and fill)."""

    question: Question
    option_order: tuple[str, ...]


@dataclass(frozen=True)
class PaperSection:
    title: str
    type: str
    points: Decimal
    items: tuple[PaperItem, ...]

    @property
    def total_points(self) -> Decimal:
        return self.points * len(self.items)


@dataclass(frozen=True)
class Paper:
    exam: str
    seed: int
    sections: tuple[PaperSection, ...]

    @property
    def total_points(self) -> Decimal:
        return sum((s.total_points for s in self.sections), Decimal(0))

    @property
    def question_ids(self) -> frozenset[str]:
        """What a retake passes as ``avoid``."""
        return frozenset(item.question.id for s in self.sections for item in s.items)


class UnsatisfiableExam(ValueError):
    """The bank version has too few questions for some cell of the exam."""

    def __init__(self, shortfalls: list[Shortfall]) -> None:
        super().__init__("; ".join(str(s) for s in shortfalls))
        self.shortfalls = shortfalls


def draw_paper(
    exam: Exam, index: BankIndex, seed: int, avoid: frozenset[str] = frozenset()
) -> Paper:
    """The paper of one attempt. ``avoid`` (the candidate's previous paper) is left out
    wherever a cell has enough other questions, and drawn from only to fill a cell that
    would otherwise be short. Store the seed, the bank version and ``avoid`` (or the
    paper itself) to regenerate it for audit."""
    if index.name != exam.bank:
        raise ValueError(f"exam {exam.code} draws from bank {exam.bank}, not {index.name}")
    rng = random.Random(seed)
    avoided = Counter(index.bucket_of[qid] for qid in avoid if qid in index.bucket_of)
    blocked: set[str] = set()
    drawn = [
        _draw_section(section, index, rng, avoid, avoided, blocked) for section in exam.sections
    ]
    sections = []
    for section, questions in zip(exam.sections, drawn, strict=True):
        if exam.shuffle_questions:
            rng.shuffle(questions)
        else:
            questions.sort(key=lambda q: index.position[q.id])
        kind = REGISTRY[section.type]
        items = tuple(
            PaperItem(q, kind.option_order(q, rng, exam.shuffle_options)) for q in questions
        )
        sections.append(PaperSection(section.title, section.type, section.points, items))
    return Paper(exam.code, seed, tuple(sections))


def _draw_section(
    section: Section,
    index: BankIndex,
    rng: random.Random,
    avoid: frozenset[str],
    avoided: Counter[BucketKey],
    blocked: set[str],
) -> list[Question]:
    """The questions of one section; ``blocked`` (ids excluded by what is already on
    the paper) grows with every question drawn."""
    questions: list[Question] = []
    shortfalls: list[Shortfall] = []
    for cell in section.cells:
        keys = cell.bucket_keys(section.type, index.topics)
        buckets = [index.buckets[key] for key in keys if key in index.buckets]
        ends = list(accumulate(len(bucket) for bucket in buckets))
        total = ends[-1] if ends else 0
        if total < cell.count:
            shortfalls.append(
                Shortfall(section.title, cell.describe(section.type), cell.count, total)
            )
            continue
        in_cell = sum(avoided[key] for key in keys)
        drawn = _draw_cell(cell.count, buckets, ends, rng, avoid, in_cell)
        if _clashes(drawn, blocked, index.excludes):
            drawn = _draw_cell_apart(cell.count, buckets, ends, rng, avoid, blocked, index.excludes)
        if len(drawn) < cell.count:
            note = "互斥题（excludes）不能同卷"
            shortfalls.append(
                Shortfall(section.title, cell.describe(section.type), cell.count, len(drawn), note)
            )
            continue
        for question in drawn:
            blocked |= index.excludes.get(question.id, frozenset())
        questions += drawn
    if shortfalls:
        raise UnsatisfiableExam(shortfalls)
    return questions


def _draw_cell(
    count: int,
    buckets: list[tuple[Question, ...]],
    ends: list[int],
    rng: random.Random,
    avoid: frozenset[str],
    in_cell: int,
) -> list[Question]:
    """A uniform sample of ``count`` questions, avoided ones only as a last resort.

    Sampling ``count + in_cell`` positions (``in_cell`` = avoided questions in this cell)
    and keeping the first ``count`` not avoided is a uniform choice among the others;
    when they are too few, the sample is the whole cell and avoided ones make up the rest.
    """
    picks = rng.sample(range(ends[-1]), min(ends[-1], count + in_cell))
    chosen = [_at(buckets, ends, i) for i in picks]
    fresh = [q for q in chosen if q.id not in avoid]
    if len(fresh) < count:
        fresh += [q for q in chosen if q.id in avoid]
    return fresh[:count]


def _clashes(drawn: list[Question], blocked: set[str], excludes: dict[str, frozenset[str]]) -> bool:
    """Whether the drawn questions exclude each other or anything already on the paper."""
    if not excludes:
        return False
    ids = {q.id for q in drawn}
    return any(q.id in blocked or excludes.get(q.id, frozenset()) & ids for q in drawn)


def _draw_cell_apart(
    count: int,
    buckets: list[tuple[Question, ...]],
    ends: list[int],
    rng: random.Random,
    avoid: frozenset[str],
    blocked: set[str],
    excludes: dict[str, frozenset[str]],
) -> list[Question]:
    """Up to ``count`` questions of a random order of the cell, each clashing with
    nothing chosen before it; avoided questions only after all the others."""
    order = [_at(buckets, ends, i) for i in rng.sample(range(ends[-1]), ends[-1])]
    order = [q for q in order if q.id not in avoid] + [q for q in order if q.id in avoid]
    chosen: list[Question] = []
    taken = set(blocked)
    for question in order:
        if len(chosen) == count:
            break
        if question.id not in taken:
            chosen.append(question)
            taken |= excludes.get(question.id, frozenset())
    return chosen


def _at(buckets: Sequence[tuple[Question, ...]], ends: list[int], i: int) -> Question:
    j = bisect_right(ends, i)
    return buckets[j][i - (ends[j - 1] if j else 0)]
