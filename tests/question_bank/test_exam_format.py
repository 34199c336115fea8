"""Exam definitions: reading, every-problem reporting, spread cells, satisfiability."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from question_bank.exam import Band, PassMark, ReviewPolicy, check_satisfiable
from question_bank.exam_format import parse_exam
from question_bank.exam_spread import apportion, spread_cells
from tests.question_bank.factories import EXAM_YAML, exam_from, full_bank, make_bank


def test_example_exam_is_read_exactly():
    exam = exam_from()
    assert (exam.code, exam.bank, exam.time_limit_minutes) == ("secretary-pre", "party-basics", 60)
    assert exam.pass_mark == PassMark(Decimal(60), percent=True)
    assert exam.scoring_mode("multiple") == "partial"
    assert (exam.shuffle_questions, exam.shuffle_options) == (True, True)
    assert exam.review == ReviewPolicy("keys", "after_close")
    assert [s.title for s in exam.sections] == ["单选题", "多选题", "判断正误", "填空题"]
    assert exam.sections[2].points == Decimal("1.5")
    assert exam.total_points == Decimal("95.0")
    assert exam.pass_mark.threshold(exam.total_points) == Fraction(57)


def test_defaults_and_pass_mark_in_points():
    exam = exam_from(
        "exam: ab\ntitle: t\nbank: party-basics\ntime_limit_minutes: 30\npass_mark: 7.5\n"
        "sections:\n  - {type: judge, count: 10, points: 1}\n"
    )
    assert exam.scoring_mode("multiple") == "all_or_nothing"
    assert exam.review == ReviewPolicy("score_only", "immediately")
    assert exam.pass_mark.threshold(exam.total_points) == Fraction(15, 2)
    assert [(c.topic, c.band, c.count) for c in exam.sections[0].cells] == [(None, None, 10)]


def test_section_spread_meets_both_totals_exactly():
    single, _, judge, fill = exam_from().sections
    assert _totals(single.cells) == ({"charter": 10, "branch": 10}, {"1-2": 6, "3": 8, "4-5": 6})
    assert _totals(judge.cells) == ({"charter": 4, "branch": 6}, {"1-2": 3, "3": 4, "4-5": 3})
    assert _totals(fill.cells) == ({"charter": 3, "branch": 2}, {"1-3": 5})


def _totals(cells):
    topics, bands = Counter(), Counter()
    for cell in cells:
        topics[cell.topic] += cell.count
        bands[cell.band.label] += cell.count
    return dict(topics), dict(bands)


@given(
    st.lists(st.integers(0, 9), min_size=1, max_size=6),
    st.lists(st.integers(1, 9), min_size=1, max_size=5),
)
def test_controlled_rounding_keeps_both_totals_and_each_cell_within_one_of_share(rows, weights):
    total = sum(rows)
    assume(total > 0)
    column_counts = apportion(total, [Fraction(w, sum(weights)) for w in weights])
    bands = [(Band(i + 1, i + 1), n) for i, n in enumerate(column_counts)]
    topics = [(f"t{i}", n) for i, n in enumerate(rows)]
    cells = {(c.topic, c.band): c.count for c in spread_cells(topics, bands)}
    for topic, r in topics:
        assert sum(n for (t, _), n in cells.items() if t == topic) == r
        for band, c in bands:
            assert abs(cells.get((topic, band), 0) - Fraction(r * c, total)) < 1
    for band, c in bands:
        assert sum(n for (_, b), n in cells.items() if b == band) == c


def _with(replace: str, by: str) -> bytes:
    assert replace in EXAM_YAML
    return EXAM_YAML.replace(replace, by, 1).encode()


@pytest.mark.parametrize(
    ("source", "line", "message"),
    [
        (_with("pass_mark:", "pass_mrak:"), 5, "未知字段“pass_mrak”，是否应为“pass_mark”？"),
        (_with("pass_mark: 60%", "pass_mark: 96"), 5, "合格线超过了总分 95.0"),
        (
            _with("pass_mark: 60%", "pass_mark: 及格"),
            5,
            "pass_mark 应为分数（如 60）或总分的百分比",
        ),
        (_with("exam: secretary-pre", "exam: Secretary_Pre"), 1, "试卷编号“Secretary_Pre”不合规"),
        (
            _with("multiple_scoring: partial", "multiple_scoring: half"),
            6,
            "应为 all_or_nothing 或 partial",
        ),
        (_with("show: keys", "show: everything"), 8, "show 应为 score_only 或 answers 或 keys"),
        (_with("charter: 50%, branch: 50%", "charter: 50%, branch: 40%"), 10, "百分比合计为 90%"),
        (
            _with("charter: 4, branch: 6", "charter: 4, branch: 5"),
            23,
            "题数合计为 9，应等于本部分的题数 count（10）",
        ),
        (_with("charter: 4, branch: 6", "charter: 40%, branch: 6"), 23, "不能混用题数和百分比"),
        (_with("4-5: 30%", "3-5: 30%"), 11, "难度档 3 与 3-5 重叠"),
        (_with("4-5: 30%", "6: 30%"), 11, "难度档“6”不合规"),
        (_with("points: 1.5", "points: 1.555"), 22, "points 应为正数，最多两位小数"),
        (
            _with("points: 2\n  - type: multiple", "points: 0\n  - type: multiple"),
            15,
            "points 应为正数",
        ),
        (_with("type: fill", "type: judge"), 24, "题型 judge 已在第 3 部分出现"),
        (_with("type: fill", "type: essay"), 24, "type 应为 single 或 multiple 或 judge 或 fill"),
        (_with("count: 5", "count: 0"), 25, "count 应为 1 到 500 之间的整数"),
        (_with("time_limit_minutes: 60\n", ""), 1, "缺少必填字段“time_limit_minutes”"),
        (
            _with("multiple_scoring: partial", "shuffle_options: yes"),
            6,
            "shuffle_options 应为 true 或 false",
        ),
        (_with("topics: {charter", "topics: {charter：1, "), 10, None),
        (b"", 1, "文件为空；试卷规则至少需要 exam"),
        (b"- a\n- b\n", 1, "应为“键: 值”形式的映射"),
    ],
)
def test_problems_are_reported_with_place_and_fix(source, line, message):
    exam, report = parse_exam(source, "exam.yaml")
    assert exam is None
    found = [d for d in report.errors if message is None or message in d.message]
    assert found, [d.format() for d in report.errors]
    assert found[0].format().startswith(f"exam.yaml:{line}:"), found[0].format()


def test_every_problem_is_reported_not_just_the_first():
    source = _with("pass_mark: 60%", "pass_mark: x").replace(b"count: 5", b"count: many")
    _, report = parse_exam(source, "exam.yaml")
    assert [d.line for d in report.errors] == [5, 25]


def test_satisfiable_exam_has_no_shortfalls():
    assert check_satisfiable(exam_from(), full_bank(4)) == []


def test_shortfall_names_the_cell():
    exam = exam_from(
        "exam: ab\ntitle: t\nbank: party-basics\ntime_limit_minutes: 30\npass_mark: 60%\n"
        "sections:\n  - type: judge\n    count: 10\n    points: 1\n"
        "    topics: {charter: 5, branch: 5}\n    difficulty: {3: 5, 4: 5}\n"
    )
    bank = make_bank(
        {("judge", "charter", 3): 9, ("judge", "charter", 4): 9, ("judge", "branch", 3): 9}
        | {("judge", "branch", 4): 2, ("single", "branch", 4): 9}
    )
    shortfalls = check_satisfiable(exam, bank)
    assert [str(s) for s in shortfalls] == ["主题 branch、难度 4、判断题：需要 3 道，题库只有 2 道"]


def test_unknown_topic_and_wide_bands_are_named():
    exam = exam_from(
        "exam: ab\ntitle: t\nbank: party-basics\ntime_limit_minutes: 30\npass_mark: 60%\n"
        "sections:\n  - type: single\n    count: 4\n    points: 1\n"
        "    topics: {history: 2, charter: 2}\n"
        "  - type: fill\n    count: 3\n    points: 1\n    difficulty: {4-5: 3}\n"
    )
    bank = make_bank(
        {("single", "charter", 1): 2, ("fill", "branch", 4): 1, ("fill", "charter", 5): 1}
    )
    assert [str(s) for s in check_satisfiable(exam, bank)] == [
        "主题 history、单选题：需要 2 道，题库只有 0 道（题库中没有主题 history）",
        "难度 4-5、填空题：需要 3 道，题库只有 2 道",
    ]


def test_checking_against_another_bank_is_a_programming_error():
    with pytest.raises(ValueError, match="draws from bank party-basics"):
        check_satisfiable(exam_from(), full_bank(1, name="other-bank"))
