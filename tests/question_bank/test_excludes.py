"""``excludes``: checked ids, symmetric pairs, never on one paper, counted by the
satisfiability check."""

from __future__ import annotations

import hashlib
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from question_bank.assembly import BankIndex, UnsatisfiableExam, draw_paper
from question_bank.bank_format import parse_bank
from question_bank.bank_writer import dump_bank
from question_bank.exam import check_satisfiable
from question_bank.model import Bank
from tests.question_bank.factories import exam_from, full_bank, make_bank

HEADER = """\
bank: demo
title: 演示题库
topics:
  charter: 党章
questions:
"""


def judge(qid: str, excludes: str = "") -> str:
    line = f"    excludes: {excludes}\n" if excludes else ""
    return (
        f"  - id: {qid}\n    type: judge\n    topic: charter\n    stem: {qid} 的题干。\n"
        f"    answer: true\n    source: 党章\n{line}"
    )


def test_one_side_is_enough_and_the_pair_is_symmetric():
    bank, report = parse_bank((HEADER + judge("a", "[b]") + judge("b")).encode())
    assert report.errors == []
    assert bank.exclusions == {"a": frozenset({"b"}), "b": frozenset({"a"})}


@pytest.mark.parametrize(
    ("excludes", "line", "column", "words"),
    [
        ("[zz]", 18, 16, "excludes 中的“zz”不是本题库中的题目编号"),
        ("[b, a]", 18, 19, "excludes 不能列出本题自己"),
        ("[b, b]", 18, 19, "excludes 中重复列出了“b”"),
        ("b", 18, 15, "excludes 应为列表"),
    ],
)
def test_bad_excludes_are_reported_where_written(excludes, line, column, words):
    text = HEADER + judge("b") + judge("a", excludes)
    bank, report = parse_bank(text.encode(), "demo.yaml")
    assert bank is None
    [error] = report.errors
    assert (error.line, error.column, error.field, error.question_id) == (
        line,
        column,
        "excludes",
        "a",
    )
    assert words in error.message


def test_excludes_survive_export_and_import():
    bank, _ = parse_bank((HEADER + judge("a", "[b]") + judge("b")).encode())
    again, report = parse_bank(dump_bank(bank).encode())
    assert report.errors == [] and again == bank
    assert "excludes: [b]" in dump_bank(bank)


def with_pairs(bank: Bank, pairs: list[tuple[int, int]]) -> Bank:
    """``bank`` with question i excluding question j for each (i, j)."""
    questions = list(bank.questions)
    for i, j in pairs:
        if i != j and questions[j].id not in questions[i].excludes:
            questions[i] = replace(questions[i], excludes=(*questions[i].excludes, questions[j].id))
    return replace(bank, questions=tuple(questions))


EXAM = exam_from()
BASE = full_bank(6)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    pairs=st.lists(
        st.tuples(st.integers(0, len(BASE.questions) - 1), st.integers(0, len(BASE.questions) - 1)),
        max_size=60,
    ),
    seed=st.integers(0, 2**32),
)
def test_no_drawn_paper_holds_an_excluded_pair(pairs, seed):
    """Whenever the check passes, every seed draws a paper, and no paper holds a pair."""
    bank = with_pairs(BASE, pairs)
    assume(check_satisfiable(EXAM, bank) == [])
    paper = draw_paper(EXAM, BankIndex.from_bank(bank), seed)
    ids = paper.question_ids
    for qid in ids:
        assert not bank.exclusions.get(qid, frozenset()) & ids


def test_a_bank_without_excludes_draws_the_same_papers_as_before():
    """The draw consumes randomness as before when nothing clashes: stored seeds of
    older versions regenerate the same papers (digest taken from the draw before
    ``excludes`` existed)."""
    paper = draw_paper(EXAM, BankIndex.from_bank(BASE), 7)
    layout = [(i.question.id, i.option_order) for s in paper.sections for i in s.items]
    digest = hashlib.sha256(repr(layout).encode()).hexdigest()
    assert digest == "f82b8d25abfeee8ae0df741efdf3c06c977465c5efa16ca350a4b9981013d08a"


def test_the_check_counts_excluded_pairs_in_a_cell_with_no_spare_question():
    exam = exam_from(
        "exam: ee\ntitle: 测试\nbank: party-basics\ntime_limit_minutes: 10\npass_mark: 60%\n"
        "sections:\n  - type: judge\n    count: 2\n    points: 1\n"
    )
    bank = make_bank({("judge", "charter", 3): 2})
    assert check_satisfiable(exam, bank) == []
    paired = with_pairs(bank, [(0, 1)])
    [shortfall] = check_satisfiable(exam, paired)
    assert "1 道可能因互斥题（excludes）不能同卷" in str(shortfall)
    with pytest.raises(UnsatisfiableExam, match="互斥题"):
        draw_paper(exam, BankIndex.from_bank(paired), 1)
    spare = make_bank({("judge", "charter", 3): 3})
    assert check_satisfiable(exam, with_pairs(spare, [(0, 1)])) == []
