"""Drawing papers: reproducible, same spread and points for everyone, no repeats, retakes."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import pytest

from question_bank.assembly import BankIndex, Paper, UnsatisfiableExam, draw_paper
from question_bank.exam import Exam
from tests.question_bank.factories import exam_from, full_bank, make_bank, make_question


@pytest.fixture(scope="module")
def exam() -> Exam:
    return exam_from()


@pytest.fixture(scope="module")
def index() -> BankIndex:
    return BankIndex.from_bank(full_bank(12))


def layout(paper: Paper) -> list[tuple[str, tuple[str, ...]]]:
    return [(i.question.id, i.option_order) for s in paper.sections for i in s.items]


def test_same_seed_and_bank_version_give_the_same_paper(exam, index):
    again = BankIndex.from_bank(full_bank(12))
    assert draw_paper(exam, index, 20240701) == draw_paper(exam, again, 20240701)


def test_different_seeds_give_different_papers(exam, index):
    papers = {tuple(layout(draw_paper(exam, index, seed))) for seed in range(50)}
    assert len(papers) == 50


def _spread(paper: Paper, exam: Exam) -> Counter:
    """How many questions of each section fall in each cell of that section."""
    spread = Counter()
    for section, drawn in zip(exam.sections, paper.sections, strict=True):
        for item in drawn.items:
            q = item.question
            assert q.type == section.type
            cell = next(
                c
                for c in section.cells
                if c.topic in (None, q.topic)
                and (c.band is None or q.difficulty in c.band.difficulties)
            )
            spread[(section.type, cell)] += 1
    return spread


def test_every_paper_has_the_same_spread_and_points_and_no_repeats(exam, index):
    expected = Counter({(s.type, c): c.count for s in exam.sections for c in s.cells})
    for seed in range(200):
        paper = draw_paper(exam, index, seed)
        ids = [item.question.id for s in paper.sections for item in s.items]
        assert len(ids) == len(set(ids)) == exam.question_count
        assert _spread(paper, exam) == expected
        assert paper.total_points == exam.total_points == 95
        assert [s.points for s in paper.sections] == [s.points for s in exam.sections]


def test_options_are_permutations_of_the_original_keys(exam, index):
    paper = draw_paper(exam, index, 7)
    orders = set()
    for section in paper.sections:
        for item in section.items:
            keys = tuple(k for k, _ in item.question.options)
            assert sorted(item.option_order) == sorted(keys)
            orders.add(item.option_order)
    assert len(orders) > 1
    assert all(not i.option_order for s in paper.sections[2:] for i in s.items)


def test_unshuffled_exam_keeps_bank_order_and_option_order(exam):
    bank = full_bank(6)
    pinned = replace(bank.questions[0], shuffle_options=False)
    bank = replace(bank, questions=(pinned, *bank.questions[1:]))
    position = {q.id: i for i, q in enumerate(bank.questions)}
    still = replace(exam, shuffle_questions=False, shuffle_options=False)
    paper = draw_paper(still, BankIndex.from_bank(bank), 3)
    for section in paper.sections:
        ids = [item.question.id for item in section.items]
        assert ids == sorted(ids, key=position.get)
        assert all(i.option_order == tuple(k for k, _ in i.question.options) for i in section.items)


def test_a_question_can_keep_its_option_order_in_a_shuffled_exam(exam):
    bank = make_bank({("single", "charter", 3): 1})
    pinned = replace(bank.questions[0], shuffle_options=False)
    only = exam_from(
        "exam: ab\ntitle: t\nbank: party-basics\ntime_limit_minutes: 30\npass_mark: 1\n"
        "sections:\n  - {type: single, count: 1, points: 1}\n"
    )
    index = BankIndex.from_bank(replace(bank, questions=(pinned,)))
    for seed in range(20):
        assert draw_paper(only, index, seed).sections[0].items[0].option_order == (
            "A",
            "B",
            "C",
            "D",
        )


def test_a_retake_avoids_the_previous_paper_where_the_bank_allows(exam, index):
    for seed in range(50):
        first = draw_paper(exam, index, seed)
        second = draw_paper(exam, index, seed + 1000, avoid=first.question_ids)
        assert not first.question_ids & second.question_ids


def test_a_short_cell_falls_back_to_avoided_questions_only_as_needed():
    exam = exam_from(
        "exam: ab\ntitle: t\nbank: party-basics\ntime_limit_minutes: 30\npass_mark: 1\n"
        "sections:\n  - {type: judge, count: 4, points: 1, topics: {charter: 2, branch: 2}}\n"
    )
    index = BankIndex.from_bank(make_bank({("judge", "charter", 3): 3, ("judge", "branch", 3): 9}))
    for seed in range(30):
        first = draw_paper(exam, index, seed)
        second = draw_paper(exam, index, seed + 1, avoid=first.question_ids)
        repeated = first.question_ids & second.question_ids
        assert len(repeated) == 1 and next(iter(repeated)).startswith("judge-charter")
        assert len(second.question_ids) == 4


def test_avoid_does_not_change_a_paper_it_does_not_touch(exam, index):
    unrelated = frozenset({"no-such-question", "judge-charter-3-0-x"})
    assert draw_paper(exam, index, 5, avoid=unrelated) == draw_paper(exam, index, 5)


def test_each_question_of_a_cell_can_be_drawn():
    exam = exam_from(
        "exam: ab\ntitle: t\nbank: party-basics\ntime_limit_minutes: 30\npass_mark: 1\n"
        "sections:\n  - {type: fill, count: 2, points: 1}\n"
    )
    index = BankIndex.from_bank(make_bank({("fill", "charter", 1): 3, ("fill", "branch", 5): 3}))
    seen = Counter(qid for seed in range(300) for qid in draw_paper(exam, index, seed).question_ids)
    assert len(seen) == 6 and min(seen.values()) > 50


def test_a_bank_version_too_small_for_the_exam_is_refused_with_the_cell(exam):
    bank = make_bank({("single", "charter", 1): 30})
    with pytest.raises(UnsatisfiableExam) as refused:
        draw_paper(exam, BankIndex.from_bank(bank), 1)
    assert "主题 charter、难度 3、单选题：需要 4 道，题库只有 0 道" in str(refused.value)


def test_a_paper_is_drawn_only_from_the_exams_bank(exam):
    with pytest.raises(ValueError, match="draws from bank party-basics"):
        draw_paper(exam, BankIndex.from_bank(full_bank(12, name="other")), 1)


def test_questions_keep_their_full_revision_content(exam, index):
    paper = draw_paper(exam, index, 9)
    item = paper.sections[0].items[0]
    assert item.question == make_question(
        item.question.id, "single", item.question.topic, item.question.difficulty
    )
