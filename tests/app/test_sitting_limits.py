"""Every way of creating a sitting keeps the same limits (the admin pages and the CLI
both go through ``create_session``)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.exam.sittings import ExamRefused
from app.models.types import utcnow
from tests.app.exam_fixtures import open_sitting


def test_a_sitting_longer_than_a_year_is_refused_outside_the_admin_pages_too(ctx):
    now = utcnow()
    with pytest.raises(ExamRefused) as refused:
        open_sitting((), opens=now, closes=now + timedelta(days=400))
    assert refused.value.messages == ["一个场次最长一年"]


def test_attempts_outside_one_to_ten_are_refused_with_the_admin_pages_words(ctx):
    with pytest.raises(ExamRefused) as refused:
        open_sitting((), max_attempts=11)
    assert refused.value.messages == ["允许作答次数应为 1 到 10"]
