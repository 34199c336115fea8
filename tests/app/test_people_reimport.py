"""Re-importing people: existing people (by 工号 or 身份证号) are updated after a preview
that lists every change; conflicts are refused; the confirm applies exactly what was
previewed; the people of the file can be registered for a sitting in the same step."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.admin.people.import_apply import ImportStale, apply_import
from app.admin.people.import_plan import plan_import
from app.admin.people.importing import check_table
from app.admin.people.tabular import read_table
from app.extensions import db
from app.models import AuditEntry, SittingCandidate, SittingUnit, User
from app.models.types import utcnow
from tests.app.exam_fixtures import open_sitting
from tests.app.people import fixtures as people_fixtures
from tests.app.people.helpers import (
    ID_A,
    ID_B,
    ID_C,
    as_user,
    confirm,
    csv_bytes,
    people_count,
    upload,
)
from tests.factories import make_user

units, admins = people_fixtures.units, people_fixtures.admins  # fixtures

pytestmark = pytest.mark.usefixtures("admins")


@pytest.fixture
def known(units) -> dict[str, User]:
    """Two people already imported: 李堃 (工号 CZ01) and 王喆 (身份证号 only)."""
    return {
        "li": make_user("CZ01", name="李堃", unit=units["office"], employee_number="CZ01",
                        id_number=ID_A, phone="13800138000", position="党支部书记",
                        birth_date=date(1949, 12, 31)),
        "wang": make_user(ID_B, name="王喆", unit=units["office"], id_number=ID_B,
                          birth_date=date(1990, 3, 7)),
    }  # fmt: skip


def fresh(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def confirm_with(client, html: str, **fields):
    """Confirm a preview, choosing a sitting."""
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', html).group(1)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    return client.post(
        "/admin/people/import/confirm", data={"csrf_token": csrf, "token": token, **fields}
    )


def test_the_preview_lists_new_changed_and_unchanged_and_changes_nothing(client, known):
    as_user(client, "sys")
    data = csv_bytes(
        "李堃,CZ01,,市级机关工委/市财政局,科员,党委委员,,",  # moved, new posts; phone kept
        f"王喆,,{ID_B},办公室,,,,",  # as stored
        f"赵昇,CZ03,{ID_C},办公室,,,,",  # new
    )
    response = upload(client, data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html
    assert "新建 <strong>1</strong> 人，更新 <strong>1</strong> 人的信息，<strong>1</strong> 人信息无变化" in html  # fmt: skip
    changes = re.search(r'<table class="table stack import-changes">.*?</table>', html, re.S)[0]
    assert "李堃（CZ01）" in changes
    assert "单位：</span><del>市级机关工委/市财政局/办公室</del> → <ins>市级机关工委/市财政局</ins>" in changes  # fmt: skip
    assert "职务：</span><del>—</del> → <ins>科员</ins>" in changes
    assert "拟任职务：</span><del>党支部书记</del> → <ins>党委委员</ins>" in changes
    assert "手机" not in changes  # an empty cell keeps the stored number
    assert "王喆（第 3 行）" in html and "赵昇" in html
    li = fresh(known["li"])
    assert (li.unit.name, li.position, li.phone) == ("办公室", "党支部书记", "13800138000")
    assert people_count() == 5


def test_confirming_applies_the_changes_audited_and_keeps_passwords(client, known):
    password_hash = known["li"].password_hash
    as_user(client, "sys")
    html = upload(
        client, csv_bytes("李堃,CZ01,,办公室,科员,,139 0000 0000,", f"王喆,W02,{ID_B},办公室,,,,")
    ).get_data(as_text=True)
    done = confirm(client, html)
    page = done.get_data(as_text=True)
    assert done.status_code == 200, page
    assert "更新 <strong>2</strong> 人的信息" in page and "初始密码" not in page
    li, wang = fresh(known["li"]), fresh(known["wang"])
    assert (li.current_position, li.phone, li.password_hash) == (
        "科员",
        "13900000000",
        password_hash,
    )
    assert (wang.employee_number, wang.username) == ("W02", ID_B)  # the login name stays
    entries = db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.action == "person.import_update")
        .order_by(AuditEntry.id)
    ).all()
    assert [(e.target, e.details["before"], e.details["after"]) for e in entries] == [
        ("CZ01", {"current_position": None, "phone": "13800138000"},
         {"current_position": "科员", "phone": "13900000000"}),
        (ID_B, {"employee_number": None}, {"employee_number": "W02"}),
    ]  # fmt: skip
    summary = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "people.import"))
    assert summary.details == {"created": 0, "updated": 2, "unchanged": 0, "rows": 2}
    log = client.get("/admin/audit/").get_data(as_text=True)
    assert "导入时更新人员信息" in log and "工号" in log


def test_a_renamed_person_is_found_by_the_new_name_in_pinyin(client, known):
    as_user(client, "sys")
    html = upload(client, csv_bytes("李建国,CZ01,,办公室,,,,")).get_data(as_text=True)
    assert "姓名：</span><del>李堃</del> → <ins>李建国</ins>" in html
    assert confirm(client, html).status_code == 200
    assert fresh(known["li"]).name_initials == "ljg"


def test_number_and_identity_of_two_different_people_is_a_conflict(client, known):
    as_user(client, "sys")
    response = upload(
        client, csv_bytes(f"李堃,CZ01,{ID_B},办公室,,,,", f"赵昇,CZ03,{ID_C},办公室,,,,")
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "有 1 处冲突，不能导入" in html and "第 2 行" in html
    assert "工号属于李堃（用户名 CZ01），身份证号却属于另一位人员王喆" in html
    assert 'action="/admin/people/import/confirm"' not in html


def test_a_different_identity_number_for_a_known_number_is_a_conflict(client, known):
    as_user(client, "sys")
    html = upload(client, csv_bytes(f"李堃,CZ01,{ID_C},办公室,,,,")).get_data(as_text=True)
    assert "工号对应的李堃登记的身份证号与此行不同；身份证号不能通过导入修改" in html
    assert fresh(known["li"]).id_number == ID_A


def test_a_missing_identity_number_is_filled_in(client, known):
    known["li"].id_number = None
    db.session.commit()
    as_user(client, "sys")
    html = upload(client, csv_bytes(f"李堃,CZ01,{ID_A},办公室,,,,")).get_data(as_text=True)
    assert "身份证号：</span><del>—</del> → <ins>1101**********002X</ins>" in html
    assert confirm(client, html).status_code == 200
    assert fresh(known["li"]).id_number == ID_A


def test_two_rows_for_one_person_is_a_conflict(client, known):
    as_user(client, "sys")
    html = upload(client, csv_bytes("李堃,CZ01,,办公室,科员,,,", f"李堃,,{ID_A},办公室,,,,"))
    assert "与第 2 行是同一人员（李堃），请合并为一行" in html.get_data(as_text=True)


def test_a_unit_admin_cannot_update_someone_outside_their_units(client, units, known):
    teacher = make_user("T01", name="教师甲", unit=units["education"], employee_number="T01")
    as_user(client, "fin")
    response = upload(client, csv_bytes("教师甲,T01,,办公室,科员,,,", "李堃,CZ01,,办公室,科员,,,"))
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "第 2 行" in html
    assert "此行的工号属于您管理范围以外的人员，不能通过导入更新其信息" in html
    assert "教师甲（" not in html  # nobody outside the scope is named
    assert fresh(teacher).unit_id == units["education"].id


def test_a_unit_admin_cannot_update_an_admin_of_their_unit(client, admins, known):
    admins["finance"].employee_number = "FIN"
    db.session.commit()
    as_user(client, "fin")
    html = upload(client, csv_bytes("财政管理员,FIN,,办公室,,,,")).get_data(as_text=True)
    assert "属于您管理范围以外的人员" in html


def test_a_change_between_preview_and_confirm_is_previewed_again(client, known):
    as_user(client, "sys")
    html = upload(client, csv_bytes("李堃,CZ01,,办公室,科员,,,")).get_data(as_text=True)
    known["li"].current_position = "副科长"  # another admin edits 李堃 meanwhile
    db.session.commit()
    again = confirm(client, html)
    page = again.get_data(as_text=True)
    assert again.status_code == 409 and "预览之后，部分人员的信息已被修改" in page
    assert "职务：</span><del>副科长</del> → <ins>科员</ins>" in page
    assert fresh(known["li"]).current_position == "副科长"  # nothing applied unseen
    assert confirm(client, page).status_code == 200
    assert fresh(known["li"]).current_position == "科员"


def test_an_update_racing_the_confirm_stops_the_whole_import(app, ctx, admins, known):
    """The last line of defence: an update applies only over the values previewed."""
    table = read_table(csv_bytes("李堃,CZ01,,办公室,科员,,,", f"赵昇,CZ03,{ID_C},办公室,,,,"))
    check = check_table(table, admins["system"], date(2026, 11, 26))
    plan = plan_import(check.candidates, admins["system"])
    db.session.execute(
        User.__table__.update().where(User.id == known["li"].id).values(current_position="处长")
    )
    db.session.commit()
    with pytest.raises(ImportStale):
        apply_import(plan, admins["system"], "people.csv")
    assert fresh(known["li"]).current_position == "处长" and people_count() == 5


def test_the_people_of_the_file_are_registered_for_a_sitting(client, units, known):
    sitting = open_sitting(())
    ended = open_sitting(
        (), opens=utcnow() - timedelta(days=2), closes=utcnow() - timedelta(days=1)
    )
    ended.title = "已结束的场次"
    make_user("CZ09", name="周敏", unit=units["office"], employee_number="CZ09")
    db.session.add(SittingUnit(sitting_id=sitting.id, unit_id=units["office"].id))
    db.session.commit()
    as_user(client, "fin")
    html = upload(
        client, csv_bytes("李堃,CZ01,,市级机关工委/市财政局,,,,", f"王喆,,{ID_B},办公室,,,,",
                          f"赵昇,CZ03,{ID_C},市级机关工委/市财政局,,,,", "周敏,CZ09,,办公室,,,,")
    ).get_data(as_text=True)  # fmt: skip
    assert "测试场次" in html and "已结束的场次" not in html
    assert confirm_with(client, html, sitting=str(ended.id)).status_code == 400
    done = confirm_with(client, html, sitting=str(sitting.id))
    page = done.get_data(as_text=True)
    assert done.status_code == 200, page
    assert "为“测试场次”报名 <strong>2</strong> 人" in page
    registered = set(db.session.scalars(
        select(User.username).join(SittingCandidate, SittingCandidate.user_id == User.id)
        .where(SittingCandidate.sitting_id == sitting.id)
    ))  # fmt: skip
    assert registered == {"CZ01", "CZ03"}  # 王喆 and 周敏: their unit is registered already
    summary = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "people.import"))
    assert summary.details["registered"] == 2 and summary.details["session"] == "测试场次"
