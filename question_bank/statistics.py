"""Item analysis of finalized attempts: facility, discrimination, option counts, reliability.

Plain data in, plain data out (no Flask, no database). Scores come in as exact numbers;
the statistics themselves are real numbers and come out as floats.

- Facility: the mean share of an item's points earned; for items scored right or wrong
  this is the share of candidates who got it right.
- Discrimination: the facility in the upper 27 % of candidates (by their share of the
  paper's points) minus the facility in the lower 27 %; and the point-biserial, the
  correlation of the item score with that share. Both use only the attempts whose paper
  held the item, since papers are drawn at random.
- Reliability: KR-20 when every item is scored right or wrong, Cronbach's alpha when
  partial credit occurs (the two coincide on 0/1 items). Random papers have different
  questions, so its "items" are the paper's positions, which the exam's spread keeps
  parallel (same type, points, topic and difficulty mix for every candidate); only
  attempts whose papers have the most common shape take part.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

GROUP_SHARE = Fraction(27, 100)
HARD_BELOW = 0.2
EASY_ABOVE = 0.95
MIN_RESPONSES = 20

NEGATIVE_DISCRIMINATION = "negative_discrimination"
TOO_HARD = "too_hard"
TOO_EASY = "too_easy"
FEW_RESPONSES = "few_responses"


@dataclass(frozen=True)
class ItemResponse:
    """One question on one paper: what it earned and what was chosen.

    ``chosen`` holds the option keys picked (``"true"``/``"false"`` for judge); empty when
    unanswered or for fill questions, which have no options.
    """

    question_id: str
    awarded: Fraction
    possible: Fraction
    chosen: tuple[str, ...] = ()
    answered: bool = True


@dataclass(frozen=True)
class ScoredAttempt:
    items: tuple[ItemResponse, ...]

    @property
    def total(self) -> Fraction:
        return sum((i.awarded for i in self.items), Fraction(0))

    @property
    def possible(self) -> Fraction:
        return sum((i.possible for i in self.items), Fraction(0))

    @property
    def share(self) -> Fraction:
        """The share of the paper's points earned: comparable across papers."""
        return self.total / self.possible if self.possible else Fraction(0)


@dataclass(frozen=True)
class ItemStatistics:
    question_id: str
    responses: int
    facility: float
    upper_lower: float | None
    point_biserial: float | None
    option_counts: dict[str, int]
    unanswered: int
    flags: tuple[str, ...]


@dataclass(frozen=True)
class Reliability:
    kind: str  # "KR-20" or "alpha"
    value: float | None  # None when the total scores do not vary
    attempts: int
    items: int


@dataclass(frozen=True)
class ExamStatistics:
    attempts: int
    mean_share: float | None
    items: tuple[ItemStatistics, ...]
    reliability: Reliability | None


def group_size(count: int) -> int:
    """Candidates in each of the upper and lower groups: 27 %, rounded half up, at least 1."""
    return max(1, math.floor(GROUP_SHARE * count + Fraction(1, 2)))


def _mean(values: Sequence[Fraction]) -> Fraction:
    return sum(values, Fraction(0)) / len(values)


def _variance(values: Sequence[Fraction]) -> Fraction:
    """Population variance, as KR-20's p·q is."""
    mean = _mean(values)
    return sum(((v - mean) ** 2 for v in values), Fraction(0)) / len(values)


def correlation(xs: Sequence[Fraction], ys: Sequence[Fraction]) -> float | None:
    """Pearson's r; None when either side does not vary."""
    mx, my = _mean(xs), _mean(ys)
    cov = sum(((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)), Fraction(0))
    sx = sum(((x - mx) ** 2 for x in xs), Fraction(0))
    sy = sum(((y - my) ** 2 for y in ys), Fraction(0))
    if not sx or not sy:
        return None
    return float(cov) / math.sqrt(float(sx) * float(sy))


def item_statistics(
    question_id: str,
    scored: Sequence[tuple[Fraction, ItemResponse]],
    min_responses: int = MIN_RESPONSES,
) -> ItemStatistics:
    """Statistics of one question from (attempt's share, item response) pairs."""
    proportions = [
        item.awarded / item.possible if item.possible else Fraction(0) for _, item in scored
    ]
    facility = float(_mean(proportions)) if scored else 0.0
    upper_lower = point_biserial = None
    if len(scored) >= 2:
        ranked = sorted(range(len(scored)), key=lambda i: scored[i][0], reverse=True)
        n = min(group_size(len(scored)), len(scored) // 2)
        upper = _mean([proportions[i] for i in ranked[:n]])
        lower = _mean([proportions[i] for i in ranked[-n:]])
        upper_lower = float(upper - lower)
        point_biserial = correlation(proportions, [share for share, _ in scored])
    counts: Counter[str] = Counter(key for _, item in scored for key in item.chosen)
    unanswered = sum(1 for _, item in scored if not item.answered)
    flags = []
    if len(scored) < min_responses:
        # Below the minimum sample the figures are noise: say so, and flag nothing else.
        return ItemStatistics(
            question_id, len(scored), facility, upper_lower, point_biserial,
            dict(sorted(counts.items())), unanswered, (FEW_RESPONSES,),
        )  # fmt: skip
    if (upper_lower is not None and upper_lower < 0) or (point_biserial or 0) < 0:
        flags.append(NEGATIVE_DISCRIMINATION)
    if scored and facility < HARD_BELOW:
        flags.append(TOO_HARD)
    if scored and facility > EASY_ABOVE:
        flags.append(TOO_EASY)
    return ItemStatistics(
        question_id, len(scored), facility, upper_lower, point_biserial,
        dict(sorted(counts.items())), unanswered, tuple(flags),
    )  # fmt: skip


def reliability(attempts: Sequence[ScoredAttempt], min_attempts: int = 2) -> Reliability | None:
    """KR-20 or Cronbach's alpha over paper positions (see the module docstring); no
    value from fewer than ``min_attempts`` papers of one shape (4 papers gave 0.983)."""
    shapes = Counter(tuple(i.possible for i in a.items) for a in attempts)
    if not shapes:
        return None
    shape, _ = shapes.most_common(1)[0]
    rows = [
        [i.awarded for i in a.items]
        for a in attempts
        if tuple(i.possible for i in a.items) == shape
    ]
    k = len(shape)
    dichotomous = all(
        value in (0, possible) for row in rows for value, possible in zip(row, shape, strict=True)
    )
    kind = "KR-20" if dichotomous else "alpha"
    if k < 2 or len(rows) < max(2, min_attempts):
        return Reliability(kind, None, len(rows), k)
    total_variance = _variance([sum(row, Fraction(0)) for row in rows])
    if not total_variance:
        return Reliability(kind, None, len(rows), k)
    item_variance = sum((_variance([row[j] for row in rows]) for j in range(k)), Fraction(0))
    value = Fraction(k, k - 1) * (1 - item_variance / total_variance)
    return Reliability(kind, float(value), len(rows), k)


def exam_statistics(
    attempts: Sequence[ScoredAttempt], min_responses: int = MIN_RESPONSES
) -> ExamStatistics:
    """Every question's statistics (in order of first appearance) and the reliability."""
    by_question: dict[str, list[tuple[Fraction, ItemResponse]]] = {}
    for attempt in attempts:
        share = attempt.share
        for item in attempt.items:
            by_question.setdefault(item.question_id, []).append((share, item))
    items = tuple(
        item_statistics(question_id, scored, min_responses)
        for question_id, scored in by_question.items()
    )
    mean = float(_mean([a.share for a in attempts])) if attempts else None
    return ExamStatistics(len(attempts), mean, items, reliability(attempts, min_responses))
