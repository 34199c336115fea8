"""Unit admins manage only the candidates in their scope: another admin, fellow unit
admin or system admin, is not found on any people route (issue 10, item 12)."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, Role, Unit, User
from tests.auth import csrf_token, login
from tests.factories import make_user

PERSON_ROUTES = [
    ("GET", "/admin/people/{id}"),
    ("POST", "/admin/people/{id}"),
    ("POST", "/admin/people/{id}/role"),
    ("POST", "/admin/people/{id}/password"),
]


@pytest.fixture
def world(app: Flask, ctx) -> dict[str, int]:
    root = Unit(name="市级机关工委")
    finance = Unit(name="市财政局", parent=root)
    db.session.add_all([root, finance])
    db.session.commit()
    people = {
        "sys": make_user("sys", name="系统管理员甲", role=Role.SYSTEM_ADMIN, unit=finance),
        "fin": make_user("fin", name="财政管理员", role=Role.UNIT_ADMIN, unit=finance),
        "fin2": make_user("fin2", name="财政管理员乙", role=Role.UNIT_ADMIN, unit=finance),
        "candidate": make_user("candidate", name="考生丙", unit=finance),
    }
    return {key: user.id for key, user in people.items()} | {"unit": finance.id}


def _form(world, target):
    return {"name": "改过的名字", "unit": world["unit"], "role": "system_admin"}


@pytest.mark.parametrize("target", ["sys", "fin2", "fin"])
@pytest.mark.parametrize(("method", "route"), PERSON_ROUTES)
def test_a_unit_admin_finds_no_admin_on_any_people_route(app, world, target, method, route):
    client = app.test_client()
    login(client, "fin")
    token = csrf_token(client, "/admin/people/")
    url = route.format(id=world[target])
    if method == "GET":
        response = client.get(url)
    else:
        response = client.post(url, data={"csrf_token": token, **_form(world, target)})
    expected = {403} if route.endswith("/role") else {404}
    assert response.status_code in expected, (method, url)
    db.session.expire_all()
    person = db.session.get(User, world[target])
    assert person.name != "改过的名字" and not person.must_change_password
    assert person.role is (Role.SYSTEM_ADMIN if target == "sys" else Role.UNIT_ADMIN)
    changes = select(AuditEntry).where(AuditEntry.action != "auth.login")  # the admin's login
    assert db.session.scalars(changes).all() == []


def test_a_unit_admin_still_manages_their_candidates(app, world):
    client = app.test_client()
    login(client, "fin")
    token = csrf_token(client, "/admin/people/")
    assert client.get(f"/admin/people/{world['candidate']}").status_code == 200
    reset = client.post(f"/admin/people/{world['candidate']}/password", data={"csrf_token": token})
    assert reset.status_code == 200


def test_the_people_list_shows_a_unit_admin_no_admin(app, world):
    client = app.test_client()
    login(client, "fin")
    page = client.get("/admin/people/?q=管理员").get_data(as_text=True)
    assert "财政管理员乙" not in page and "系统管理员甲" not in page
    listing = client.get("/admin/people/").get_data(as_text=True)
    assert "考生丙" in listing and "财政管理员乙" not in listing


def test_a_system_admin_manages_admins(app, world):
    client = app.test_client()
    login(client, "sys")
    assert client.get(f"/admin/people/{world['fin2']}").status_code == 200
    assert "财政管理员乙" in client.get("/admin/people/").get_data(as_text=True)
