"""Login slips (登录凭条) for a sitting: one per registered person the admin sees, with
name, unit, username, sitting, time and place; never a password (only hashes are
stored), but a pointer to the initial password list while the person still has one."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Role, Sitting, SittingCandidate, SittingUnit, Unit, User
from tests.app.ux_world import build_world, log_in
from tests.auth import login
from tests.factories import make_user


@pytest.fixture
def world(app, ctx):
    build_world()
    education = Unit(name="市教育局")
    db.session.add(education)
    db.session.commit()
    make_user("teacher", name="赵老师", unit=education, must_change_password=True)
    sitting = db.session.scalar(select(Sitting))
    db.session.add(SittingUnit(sitting_id=sitting.id, unit_id=education.id))
    taker = db.session.scalar(select(User).where(User.username == "taker"))
    taker.must_change_password = True
    db.session.commit()
    return {"session": sitting.id, "education": education.id}


def _slips(html: str) -> list[str]:
    return html.split('<section class="slip"')[1:]


def test_one_slip_per_person_with_what_they_need_to_log_in(app, world):
    client = app.test_client()
    login(client, "admin")
    html = client.get(f"/admin/people/sessions/{world['session']}/slips").get_data(as_text=True)
    slips = {s.split("登录凭条 · ")[1].split("<")[0]: s for s in _slips(html)}
    assert set(slips) == {"王芳", "李建国", "赵老师"}
    taker, candidate = slips["李建国"], slips["王芳"]
    assert "taker" in taker and "市级机关工委/市财政局/市财政局办公室" in taker
    assert "初始密码见单位管理员发放的密码单" in taker
    assert "使用本人已设置的密码" in candidate and "初始密码" not in candidate
    assert "测试场次" in taker and "http://127.0.0.1:5000/login" in taker
    assert "correct-horse-1" not in html and "argon2" not in html


def test_a_unit_admin_prints_only_their_own_candidates(app, world):
    client = app.test_client()
    login(client, "unitadmin")
    url = f"/admin/people/sessions/{world['session']}/slips"
    html = client.get(url).get_data(as_text=True)
    assert len(_slips(html)) == 2 and "赵老师" not in html
    assert client.get(f"{url}?unit={world['education']}").status_code == 404


def test_an_id_number_username_is_printed_masked(app, world):
    office = db.session.scalar(select(Unit).where(Unit.name == "市财政局办公室"))
    person = make_user(
        "110101199003077777", name="钱多多", unit=office, id_number="110101199003077777"
    )
    db.session.add(SittingCandidate(sitting_id=world["session"], user_id=person.id))
    db.session.commit()
    client = app.test_client()
    login(client, "unitadmin")
    html = client.get(f"/admin/people/sessions/{world['session']}/slips").get_data(as_text=True)
    assert "1101**********7777" in html and "110101199003077777" not in html
    assert "本人身份证号" in html


@pytest.mark.browser
def test_slips_print_eight_to_an_a4_page(app, browser, live_url, world, tmp_path):
    """Printed to PDF as a browser does: 3 slips fit one A4 page, 9 take two pages."""
    if shutil.which("pdftoppm") is None:
        pytest.skip("poppler's pdftoppm is not installed")
    education = db.session.get(Unit, world["education"])
    for n in range(6):
        make_user(f"t{n}", name=f"教师{n}", unit=education, role=Role.CANDIDATE)
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    log_in(page, live_url, "admin")
    page.goto(f"{live_url}/admin/people/sessions/{world['session']}/slips")
    pdf = tmp_path / "slips.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True)
    subprocess.run(["pdftoppm", "-png", "-r", "80", str(pdf), str(tmp_path / "slips")], check=True)
    pages = sorted(tmp_path.glob("slips-*.png"))
    if os.environ.get("UX_SCREENSHOTS"):  # kept for people to look at
        for png in pages:
            shutil.copy(png, os.environ["UX_SCREENSHOTS"])
    assert len(pages) == 2  # 9 slips: 8 on the first page, 1 on the second
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "登录凭条" in text and "打印" not in text.replace("打印在", "")  # no buttons
    page.close()


@pytest.mark.browser
def test_a_reset_password_prints_as_a_slip_with_the_new_password(
    app, browser, live_url, world, tmp_path
):
    """The one response that holds a new password prints it as a slip, and only the slip."""
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler's pdftotext is not installed")
    taker = db.session.scalar(select(User).where(User.username == "taker"))
    page = browser.new_page(viewport={"width": 390, "height": 844})
    log_in(page, live_url, "unitadmin")
    page.goto(f"{live_url}/admin/people/{taker.id}")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("text=重置密码 >> nth=-1")
    password = page.locator(".password").inner_text().strip()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    pdf = tmp_path / "reset.pdf"
    page.pdf(path=str(pdf), format="A4")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "登录凭条 · 李建国" in text and password in text and "taker" in text
    assert "返回" not in text and "新的初始密码" not in text  # the screen's card is not printed
    page.close()


def test_the_import_result_prints_a_slip_with_each_initial_password(client, ctx):
    """The one response that holds the new passwords prints them as slips (screen: the table)."""
    from tests.app.people.helpers import ID_B, as_user, confirm, csv_bytes, upload

    root = Unit(name="市级机关工委")
    db.session.add_all([root, Unit(name="市财政局", parent=root)])
    db.session.commit()
    make_user("sys", role=Role.SYSTEM_ADMIN, unit=root)
    as_user(client, "sys")
    html = upload(client, csv_bytes(f"王喆,,{ID_B},市级机关工委/市财政局,副处长,,,1990-03-07")).get_data(as_text=True)  # fmt: skip
    page = confirm(client, html).get_data(as_text=True)
    password = re.search(r'<td class="mono">([^<]+)</td>', page).group(1)
    slip = page.split('<div class="slips print-only">')[1]
    assert "登录凭条 · 王喆" in slip and "市级机关工委/市财政局" in slip
    assert password in slip and "首次登录后必须修改密码" in slip
    assert ID_B not in slip and "本人身份证号" in slip  # the username is the ID number: masked
