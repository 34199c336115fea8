"""Scoring every type and policy on hand-checked cases, exactly; hostile responses refused."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction as F

import pytest

from question_bank.assembly import Paper, PaperItem, PaperSection
from question_bank.exam import PassMark, ScoringPolicy
from question_bank.model import Question
from question_bank.scoring import (
    InvalidResponse,
    Verdict,
    as_decimal,
    score_paper,
    score_question,
    validate_response,
)
from tests.question_bank.factories import OPTIONS

SINGLE = Question(
    "s1", "single", "charter", "党的最高领导机关是（　）。", options=OPTIONS, keys=("A",)
)
MULTI = Question("m1", "multiple", "charter", "（　）", options=OPTIONS, keys=("A", "C"))
MULTI3 = Question("m3", "multiple", "charter", "（　）", options=OPTIONS, keys=("A", "B", "C"))
TRUE = Question("j1", "judge", "charter", "党员有表决权。", keys=("true",))
FALSE = Question("j2", "judge", "charter", "预备党员有表决权。", keys=("false",))
FILL = Question(
    "f1",
    "fill",
    "charter",
    "____是最根本的党内法规，党的根本组织原则是____。",
    blanks=(("党章", "中国共产党章程"), ("民主集中制",)),
)
FILL_LATIN = Question("f2", "fill", "charter", "缩写____。", blanks=(("CPC Central Committee",),))

CORRECT, PARTIAL, WRONG, UNANSWERED = Verdict


@pytest.mark.parametrize(
    ("question", "response", "points", "policy", "awarded", "verdict"),
    [
        (SINGLE, "A", "2", "all_or_nothing", F(2), CORRECT),
        (SINGLE, "B", "2", "all_or_nothing", F(0), WRONG),
        (SINGLE, None, "2", "partial", F(0), UNANSWERED),
        (MULTI, ("A", "C"), "3", "all_or_nothing", F(3), CORRECT),
        (MULTI, ("A",), "3", "all_or_nothing", F(0), WRONG),
        (MULTI, ("A", "B", "C"), "3", "all_or_nothing", F(0), WRONG),
        (MULTI, ("A", "C"), "3", "partial", F(3), CORRECT),
        (MULTI, ("A",), "3", "partial", F(3, 2), PARTIAL),
        (MULTI, ("C",), "1.5", "partial", F(3, 4), PARTIAL),
        (MULTI, ("A", "D"), "3", "partial", F(0), WRONG),
        (MULTI, ("B",), "3", "partial", F(0), WRONG),
        (MULTI, ("A", "B", "C", "D"), "3", "partial", F(0), WRONG),
        (MULTI3, ("A", "B"), "2", "partial", F(4, 3), PARTIAL),
        (MULTI3, ("C",), "2", "partial", F(2, 3), PARTIAL),
        (MULTI3, ("A", "B", "C"), "2", "partial", F(2), CORRECT),
        (TRUE, True, "1.5", "all_or_nothing", F(3, 2), CORRECT),
        (TRUE, False, "1.5", "all_or_nothing", F(0), WRONG),
        (FALSE, False, "1", "all_or_nothing", F(1), CORRECT),
        (FALSE, True, "1", "all_or_nothing", F(0), WRONG),
        (FILL, ("党章", "民主集中制"), "2", "all_or_nothing", F(2), CORRECT),
        (FILL, ("中国共产党章程", "民主集中制"), "2", "all_or_nothing", F(2), CORRECT),
        (FILL, ("　党章 ", "民主集中制\n"), "2", "all_or_nothing", F(2), CORRECT),
        (FILL, ("党章", "民主"), "2", "all_or_nothing", F(1), PARTIAL),
        (FILL, ("宪法", "民主集中制"), "1.5", "partial", F(3, 4), PARTIAL),
        (FILL, ("民主集中制", "党章"), "2", "all_or_nothing", F(0), WRONG),
        (FILL, ("", "民主集中制"), "2", "all_or_nothing", F(1), PARTIAL),
        (FILL_LATIN, ("ＣＰＣ   Central\tCommittee",), "2", "all_or_nothing", F(2), CORRECT),
        (FILL_LATIN, ("cpc central committee",), "2", "all_or_nothing", F(0), WRONG),
    ],
)
def test_hand_checked_scores(question, response, points, policy, awarded, verdict):
    assert score_question(question, response, Decimal(points), policy) == (awarded, verdict)


@pytest.mark.parametrize(
    ("question", "raw", "normalized"),
    [
        (SINGLE, "A", "A"),
        (SINGLE, "a", "A"),
        (SINGLE, "Ｄ", "D"),
        (SINGLE, "", None),
        (SINGLE, None, None),
        (MULTI, ["C", "a"], ("A", "C")),
        (MULTI, ("A", "A"), ("A",)),
        (MULTI, [], None),
        (MULTI, None, None),
        (TRUE, True, True),
        (TRUE, "false", False),
        (TRUE, None, None),
        (FILL, ["党章", " 民主集中制 "], ("党章", " 民主集中制 ")),
        (FILL, ("", "民主集中制"), ("", "民主集中制")),
        (FILL, ["", "  "], None),
        (FILL, ["党" * 200, "换行\n也是空白"], ("党" * 200, "换行\n也是空白")),
    ],
)
def test_valid_responses_are_normalized_and_stable(question, raw, normalized):
    assert validate_response(question, raw) == normalized
    assert validate_response(question, normalized) == normalized
    if isinstance(normalized, tuple):
        assert validate_response(question, list(normalized)) == normalized


@pytest.mark.parametrize(
    ("question", "raw"),
    [
        (SINGLE, "E"),
        (SINGLE, "AB"),
        (SINGLE, "A" * 100_000),
        (SINGLE, 1),
        (SINGLE, ["A"]),
        (SINGLE, {"A": True}),
        (MULTI, "AC"),
        (MULTI, ["A", "E"]),
        (MULTI, ["A", 1]),
        (MULTI, [["A"]]),
        (MULTI, ["A"] * 9),
        (MULTI, {"A": True, "C": True}),
        (MULTI, ["A" * 100_000]),
        (TRUE, "yes"),
        (TRUE, "对"),
        (TRUE, 1),
        (TRUE, 0),
        (TRUE, [True]),
        (FILL, "党章"),
        (FILL, ["党章"]),
        (FILL, ["党章", "民主集中制", "多余"]),
        (FILL, ["党" * 201, "民主集中制"]),
        (FILL, ["党章", "x" * 10_000_000]),
        (FILL, ["党章\x00", "民主集中制"]),
        (FILL, ["\x1b[31m", "民主集中制"]),
        (FILL, ["\ud800", "民主集中制"]),
        (FILL, [1, "民主集中制"]),
        (FILL, [None, "民主集中制"]),
        (FILL, {"0": "党章", "1": "民主集中制"}),
    ],
)
def test_hostile_responses_are_refused_with_a_message(question, raw):
    with pytest.raises(InvalidResponse) as refused:
        validate_response(question, raw)
    assert str(refused.value) and len(str(refused.value)) < 100


def _paper() -> Paper:
    return Paper(
        "secretary-pre",
        42,
        (
            PaperSection(
                "单选题", "single", Decimal(2), (PaperItem(SINGLE, ("C", "A", "D", "B")),)
            ),
            PaperSection(
                "多选题",
                "multiple",
                Decimal(3),
                (PaperItem(MULTI, ("B", "D", "A", "C")), PaperItem(MULTI3, ("A", "B", "C", "D"))),
            ),
            PaperSection(
                "判断题", "judge", Decimal("1.5"), (PaperItem(TRUE, ()), PaperItem(FALSE, ()))
            ),
            PaperSection("填空题", "fill", Decimal(2), (PaperItem(FILL, ()),)),
        ),
    )


RESPONSES = {
    "s1": "A",  # original key, whatever position it was shown in
    "m1": ["A"],  # as stored in JSON: a list
    "m3": ["A", "B", "C"],
    "j1": True,
    "j2": True,
    "f1": ["党章", "民主"],
    "not-on-paper": "A",
}


@pytest.mark.parametrize(
    ("policy", "total", "multiple_awarded", "passed"),
    [
        # 2 + (0 + 3) + 1.5 + 1 = 7.5 of 13; pass mark 60% of 13 = 7.8
        (
            ScoringPolicy({"multiple": "all_or_nothing"}, PassMark(Decimal(60), percent=True)),
            F(15, 2),
            F(3),
            False,
        ),
        # 2 + (1.5 + 3) + 1.5 + 1 = 9 ≥ 7.8
        (
            ScoringPolicy({"multiple": "partial"}, PassMark(Decimal(60), percent=True)),
            F(9),
            F(9, 2),
            True,
        ),
        # exactly at a pass mark in points passes
        (
            ScoringPolicy({"multiple": "all_or_nothing"}, PassMark(Decimal("7.5"), percent=False)),
            F(15, 2),
            F(3),
            True,
        ),
    ],
)
def test_paper_scores_per_section_and_in_total(policy, total, multiple_awarded, passed):
    result = score_paper(_paper(), RESPONSES, policy)
    assert [s.possible for s in result.sections] == [2, 6, 3, 2]
    assert result.sections[1].awarded == multiple_awarded
    assert [s.awarded for s in result.sections[::2]] == [2, F(3, 2)]
    assert result.sections[3].items[0].verdict is PARTIAL
    assert (result.total, result.possible, result.passed) == (total, 13, passed)
    assert result.pass_mark == policy.pass_mark.threshold(Decimal(13))


def test_unanswered_and_no_longer_valid_responses_score_nothing():
    responses = {"s1": "F", "j1": None}
    result = score_paper(
        _paper(), responses, ScoringPolicy({"multiple": "partial"}, PassMark(Decimal(1), False))
    )
    verdicts = [i.verdict for s in result.sections for i in s.items]
    assert verdicts == [WRONG, UNANSWERED, UNANSWERED, UNANSWERED, UNANSWERED, UNANSWERED]
    assert (result.total, result.passed) == (0, False)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (F(2, 3), "0.67"),
        (F(1, 8), "0.13"),
        (F(57, 2), "28.50"),
        (F(0), "0.00"),
        (F(1, 3) * 3, "1.00"),
    ],
)
def test_scores_are_shown_rounded_half_up(value, shown):
    assert str(as_decimal(value)) == shown
