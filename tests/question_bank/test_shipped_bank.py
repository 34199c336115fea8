"""The shipped bank: valid without warnings, covering what the two shipped exams need."""

from __future__ import annotations

import itertools
import re
from collections import Counter
from pathlib import Path

import pytest

from question_bank.assembly import BankIndex, draw_paper
from question_bank.bank_format import parse_bank
from question_bank.exam import check_satisfiable
from question_bank.exam_format import parse_exam
from question_bank.model import normalize_text

ROOT = Path(__file__).resolve().parents[2] / "question_bank"
BANK_FILE = ROOT / "banks" / "party-basics.yaml"
EXAM_FILES = sorted((ROOT / "exams").glob("*.yaml"))
CITATION = re.compile(
    r"《[^》]+》.*(第[一二三四五六七八九十百零〇\d]+(条|部分|章|编)|总纲|序言|题注)"
)


@pytest.fixture(scope="module")
def bank():
    parsed, report = parse_bank(BANK_FILE.read_bytes(), str(BANK_FILE))
    assert report.items == [], [d.format() for d in report.items]
    return parsed


def test_validates_with_no_errors_and_no_warnings(bank):
    assert len(bank.questions) >= 400


def test_at_least_eight_topics_of_fifty_questions(bank):
    per_topic = Counter(q.topic for q in bank.questions)
    assert len(per_topic) >= 8
    assert min(per_topic.values()) >= 50, per_topic


def test_type_mix_is_close_to_the_plan(bank):
    share = {t: n / len(bank.questions) for t, n in Counter(q.type for q in bank.questions).items()}
    assert 0.40 <= share["single"] <= 0.50
    assert 0.15 <= share["multiple"] <= 0.25
    assert 0.20 <= share["judge"] <= 0.30
    assert 0.05 <= share["fill"] <= 0.15


def test_every_topic_and_type_spans_all_difficulties(bank):
    cells = Counter((q.topic, q.type, q.difficulty) for q in bank.questions)
    for topic, kind in {(q.topic, q.type) for q in bank.questions}:
        assert all(cells[(topic, kind, d)] >= 1 for d in range(1, 6)), (topic, kind)


def test_every_question_cites_its_article_and_explains(bank):
    uncited = [q.id for q in bank.questions if not CITATION.search(q.source or "")]
    assert uncited == []
    assert [q.id for q in bank.questions if not q.explanation] == []


def test_keys_are_balanced(bank):
    singles = Counter(q.keys[0] for q in bank.questions if q.type == "single")
    total = sum(singles.values())
    assert set(singles) == set("ABCD")
    assert all(0.2 <= n / total <= 0.3 for n in singles.values()), singles
    judges = Counter(q.keys[0] for q in bank.questions if q.type == "judge")
    assert 0.4 <= judges["true"] / sum(judges.values()) <= 0.6


def test_no_catch_all_options_that_would_be_shuffled(bank):
    catch_all = re.compile(r"以上(都|均|全)")
    offenders = [
        q.id
        for q in bank.questions
        if q.shuffle_options and any(catch_all.search(t) for _, t in q.options)
    ]
    assert offenders == []


def _trigrams(text: str) -> set[str]:
    text = normalize_text(text).replace("( )", "")
    return {text[i : i + 3] for i in range(len(text) - 2)}


def test_no_two_stems_are_near_duplicates(bank):
    grams = [(q.id, _trigrams(q.stem)) for q in bank.questions]
    close = [
        (a, b)
        for (a, ga), (b, gb) in itertools.combinations(grams, 2)
        if ga and gb and len(ga & gb) / len(ga | gb) > 0.7
    ]
    assert close == []


@pytest.mark.parametrize("exam_file", EXAM_FILES, ids=[f.stem for f in EXAM_FILES])
def test_shipped_exams_are_satisfiable_and_draw_many_different_papers(bank, exam_file):
    exam, report = parse_exam(exam_file.read_bytes(), str(exam_file))
    assert report.items == [], [d.format() for d in report.items]
    assert check_satisfiable(exam, bank) == []
    index = BankIndex.from_bank(bank)
    papers = [draw_paper(exam, index, seed).question_ids for seed in range(40)]
    assert len(set(papers)) == 40
    overlap = max(len(a & b) / len(a) for a, b in itertools.combinations(papers, 2))
    assert overlap < 0.6, f"two papers share {overlap:.0%} of their questions"
