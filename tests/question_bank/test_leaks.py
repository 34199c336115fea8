"""``find_leaks``: stems that quote another question's key, judge statements that settle
another question; the shipped bank's named pairs are found and marked."""

from __future__ import annotations

from pathlib import Path

from question_bank.bank_format import parse_bank
from question_bank.leaks import find_leaks
from question_bank.model import Bank, Question

SHIPPED = Path(__file__).resolve().parents[2] / "question_bank" / "banks" / "party-basics.yaml"
TOPICS = (("t", "主题"),)
NAMED_PAIRS = {
    frozenset(pair)
    for pair in (
        ("organs-0035", "charter-0043"),
        ("organs-0038", "education-0036"),
        ("charter-0038", "education-0036"),
        ("dues-0043", "organs-0039"),
        ("political-life-0049", "political-life-0035"),
        ("political-life-0045", "political-life-0014"),
    )
}


def single(qid: str, stem: str, options: dict[str, str], key: str) -> Question:
    return Question(qid, "single", "t", stem, options=tuple(options.items()), keys=(key,))


def judge(qid: str, stem: str, true: bool = True, explanation: str | None = None) -> Question:
    keys = ("true",) if true else ("false",)
    return Question(qid, "judge", "t", stem, keys=keys, explanation=explanation)


def pairs(*questions: Question) -> set[frozenset[str]]:
    return {
        frozenset((x.giver, x.taker)) for x in find_leaks(Bank("demo", "演示", TOPICS, questions))
    }


def test_a_stem_quoting_a_key_option_is_found():
    asked = single(
        "q1",
        "党的最高领导机关是（　）。",
        {"A": "党的全国代表大会和它所产生的中央委员会", "B": "中央政治局"},
        "A",
    )
    giver = judge("q2", "党的全国代表大会和它所产生的中央委员会每五年选举一次。")
    assert pairs(asked, giver) == {frozenset({"q1", "q2"})}


def test_a_stem_quoting_a_true_option_of_a_which_is_not_question_is_found():
    asked = single(
        "q1",
        "下列不属于准则标题的是（　）。",
        {"A": "坚决维护党中央权威", "B": "加强党的作风建设"},
        "B",
    )
    giver = judge("q2", "准则在“坚决维护党中央权威”部分提出请示报告制度。")
    assert pairs(asked, giver) == {frozenset({"q1", "q2"})}


def test_a_judge_statement_found_in_another_questions_explanation_is_found():
    asked = judge("q1", "党费是开展活动经费的主要来源。", False, "党费主要作为党员教育经费的补充。")
    giver = judge("q2", "党费主要作为党员教育经费的补充。")
    assert pairs(asked, giver) == {frozenset({"q1", "q2"})}


def test_unrelated_questions_are_not_paired():
    assert (
        pairs(
            judge("q1", "预备党员的预备期为一年。"),
            judge("q2", "党的基层组织每届任期三年至五年。"),
            single("q3", "党费按月交纳的基数是（　）。", {"A": "工资收入", "B": "全部收入"}, "A"),
        )
        == set()
    )


def test_the_shipped_bank_lists_every_named_pair_and_each_is_marked():
    bank, report = parse_bank(SHIPPED.read_bytes())
    assert report.errors == []
    leaks = {frozenset((x.giver, x.taker)): x for x in find_leaks(bank)}
    assert set(leaks) >= NAMED_PAIRS
    assert all(leaks[pair].marked for pair in NAMED_PAIRS)


def test_the_shipped_content_fixes():
    bank, _ = parse_bank(SHIPPED.read_bytes())
    by_id = {q.id: q for q in bank.questions}
    assert "也不得推荐担任与其原任职务相当或者高于其原任职务的党外职务" in (
        by_id["discipline-0006"].explanation
    )
    assert by_id["education-0052"].blanks == (("5月6日", "5月6号", "五月六日"),)
