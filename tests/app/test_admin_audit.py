"""The audit log page: what it shows, its filters and paging, and who may see it."""

from __future__ import annotations

import ast
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.extensions import db
from app.labels import ACTIONS, FIELDS
from app.models import AuditEntry, Role
from app.models.audit import record
from tests.auth import login
from tests.factories import make_user


@pytest.fixture
def log(ctx):
    """Entries by two admins on three local days (Asia/Shanghai is UTC+8)."""
    admin = make_user("admin", name="系统管理员甲", role=Role.SYSTEM_ADMIN)
    other = make_user("zhang", name="张管理", role=Role.SYSTEM_ADMIN)
    entries = [
        # 2026-03-01 07:30 local is still 2026-02-28 in UTC: dates must be local.
        (admin, "bank.publish", "party-basics v2", datetime(2026, 2, 28, 23, 30, tzinfo=UTC), {}),
        (other, "attempt.rescore", "attempt 7", datetime(2026, 3, 2, 2, 0, tzinfo=UTC),
         {"before": {"score": "60.00", "passed": True}, "after": {"score": "40.00", "passed": False}}),
        (None, "certificate.issue", "ZN2026000017", datetime(2026, 3, 3, 15, 59, tzinfo=UTC),
         {"attempt": 7}),
        (admin, "person.role", "<script>alert(1)</script>", datetime(2026, 3, 3, 16, 1, tzinfo=UTC),
         {"before": "candidate", "after": "unit_admin"}),
    ]  # fmt: skip
    for actor, action, target, at, details in entries:
        record(actor, action, target, **details).at = at
    db.session.commit()
    return entries


def rows(client, query: str = "") -> str:
    reply = client.get(f"/admin/audit/{query}")
    assert reply.status_code == 200
    return reply.get_data(as_text=True)


def test_the_log_shows_who_when_what_and_before_after(client, log):
    login(client, "admin")
    html = rows(client)
    assert "2026-03-01<br>07:30:00" in html  # local time
    assert "系统管理员甲" in html and "张管理" in html and "系统" in html
    assert "重新评分" in html
    assert ">attempt.rescore<" not in html  # the label, not the code
    assert '<th scope="col">之前</th><th scope="col">之后</th>' in html
    changed = '<tr class="changed"><th scope="row">{} <span class="change-mark">已改</span></th>'
    assert changed.format("得分") + "<td>60.00</td><td>40.00</td>" in html
    assert changed.format("是否合格") + "<td>是</td><td>否</td>" in html
    assert "<td>考生</td><td>单位管理员</td>" in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert html.index("ZN2026000017") > html.index("&lt;script&gt;")  # newest first


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("?action=attempt.rescore", ["attempt 7"], ["party-basics v2", "ZN2026000017"]),
        ("?actor=zhang", ["attempt 7"], ["party-basics v2"]),
        ("?actor=管理员甲", ["party-basics v2"], ["attempt 7"]),
        ("?actor=%25", [], ["attempt 7", "party-basics v2"]),  # % is a letter, not a wildcard
        ("?date_from=2026-03-01&date_to=2026-03-01", ["party-basics v2"], ["attempt 7"]),
        ("?date_from=2026-03-02&date_to=2026-03-03", ["attempt 7", "ZN2026000017"],
         ["party-basics v2", "&lt;script&gt;"]),
        ("?date_from=2026-03-04", ["&lt;script&gt;"], ["ZN2026000017"]),
    ],
)  # fmt: skip
def test_filters(client, log, query, shown, hidden):
    login(client, "admin")
    html = rows(client, query)
    for text in shown:
        assert text in html, text
    for text in hidden:
        assert text not in html, text


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?date_from=2026-13-40", "日期格式应为"),
        ("?date_from=yesterday", "日期格式应为"),
        ("?date_from=2026-03-05&date_to=2026-03-01", "截止日期不能早于起始日期"),
        ("?action=drop%20table", "没有这种操作类型"),
        ("?actor=" + "x" * 5000, "操作人最多 64 个字"),
        ("?page=-3", None),
        ("?page=abc", None),
    ],
)
def test_malformed_filters_are_explained_not_crashed(client, log, query, message):
    login(client, "admin")
    html = rows(client, query)
    if message:
        assert message in html
    assert "attempt 7" in html  # unfiltered instead


def test_paging(client, ctx):
    admin = make_user("admin", role=Role.SYSTEM_ADMIN)
    login(client, "admin")  # itself an entry: 56 in all
    for n in range(55):
        record(admin, "bank.publish", f"target-{n:02d}")
    db.session.commit()
    first, second = rows(client), rows(client, "?page=2")
    assert "target-54" in first and "target-05" in first and "target-04" not in first
    assert "target-04" in second and "target-00" in second and "第 2 / 2 页，共 56 条" in second
    assert "target-00" in rows(client, "?page=2&action=bank.publish")
    assert db.session.query(AuditEntry).count() == 56


def test_only_system_admins_see_the_log(client, app, ctx):
    make_user("unitadmin", role=Role.UNIT_ADMIN)
    make_user("candidate")
    anonymous = client.get("/admin/audit/")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    for user in ("unitadmin", "candidate"):
        browser = app.test_client()
        login(browser, user)
        assert browser.get("/admin/audit/").status_code == 403


def test_every_recorded_action_has_a_label():
    """The audit page shows no raw codes: each action written anywhere in app/ is labelled."""
    source = "\n".join(p.read_text("utf-8") for p in Path("app").rglob("*.py"))
    recorded = set(re.findall(r"record\(\s*[^,]+,\s*\"([a-z_]+\.[a-z_]+)\"", source))
    assert len(recorded) >= 25
    assert recorded <= ACTIONS.keys(), recorded - ACTIONS.keys()


def test_sitting_changes_show_local_times_and_mark_what_changed(client, ctx):
    admin = make_user("admin", role=Role.SYSTEM_ADMIN)
    before = {"title": "12月任前测试", "opens": "2026-12-01T01:00:00+00:00", "max_attempts": 1}
    record(admin, "session.edit", "session 3", before=before,
           after=before | {"opens": "2026-12-01T02:00:00+00:00"})  # fmt: skip
    db.session.commit()
    login(client, "admin")
    html = rows(client)
    assert "修改场次" in html and "开始时间" in html and "允许作答次数" in html
    assert "<td>2026-12-01 09:00:00</td><td>2026-12-01 10:00:00</td>" in html
    assert html.count("已改") == 1


def test_every_recorded_detail_has_a_label():
    """Details show as words too: each keyword of a record() call, and each key of a
    before/after dict literal, is in the catalogue."""
    keys: set[str] = set()
    for path in Path("app").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "record":
                for keyword in node.keywords:
                    keys.add(keyword.arg)
                    if isinstance(keyword.value, ast.Dict):
                        keys |= {k.value for k in keyword.value.keys if isinstance(k, ast.Constant)}
    keys -= {"before", "after", None}
    assert len(keys) > 20
    assert keys <= FIELDS.keys(), keys - FIELDS.keys()
