"""Rules semantics on hand-checked cases: bands, expiry, retake waits, prerequisites."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from certificates.rules import HeldCertificate, RetakePolicy, Validity
from certificates.rules_format import load_default_rules

RULES = load_default_rules()
COMPETENCY = RULES.type("competency")
PRE = RULES.type("pre-appointment")


def test_defaults_are_as_documented():
    assert RULES.version == "2026.1"
    assert PRE.title == "任前党务知识测试合格证明" and PRE.names_position
    assert PRE.exams == ("secretary-pre-appointment", "committee-pre-appointment")
    assert COMPETENCY.title == "职业能力认证证书" and not COMPETENCY.names_position
    assert [(lv.name, lv.min_score) for lv in COMPETENCY.levels] == [
        ("优秀", 90), ("良好", 80), ("合格", 60)
    ]  # fmt: skip
    assert PRE.retake == RetakePolicy(3, timedelta(days=30), timedelta(hours=24))
    assert RULES.types_for_exam("committee-pre-appointment") == (PRE,)
    assert len(RULES.digest) == 64


@pytest.mark.parametrize(
    ("score", "level"),
    [
        ("100", "优秀"), ("90", "优秀"), ("89.99", "良好"), ("80", "良好"), ("79.5", "合格"),
        ("60", "合格"), ("59.99", None), ("0", None),
    ],
)  # fmt: skip
def test_levels_at_band_edges(score, level):
    assert COMPETENCY.level_for(Decimal(score)) == level
    assert COMPETENCY.passed(Decimal(score)) is (level is not None)


def test_a_type_without_levels_passes_without_a_level():
    assert PRE.passed(Decimal(60)) and PRE.level_for(Decimal(60)) is None
    assert not PRE.passed(59)


def test_floats_are_refused():
    with pytest.raises(TypeError):
        COMPETENCY.level_for(89.99)


@pytest.mark.parametrize(
    ("months", "issued", "expires"),
    [
        (36, date(2026, 6, 1), date(2029, 5, 31)),
        (36, date(2026, 5, 20), date(2029, 5, 19)),
        (12, date(2024, 2, 29), date(2025, 2, 28)),  # no 29 February: through the 28th
        (1, date(2026, 1, 31), date(2026, 2, 28)),
        (1, date(2026, 12, 31), date(2027, 1, 30)),
        (6, date(2026, 8, 31), date(2027, 2, 28)),
        (12, date(2027, 3, 1), date(2028, 2, 29)),
    ],
)
def test_expiry(months, issued, expires):
    assert Validity(months).expiry_for(issued) == expires


def test_default_expiry_is_three_years():
    assert COMPETENCY.expiry_for(date(2026, 5, 20)) == date(2029, 5, 19)


NOW = datetime(2026, 5, 20, 9, 0, tzinfo=UTC)


def test_first_attempt_is_allowed():
    assert PRE.next_attempt_allowed([], NOW) is None


def test_wait_between_attempts():
    wait = PRE.next_attempt_allowed([NOW - timedelta(hours=3)], NOW)
    assert wait.at == NOW + timedelta(hours=21)
    assert "24 小时" in wait.reason
    assert wait.message() == "两次测试之间须间隔 24 小时；下次可于 2026年05月21日 14:00 之后参加"
    assert PRE.next_attempt_allowed([NOW - timedelta(hours=24)], NOW) is None


def test_attempts_per_period():
    times = [NOW - timedelta(days=29), NOW - timedelta(days=10), NOW - timedelta(days=2)]
    wait = PRE.next_attempt_allowed(times, NOW)
    assert wait.at == NOW + timedelta(days=1)  # when the attempt of 29 days ago leaves the window
    assert "30 天内最多测试 3 次" in wait.reason
    assert PRE.next_attempt_allowed(times, NOW + timedelta(days=1)) is None
    older = [NOW - timedelta(days=31), *times[1:]]
    assert PRE.next_attempt_allowed(older, NOW) is None


def test_the_later_of_two_limits_wins():
    times = [NOW - timedelta(days=20), NOW - timedelta(days=19), NOW - timedelta(hours=1)]
    wait = PRE.next_attempt_allowed(times, NOW)
    assert wait.at == NOW + timedelta(days=10)


def test_naive_times_are_refused():
    with pytest.raises(ValueError):
        PRE.next_attempt_allowed([], datetime(2026, 5, 20, 9, 0))


def test_prerequisites(tmp_path):
    from dataclasses import replace

    needs = replace(COMPETENCY, prerequisites=("pre-appointment",))
    day = date(2027, 1, 1)
    valid = HeldCertificate("pre-appointment", date(2026, 1, 1), date(2028, 12, 31))
    assert needs.prerequisites_met([valid], day)
    assert not needs.prerequisites_met([], day)
    assert needs.missing_prerequisites([], day) == ("pre-appointment",)
    expired = HeldCertificate("pre-appointment", date(2023, 1, 1), date(2026, 12, 31))
    assert not needs.prerequisites_met([expired], day)
    assert needs.prerequisites_met([expired], date(2026, 12, 31))  # valid through its last day
    revoked = replace(valid, revoked=True)
    assert not needs.prerequisites_met([revoked], day)
    other = HeldCertificate("competency", date(2026, 1, 1), date(2028, 12, 31))
    assert not needs.prerequisites_met([other], day)
    assert COMPETENCY.prerequisites_met([], day)
