"""The candidate's session and result pages say what happens next (issue 13, defects 6, 12)."""

from __future__ import annotations

import pytest

from app.extensions import db
from tests.app.certificate_fixtures import (
    COMPETENCY,
    fresh_catalog,  # noqa: F401 -- a fixture
    open_session,
    setup_exams,
    take,
)
from tests.conftest import login, make_user


@pytest.mark.usefixtures("fresh_catalog")
def test_after_a_fail_the_session_page_says_when_the_next_attempt_is_allowed(client, ctx):
    """Defect 6: the 24-hour wait appeared only after clicking 开始答题."""
    setup_exams()
    user = make_user("feng", name="冯五")
    session = open_session(COMPETENCY, [user])
    take(user, session, 1)
    login(client, "feng")
    html = client.get(f"/sessions/{session.id}").get_data(as_text=True)
    assert "下次可于" in html and "之后参加" in html
    assert 'value="开始答题"' not in html


@pytest.mark.usefixtures("fresh_catalog")
def test_after_a_pass_the_session_page_says_so_instead_of_offering_another_start(
    client, ctx, monkeypatch
):
    """Defect 6: a pass still showed 开始答题."""
    from app.exam import attempts

    monkeypatch.setattr(attempts, "issue_certificates", lambda attempt: None)
    setup_exams()
    user = make_user("feng", name="冯五")
    session = open_session(COMPETENCY, [user])
    take(user, session, 4)
    db.session.commit()
    login(client, "feng")
    html = client.get(f"/sessions/{session.id}").get_data(as_text=True)
    assert "您已合格（第 1 次作答，80 / 100 分）" in html
    assert 'value="开始答题"' not in html
