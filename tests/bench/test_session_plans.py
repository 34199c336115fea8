"""The session load test's journeys (bench/bench_session.py ``plan``): early papers are
handed in over the test's last third, as a sitting's fast candidates finish, each after
its last answer; ``BENCH_EARLY_WINDOW=50`` keeps the last minute's crowd of earlier runs."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import bench_session

OPEN, CLOSE = 1_000.0, 1_900.0  # a 15-minute test


def _early_plans(monkeypatch, window: float) -> list[dict]:
    monkeypatch.setattr(bench_session, "TEST_SECONDS", CLOSE - OPEN)
    monkeypatch.setattr(bench_session, "EARLY_WINDOW", window)
    monkeypatch.setattr(bench_session, "EARLY", 0.3)  # the default, whatever the environment
    plans = [bench_session.plan(1, 0.0, OPEN, CLOSE) for _ in range(10_000)]
    return [p for p in plans if p["early"]]


def test_early_papers_come_over_the_tests_last_third_each_after_its_answers(monkeypatch):
    early = _early_plans(monkeypatch, (CLOSE - OPEN) / 3)
    assert 2_700 < len(early) < 3_300
    assert all(CLOSE - 300 <= p["submit_at"] <= CLOSE - 5 for p in early)
    assert all(p["answer_until"] <= p["submit_at"] - 10 for p in early)
    in_last_minute = sum(p["submit_at"] > CLOSE - 60 for p in early)
    assert in_last_minute / len(early) == pytest.approx(55 / 295, abs=0.03)


def test_a_window_of_50_seconds_hands_every_early_paper_in_within_the_last_minute(monkeypatch):
    early = _early_plans(monkeypatch, 50)
    assert all(CLOSE - 50 <= p["submit_at"] <= CLOSE - 5 for p in early)
