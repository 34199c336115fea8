"""Building blocks for test-taking tests: the shipped bank, a small exam, a sitting."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from app.exam.exams import save_exam

from app.bank.services import SourceFile, publish
from app.exam.sittings import SittingSpec, create_sitting
from app.models import Sitting
from app.models.types import utcnow
from question_bank.bank_format import parse_bank

BANK_FILE = Path(__file__).resolve().parents[2] / "question_bank" / "banks" / "party-basics.yaml"

MINI_EXAM = """\
exam: mini
title: 小测验
bank: party-basics
time_limit_minutes: 30
pass_mark: 60%
multiple_scoring: all_or_nothing
review: {show: keys, from: {when}}
sections:
  - {type: single, count: 4, points: 2}
  - {type: multiple, count: 2, points: 3}
  - {type: judge, count: 3, points: 1}
  - {type: fill, count: 1, points: 3}
"""  # 8 + 6 + 3 + 3 = 20 points


def shipped_bank():
    bank, report = parse_bank(BANK_FILE.read_bytes())
    assert report.ok
    return bank


def open_sitting(
    usernames=("candidate",), *, when="immediately", max_attempts=1, access_code=None, **times
) -> Sitting:
    """Publish the shipped bank (keeping its file, as ``flask bank import`` does), store
    the small exam, open a sitting now."""
    publish(shipped_bank(), source=SourceFile(BANK_FILE.name, BANK_FILE.read_bytes()))
    save_exam(MINI_EXAM.replace("{when}", when).encode(), "mini.yaml")
    now = utcnow()
    spec = SittingSpec(
        "mini", "测试场次", times.get("opens", now - timedelta(minutes=5)), times.get("closes", now + timedelta(hours=2)),
        tuple(usernames), (), access_code, max_attempts,
    )  # fmt: skip
    return create_sitting(spec)
