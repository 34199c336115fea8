"""A bank and an exam with 排序题, for the web and browser tests of the ordering type."""

from __future__ import annotations

from datetime import timedelta

from app.exam.exams import save_exam

from app.bank.services import publish
from app.exam.sittings import SittingSpec, create_sitting
from app.models import Sitting
from app.models.types import utcnow
from question_bank.bank_format import parse_bank

ORDER_BANK = """\
bank: order-demo
title: 排序演示题库
topics:
  steps: 程序步骤
questions:
  - id: o4
    type: ordering
    topic: steps
    stem: 把下列四项按正确顺序排列。
    options: {A: 第二步, B: 第四步, C: 第一步, D: 第三步}
    answer: CADB
    explanation: 解析o4
    source: 出处o4
  - id: o3
    type: ordering
    topic: steps
    stem: 把下列三项按正确顺序排列。
    options: {A: 丙项, B: 甲项, C: 乙项}
    answer: [B, C, A]
    explanation: 解析o3
    source: 出处o3
"""
ORDER_EXAM = """\
exam: order-mini
title: 排序小测
bank: order-demo
time_limit_minutes: 30
pass_mark: 50%
ordering_scoring: partial
review: {show: keys, from: immediately}
shuffle_questions: false
sections:
  - {type: ordering, count: 2, points: 3}
"""  # o4 then o3 (bank order), 3 points each


def open_ordering_sitting(usernames=("candidate",)) -> Sitting:
    bank, report = parse_bank(ORDER_BANK.encode())
    assert report.ok, [d.format() for d in report.errors]
    publish(bank)
    save_exam(ORDER_EXAM.encode(), "order-mini.yaml")
    now = utcnow()
    spec = SittingSpec(
        "order-mini", "排序场次", now - timedelta(minutes=5), now + timedelta(hours=2),
        tuple(usernames), (), None, 1,
    )  # fmt: skip
    return create_sitting(spec)
