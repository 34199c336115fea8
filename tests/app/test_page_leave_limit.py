"""A per-exam limit on leaving the test page (切屏次数上限): the candidate is told the count
and the limit; past it the attempt is flagged for admins (results, export, live view),
and never submitted, failed or scored differently because of it."""

from __future__ import annotations

import json
import re

import pytest

from app.exam.exams import save_exam
from app.extensions import db
from app.models import Attempt, Exam, Role, Sitting, User
from question_bank.exam_format import parse_exam
from tests.app.exam_fixtures import MINI_EXAM, open_sitting
from tests.app.form_submit import unchanged_submission
from tests.app.test_attempts import start
from tests.app.ux_world import wait_for_test_page
from tests.auth import csrf_token, login
from tests.factories import make_user

LIMITED = MINI_EXAM.replace("{when}", "immediately") + "max_page_leaves: 2\n"


def leave(client, attempt_id: int, token: str):
    return client.post(
        f"/attempts/{attempt_id}/focus-events", data=json.dumps({"kind": "hidden"}),
        content_type="application/json", headers={"X-CSRFToken": token},
    )  # fmt: skip


@pytest.mark.parametrize(
    ("line", "limit"), [("", 0), ("max_page_leaves: 3\n", 3), ("max_page_leaves: 0\n", 0)]
)
def test_the_exam_file_sets_the_limit(line, limit):
    exam, report = parse_exam((MINI_EXAM.replace("{when}", "immediately") + line).encode())
    assert report.ok and exam.max_page_leaves == limit


@pytest.mark.parametrize("value", ["-1", "101", "三"])
def test_a_limit_out_of_range_is_refused_with_the_field_named(value):
    exam, report = parse_exam((MINI_EXAM.replace("{when}", "immediately") + f"max_page_leaves: {value}\n").encode())  # fmt: skip
    assert exam is None
    assert "max_page_leaves 应为 0 到 100 之间的整数" in report.errors[0].message


@pytest.fixture
def limited(app, ctx):
    make_user("candidate", name="张晓明")
    make_user("admin", name="系统管理员", role=Role.SYSTEM_ADMIN)
    sitting = open_sitting()
    save_exam(LIMITED.encode(), "mini.yaml")
    return sitting.id


def test_past_the_limit_the_attempt_is_flagged_for_admins_and_goes_on(app, limited):
    client = app.test_client()
    login(client, "candidate")
    start_page = client.get(f"/sessions/{limited}").get_data(as_text=True)
    assert "超过 2 次的，作答将标记给管理员查看" in start_page  # said before the start
    attempt_id = start(client, limited)
    token = re.search(r'data-csrf="([^"]+)"', client.get(f"/attempts/{attempt_id}").get_data(as_text=True)).group(1)  # fmt: skip
    assert [leave(client, attempt_id, token).get_json()["departures"] for _ in range(3)] == [
        1,
        2,
        3,
    ]
    page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert "已离开答题页面 3 次，已超过上限 2 次，本次作答已标记给管理员查看" in page
    assert db.session.get(Attempt, attempt_id).status == "in_progress"  # never submitted for it

    admin = app.test_client()
    login(admin, "admin")
    live = admin.get(f"/admin/live/sessions/{limited}").get_data(as_text=True)
    assert "3 次" in live and "超过上限 2 次" in live
    token = csrf_token(client, f"/attempts/{attempt_id}")
    client.post(f"/attempts/{attempt_id}/submit", data={"csrf_token": token})
    results = admin.get(f"/admin/results/sessions/{limited}").get_data(as_text=True)
    assert "离开页面 3 次，超过上限" in results
    detail = admin.get(f"/admin/results/attempts/{attempt_id}").get_data(as_text=True)
    assert "超过上限 2 次，已标记" in detail
    export = admin.get(f"/admin/results/sessions/{limited}/export.csv").get_data(as_text=True)
    assert export.splitlines()[0].endswith("离开答题页面（次）,离开次数超过上限")
    assert export.splitlines()[1].endswith(",3,是")


def test_within_the_limit_nothing_is_flagged(app, limited):
    client = app.test_client()
    login(client, "candidate")
    attempt_id = start(client, limited)
    token = re.search(r'data-csrf="([^"]+)"', client.get(f"/attempts/{attempt_id}").get_data(as_text=True)).group(1)  # fmt: skip
    leave(client, attempt_id, token)
    leave(client, attempt_id, token)
    page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert "已离开答题页面 2 次，超过 2 次将标记给管理员查看" in page
    admin = app.test_client()
    login(admin, "admin")
    assert "超过上限" not in admin.get(f"/admin/live/sessions/{limited}").get_data(as_text=True)


def test_the_exam_form_writes_the_limit_and_names_its_label(app, limited):
    admin = app.test_client()
    login(admin, "admin")
    exam_id = db.session.get(Sitting, limited).exam_id
    page = admin.get(f"/admin/exams/{exam_id}/edit").get_data(as_text=True)
    assert 'name="max_page_leaves"' in page and 'value="2"' in page
    assert "离开答题页面次数上限" in page
    sent = unchanged_submission(page, "")
    assert admin.post(f"/admin/exams/{exam_id}/edit", data=sent).status_code == 302
    assert "max_page_leaves: 2" in db.session.get(Exam, exam_id).source  # unchanged: kept
    refused = admin.post(f"/admin/exams/{exam_id}/edit", data=sent | {"max_page_leaves": "三"})
    assert "“离开答题页面次数上限”应为 0 到 100 之间的整数" in refused.get_data(as_text=True)
    sent["max_page_leaves"] = ""
    assert admin.post(f"/admin/exams/{exam_id}/edit", data=sent).status_code == 302
    db.session.expire_all()
    assert "max_page_leaves" not in db.session.get(Exam, exam_id).source  # no limit any more


SIZES = {
    "desktop": ({"width": 1366, "height": 768}, 0),
    "phone": ({"width": 390, "height": 844}, 0),
    "phone-large-print": ({"width": 390, "height": 844}, 2),
}


@pytest.mark.browser
@pytest.mark.parametrize("size", SIZES)
def test_the_candidate_sees_the_count_on_return(app, browser, live_url, limited, size):
    from playwright.sync_api import expect

    from tests.app.test_live_view_browser import shot
    from tests.app.ux_world import log_in

    viewport, text_size = SIZES[size]
    db.session.scalar(db.select(User).where(User.username == "candidate")).text_size = text_size
    db.session.commit()
    page = browser.new_page(viewport=viewport)
    log_in(page, live_url, "candidate")
    page.goto(f"{live_url}/sessions/{limited}")
    page.click("#submit")
    wait_for_test_page(page)
    warning = page.locator("#leave-warning")
    expect(warning).to_be_hidden()
    for count in (1, 2, 3):
        page.evaluate("window.dispatchEvent(new Event('blur'))")
        expect(warning).to_contain_text(f"已离开答题页面 {count} 次")
        page.evaluate("window.dispatchEvent(new Event('focus'))")
    expect(warning).to_contain_text("已超过上限 2 次，本次作答已标记给管理员查看")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    shot(page, f"leave-warning-{size}")
    page.close()
