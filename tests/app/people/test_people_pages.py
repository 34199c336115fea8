"""People in an admin's scope: listing, editing, roles, password resets."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, Role, User
from tests.app.form_submit import unchanged_submission
from tests.app.people.helpers import ID_C, _details, as_user, person_form
from tests.auth import csrf_token
from tests.factories import make_user


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
