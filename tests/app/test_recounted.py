"""A count is reused for its minute and counted again after it; past ``keep`` keys the
stale ones are dropped, so a process answering saves for a week of deadlines keeps only
the minutes still asked about."""

from __future__ import annotations

import time

from app.exam.recounted import Recounted


def test_a_count_is_reused_while_fresh_and_counted_again_once_stale():
    counts = Recounted(seconds=0.05)
    assert counts.get("a", lambda: 1) == 1
    assert counts.get("a", lambda: 2) == 1
    time.sleep(0.06)
    assert counts.get("a", lambda: 3) == 3


def test_past_keep_keys_the_stale_ones_are_dropped():
    counts = Recounted(seconds=0.05, keep=2)
    counts.get("a", lambda: 1)
    counts.get("b", lambda: 2)
    time.sleep(0.06)
    counts.get("c", lambda: 3)
    assert sorted(counts._counts) == ["c"]


def test_forget_all_forgets_every_instances_counts():
    first, second = Recounted(), Recounted()
    first.get("a", lambda: 1)
    second.get("a", lambda: 1)
    Recounted.forget_all()
    assert first.get("a", lambda: 2) == 2 and second.get("a", lambda: 3) == 3
