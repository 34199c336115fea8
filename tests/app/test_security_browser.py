"""The stored-XSS attack of issue 10 item 8, in a real browser: a unit admin names a
candidate so that a system admin's reset-password dialog would post a role change."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, Role, Unit, User
from tests.factories import make_user

pytestmark = [pytest.mark.browser]


def payload(attacker_id: int) -> str:
    """Posts the page's own role form (the third form; its select is element 1) for the
    attacker, with the admin's CSRF token, and cancels the reset; fits the 100-character
    name column. Before the fix this made the attacker a system admin even on 取消."""
    return (
        "'),f=document.forms[2],"
        f"f.action='{attacker_id}/role',f[1].value='system_admin',f.requestSubmit(),!1//"
    )


@pytest.mark.parametrize("accept", [False, True], ids=["cancel", "confirm"])
def test_a_hostile_name_in_the_reset_dialog_runs_nothing(browser, live_url, ctx, accept):
    unit = Unit(name="市财政局")
    db.session.add(unit)
    db.session.commit()
    make_user("sys", role=Role.SYSTEM_ADMIN, unit=unit)
    attacker = make_user("fin", role=Role.UNIT_ADMIN, unit=unit)
    victim = make_user("wang", name=payload(attacker.id), unit=unit)
    page = browser.new_page()
    violations: list[str] = []
    page.on(
        "console", lambda msg: "Content Security Policy" in msg.text and violations.append(msg.text)
    )
    dialogs: list[str] = []

    def answer(dialog):
        dialogs.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.on("dialog", answer)
    page.goto(f"{live_url}/login")
    page.fill("#username", "sys")
    page.fill("#password", "correct-horse-1")
    page.click("button[type=submit], input[type=submit]")
    page.goto(f"{live_url}/admin/people/{victim.id}")
    page.click("text=重置密码 >> nth=-1")
    page.wait_for_load_state("networkidle")
    db.session.expire_all()
    assert db.session.get(User, attacker.id).role is Role.UNIT_ADMIN
    actions = [e.action for e in db.session.scalars(select(AuditEntry))]
    assert "person.role" not in actions
    assert dialogs == [f"确定为{victim.name}重置密码？"]
    assert ("person.reset_password" in actions) is accept
    assert violations == []


def test_no_page_breaks_the_policy_in_a_real_browser(app, browser, live_url, ctx):
    """Every parameterless page, as a system admin, and the test page as a candidate:
    Chromium reports no CSP violation and no script error."""
    from app.exam.starting import start_attempt
    from app.models.types import utcnow
    from tests.app.exam_fixtures import open_sitting

    unit = Unit(name="市财政局")
    db.session.add(unit)
    db.session.commit()
    make_user("sys", role=Role.SYSTEM_ADMIN, unit=unit)
    candidate = make_user("candidate", unit=unit)
    attempt = start_attempt(candidate, open_sitting(("candidate",)), None, utcnow())
    paths = sorted(
        r.rule for r in app.url_map.iter_rules()
        if "GET" in r.methods and "<" not in r.rule and not r.rule.endswith((".json", ".zip", ".xlsx", ".csv"))
    )  # fmt: skip
    problems: list[str] = []
    for username, pages in (("sys", paths), ("candidate", [f"/attempts/{attempt.id}"])):
        page = browser.new_page()
        page.on("console", lambda msg: msg.type == "error" and problems.append(msg.text))
        page.on("pageerror", lambda exc: problems.append(str(exc)))
        page.goto(f"{live_url}/login")
        page.fill("#username", username)
        page.fill("#password", "correct-horse-1")
        page.click("button[type=submit], input[type=submit]")
        for path in pages:
            page.goto(f"{live_url}{path}")
        page.close()
    assert [p for p in problems if "Content Security Policy" in p or "Error" in p] == []
