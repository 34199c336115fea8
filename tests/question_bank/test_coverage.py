"""The exam designer's view of a bank: counts by type × topic × difficulty, and each
cell of an exam's rules against them, short cells marked with the reason."""

from __future__ import annotations

from question_bank.coverage import coverage
from question_bank.exam import check_satisfiable
from tests.question_bank.factories import EXAM_YAML, exam_from, full_bank, make_bank


def test_a_bank_alone_is_counted_by_type_topic_and_difficulty():
    bank = make_bank(
        {("single", "charter", 2): 3, ("single", "branch", 5): 1, ("judge", "charter", 1): 4}
    )
    found = coverage(bank)
    assert [grid.type for grid in found.grids] == ["single", "judge"]
    single = found.grids[0]
    assert [row.topic for row in single.rows] == ["charter", "branch"]
    assert [cell.held for cell in single.rows[0].cells] == [0, 3, 0, 0, 0]
    assert single.rows[1].total == 1 and single.totals == (0, 3, 0, 0, 1) and single.total == 4
    assert found.demands == () and found.question_count == 8


def test_an_exam_the_bank_supplies_has_no_short_cells():
    found = coverage(full_bank(10), exam_from())
    assert found.demands and not found.short
    first = found.demands[0]
    assert (first.number, first.type_title, first.topic, first.difficulty) == (
        1,
        "单选题",
        "中国共产党章程",
        "1-2",
    )
    cell = found.grids[0].rows[0].cells[0]  # single, charter, difficulty 1
    assert cell.held == 10 and cell.drawn_by == (1,) and not cell.short


def test_short_cells_are_marked_with_the_reason_that_check_satisfiable_gives():
    bank = full_bank(10)
    thin = make_bank({key: (1 if key[0] == "judge" and key[1] == "branch" else 10)
                      for key in [(q.type, q.topic, q.difficulty) for q in bank.questions]})  # fmt: skip
    exam = exam_from()
    found = coverage(thin, exam)
    assert len(found.short) == len(check_satisfiable(exam, thin)) == 1
    demand = found.short[0]
    assert (demand.type_title, demand.topic, demand.difficulty) == ("判断题", "中国共产党支部工作条例（试行）", "3")  # fmt: skip
    assert demand.problem == "需要 2 道，题库只有 1 道"
    judge = next(grid for grid in found.grids if grid.type == "judge")
    assert [cell.short for cell in judge.rows[1].cells] == [False, False, True, False, False]
    assert [cell.held for cell in judge.rows[1].cells] == [1, 1, 1, 1, 1]
    assert not any(cell.short for cell in judge.rows[0].cells)


def test_an_unknown_topic_is_named_in_the_reason():
    exam = exam_from(
        EXAM_YAML.replace("topics: {charter: 4, branch: 6}", "topics: {charter: 4, organs: 6}")
    )
    found = coverage(full_bank(10), exam)
    assert found.short and all(d.problem.endswith("题库中没有主题 organs") for d in found.short)
    assert {d.topic for d in found.short} == {"organs"}
