"""Re-importing people in a real browser, desktop and phone: the preview with its changes
and the confirm that registers everyone for a sitting fit the screen and pass axe-core.

Set UX_SCREENSHOTS=DIR to keep screenshots of each step.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import SittingCandidate, User
from tests.app.exam_fixtures import open_sitting
from tests.app.people import fixtures as people_fixtures
from tests.app.people.helpers import ID_A, ID_C, csv_bytes
from tests.app.test_pages_browser import VIEWPORTS, _problems, _shot
from tests.app.ux_world import log_in
from tests.factories import make_user

units, admins = people_fixtures.units, people_fixtures.admins  # fixtures

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("admins")]


@pytest.mark.parametrize("size", VIEWPORTS)
def test_reimport_preview_confirm_and_register(browser, live_url, units, tmp_path, size):
    make_user("CZ01", name="李堃", unit=units["office"], employee_number="CZ01", id_number=ID_A,
              phone="13800138000", position="党支部书记")  # fmt: skip
    make_user("T01", name="教师甲", unit=units["education"], employee_number="T01")
    sitting = open_sitting(())
    clash = tmp_path / "clash.csv"
    clash.write_bytes(csv_bytes("教师甲,T01,,办公室,科员,,,", f"李堃,CZ01,{ID_C},办公室,,,,"))
    people = tmp_path / "people.csv"
    people.write_bytes(
        csv_bytes(
            "李堃,CZ01,,市级机关工委/市财政局,科员,党委委员,,",
            f"赵昇,CZ03,{ID_C},办公室,科员,党支部书记,13900001111,",
        )
    )
    viewport = VIEWPORTS[size]
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    log_in(page, live_url, "fin")
    page.goto(f"{live_url}/admin/people/import")
    page.set_input_files("#file", str(clash))
    page.click("#submit")
    conflicts = page.inner_text(".problems")
    assert "有 2 处冲突，不能导入" in conflicts and "管理范围以外" in conflicts
    assert "身份证号不能通过导入修改" in conflicts
    assert page.locator("input[value=确认导入]").count() == 0
    _shot(page, size, "fin", "/admin/people/import/conflicts")
    problems = _problems(page, "conflicts", viewport["width"])
    page.goto(f"{live_url}/admin/people/import")
    page.set_input_files("#file", str(people))
    page.click("#submit")
    changes = page.inner_text("table.import-changes")
    assert "市级机关工委/市财政局/办公室" in changes and "党支部书记" in changes
    assert "党委委员" in changes and "科员" in changes
    assert "赵昇" in page.inner_text("table.import-new")
    _shot(page, size, "fin", "/admin/people/import/preview")
    problems += _problems(page, "preview", viewport["width"])
    page.select_option("#sitting", str(sitting.id))
    page.click("input[value=确认导入]")
    page.wait_for_selector("#download-passwords")
    outcome = page.inner_text(".import-outcome")
    assert "新建 1 名考生" in outcome and "更新 1 人的信息" in outcome
    assert "为“测试场次”报名 2 人" in outcome
    _shot(page, size, "fin", "/admin/people/import/confirm")
    problems += _problems(page, "imported", viewport["width"])
    context.close()
    assert not problems, "\n".join(problems)
    li = db.session.scalar(select(User).where(User.username == "CZ01"))
    assert (li.unit.name, li.position) == ("市财政局", "党委委员")
    assert db.session.scalar(
        select(SittingCandidate).where(SittingCandidate.user_id == li.id)
    ) is not None  # fmt: skip
