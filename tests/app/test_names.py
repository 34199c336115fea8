"""Names, unit names and usernames: NFKC, nothing unprintable, usernames without case,
look-alikes warned about; exports survive names stored before these rules (issue 10,
item 13)."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook
from sqlalchemy.exc import IntegrityError

from app.admin.people.names import NameRefused, clean_name, clean_username, skeleton
from app.certificate.access import safe_file_name, write_zip
from app.exam.attempts import finalize
from app.exam.starting import start_attempt
from app.extensions import db
from app.models import Role, Unit
from app.models.types import utcnow
from tests.app.exam_fixtures import open_sitting
from tests.app.people.helpers import upload
from tests.auth import csrf_token, login
from tests.factories import make_user

REFUSED = {
    "control": "王\x07五",
    "line break": "王\n五",
    "zero width space": "王\u200b五",
    "zero width joiner": "王\u200d五",
    "right-to-left override": "\u202e王五",
    "private use": "王\ue000五",
    "unassigned": "王\u0378五",
    "emoji": "王五😀",
    "snowman symbol": "王五☃",
    "skin tone modifier": "王五\U0001f3fb",
    "emoji selector": "王五\ufe0f",
    "keycap": "1\u20e3",
}


@pytest.mark.parametrize("text", REFUSED.values(), ids=REFUSED.keys())
def test_unprintable_characters_are_refused_in_chinese(text):
    with pytest.raises(NameRefused, match="请删除后重试"):
        clean_name(text)
    with pytest.raises(NameRefused, match="用户名中有"):
        clean_username(text)


@pytest.mark.parametrize(
    ("written", "stored"),
    [("王五", "王五"), ("  欧阳  修 ", "欧阳 修"), ("阿卜杜·热合曼", "阿卜杜·热合曼"),
     ("𠮷田", "𠮷田"), ("Ｗａｎｇ　Ｗｕ", "Wang Wu"), ("李〇", "李〇")],
)  # fmt: skip
def test_real_names_are_kept_in_nfkc(written, stored):
    assert clean_name(written) == stored


def test_look_alikes_share_a_skeleton():
    assert skeleton("аdmin") == skeleton("admin") == skeleton("ADMIN")  # Cyrillic а
    assert skeleton("王五") != skeleton("王伍")


def test_usernames_are_unique_whatever_their_case(ctx):
    make_user("admin")
    with pytest.raises(IntegrityError):
        make_user("ADMIN")
    db.session.rollback()


@pytest.fixture
def sysadmin(app, ctx):
    unit = Unit(name="市财政局")
    db.session.add(unit)
    db.session.commit()
    make_user("sys", role=Role.SYSTEM_ADMIN, unit=unit)
    client = app.test_client()
    login(client, "sys")
    return client, unit


def test_the_person_form_refuses_a_zero_width_name(sysadmin):
    client, unit = sysadmin
    person = make_user("wang", name="王五", unit=unit)
    token = csrf_token(client, f"/admin/people/{person.id}")
    page = client.post(
        f"/admin/people/{person.id}",
        data={"csrf_token": token, "name": "王\u200b五", "unit": unit.id},
    ).get_data(as_text=True)
    assert "姓名中有不可见的格式字符" in page
    db.session.refresh(person)
    assert person.name == "王五"


def test_the_person_form_warns_about_a_look_alike(sysadmin):
    client, unit = sysadmin
    make_user("w1", name="Wang Wu", unit=unit)
    person = make_user("w2", name="张三", unit=unit)
    token = csrf_token(client, f"/admin/people/{person.id}")
    client.post(
        f"/admin/people/{person.id}", data={"csrf_token": token, "name": "Wаng Wu", "unit": unit.id}
    )
    page = client.get(f"/admin/people/{person.id}").get_data(as_text=True)
    assert "看起来相同" in page and "“Wang Wu”" in page


def test_a_unit_name_with_a_bidi_override_is_refused(sysadmin):
    client, _unit = sysadmin
    token = csrf_token(client, "/admin/people/units")
    page = client.post(
        "/admin/people/units", data={"csrf_token": token, "name": "市\u202e财政局", "parent": 0}
    )
    assert page.status_code == 400 and "单位名称中有不可见的格式字符" in page.get_data(as_text=True)


HEADER = "姓名,工号,单位\n"


def test_the_import_refuses_unprintable_names_and_warns_of_look_alikes(sysadmin):
    client, _unit = sysadmin
    make_user("CZ0001", name="王五", unit=_unit)
    bad = upload(client, (HEADER + "王\u200b五,CZ0002,市财政局\n").encode())
    assert bad.status_code == 400 and "姓名中有不可见的格式字符" in bad.get_data(as_text=True)
    emoji = upload(client, (HEADER + "王五,CZ00\u200d03,市财政局\n").encode())
    assert "用户名中有" in emoji.get_data(as_text=True)
    case = upload(client, (HEADER + "李四,cz0001,市财政局\n").encode())
    assert case.status_code == 400 and "已有用户使用工号或用户名" in case.get_data(as_text=True)
    alike = upload(
        client,
        (HEADER + "王五,CZ0009,市财政局\nWаng,CZ0010,市财政局\nWang,CZ0011,市财政局\n").encode(),
    )
    page = alike.get_data(as_text=True)
    assert alike.status_code == 200 and "确认导入" in page
    assert "“Wang”与已有的“Wаng”看起来相同" in page


def test_the_cli_refuses_unprintable_names_and_case_duplicates(runner, ctx):
    make_user("admin", name="管理员")
    args = ["users", "create", "--password", "lantern-ridge-47"]
    refused = runner.invoke(args=[*args, "--username", "new", "--name", "王\u202e五"])
    assert refused.exit_code == 1 and "姓名中有不可见的格式字符" in refused.output
    duplicate = runner.invoke(args=[*args, "--username", "ADMIN", "--name", "另一人"])
    assert duplicate.exit_code == 1 and "已存在" in duplicate.output
    alike = runner.invoke(args=[*args, "--username", "аdmin", "--name", "新人"])  # Cyrillic а
    assert alike.exit_code == 0 and "看起来相同" in alike.output


def test_exports_survive_control_characters_stored_earlier(app, ctx):
    unit = Unit(name="市财政局\r\n办公室\x07")
    db.session.add(unit)
    db.session.commit()
    make_user("sys", role=Role.SYSTEM_ADMIN)
    candidate = make_user("candidate", name="王\x07五\r\n", unit=unit)
    sitting = open_sitting(("candidate",))
    attempt = start_attempt(candidate, sitting, None, utcnow())
    finalize(attempt.id, "candidate", utcnow() + timedelta(minutes=1))
    client = app.test_client()
    login(client, "sys")
    response = client.get(f"/admin/results/units/{unit.id}/export.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert sheet["A2"].value.startswith("王五")


def test_certificate_zip_names_are_safe():
    assert safe_file_name("RQ2026-0001-王五\r\n/../\u202eexe.pdf") == "RQ2026-0001-王五_.._exe.pdf"
    fake = SimpleNamespace(number="RQ2026-0001", holder_name="王\r\n五/x", pdf=b"%PDF")
    with zipfile.ZipFile(write_zip([fake])) as archive:
        assert archive.namelist() == ["RQ2026-0001-王五_x.pdf"]


def test_the_unit_zip_of_a_unit_named_with_a_line_break_downloads(app, ctx):
    unit = Unit(name="市财政局\r\nSet-Cookie: x=1")
    db.session.add(unit)
    db.session.commit()
    make_user("boss", role=Role.UNIT_ADMIN, unit=unit)
    client = app.test_client()
    login(client, "boss")
    response = client.get("/certificates/unit.zip")
    assert response.status_code == 200 and "\n" not in response.headers["Content-Disposition"]
    assert not any("x=1" in cookie for cookie in response.headers.getlist("Set-Cookie"))
