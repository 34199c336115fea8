"""The live view of a sitting (考试场次实时情况): counts on top, one row per person with
their progress, a unit admin limited to their own units (even by editing the URL), and a
number of queries that does not grow with the sitting."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import event, select

from app.exam.starting import start_attempt
from app.extensions import db
from app.models import FocusEvent, Role, Sitting, SittingCandidate, SittingUnit, Unit, User
from app.models.types import utcnow
from tests.app.ux_world import build_world
from tests.auth import login
from tests.factories import make_user


@pytest.fixture
def world(app, ctx):
    built = build_world()
    education = Unit(name="市教育局")
    db.session.add(education)
    db.session.commit()
    make_user("teacher", name="赵老师", unit=education)
    make_user("eduadmin", name="教育局管理员", role=Role.UNIT_ADMIN, unit=education)
    sitting = db.session.scalar(select(Sitting))
    db.session.add(SittingUnit(sitting_id=sitting.id, unit_id=education.id))
    db.session.add(FocusEvent(attempt_id=built.running.id, kind="hidden", at=utcnow()))
    db.session.commit()
    return {"session": sitting.id, "education": education.id, "running": built.running.id}


def _counts(html: str) -> dict[str, int]:
    return {dt: int(dd) for dt, dd in re.findall(r"<dt>(\S+?)</dt><dd>(\d+)</dd>", html)}


def test_a_system_admin_sees_everyone_with_their_progress(app, world):
    client = app.test_client()
    login(client, "admin")
    html = client.get(f"/admin/live/sessions/{world['session']}").get_data(as_text=True)
    assert _counts(html) == {"应考": 3, "已开始": 2, "作答中": 1, "已交卷": 1, "未开始": 1}
    assert "王芳" in html and "李建国" in html and "赵老师" in html
    assert "0 / 10" in html  # the running paper: nothing answered of ten questions
    assert "10 / 10" in html  # the finished one, every question answered
    assert "1 次" in html  # one departure from the test page
    assert re.search(r"剩余时间\">\d+ 分 \d\d 秒", html)
    assert 'data-live-refresh="15"' in html and "<script>" not in html


def test_the_filter_shows_who_has_not_started(app, world):
    client = app.test_client()
    login(client, "admin")
    html = client.get(f"/admin/live/sessions/{world['session']}?show=absent").get_data(as_text=True)
    assert "赵老师" in html and "王芳" not in html and "李建国" not in html


def test_a_unit_admin_sees_only_the_candidates_of_their_units(app, world):
    client = app.test_client()
    login(client, "unitadmin")
    url = f"/admin/live/sessions/{world['session']}"
    html = client.get(url).get_data(as_text=True)
    assert "王芳" in html and "李建国" in html and "赵老师" not in html
    assert _counts(html)["应考"] == 2
    assert client.get(f"{url}?unit={world['education']}").status_code == 404
    other = client.get(f"{url}?unit={world['education']}&show=absent")
    assert other.status_code == 404 and "赵老师" not in other.get_data(as_text=True)


def test_the_other_unit_admin_sees_only_their_own(app, world):
    client = app.test_client()
    login(client, "eduadmin")
    html = client.get(f"/admin/live/sessions/{world['session']}").get_data(as_text=True)
    assert "赵老师" in html and "王芳" not in html and "李建国" not in html
    assert _counts(html) == {"应考": 1, "已开始": 0, "作答中": 0, "已交卷": 0, "未开始": 1}


def test_candidates_may_not_open_the_live_view(app, world):
    client = app.test_client()
    login(client, "candidate")
    assert client.get(f"/admin/live/sessions/{world['session']}").status_code == 403


def _statements(client, url: str) -> int:
    count = 0

    def counted(*_args):
        nonlocal count
        count += 1

    db.session.expunge_all()  # the tests' sitting would keep rows a real request reads
    event.listen(db.engine, "before_cursor_execute", counted)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", counted)
    return count


def test_the_number_of_queries_does_not_grow_with_the_sitting(app, world):
    """No per-candidate query: 40 more people, some answering, cost no more statements."""
    client = app.test_client()
    login(client, "admin")
    url = f"/admin/live/sessions/{world['session']}"
    client.get(url)  # the first request after the login also refreshes the login session
    before = _statements(client, url)
    sitting = db.session.get(Sitting, world["session"])
    education = db.session.get(Unit, world["education"])
    for n in range(40):
        person = make_user(f"p{n:02d}", name=f"考生{n:02d}", unit=education)
        if n % 2:
            db.session.add(SittingCandidate(sitting_id=sitting.id, user_id=person.id))
            db.session.commit()
            start_attempt(db.session.get(User, person.id), sitting, None, utcnow())
    html = client.get(url).get_data(as_text=True)
    assert _counts(html)["应考"] == 43 and _counts(html)["作答中"] == 21
    assert _statements(client, url) == before
