"""排序题: reading its answer, its display order, responses, scoring, words, statistics."""

from __future__ import annotations

import random
from fractions import Fraction as F

import pytest

from question_bank.bank_format import parse_bank
from question_bank.exam_format import parse_exam
from question_bank.model import Question
from question_bank.scoring import score_question, validate_response
from question_bank.types import REGISTRY, InvalidResponse, Verdict
from tests.question_bank.factories import EXAM_YAML

HEADER = "bank: demo\ntitle: 演示题库\ntopics:\n  charter: 党章\nquestions:\n"
ORDERING = REGISTRY["ordering"]
STEPS = (("A", "提出申请"), ("B", "确定入党积极分子"), ("C", "确定发展对象"), ("D", "接收预备党员"))


def parse(answer: str, extra: str = ""):
    text = (
        HEADER + "  - id: o1\n    type: ordering\n    topic: charter\n    stem: 排出先后顺序。\n"
        "    options: {A: 甲, B: 乙, C: 丙, D: 丁}\n"
        f"    answer: {answer}\n    source: 党章\n{extra}"
    )
    return parse_bank(text.encode(), "demo.yaml")


def question(keys: str = "CADB") -> Question:
    return Question("o1", "ordering", "charter", "排出先后顺序。", 3, STEPS, tuple(keys))


@pytest.mark.parametrize(
    "written",
    [
        "CADB",
        "cadb",
        "ＣＡＤＢ",
        "C, A, D, B",
        "C、A、D、B",
        "C → A → D → B",
        "[C, A, D, B]",
        "[c, a, d, b]",
    ],
)
def test_the_order_is_read_in_every_spelling(written):
    bank, report = parse(written)
    assert report.errors == [], [d.format() for d in report.errors]
    assert bank.questions[0].keys == ("C", "A", "D", "B")
    assert bank.questions[0].to_dict()["answer"] == "CADB"


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("CAD", "答案缺少选项 B"),
        ("CADBA", "答案中选项 A 重复出现"),
        ("CADE", "答案“E”不是本题的选项"),
        ("[C, A, C, B]", "答案中选项 C 重复出现"),
    ],
)
def test_an_order_that_is_not_every_option_once_is_refused_saying_why(written, message):
    bank, report = parse(written)
    assert bank is None
    assert any(message in d.message for d in report.errors), [d.message for d in report.errors]


def test_an_ordering_question_cannot_be_shown_unshuffled():
    bank, report = parse("CADB", "    shuffle_options: false\n")
    assert bank is None
    assert [d.field for d in report.errors] == ["shuffle_options"]
    assert "排序题总是打乱显示" in report.errors[0].message


def test_display_order_is_shuffled_even_when_the_exam_says_not_and_never_the_answer():
    rng = random.Random(7)
    for keys in ("ABCD", "CADB"):
        orders = {ORDERING.option_order(question(keys), rng, shuffle=False) for _ in range(200)}
        assert tuple(keys) not in orders
        assert all(sorted(o) == list("ABCD") for o in orders)
        assert len(orders) == 23  # every other permutation of four comes up
    two = Question("o2", "ordering", "charter", "先后", 3, STEPS[:2], ("A", "B"))
    assert ORDERING.option_order(two, rng, shuffle=True) == ("B", "A")


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        (None, None),
        (["c", "a", "d", "b"], ("C", "A", "D", "B")),
        (("A", "B", "C", "D"), tuple("ABCD")),
    ],
)
def test_a_response_is_the_full_order(raw, stored):
    assert validate_response(question(), raw) == stored


@pytest.mark.parametrize(
    "raw", ["CADB", ["C", "A", "D"], ["C", "A", "D", "D"], ["C", "A", "D", "E"], [1, 2, 3, 4], {}]
)
def test_a_response_that_is_not_an_order_of_every_option_is_refused(raw):
    with pytest.raises(InvalidResponse, match="排序题的答案应为全部选项排成的一个顺序"):
        validate_response(question(), raw)


@pytest.mark.parametrize(
    ("response", "mode", "awarded", "verdict"),
    [
        ("CADB", "all_or_nothing", F(4), Verdict.CORRECT),
        ("CABD", "all_or_nothing", F(0), Verdict.WRONG),
        ("CADB", "partial", F(4), Verdict.CORRECT),
        ("CABD", "partial", F(2), Verdict.PARTIAL),  # C and A in place: 2 of 4
        ("ACDB", "partial", F(2), Verdict.PARTIAL),
        ("ABCD", "partial", F(0), Verdict.WRONG),  # nothing in place
        ("BCDA", "partial", F(1), Verdict.PARTIAL),  # only D (third) in place
    ],
)
def test_scoring_all_or_nothing_or_by_items_in_the_right_position(response, mode, awarded, verdict):
    assert score_question(question(), tuple(response), 4, mode) == (awarded, verdict)


def test_an_untouched_ordering_is_unanswered():
    assert score_question(question(), None, 4, "partial") == (F(0), Verdict.UNANSWERED)


def test_the_order_in_words_uses_the_letters_shown():
    shown = ("D", "C", "B", "A")  # as displayed: D is "A", C is "B" …
    assert ORDERING.answer_words(question(), shown) == (
        "B．确定发展对象 → D．提出申请 → A．接收预备党员 → C．确定入党积极分子"
    )
    assert ORDERING.answer_words(question()) == (
        "C．确定发展对象 → A．提出申请 → D．接收预备党员 → B．确定入党积极分子"
    )
    assert ORDERING.response_words(question(), ("A", "B", "C", "D")).startswith("A．提出申请 → B．")


def test_statistics_count_per_position_who_put_the_right_item_there():
    rows = ORDERING.stat_categories(question())
    assert [(key, label) for key, label, _, _ in rows] == [
        ("1", "第 1 位"),
        ("2", "第 2 位"),
        ("3", "第 3 位"),
        ("4", "第 4 位"),
    ]
    assert rows[0][2] == "C．确定发展对象"
    assert ORDERING.stat_chosen(question(), ("C", "B", "D", "A")) == ("1", "3")


def test_the_editor_field_round_trips():
    assert ORDERING.editor_answer(question()) == "CADB"
    assert Question.from_dict(question().to_dict()) == question()


@pytest.mark.parametrize(("written", "mode"), [(None, "all_or_nothing"), ("partial", "partial")])
def test_an_exam_chooses_how_ordering_is_scored(written, mode):
    text = EXAM_YAML + ("" if written is None else f"ordering_scoring: {written}\n")
    exam, report = parse_exam(text.encode(), "exam.yaml")
    assert exam is not None, [d.format() for d in report.ordered]
    assert exam.scoring_mode("ordering") == mode
    assert exam.scoring_mode("multiple") == "partial"


def test_an_unknown_ordering_scoring_is_refused():
    exam, report = parse_exam((EXAM_YAML + "ordering_scoring: most\n").encode(), "exam.yaml")
    assert exam is None
    assert [d.field for d in report.errors] == ["ordering_scoring"]
