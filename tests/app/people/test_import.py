"""Importing candidates through the pages: preview, confirm, every refusal, a browser."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, Role, Unit, User
from tests.app.people.helpers import (
    HEADER,
    ID_A,
    ID_B,
    ID_C,
    as_user,
    confirm,
    csv_bytes,
    people_count,
    upload,
    xlsx_bytes,
)
from tests.auth import csrf_token, login
from tests.factories import make_user


def test_import_preview_confirm_and_first_login(client, admins):
    as_user(client, "sys")
    data = csv_bytes(
        f"李堃,CZ01,{ID_A},办公室,科员,党支部书记,138 0013 8000,",
        f"王喆,,{ID_B},市级机关工委/市财政局,副处长,,,1990-03-07",
        ",,,,,,,",  # blank rows are skipped
        encoding="utf-8-sig",
    )
    preview = upload(client, data)
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200, html
    assert "1101**********002X" in html and ID_A not in html and ID_B not in html
    assert people_count() == 3  # nothing created before confirming
    done = confirm(client, html)
    page = done.get_data(as_text=True)
    assert done.status_code == 200 and done.headers["Cache-Control"] == "no-store"
    li = db.session.scalar(select(User).where(User.username == "CZ01"))
    wang = db.session.scalar(select(User).where(User.username == ID_B))
    assert (li.unit.name, li.current_position, li.position, li.phone) == (
        "办公室",
        "科员",
        "党支部书记",
        "13800138000",
    )
    assert li.birth_date == date(1949, 12, 31) and wang.birth_date == date(1990, 3, 7)
    assert li.must_change_password and wang.must_change_password and li.role is Role.CANDIDATE
    password = re.search(r"<td>CZ01</td><td class=\"mono\">([^<]+)</td>", page).group(1)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "people.import"))
    assert entry.details == {"created": 2, "rows": 2} and entry.actor.username == "sys"
    assert "initial-passwords.csv" in page

    other = client.application.test_client()
    login(other, "CZ01", password)
    assert other.get("/").headers["Location"].endswith("/password")


def test_confirm_twice_creates_nobody_twice(client, admins):
    as_user(client, "sys")
    html = upload(client, csv_bytes(f"李堃,CZ01,{ID_A},办公室,,,,")).get_data(as_text=True)
    assert confirm(client, html).status_code == 200
    again = confirm(client, html)
    assert again.status_code == 400 and "已有用户使用此身份证号" in again.get_data(as_text=True)
    assert people_count() == 4


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (f",A9,{ID_C},办公室,,,,", "缺少姓名"),
        ("赵昇,,,办公室,,,,", "工号和身份证号至少填写一项"),
        ("赵昇,A9,110105194912310021,办公室,,,,", "校验位"),
        (f"赵昇,A9,{ID_C},不存在的单位,,,,", "找不到单位"),
        (f"赵昇,A9,{ID_C},,,,,", "缺少单位"),
        (f"赵昇,A9,{ID_C},办公室,,,1380013,", "11 位"),
        (f"赵昇,A9,{ID_C},办公室,,,,1985-13-01", "出生日期格式"),
        (f"赵昇,A9,{ID_C},办公室,,,,1985-01-02", "出生日期与身份证号不一致"),
        (f"赵昇,A1,{ID_C},办公室,,,,", "工号与第 2 行重复"),
        (f"赵昇,A9,{ID_A},办公室,,,,", "身份证号与第 2 行重复"),
        (f"赵昇,fin,{ID_C},办公室,,,,", "已有用户使用工号或用户名“fin”"),
        (f"{'长' * 101},A9,{ID_C},办公室,,,,", "姓名过长"),
    ],
)
def test_every_bad_row_is_reported_and_nothing_imported(client, admins, row, reason):
    as_user(client, "sys")
    response = upload(
        client, csv_bytes(f"李堃,A1,{ID_A},办公室,,,,", row, f"王喆,A2,{ID_B},办公室,,,,")
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "第 3 行" in html and reason in html and "第 2 行</td>" not in html
    assert people_count() == 3


def test_an_existing_identity_number_is_refused(client, admins):
    make_user("someone", id_number=ID_A, unit=admins["system"].unit)
    as_user(client, "sys")
    html = upload(client, csv_bytes(f"李堃,A1,{ID_A},办公室,,,,")).get_data(as_text=True)
    assert "已有用户使用此身份证号" in html


def test_an_ambiguous_unit_name_asks_for_its_parent(client, admins, units):
    db.session.add(Unit(name="办公室", parent=units["education"]))
    db.session.commit()
    as_user(client, "sys")
    html = upload(client, csv_bytes(f"李堃,A1,{ID_A},办公室,,,,")).get_data(as_text=True)
    assert "有多个单位叫“办公室”" in html
    html = upload(client, csv_bytes(f"李堃,A1,{ID_A},市教育局/办公室,,,,")).get_data(as_text=True)
    assert "确认导入" in html


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        ("名字,工号,单位", "无法识别的列“名字”"),
        ("姓名,单位", "缺少必需的列：工号或身份证号"),
        ("姓名,工号", "缺少必需的列：单位"),
        ("姓名,工号,单位,工号", "列“工号”重复"),
        ("foo,bar", "缺少必需的列：姓名、单位、工号或身份证号"),
    ],
)
def test_wrong_columns(client, admins, header, reason):
    as_user(client, "sys")
    response = upload(client, f"{header}\r\n李堃,A1,办公室\r\n".encode())
    assert response.status_code == 400 and reason in response.get_data(as_text=True)


def test_header_names_are_trimmed_and_full_width_spaces_ignored(client, admins):
    as_user(client, "sys")
    data = " 姓名 ,\u3000工号,单位 \r\n李堃,A1,办公室\r\n".encode()
    assert "确认导入" in upload(client, data).get_data(as_text=True)


def test_header_only_file(client, admins):
    as_user(client, "sys")
    response = upload(client, (HEADER + "\r\n").encode())
    assert response.status_code == 400 and "文件中没有人员" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "空"),
        (bytes(range(256)) * 40, "不是文本表格"),
        (b"PK\x03\x04broken", "XLSX 文件已损坏"),
    ],
)
def test_bad_files_through_the_page(client, admins, data, message):
    as_user(client, "sys")
    response = upload(client, data)
    assert response.status_code == 400 and message in response.get_data(as_text=True)


def test_a_20_mb_file_is_refused_by_size(client, admins):
    as_user(client, "sys")
    response = upload(client, b"a" * (20 * 1024 * 1024))
    assert response.status_code == 400 and "文件过大" in response.get_data(as_text=True)


def test_over_the_request_limit_shows_the_chinese_413_page(client, admins):
    as_user(client, "sys")
    response = upload(client, b"a" * (26 * 1024 * 1024))
    assert response.status_code == 413 and "上传的文件过大" in response.get_data(as_text=True)


def test_formula_looking_cells_are_stored_as_text(client, admins):
    as_user(client, "sys")
    row = f'"=HYPERLINK(""http://x"",""a"")",A1,{ID_A},办公室,+1+1,@SUM(1),,'
    html = upload(client, csv_bytes(row)).get_data(as_text=True)
    confirm(client, html)
    person = db.session.scalar(select(User).where(User.username == "A1"))
    assert person.name == '=HYPERLINK("http://x","a")'
    assert (person.current_position, person.position) == ("+1+1", "@SUM(1)")


def test_xlsx_import_with_numbers_and_dates(client, admins):
    as_user(client, "sys")
    data = xlsx_bytes(
        [
            HEADER.split(","),
            ["李堃", 1001, ID_A, "办公室", "科员", "党支部书记", 13800138000, date(1949, 12, 31)],
        ]
    )
    html = upload(client, data, "people.xlsx").get_data(as_text=True)
    assert "确认导入" in html, html
    confirm(client, html)
    person = db.session.scalar(select(User).where(User.username == "1001"))
    assert person.phone == "13800138000" and person.birth_date == date(1949, 12, 31)


@pytest.mark.parametrize(
    ("admin", "unit"), [("sys", "市级机关工委"), ("fin", "市级机关工委/市财政局")]
)
def test_templates_download_and_import_back(client, admins, units, admin, unit):
    """The sample row's unit exists: the admin's own (defect 16)."""
    as_user(client, admin)
    csv_file = client.get("/admin/people/import/template.csv")
    assert csv_file.data.startswith(b"\xef\xbb\xbf" + "姓名,工号".encode())
    xlsx = client.get("/admin/people/import/template.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert [c.value for c in sheet[1]] == HEADER.split(",")
    assert sheet["D2"].value == unit
    assert "确认导入" in upload(client, csv_file.data).get_data(as_text=True)
    assert "确认导入" in upload(client, xlsx.data, "t.xlsx").get_data(as_text=True)


def test_a_forged_or_foreign_preview_token_is_refused(client, admins):
    as_user(client, "fin")
    html = upload(client, csv_bytes(f"李堃,A1,{ID_A},办公室,,,,")).get_data(as_text=True)
    tampered = html.replace(
        'name="token" type="hidden" value="', 'name="token" type="hidden" value="x'
    )
    assert confirm(client, tampered).status_code == 400
    other = client.application.test_client()
    as_user(other, "edu")
    forged = csrf_token(other, "/admin/people/import")
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', html).group(1)
    response = other.post(
        "/admin/people/import/confirm", data={"csrf_token": forged, "token": token}
    )
    assert response.status_code == 400 and people_count() == 3


def test_unit_admin_imports_only_into_their_subtree(client, admins):
    as_user(client, "fin")
    html = upload(client, csv_bytes(f"李堃,A1,{ID_A},市教育局,,,,")).get_data(as_text=True)
    assert "找不到单位“市教育局”，或它不在您的管理范围内" in html
    html = upload(client, csv_bytes(f"李堃,A1,{ID_A},办公室,,,,")).get_data(as_text=True)
    assert confirm(client, html).status_code == 200


def test_demo_seed_gives_the_candidate_a_post(runner, ctx):
    runner.invoke(args=["demo", "seed"])
    candidate = db.session.scalar(select(User).where(User.username == "candidate"))
    assert candidate.position == "党支部书记"


@pytest.mark.browser
@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
def test_candidate_import_in_a_browser(browser, live_url, admins, tmp_path, width):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(
        csv_bytes(
            f"李堃,A1,{ID_A},办公室,,,,",
            "赵昇,A1,110105194912310021,办公室,,,,",
            encoding="gb18030",
        )
    )
    good = tmp_path / "good.xlsx"
    good.write_bytes(
        xlsx_bytes(
            [HEADER.split(","), ["李堃", "A1", ID_A, "办公室", "科员", "党支部书记", "", ""]]
        )
    )
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(f"{live_url}/login")
    page.fill("#username", "fin")
    page.fill("#password", "correct-horse-1")
    page.click("#submit")
    page.goto(f"{live_url}/admin/people/import")
    page.set_input_files("#file", str(bad))
    page.click("#submit")
    problems = page.inner_text(".problems")
    assert "第 3 行" in problems and "校验位" in problems and "工号与第 2 行重复" in problems
    page.set_input_files("#file", str(good))
    page.click("#submit")
    assert "1101**********002X" in page.inner_text("table.stack")
    page.click("input[value=确认导入]")
    page.wait_for_selector("#download-passwords")
    password = page.inner_text("table.passwords td.mono")
    assert len(password) == 12
    page.close()
    person = db.session.scalar(select(User).where(User.username == "A1"))
    assert person.must_change_password and person.check_password(password)
