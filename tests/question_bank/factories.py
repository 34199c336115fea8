"""Small banks and exams for the exam, assembly and scoring tests."""

from __future__ import annotations

from question_bank.exam import Exam
from question_bank.exam_format import parse_exam
from question_bank.model import Bank, Question

OPTIONS = (("A", "甲"), ("B", "乙"), ("C", "丙"), ("D", "丁"))
TOPICS = (("charter", "中国共产党章程"), ("branch", "中国共产党支部工作条例（试行）"))


def make_question(qid: str, kind: str = "single", topic: str = "charter", difficulty: int = 3):
    """A valid question of ``kind``; the answer is A, A+C, true, or 党章 / 章程 per blank."""
    if kind == "single":
        return Question(qid, kind, topic, f"{qid}（　）", difficulty, OPTIONS, ("A",))
    if kind == "multiple":
        return Question(qid, kind, topic, f"{qid}（　）", difficulty, OPTIONS, ("A", "C"))
    if kind == "judge":
        return Question(qid, kind, topic, f"{qid}。", difficulty, keys=("true",))
    return Question(qid, kind, topic, f"{qid} ____", difficulty, blanks=(("党章",),))


def make_bank(cells: dict[tuple[str, str, int], int], name: str = "party-basics") -> Bank:
    """A bank with ``n`` questions in each (type, topic, difficulty) cell."""
    questions = [
        make_question(f"{kind}-{topic}-{difficulty}-{i}", kind, topic, difficulty)
        for (kind, topic, difficulty), n in cells.items()
        for i in range(n)
    ]
    return Bank(name, "党务基本知识题库", TOPICS, tuple(questions))


def full_bank(per_cell: int, name: str = "party-basics") -> Bank:
    """``per_cell`` questions of every type, topic and difficulty."""
    return make_bank(
        {
            (kind, topic, difficulty): per_cell
            for kind in ("single", "multiple", "judge", "fill")
            for topic, _ in TOPICS
            for difficulty in range(1, 6)
        },
        name,
    )


EXAM_YAML = """\
exam: secretary-pre
title: 党组织书记任前党务知识测试
bank: party-basics
time_limit_minutes: 60
pass_mark: 60%
multiple_scoring: partial
review:
  show: keys
  from: after_close
topics: {charter: 50%, branch: 50%}
difficulty: {1-2: 30%, 3: 40%, 4-5: 30%}
sections:
  - type: single
    count: 20
    points: 2
  - type: multiple
    count: 10
    points: 3
  - type: judge
    title: 判断正误
    count: 10
    points: 1.5
    topics: {charter: 4, branch: 6}
  - type: fill
    count: 5
    points: 2
    difficulty: {1-3: 100%}
"""


def exam_from(text: str = EXAM_YAML) -> Exam:
    exam, report = parse_exam(text.encode(), "exam.yaml")
    assert exam is not None, [d.format() for d in report.ordered]
    return exam
