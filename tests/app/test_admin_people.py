"""People and units: the unit tree, people in scope, candidate import, roles, registrations."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from app.admin.people.identity import clean_id_number, clean_mobile, mask_id_number, parse_date
from app.admin.people.tabular import TableError, read_table
from app.extensions import db
from app.models import AuditEntry, Role, SessionCandidate, SessionUnit, Unit, User
from tests.app.exam_fixtures import open_session
from tests.app.form_submit import unchanged_submission
from tests.conftest import csrf_token, login, make_user

TODAY = date(2026, 11, 26)
ID_A = "11010519491231002X"
ID_B = "110101199003071233"
ID_C = "440304198501010013"
HEADER = "姓名,工号,身份证号,单位,职务,拟任职务,手机,出生日期"


@pytest.fixture
def units(ctx) -> dict[str, Unit]:
    """工委 > 财政局 > 办公室, and 工委 > 教育局."""
    root = Unit(name="市级机关工委")
    finance = Unit(name="市财政局", parent=root)
    office = Unit(name="办公室", parent=finance)
    education = Unit(name="市教育局", parent=root)
    db.session.add_all([root, finance, office, education])
    db.session.commit()
    return {"root": root, "finance": finance, "office": office, "education": education}


@pytest.fixture
def admins(units) -> dict[str, User]:
    return {
        "system": make_user("sys", role=Role.SYSTEM_ADMIN, unit=units["root"]),
        "finance": make_user("fin", role=Role.UNIT_ADMIN, unit=units["finance"]),
        "education": make_user("edu", role=Role.UNIT_ADMIN, unit=units["education"]),
    }


def as_user(client, username: str):
    """Log the client in as someone else (the cookie of the previous login is dropped)."""
    client.delete_cookie("session", domain="exam.test")
    login(client, username)
    return client


def upload(client, data: bytes, filename: str = "people.csv"):
    """Post the file as a browser would; the body is encoded in memory, because the test
    client's own encoder leaves a temporary file open for large bodies."""
    token = csrf_token(client, "/admin/people/import")
    boundary, body = encode_multipart(
        {"csrf_token": token, "file": FileStorage(io.BytesIO(data), filename)}
    )
    return client.post(
        "/admin/people/import", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )


def confirm(client, preview_html: str):
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', preview_html).group(1)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', preview_html).group(1)
    return client.post("/admin/people/import/confirm", data={"csrf_token": csrf, "token": token})


def csv_bytes(*rows: str, encoding: str = "utf-8") -> bytes:
    return "\r\n".join((HEADER, *rows)).encode(encoding)


def people_count() -> int:
    return len(db.session.scalars(select(User)).all())


# -- identity numbers, phones and dates ------------------------------------------------


@pytest.mark.parametrize(
    "number", [ID_A, ID_B, ID_C, "11010519491231002x", "１１０１０５１９４９１２３１００２Ｘ"]
)
def test_valid_identity_numbers(number):
    assert clean_id_number(number, TODAY) == ID_A if "0519491231" in number else number


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("110105194912310021", "校验位"),
        ("11010519491331002X", "出生日期"),
        ("110105209912310020", "出生日期"),
        ("110105491231002", "15 位"),
        ("1101051949123100", "18 位"),
        ("11010519491231002Y", "18 位"),
    ],
)
def test_invalid_identity_numbers(number, reason):
    with pytest.raises(ValueError, match=reason):
        clean_id_number(number, TODAY)


def test_identity_numbers_are_masked():
    assert mask_id_number(ID_A) == "1101**********002X"
    assert mask_id_number(None) == ""


@pytest.mark.parametrize(
    "text", ["13800138000", "138 0013 8000", "+86 138-0013-8000", "8613800138000"]
)
def test_mobile_numbers(text):
    assert clean_mobile(text) == "13800138000"


@pytest.mark.parametrize(
    "text", ["1380013800", "23800138000", "12800138000", "138001380001", "abc"]
)
def test_bad_mobile_numbers(text):
    with pytest.raises(ValueError, match="11 位"):
        clean_mobile(text)


@pytest.mark.parametrize(
    "text", ["1985-03-07", "1985/3/7", "19850307", "1985年3月7日", "1985.03.07"]
)
def test_dates(text):
    assert parse_date(text, TODAY) == date(1985, 3, 7)


@pytest.mark.parametrize("text", ["07/03/1985", "2027-01-01", "1800-01-01", "昨天"])
def test_bad_dates(text):
    with pytest.raises(ValueError):
        parse_date(text, TODAY)


# -- reading files ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "label"), [("utf-8", "UTF-8"), ("utf-8-sig", "UTF-8"), ("gb18030", "GB18030")]
)
def test_csv_encodings(encoding, label):
    table = read_table(csv_bytes(f"龚䶮,A1,{ID_A},办公室,,,,", encoding=encoding))
    assert table.encoding == label
    assert table.header[0] == "姓名"
    assert table.rows == [(2, ["龚䶮", "A1", ID_A, "办公室", "", "", "", ""])]


def xlsx_bytes(rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_xlsx_cells_come_back_as_text():
    data = xlsx_bytes(
        [
            HEADER.split(","),
            ["李堃", "A1", ID_A, "办公室", "=1+1", None, 13800138000, date(1949, 12, 31)],
        ]
    )
    table = read_table(data)
    assert table.encoding == "XLSX"
    assert table.rows == [
        (2, ["李堃", "A1", ID_A, "办公室", "=1+1", "", "13800138000", "1949-12-31"])
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "空"),
        (b"  \r\n ", "空"),
        (b",,,\r\n,,\r\n", "没有任何内容"),
        (bytes(range(256)) * 10, "不是文本表格"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, ".xls"),
        (b"PK\x03\x04" + b"garbage" * 50, "XLSX 文件已损坏"),
        (b"\xff\xfe\x81\x30\xff\xff\x80", "编码"),
        (b"a,b\n" + b"x,\x07y\n", "编码"),
    ],
    ids=["empty", "blank", "only-commas", "binary", "xls", "fake-zip", "not-gb18030", "control"],
)
def test_unreadable_files(data, message):
    with pytest.raises(TableError, match=message):
        read_table(data)


# -- importing through the pages -------------------------------------------------------


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
    assert entry.details == {"created": 2, "updated": 0, "unchanged": 0, "rows": 2}
    assert entry.actor.username == "sys"
    assert "initial-passwords.csv" in page

    other = client.application.test_client()
    login(other, "CZ01", password)
    assert other.get("/").headers["Location"].endswith("/password")


def test_confirm_twice_creates_nobody_twice(client, admins):
    as_user(client, "sys")
    html = upload(client, csv_bytes(f"李堃,CZ01,{ID_A},办公室,,,,")).get_data(as_text=True)
    assert confirm(client, html).status_code == 200
    again = confirm(client, html)
    page = again.get_data(as_text=True)
    assert again.status_code == 409 and "预览之后，部分人员的信息已被修改" in page
    assert "<strong>0</strong> 人，更新 <strong>0</strong> 人的信息，<strong>1</strong> 人" in page
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


def test_an_existing_identity_number_is_the_person_to_update(client, admins):
    make_user("someone", id_number=ID_A, unit=admins["system"].unit)
    as_user(client, "sys")
    html = upload(client, csv_bytes(f"李堃,A1,{ID_A},办公室,,,,")).get_data(as_text=True)
    assert "信息有变化的人员（1）" in html and "someone（someone）" in html


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


# -- scope: unit admins ----------------------------------------------------------------


def test_unit_admin_imports_only_into_their_subtree(client, admins):
    as_user(client, "fin")
    html = upload(client, csv_bytes(f"李堃,A1,{ID_A},市教育局,,,,")).get_data(as_text=True)
    assert "找不到单位“市教育局”，或它不在您的管理范围内" in html
    html = upload(client, csv_bytes(f"李堃,A1,{ID_A},办公室,,,,")).get_data(as_text=True)
    assert confirm(client, html).status_code == 200


def test_unit_admin_sees_their_subtree_only(client, admins, units):
    make_user("teacher", name="教师甲", unit=units["education"])
    clerk = make_user("clerk", name="办事员乙", unit=units["office"], id_number=ID_C)
    as_user(client, "edu")
    page = client.get("/admin/people/").get_data(as_text=True)
    assert "教师甲" in page and "办事员乙" not in page
    assert client.get(f"/admin/people/{clerk.id}").status_code == 404
    assert client.get(f"/admin/people/?unit={units['finance'].id}").status_code == 404
    tree = client.get("/admin/people/units").get_data(as_text=True)
    assert "市教育局" in tree and "市财政局" not in tree and "新建单位" not in tree
    as_user(client, "fin")
    page = client.get("/admin/people/?q=办事员").get_data(as_text=True)
    assert "办事员乙" in page and "4403**********0013" in page and ID_C not in page
    assert client.get(f"/admin/people/?q={ID_C}").get_data(as_text=True).count("办事员乙") == 1


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/admin/people/units"),
        ("get", "/admin/people/units/{finance}"),
        ("post", "/admin/people/units/{finance}/rename"),
        ("post", "/admin/people/units/{finance}/move"),
        ("post", "/admin/people/{clerk}/role"),
    ],
)
def test_unit_admins_cannot_change_units_or_roles(client, admins, units, method, path):
    clerk = make_user("clerk", unit=units["office"])
    as_user(client, "fin")
    url = path.format(finance=units["finance"].id, clerk=clerk.id)
    token = csrf_token(client, "/admin/people/")
    data = {"csrf_token": token, "role": "system_admin", "name": "x", "parent": "0"}
    response = getattr(client, method)(url, data=data)
    assert response.status_code == 403
    assert db.session.get(User, clerk.id).role is Role.CANDIDATE


def test_anonymous_and_candidates_are_kept_out(client, admins):
    make_user("cand")
    assert "/login" in client.get("/admin/people/").headers["Location"]
    as_user(client, "cand")
    for path in (
        "/admin/people/",
        "/admin/people/units",
        "/admin/people/import",
        "/admin/people/sessions",
    ):
        assert client.get(path).status_code == 403


def person_form(client, person: User, **changes) -> dict:
    data = {
        "csrf_token": csrf_token(client, f"/admin/people/{person.id}"),
        "name": person.name, "unit": str(person.unit_id), "current_position": "",
        "position": "", "phone": "",
    }  # fmt: skip
    return data | changes


def test_unit_admin_edits_a_person_but_not_out_of_their_subtree(client, admins, units):
    clerk = make_user("clerk", unit=units["office"])
    as_user(client, "fin")
    forged = person_form(client, clerk, unit=str(units["education"].id), role="system_admin")
    response = client.post(f"/admin/people/{clerk.id}", data=forged)
    assert response.status_code == 200 and "请从列表中选择" in response.get_data(as_text=True)
    bad_phone = person_form(client, clerk, phone="123")
    assert "11 位" in client.post(f"/admin/people/{clerk.id}", data=bad_phone).get_data(
        as_text=True
    )
    good = person_form(client, clerk, unit=str(units["finance"].id), position="党支部书记")
    assert client.post(f"/admin/people/{clerk.id}", data=good).status_code == 302
    db.session.refresh(clerk)
    assert (clerk.unit_id, clerk.position, clerk.role) == (
        units["finance"].id,
        "党支部书记",
        Role.CANDIDATE,
    )
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "person.update"))
    assert entry.details["after"]["position"] == "党支部书记"
    assert entry.details["before"]["unit_id"] == units["office"].id


def test_unit_admin_cannot_touch_a_system_admin_in_their_subtree(client, admins, units):
    boss = make_user("boss", role=Role.SYSTEM_ADMIN, unit=units["office"])
    as_user(client, "fin")
    token = csrf_token(client, "/admin/people/")
    response = client.post(f"/admin/people/{boss.id}", data={"csrf_token": token, "name": "改名"})
    assert response.status_code == 404  # another admin is not theirs to see (issue 10, item 12)
    client.post(f"/admin/people/{boss.id}/password", data={"csrf_token": token})
    db.session.refresh(boss)
    assert boss.name == "boss" and not boss.must_change_password


def test_system_admin_changes_roles_audited(client, admins, units):
    clerk = make_user("clerk", unit=units["office"])
    as_user(client, "sys")
    token = csrf_token(client, f"/admin/people/{clerk.id}")
    client.post(f"/admin/people/{clerk.id}/role", data={"csrf_token": token, "role": "unit_admin"})
    client.post(f"/admin/people/{clerk.id}/role", data={"csrf_token": token, "role": "root"})
    db.session.refresh(clerk)
    assert clerk.role is Role.UNIT_ADMIN
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "person.role"))
    assert (entry.details["before"], entry.details["after"]) == ("candidate", "unit_admin")
    me = admins["system"]
    client.post(f"/admin/people/{me.id}/role", data={"csrf_token": token, "role": "candidate"})
    db.session.refresh(me)
    assert me.role is Role.SYSTEM_ADMIN


def test_password_reset_shows_a_new_password_once(client, admins, units):
    clerk = make_user("clerk", unit=units["office"])
    as_user(client, "fin")
    token = csrf_token(client, f"/admin/people/{clerk.id}")
    response = client.post(f"/admin/people/{clerk.id}/password", data={"csrf_token": token})
    password = re.search(
        r'<p class="password mono">([^<]+)</p>', response.get_data(as_text=True)
    ).group(1)
    assert response.headers["Cache-Control"] == "no-store"
    db.session.refresh(clerk)
    assert clerk.must_change_password and clerk.check_password(password)


# -- the unit tree ---------------------------------------------------------------------


def unit_post(client, path: str, **data):
    return client.post(path, data={"csrf_token": csrf_token(client, "/admin/people/units"), **data})


def test_create_rename_and_move_units(client, admins, units):
    as_user(client, "sys")
    assert (
        unit_post(
            client, "/admin/people/units", name="人事处", parent=str(units["finance"].id)
        ).status_code
        == 302
    )
    created = db.session.scalar(select(Unit).where(Unit.name == "人事处"))
    assert created.parent_id == units["finance"].id
    assert "同一上级单位下已有" in unit_post(
        client, "/admin/people/units", name="人事处", parent=str(units["finance"].id)
    ).get_data(as_text=True)
    assert "不能含“/”" in unit_post(client, "/admin/people/units", name="a/b", parent="0").get_data(
        as_text=True
    )
    assert (
        unit_post(client, f"/admin/people/units/{created.id}/rename", name="组织人事处").status_code
        == 302
    )
    assert (
        unit_post(
            client, f"/admin/people/units/{created.id}/move", parent=str(units["education"].id)
        ).status_code
        == 302
    )
    db.session.refresh(created)
    assert (created.name, created.parent_id) == ("组织人事处", units["education"].id)
    actions = db.session.scalars(
        select(AuditEntry.action)
        .where(AuditEntry.action.startswith("unit."))
        .order_by(AuditEntry.id)
    ).all()
    assert actions == ["unit.create", "unit.rename", "unit.move"]


@pytest.mark.parametrize("target", ["finance", "office", "nowhere", "junk"])
def test_a_unit_cannot_move_under_itself_or_below(client, admins, units, target):
    as_user(client, "sys")
    parent = {"nowhere": "99999", "junk": "x"}.get(target) or str(units[target].id)
    response = unit_post(client, f"/admin/people/units/{units['finance'].id}/move", parent=parent)
    assert response.status_code == 400 and "请从列表中选择" in response.get_data(as_text=True)
    db.session.refresh(units["finance"])
    assert units["finance"].parent_id == units["root"].id


def test_move_service_refuses_a_cycle(ctx, admins, units):
    from app.admin.people.units import UnitRefused, move_unit

    with pytest.raises(UnitRefused):
        move_unit(units["finance"], units["office"], admins["system"])


# -- registering to sessions -----------------------------------------------------------


def register(client, session_id: int, kind: str, **data):
    page = f"/admin/people/sessions/{session_id}/registrations"
    return client.post(f"{page}/{kind}", data={"csrf_token": csrf_token(client, page), **data})


def test_unit_admin_registers_people_and_units_of_their_subtree(client, admins, units):
    session = open_session(usernames=())
    clerk = make_user("clerk", unit=units["office"], employee_number="CZ9")
    teacher = make_user("teacher", unit=units["education"])
    as_user(client, "fin")
    assert register(client, session.id, "people", person="CZ9").status_code == 302
    assert "已报名" in register(client, session.id, "people", person="clerk").get_data(as_text=True)
    assert "找不到" in register(client, session.id, "people", person="teacher").get_data(
        as_text=True
    )
    assert register(client, session.id, "units", unit=str(units["office"].id)).status_code == 302
    refused = register(client, session.id, "units", unit=str(units["education"].id))
    assert refused.status_code == 400
    assert {(r.user_id) for r in db.session.scalars(select(SessionCandidate))} == {clerk.id}
    assert [r.unit_id for r in db.session.scalars(select(SessionUnit))] == [units["office"].id]
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-2:] == ["session.register", "session.register_unit"]

    as_user(client, "edu")
    page = client.get(f"/admin/people/sessions/{session.id}/registrations").get_data(as_text=True)
    assert "办公室" not in page and "clerk" not in page
    token = csrf_token(client, f"/admin/people/sessions/{session.id}/registrations")
    base = f"/admin/people/sessions/{session.id}/registrations"
    assert (
        client.post(f"{base}/people/{clerk.id}/remove", data={"csrf_token": token}).status_code
        == 404
    )
    assert (
        client.post(
            f"{base}/units/{units['office'].id}/remove", data={"csrf_token": token}
        ).status_code
        == 404
    )
    assert register(client, session.id, "people", person="teacher").status_code == 302
    assert teacher.id in {r.user_id for r in db.session.scalars(select(SessionCandidate))}

    as_user(client, "fin")
    token = csrf_token(client, base)
    assert (
        client.post(f"{base}/people/{clerk.id}/remove", data={"csrf_token": token}).status_code
        == 302
    )
    assert client.get("/admin/people/sessions/99999/registrations").status_code == 404


def test_system_admin_registers_anyone(client, admins, units):
    session = open_session(usernames=())
    teacher = make_user("teacher", unit=units["education"])
    as_user(client, "sys")
    register(client, session.id, "people", person="teacher")
    register(client, session.id, "units", unit=str(units["root"].id))
    assert db.session.get(SessionCandidate, {"session_id": session.id, "user_id": teacher.id})
    assert db.session.get(SessionUnit, {"session_id": session.id, "unit_id": units["root"].id})


def test_demo_seed_gives_the_candidate_a_post(runner, ctx):
    runner.invoke(args=["demo", "seed"])
    candidate = db.session.scalar(select(User).where(User.username == "candidate"))
    assert candidate.position == "党支部书记"


# -- in a real browser -----------------------------------------------------------------


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


# -- saved unchanged, nothing changes ----------------------------------------------------


def _details(person: User) -> tuple:
    return (person.name, person.unit_id, person.current_position, person.position, person.phone)


@pytest.mark.parametrize("admin", ["sys", "fin"])
def test_a_person_saved_unchanged_stays_in_their_unit(client, admins, units, admin):
    """Defect: the 单位 select was never preselected, so saving moved people to its first unit."""
    clerk = make_user("wangfang", name="王芳", unit=units["office"], phone="13800138000",
                      current_position="科员")  # fmt: skip
    before = _details(clerk)
    as_user(client, admin)
    page = client.get(f"/admin/people/{clerk.id}").get_data(as_text=True)
    response = client.post(f"/admin/people/{clerk.id}", data=unchanged_submission(page, ""))
    assert response.status_code == 302
    db.session.refresh(clerk)
    assert _details(clerk) == before
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "person.update")) is None


def test_a_unit_renamed_or_moved_unchanged_stays_put(client, admins, units):
    office = units["office"]
    as_user(client, "sys")
    page = client.get(f"/admin/people/units/{office.id}").get_data(as_text=True)
    for action in ("rename", "move"):
        path = f"/admin/people/units/{office.id}/{action}"
        client.post(path, data=unchanged_submission(page, path))
    db.session.refresh(office)
    assert (office.name, office.parent_id) == ("办公室", units["finance"].id)


def test_removing_a_unit_registration_asks_first_and_says_how_many(client, admins, units):
    """Defect 7: one click removed a whole unit; now a page names the unit and its headcount."""
    session = open_session(usernames=())
    for n in range(3):
        make_user(f"clerk{n}", unit=units["office"])
    as_user(client, "fin")
    register(client, session.id, "units", unit=str(units["finance"].id))
    base = f"/admin/people/sessions/{session.id}/registrations"
    listing = client.get(base).get_data(as_text=True)
    ask = f"{base}/units/{units['finance'].id}/remove"
    assert f'href="{ask}"' in listing and f'action="{ask}"' not in listing
    page = client.get(ask).get_data(as_text=True)
    assert (
        "取消市财政局的整体报名？" in page and "<strong>3</strong> 人" in page
    )  # the 3 clerks, not fin (an admin)
    assert db.session.scalars(select(SessionUnit)).all()  # asking changed nothing
    client.post(ask, data=unchanged_submission(page, ask))
    assert not db.session.scalars(select(SessionUnit)).all()


def test_registering_by_name_and_someone_covered_by_their_unit(client, admins, units):
    """Defect 16: a name finds the person; two of one name are listed; someone whose unit
    is registered already is told so instead of "已为…报名"."""
    session = open_session(usernames=())
    li = make_user("lijg", name="李建国", unit=units["office"])
    make_user("zhao1", name="赵敏", unit=units["office"])
    make_user("zhao2", name="赵敏", unit=units["finance"])
    as_user(client, "fin")
    assert register(client, session.id, "people", person="李建国").status_code == 302
    assert {r.user_id for r in db.session.scalars(select(SessionCandidate))} == {li.id}
    twice = register(client, session.id, "people", person="赵敏").get_data(as_text=True)
    assert "“赵敏”对应多位人员" in twice and "zhao1" in twice and "zhao2" in twice
    register(client, session.id, "units", unit=str(units["finance"].id))
    covered = register(client, session.id, "people", person="zhao1").get_data(as_text=True)
    assert "所在的“市财政局”已整体报名本场次，无需单独报名" in covered


def test_registering_by_pinyin_initials(client, admins, units):
    session = open_session(usernames=())
    li = make_user("u1", name="李建国", unit=units["office"])
    as_user(client, "fin")
    assert register(client, session.id, "people", person="LJG").status_code == 302
    assert {r.user_id for r in db.session.scalars(select(SessionCandidate))} == {li.id}


def test_people_are_listed_by_pinyin_and_filtered_by_unit_role_and_initials(client, admins, units):
    """Defect 16: 张 (zhang) after 李 (li) after 安 (an), whatever their code points."""
    for username, name in [("u1", "李娜"), ("u2", "张伟"), ("u3", "安然")]:
        make_user(username, name=name, unit=units["office"])
    as_user(client, "sys")

    def names(query: str) -> list[str]:
        html = client.get(f"/admin/people/{query}").get_data(as_text=True)
        return re.findall(r'<td data-label="姓名"><a href="[^"]+">([^<]+)</a>', html)

    listed = names(f"?unit={units['office'].id}")
    assert listed == ["安然", "李娜", "张伟"]
    assert names("?role=unit_admin") == ["edu", "fin"]
    assert names("?q=ln") == ["李娜"]
    assert names(f"?unit={units['office'].id}&sort=newest") == ["安然", "张伟", "李娜"]


def test_the_registrations_page_lists_who_has_not_taken_the_test(client, admins, units):
    """The unit admin's day: who is registered (by name or through a unit) and absent."""
    session = open_session(usernames=())
    took = make_user("took", name="已考", unit=units["office"])
    make_user("absent1", name="缺考甲", unit=units["office"])
    make_user("absent2", name="缺考乙", unit=units["finance"])
    make_user("elsewhere", name="别处", unit=units["education"])
    as_user(client, "sys")
    register(client, session.id, "units", unit=str(units["finance"].id))
    register(client, session.id, "people", person="elsewhere")
    from app.exam.attempts import start_attempt
    from app.models.types import utcnow

    start_attempt(took, session, None, utcnow())
    base = f"/admin/people/sessions/{session.id}/registrations"
    html = client.get(base).get_data(as_text=True)
    absent = html.split("尚未参加（", 1)[1].split("</section>", 1)[0]
    assert absent.startswith("3 人") and "缺考甲" in absent and "缺考乙" in absent
    assert "别处" in absent and "已考" not in absent
    as_user(client, "fin")
    absent = (
        client.get(base).get_data(as_text=True).split("尚未参加（", 1)[1].split("</section>")[0]
    )
    assert absent.startswith("2 人") and "别处" not in absent
