"""Templates name no roles (issue 9, item 9): a page shows a link exactly when following
it works, because templates ask ``may(endpoint)``, which reads the same role checks the
views run; the exam rules come from the view, not parsed inside a template."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.extensions import db
from app.models import Role, Unit
from tests.app.exam_fixtures import open_sitting
from tests.auth import login
from tests.factories import make_user

TEMPLATES = Path(__file__).resolve().parents[2] / "app" / "templates"
NAV_LINK = re.compile(r'<nav class="admin-nav".*?</nav>', re.S)
HREF = re.compile(r'<a href="([^"]+)" class="([^"]*)">')


def test_no_template_names_a_role_or_parses_an_exam():
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"role\.value|[\"'](system_admin|unit_admin)[\"']", text), path
        assert "exam_rules" not in text and "exam_definition" not in text, path


@pytest.fixture
def admins(ctx):
    unit = Unit(name="市财政局")
    db.session.add(unit)
    db.session.commit()
    make_user("sys", role=Role.SYSTEM_ADMIN, unit=unit)
    make_user("fin", role=Role.UNIT_ADMIN, unit=unit)


@pytest.mark.parametrize(
    ("who", "areas"),
    [
        ("sys", ["/admin/", "/admin/banks/", "/admin/exams/", "/admin/people/",
                 "/admin/results/", "/admin/certificates/", "/admin/audit/"]),
        ("fin", ["/admin/", "/admin/people/", "/admin/results/"]),
    ],
)  # fmt: skip
def test_the_admin_navigation_links_every_area_the_user_may_open_and_no_other(
    client, auth, admins, who, areas
):
    auth.login(who)
    nav = NAV_LINK.search(client.get("/admin/").get_data(as_text=True)).group(0)
    links = [href for href, _ in HREF.findall(nav)]
    assert links == areas
    for href in links:
        assert client.get(href).status_code == 200


def test_a_sitting_page_marks_the_exams_area_as_the_current_one(client, auth, admins):
    sitting = open_sitting(())
    auth.login("sys")
    page = client.get(f"/admin/exams/sessions/{sitting.id}").get_data(as_text=True)
    nav = NAV_LINK.search(page).group(0)
    assert dict(HREF.findall(nav))["/admin/exams/"] == "active"


def test_links_to_system_admin_pages_show_only_for_system_admins(app, client, auth, admins):
    auth.login("fin")
    page = client.get("/admin/results/").get_data(as_text=True)
    assert "/admin/results/rescore" not in page
    assert client.get("/admin/results/rescore").status_code == 403
    system_admin = app.test_client()
    login(system_admin, "sys")
    page = system_admin.get("/admin/results/").get_data(as_text=True)
    assert "/admin/results/rescore" in page
