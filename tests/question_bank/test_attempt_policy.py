"""An attempt's kept policy reads back as it was written, and as earlier versions wrote it."""

from __future__ import annotations

from decimal import Decimal

from question_bank.attempt_policy import AttemptPolicy, SectionPolicy
from question_bank.exam import PassMark, ReviewPolicy, ScoringPolicy

CURRENT = {
    "scoring": {"multiple": "partial", "ordering": "all_or_nothing"},
    "time_limit_minutes": 45,
    "pass_mark": {"value": "60", "percent": True},
    "review": {"show": "keys", "when": "after_close"},
    "sections": [{"title": "一、单选题", "type": "single", "points": "1.50"}],
    "avoid": ["q2", "q7"],
}


def test_a_stored_policy_reads_into_types_and_is_stored_unchanged():
    policy = AttemptPolicy.from_stored(CURRENT)
    assert policy.sections == (SectionPolicy("一、单选题", "single", Decimal("1.50")),)
    assert policy.pass_mark == PassMark(Decimal("60"), True)
    assert policy.scoring.mode("multiple") == "partial"
    assert policy.review == ReviewPolicy("keys", "after_close")
    assert policy.time_limit_minutes == 45
    assert policy.avoid == ("q2", "q7")
    assert policy.stored() == CURRENT
    assert AttemptPolicy.from_stored(policy.stored()) == policy


def test_a_policy_stored_before_per_type_scoring_and_kept_limits_still_reads():
    old = {
        "multiple": "partial",
        "pass_mark": {"value": "60", "percent": False},
        "review": {"show": "score_only", "when": "immediately"},
        "sections": [{"title": "多选题", "type": "multiple", "points": "2"}],
    }
    policy = AttemptPolicy.from_stored(old)
    assert policy.scoring == ScoringPolicy({"multiple": "partial"}, PassMark(Decimal("60"), False))
    assert policy.time_limit_minutes is None
    assert policy.avoid == ()
