"""Item statistics on small sets computed by hand."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

from question_bank.statistics import (
    FEW_RESPONSES,
    NEGATIVE_DISCRIMINATION,
    TOO_EASY,
    TOO_HARD,
    ItemResponse,
    ScoredAttempt,
    exam_statistics,
    group_size,
    reliability,
)


def paper(*scores: int, points: int = 1, chosen: tuple[str, ...] | None = None) -> ScoredAttempt:
    """Items q1, q2, ... scored as given, each worth ``points``."""
    return ScoredAttempt(
        tuple(
            ItemResponse(f"q{n}", Fraction(s), Fraction(points), chosen or ("A",) if s else ("B",))
            for n, s in enumerate(scores, start=1)
        )
    )


def test_dichotomous_example_by_hand():
    """Five candidates, three 1-point items:

        A1: 1 1 1 → 3     A2: 1 1 0 → 2     A3: 1 0 1 → 2     A4: 1 0 0 → 1     A5: 0 0 0 → 0

    Facility: q1 = 4/5 = 0.8, q2 = q3 = 2/5 = 0.4.
    Groups: 27 % of 5 = 1.35 → 1 candidate each: upper A1 (3), lower A5 (0); q1, q2 and q3
    are right in A1 and wrong in A5, so upper − lower = 1 for each.
    Point-biserial of q1: x = 1,1,1,1,0 (mean 0.8), share = total/3 (r is scale-free, so
    use totals 3,2,2,1,0, mean 1.6): Σ(x−x̄)(y−ȳ) = 0.2·1.4 + 0.2·0.4 + 0.2·0.4 + 0.2·(−0.6)
    + (−0.8)(−1.6) = 1.6; Σ(x−x̄)² = 0.8; Σ(y−ȳ)² = 5.2; r = 1.6 / √(0.8·5.2) = 0.7845.
    KR-20: Σpq = 0.16 + 0.24 + 0.24 = 0.64; variance of totals = (1.96 + 0.16 + 0.16 + 0.36
    + 2.56) / 5 = 1.04; KR-20 = 3/2 · (1 − 0.64/1.04) = 15/26 = 0.5769.
    """
    attempts = [paper(1, 1, 1), paper(1, 1, 0), paper(1, 0, 1), paper(1, 0, 0), paper(0, 0, 0)]
    stats = exam_statistics(attempts, min_responses=5)
    q1, q2, q3 = stats.items
    assert (q1.facility, q2.facility, q3.facility) == pytest.approx((0.8, 0.4, 0.4))
    assert (q1.upper_lower, q2.upper_lower, q3.upper_lower) == (1.0, 1.0, 1.0)
    assert q1.point_biserial == pytest.approx(1.6 / math.sqrt(0.8 * 5.2))
    assert q1.point_biserial == pytest.approx(0.7845, abs=1e-4)
    assert q1.option_counts == {"A": 4, "B": 1}
    assert q1.flags == ()
    assert stats.reliability.kind == "KR-20"
    assert stats.reliability.value == pytest.approx(15 / 26)
    assert stats.mean_share == pytest.approx(8 / 15)  # (3+2+2+1+0) / 15


def test_negative_discrimination_by_hand():
    """Six candidates, four 1-point items:

        A1: 1 1 1 0 → 3   A2: 1 1 1 0 → 3   A3: 1 1 0 0 → 2
        A4: 1 0 1 0 → 2   A5: 0 0 0 1 → 1   A6: 0 0 0 1 → 1

    27 % of 6 = 1.62 → 2 per group: upper A1, A2; lower A5, A6. q4 is wrong in both upper
    and right in both lower: upper − lower = 0 − 1 = −1, flagged. Its facility is 2/6.
    KR-20: p = 2/3, 1/2, 1/2, 1/3, Σpq = 2/9 + 1/4 + 1/4 + 2/9 = 17/18; totals 3,3,2,2,1,1
    have mean 2 and variance 4/6 = 2/3; KR-20 = 4/3 · (1 − (17/18)/(2/3)) = −5/9: the
    negative item pulls it below zero.
    """
    attempts = [
        paper(1, 1, 1, 0), paper(1, 1, 1, 0), paper(1, 1, 0, 0),
        paper(1, 0, 1, 0), paper(0, 0, 0, 1), paper(0, 0, 0, 1),
    ]  # fmt: skip
    stats = exam_statistics(attempts, min_responses=6)
    q4 = stats.items[3]
    assert q4.facility == pytest.approx(1 / 3)
    assert q4.upper_lower == -1.0
    assert q4.point_biserial < 0
    assert NEGATIVE_DISCRIMINATION in q4.flags
    assert NEGATIVE_DISCRIMINATION not in stats.items[0].flags
    assert stats.reliability.value == pytest.approx(-5 / 9)


def test_partial_credit_uses_alpha_by_hand():
    """Three candidates, two 2-point items with partial credit:

        B1: 2 2 → 4     B2: 1 2 → 3     B3: 0 1 → 1

    Item variances: (2,1,0) → 2/3; (2,2,1) → 2/9. Totals (4,3,1): mean 8/3, variance
    (16/9 + 1/9 + 25/9)/3 = 14/9. α = 2/1 · (1 − (8/9)/(14/9)) = 6/7. Facility of item 1:
    mean of 1, 1/2, 0 = 1/2.
    """
    attempts = [paper(2, 2, points=2), paper(1, 2, points=2), paper(0, 1, points=2)]
    stats = exam_statistics(attempts, min_responses=0)
    assert stats.reliability.kind == "alpha"
    assert stats.reliability.value == pytest.approx(6 / 7)
    assert stats.items[0].facility == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("scores", "flag"),
    [((0,) * 19 + (1,), TOO_HARD), ((1,) * 20, TOO_EASY)],
)
def test_extreme_facility_is_flagged(scores, flag):
    attempts = [paper(s) for s in scores]
    assert flag in exam_statistics(attempts).items[0].flags


def test_few_responses_and_no_variation():
    stats = exam_statistics([paper(1, 0), paper(1, 0)])
    assert FEW_RESPONSES in stats.items[0].flags
    assert stats.items[0].point_biserial is None  # the item does not vary
    assert stats.reliability.value is None  # nor do the totals


def test_single_attempt_and_empty_input():
    one = exam_statistics([paper(1, 1)])
    assert one.items[0].upper_lower is None and one.reliability.value is None
    empty = exam_statistics([])
    assert empty.items == () and empty.reliability is None and empty.mean_share is None


def test_reliability_uses_the_most_common_paper_shape():
    attempts = [paper(1, 1, 1), paper(1, 1, 0), paper(0, 0, 0), paper(1, 1)]
    result = reliability(attempts)
    assert (result.attempts, result.items) == (3, 3)


def test_unanswered_and_option_counts():
    attempts = [
        ScoredAttempt((ItemResponse("q", Fraction(0), Fraction(2), (), answered=False),)),
        ScoredAttempt((ItemResponse("q", Fraction(2), Fraction(2), ("A", "C")),)),
        ScoredAttempt((ItemResponse("q", Fraction(0), Fraction(2), ("A", "B")),)),
    ]
    item = exam_statistics(attempts).items[0]
    assert item.unanswered == 1
    assert item.option_counts == {"A": 2, "B": 1, "C": 1}


@pytest.mark.parametrize(("count", "size"), [(1, 1), (5, 1), (6, 2), (10, 3), (100, 27)])
def test_group_size(count, size):
    assert group_size(count) == size


def test_below_the_minimum_sample_nothing_but_few_responses_is_said():
    """Issue 13 defect 10: 4 papers gave KR-20 = 0.983 and flagged every item."""
    attempts = [paper(0, 0, 1), paper(1, 1, 1), paper(0, 0, 0), paper(1, 1, 0)]
    stats = exam_statistics(attempts)
    assert stats.reliability.value is None and stats.reliability.attempts == 4
    assert all(item.flags == (FEW_RESPONSES,) for item in stats.items)
