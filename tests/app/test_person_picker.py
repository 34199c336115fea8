"""The registration form's person picker: a JSON look-up scoped to the admin's units
(name, pinyin initials, username or 工号), a keyboard-accessible combobox in the
browser, and the plain form without JavaScript."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import SittingCandidate, User
from tests.app.exam_fixtures import open_sitting
from tests.app.people import fixtures as people_fixtures
from tests.app.people.helpers import as_user
from tests.app.test_pages_browser import VIEWPORTS, _problems, _shot
from tests.app.ux_world import log_in
from tests.auth import csrf_token
from tests.factories import make_user

units, admins = people_fixtures.units, people_fixtures.admins  # fixtures

pytestmark = pytest.mark.usefixtures("admins")


@pytest.fixture
def people(units) -> dict[str, User]:
    return {
        "li": make_user("CZ0007", name="李建国", unit=units["office"], employee_number="CZ0007"),
        "lu": make_user("CZ0008", name="刘建国", unit=units["finance"], employee_number="CZ0008"),
        "teacher": make_user("JY0001", name="李建功", unit=units["education"]),
    }


def lookup(client, text: str) -> list[dict]:
    response = client.get("/admin/people/lookup.json", query_string={"q": text})
    assert response.status_code == 200 and response.is_json
    assert response.headers["Cache-Control"] == "no-store"
    return response.get_json()["people"]


def test_initials_name_and_number_find_people_in_scope_only(client, people):
    as_user(client, "fin")
    assert [p["name"] for p in lookup(client, "ljg")] == ["李建国", "刘建国"]  # not 李建功
    assert lookup(client, "李建")[0] == {
        "id": people["li"].id, "name": "李建国", "login": "CZ0007",
        "unit": "市级机关工委/市财政局/办公室",
    }  # fmt: skip
    assert [p["name"] for p in lookup(client, "cz0008")] == ["刘建国"]
    assert lookup(client, "fin") == []  # admins are not offered to a unit admin
    assert lookup(client, "  ") == []
    as_user(client, "sys")
    assert [p["name"] for p in lookup(client, "ljg")] == ["李建功", "李建国", "刘建国"]


def test_the_look_up_is_for_admins_only(client, people):
    assert client.get("/admin/people/lookup.json?q=ljg").status_code == 401  # no login: told
    as_user(client, "CZ0007")
    assert client.get("/admin/people/lookup.json?q=ljg").status_code == 403


def test_a_picked_person_outside_the_scope_is_not_registered(client, people):
    sitting = open_sitting(())
    as_user(client, "fin")
    path = f"/admin/people/sessions/{sitting.id}/registrations"
    form = {"csrf_token": csrf_token(client, path), "user_id": str(people["teacher"].id),
            "person": "李建功（JY0001）"}  # fmt: skip
    response = client.post(f"{path}/people", data=form)
    assert response.status_code == 400 and "找不到" in response.get_data(as_text=True)
    form["user_id"] = str(people["li"].id)
    assert client.post(f"{path}/people", data=form).status_code == 302
    assert db.session.scalars(select(SittingCandidate.user_id)).all() == [people["li"].id]


def registered(sitting_id: int) -> list[str]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(User.name)
            .join(SittingCandidate, SittingCandidate.user_id == User.id)
            .where(SittingCandidate.sitting_id == sitting_id)
        )
    )


@pytest.mark.browser
@pytest.mark.parametrize("size", VIEWPORTS)
def test_picking_with_the_keyboard(browser, live_url, people, size):
    sitting = open_sitting(())
    context = browser.new_context(viewport=VIEWPORTS[size], locale="zh-CN")
    page = context.new_page()
    log_in(page, live_url, "fin")
    path = f"/admin/people/sessions/{sitting.id}/registrations"
    page.goto(live_url + path)
    box = page.locator("#person")
    assert box.get_attribute("role") == "combobox"
    box.press_sequentially("ljg")
    page.wait_for_selector("#person-options [role=option]")
    assert page.locator("#person-options [role=option]").count() == 2
    assert box.get_attribute("aria-expanded") == "true"
    assert "找到 2 人" in page.inner_text("[role=status]")
    box.press("ArrowDown")
    box.press("ArrowDown")
    assert box.get_attribute("aria-activedescendant") == "person-options-1"
    _shot(page, size, "fin", path + "/picker")
    problems = _problems(page, "picker open", VIEWPORTS[size]["width"])
    box.press("ArrowUp")
    box.press("Enter")  # picks 李建国, does not submit yet
    assert box.input_value() == "李建国（CZ0007）"
    assert box.get_attribute("aria-expanded") == "false" and registered(sitting.id) == []
    box.press("Enter")
    page.wait_for_selector(".flash")
    assert "已为李建国报名" in page.inner_text(".flash")
    assert registered(sitting.id) == ["李建国"]
    box = page.locator("#person")
    # The page after the redirect: typing waits for the picker's script (it sets the role),
    # else on a busy machine the keys came before it listened (CI failed it once).
    page.wait_for_selector("#person[role=combobox]")
    box.press_sequentially("ljg")
    page.wait_for_selector("#person-options [role=option]")
    box.press("Escape")
    assert page.locator("#person-options").is_hidden() and box.input_value() == "ljg"
    box.press("Escape")
    assert box.input_value() == ""
    context.close()
    assert not problems, "\n".join(problems)


@pytest.mark.browser
def test_the_plain_form_works_without_javascript(browser, live_url, people):
    sitting = open_sitting(())
    context = browser.new_context(java_script_enabled=False, locale="zh-CN")
    page = context.new_page()
    log_in(page, live_url, "fin")
    page.goto(f"{live_url}/admin/people/sessions/{sitting.id}/registrations")
    assert page.locator("#person").get_attribute("role") is None
    page.fill("#person", "刘建国")
    page.click("form[action$='/registrations/people'] [type=submit]")
    assert "已为刘建国报名" in page.inner_text(".flash")
    context.close()
    assert registered(sitting.id) == ["刘建国"]
