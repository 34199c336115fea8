"""Results pages: tables, one attempt in full, scope, exports, re-score, statistics, dashboard."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime
from types import SimpleNamespace
from urllib.parse import quote

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.admin.results.export import COLUMNS
from app.admin.results.item_stats import exam_report
from app.bank.services import publish
from app.extensions import db
from app.models import Attempt, AuditEntry, Certificate, Exam, Role, Unit
from app.models.types import utcnow
from app.timefmt import localtime
from question_bank.model import Bank
from tests.app.certificate_fixtures import (
    COMPETENCY,
    open_sitting,
    setup_exams,
)
from tests.app.factories import take as take_test
from tests.auth import csrf_token, login
from tests.factories import make_user
from tests.question_bank.factories import make_bank, make_question

pytestmark = pytest.mark.usefixtures("signing", "fresh_catalog")

HOSTILE = '=HYPERLINK("http://evil.example","点我")'
CORRECTED = "single-charter-3-0"


def take(user, sitting, answers: str) -> Attempt:
    """Answer question single-charter-3-N with ``answers[N]`` (every key is A) and submit."""

    def response(item) -> str:
        return answers[int(item.revision.question_key.rsplit("-", 1)[1])]

    return take_test(user, sitting, response, answered=False)


@pytest.fixture
def world(ctx):
    """A bureau with a division, another unit, their admins, and three finalized attempts:
    alice 60 (pass), bob 40 (fail), carol 80 (pass); 20 points a question."""
    bureau = Unit(name="市财政局")
    division = Unit(name="办公室", parent=bureau)
    other = Unit(name="市教育局")
    db.session.add_all([bureau, division, other])
    db.session.commit()
    make_user("admin", role=Role.SYSTEM_ADMIN)
    make_user("unitadmin", role=Role.UNIT_ADMIN, unit=bureau)
    make_user("otheradmin", role=Role.UNIT_ADMIN, unit=other)
    alice = make_user("alice", name=HOSTILE, unit=division, birth_date=date(1990, 5, 1))
    bob = make_user("bob", name="李堃", unit=bureau, birth_date=date(1970, 1, 2))
    carol = make_user("carol", name="赵昇", unit=other, position="党支部书记")
    setup_exams()
    sitting = open_sitting(COMPETENCY, [alice, bob, carol])
    return SimpleNamespace(
        bureau=bureau, division=division, other=other, sitting=sitting,
        alice=take(alice, sitting, "AAABB"), bob=take(bob, sitting, "BAABB"),
        carol=take(carol, sitting, "AAAAB"),
    )  # fmt: skip


def page(client, path: str, user: str | None = "admin"):
    if user:
        login(client, user)
    return client.get(path)


def test_sitting_table_shows_scores_outcomes_and_certificates(client, world):
    html = page(client, f"/admin/results/sessions/{world.sitting.id}").get_data(as_text=True)
    alice_cert = db.session.scalar(
        select(Certificate).where(Certificate.attempt_id == world.alice.id)
    )
    assert "60 / 100" in html and "40 / 100" in html and "80 / 100" in html
    assert html.count(">合格<") == 2 and html.count(">不合格<") == 1
    assert f"{alice_cert.number}（有效）" in html
    assert "=HYPERLINK(&#34;http://evil.example&#34;" in html  # escaped, shown as text
    assert "李堃" in html and "赵昇" in html


def test_unit_admin_sees_only_their_subtree(client, world):
    login(client, "unitadmin")
    html = client.get(f"/admin/results/sessions/{world.sitting.id}").get_data(as_text=True)
    assert "李堃" in html and "点我" in html and "赵昇" not in html
    unit_page = client.get(f"/admin/results/units/{world.bureau.id}").get_data(as_text=True)
    assert "办公室" in unit_page and "赵昇" not in unit_page
    assert client.get(f"/admin/results/attempts/{world.bob.id}").status_code == 200
    for path in (
        f"/admin/results/attempts/{world.carol.id}",
        f"/admin/results/units/{world.other.id}",
        f"/admin/results/units/{world.other.id}/export.csv",
        "/admin/results/attempts/999999",
    ):
        assert client.get(path).status_code == 404, path
    index = client.get("/admin/results/").get_data(as_text=True)
    assert "市教育局" not in index


def test_unit_admin_of_another_unit_gets_404s(client, world):
    login(client, "otheradmin")
    for path in (
        f"/admin/results/attempts/{world.alice.id}",
        f"/admin/results/units/{world.bureau.id}",
        f"/admin/results/units/{world.division.id}/export.xlsx",
    ):
        assert client.get(path).status_code == 404, path
    html = client.get(f"/admin/results/sessions/{world.sitting.id}").get_data(as_text=True)
    assert "赵昇" in html and "李堃" not in html


ROUTES = (
    "/admin/results/", "/admin/results/dashboard", "/admin/results/sessions/{s}",
    "/admin/results/sessions/{s}/export.csv", "/admin/results/units/{u}/export.xlsx",
    "/admin/results/attempts/{a}", "/admin/results/exams/{e}/statistics",
    "/admin/results/rescore", "/admin/results/rescore/{b}",
)  # fmt: skip
SYSTEM_ONLY = ("/statistics", "/rescore")


def test_candidates_are_refused_and_anonymous_sent_to_login(client, app, world):
    paths = [
        path.format(
            s=world.sitting.id,
            a=world.alice.id,
            u=world.bureau.id,
            e=world.sitting.exam_id,
            b=world.sitting.bank_version.bank_id,
        )
        for path in ROUTES
    ]
    for path in paths:
        anonymous = client.get(path)
        assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"], path
    login(client, "bob")
    assert [client.get(path).status_code for path in paths] == [403] * len(paths)
    unit_admin = app.test_client()
    login(unit_admin, "unitadmin")
    for path in paths:
        expected = 403 if any(part in path for part in SYSTEM_ONLY) else 200
        assert unit_admin.get(path).status_code == expected, path


def test_drill_down_shows_the_paper_as_seen_answers_keys_and_points(client, world):
    path = f"/admin/results/attempts/{world.alice.id}"
    login(client, "admin")
    # The exam shows candidates only their score: the keys open on a system admin's request.
    client.post(f"{path}/keys", data={"csrf_token": csrf_token(client, path)})
    html = page(client, path, None).get_data(as_text=True)
    texts = dict(make_question("x").options)
    for item in world.alice.items:
        block = html.split(f'id="q{item.position + 1}"')[1].split("</fieldset>")[0]
        assert item.revision.data["stem"] in block
        shown = [block.index(f"> {texts[key]}</label>") for key in item.option_order]
        assert shown == sorted(shown)  # the candidate's option order
        label = "ABCD"[item.option_order.index("A")]
        assert re.search(rf"正确答案：\s*{label}．{texts['A']}\s*</p>", block)
        assert f"得 {20 if item.response == 'A' else 0} 分" in block
        assert f"题目编号 {item.revision.question_key} · 修订版 1" in html
    assert "60 / 100 分" in html


def test_exports_open_in_excel_with_formulas_neutralized(client, world):
    login(client, "admin")
    raw = client.get(f"/admin/results/sessions/{world.sitting.id}/export.csv")
    assert raw.mimetype == "text/csv" and raw.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.data.decode("utf-8-sig"))))
    assert tuple(rows[0]) == COLUMNS
    by_user = {row[1]: row for row in rows[1:]}
    assert by_user["alice"][0] == "'" + HOSTILE
    assert by_user["bob"][0] == "李堃" and by_user["bob"][7] == "40" and by_user["bob"][9] == "否"
    assert by_user["alice"][13].startswith("ZN")

    book = load_workbook(
        io.BytesIO(client.get(f"/admin/results/sessions/{world.sitting.id}/export.xlsx").data)
    )
    sheet = book.active
    header, *cells = list(sheet.iter_rows())
    assert tuple(c.value for c in header) == COLUMNS
    alice = next(row for row in cells if row[1].value == "alice")
    assert alice[0].value == "'" + HOSTILE and alice[0].data_type == "s"
    assert alice[7].value == 60 and alice[9].value == "是"
    assert not any(c.data_type == "f" for row in cells for c in row)


def test_exports_are_named_audited_dated_filtered_and_sized(client, world):
    """Defect 17: local-time names with the sitting's title, real dates, 拟任职务,
    an autofilter, columns as wide as their text; and every export is audited."""
    login(client, "admin")
    reply = client.get(f"/admin/results/sessions/{world.sitting.id}/export.xlsx")
    disposition = reply.headers["Content-Disposition"]
    stamp = localtime(utcnow(), "%Y%m%d-")
    assert quote(f"{world.sitting.title}-成绩-{stamp}") in disposition
    sheet = load_workbook(io.BytesIO(reply.data)).active
    header = [c.value for c in sheet[1]]
    started = sheet.cell(row=2, column=header.index("开始时间") + 1)
    assert isinstance(started.value, datetime) and started.number_format == "yyyy-mm-dd hh:mm"
    assert "拟任职务" in header
    assert sheet.auto_filter.ref == sheet.dimensions
    widths = {sheet.column_dimensions[c].width for c in "ABCDEFGHIJKLMNOP"}
    assert len(widths) > 3  # not every column 10 wide
    client.get(f"/admin/results/units/{world.bureau.id}/export.csv")
    exports = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "export.results").order_by(AuditEntry.id)
    ).all()
    assert [(e.target, e.details["format"]) for e in exports] == [
        (world.sitting.title, "xlsx"), (world.bureau.name, "csv"),
    ]  # fmt: skip


def test_a_unit_export_holds_only_the_unit(client, world):
    login(client, "unitadmin")
    raw = client.get(f"/admin/results/units/{world.bureau.id}/export.csv").data.decode("utf-8-sig")
    users = {row[1] for row in list(csv.reader(io.StringIO(raw)))[1:]}
    assert users == {"alice", "bob"}


@pytest.mark.parametrize("name", ["+1", "-1+2", "@SUM(A1)", "\tx", "\rx"])
def test_every_formula_start_is_neutralized(ctx, name):
    from app.sheets import neutralize

    assert neutralize(name) == "'" + name
    assert neutralize("王喆") == "王喆" and neutralize(-3.5) == -3.5


def corrected_bank() -> Bank:
    """The same bank with question 0's key corrected from A to B."""
    bank = make_bank({("single", "charter", 3): 5}, name="cert-bank")
    fixed = make_question(CORRECTED).__class__(
        **{**make_question(CORRECTED).__dict__, "keys": ("B",)}
    )
    return Bank(bank.name, bank.title, bank.topics, (fixed, *bank.questions[1:]))


def test_rescore_preview_then_apply_with_certificates_and_audit(client, world):
    publish(corrected_bank())
    login(client, "admin")
    listing = client.get("/admin/results/rescore").get_data(as_text=True)
    assert "cert-bank" in listing
    bank_id = world.sitting.bank_version.bank_id
    preview = client.get(f"/admin/results/rescore/{bank_id}").get_data(as_text=True)
    assert "合格→不合格 1 人" in preview and "不合格→合格 1 人" in preview
    assert "由合格变为不合格" in preview and "由不合格变为合格" in preview
    assert f"{CORRECTED}：按修订版 2 评分，答案 B" in preview
    db.session.expire_all()
    assert db.session.get(Attempt, world.alice.id).score == 60  # the preview changed nothing

    digest = re.search(r'name="digest" type="hidden" value="([0-9a-f]{64})"', preview).group(1)
    token = csrf_token(client, f"/admin/results/rescore/{bank_id}")
    done = client.post(
        f"/admin/results/rescore/{bank_id}", data={"csrf_token": token, "digest": digest}
    )
    assert done.status_code == 302
    db.session.expire_all()
    alice, bob, carol = (
        db.session.get(Attempt, a.id) for a in (world.alice, world.bob, world.carol)
    )
    assert (alice.score, alice.passed, bob.score, bob.passed, carol.score, carol.passed) == (
        40, False, 60, True, 60, True,
    )  # fmt: skip
    item = next(i for i in alice.items if i.revision.question_key == CORRECTED)
    assert item.revision.revision == 1 and item.scored_revision_id != item.question_revision_id
    alice_cert = db.session.scalar(select(Certificate).where(Certificate.attempt_id == alice.id))
    assert alice_cert.revoked_at is not None and "重新评分" in alice_cert.revoked_reason
    bob_cert = db.session.scalar(select(Certificate).where(Certificate.attempt_id == bob.id))
    assert bob_cert is not None and bob_cert.revoked_at is None
    carol_certs = db.session.scalars(
        select(Certificate).where(Certificate.attempt_id == carol.id).order_by(Certificate.id)
    ).all()  # 80 → 60 points: the band falls from 良好 to 合格, so the certificate is re-issued
    assert [(c.level, c.revoked_at is None) for c in carol_certs] == [
        ("良好", False),
        ("合格", True),
    ]
    assert carol_certs[1].reissued_from_id == carol_certs[0].id
    audits = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "attempt.rescore")
    ).all()
    assert {a.target: (a.details["before"], a.details["after"]) for a in audits}[f"attempt {alice.id}"] == (
        {"score": "60.00", "passed": True}, {"score": "40.00", "passed": False},
    )  # fmt: skip
    assert all(a.details["revisions"] == {CORRECTED: [1, 2]} for a in audits)
    assert "没有需要重新评分的答卷" in client.get("/admin/results/rescore").get_data(as_text=True)
    drill = client.get(f"/admin/results/attempts/{alice.id}").get_data(as_text=True)
    assert "修订版 1 · 已按更正后的修订版 2 重新评分" in drill


def apply_rescore(client, bank_id: int) -> None:
    preview = client.get(f"/admin/results/rescore/{bank_id}").get_data(as_text=True)
    digest = re.search(r'name="digest" type="hidden" value="([0-9a-f]{64})"', preview).group(1)
    token = csrf_token(client, f"/admin/results/rescore/{bank_id}")
    client.post(f"/admin/results/rescore/{bank_id}", data={"csrf_token": token, "digest": digest})


def test_a_rescore_stores_the_new_scores_by_topic(client, world):
    def topics(attempt: Attempt) -> list[tuple[str, str, str]]:
        db.session.expire_all()
        stored = db.session.get(Attempt, attempt.id).topics
        return [(t["key"], t["awarded"], t["possible"]) for t in stored]

    assert topics(world.alice) == [("charter", "60.00", "100.00")]
    publish(corrected_bank())
    login(client, "admin")
    apply_rescore(client, world.sitting.bank_version.bank_id)
    assert topics(world.alice) == [("charter", "40.00", "100.00")]  # question 0: A was right
    assert topics(world.bob) == [("charter", "60.00", "100.00")]  # and B is now


def test_a_certificate_revoked_by_a_rescore_returns_when_a_later_rescore_passes(client, world):
    bank_id = world.sitting.bank_version.bank_id
    login(client, "admin")
    publish(corrected_bank())
    apply_rescore(client, bank_id)  # alice 60 → 40: revoked
    publish(make_bank({("single", "charter", 3): 5}, name="cert-bank"))  # the key was right
    apply_rescore(client, bank_id)  # alice 40 → 60: a pass again
    db.session.expire_all()
    alice_certs = db.session.scalars(
        select(Certificate).where(Certificate.attempt_id == world.alice.id).order_by(Certificate.id)
    ).all()
    assert [c.revoked_at is None for c in alice_certs] == [False, True]
    assert db.session.get(Attempt, world.alice.id).score == 60


@pytest.mark.parametrize("digest", ["0" * 64, "short", "", "x" * 5000])
def test_rescore_refuses_a_stale_or_forged_confirmation(client, world, digest):
    publish(corrected_bank())
    bank_id = world.sitting.bank_version.bank_id
    login(client, "admin")
    token = csrf_token(client, f"/admin/results/rescore/{bank_id}")
    reply = client.post(
        f"/admin/results/rescore/{bank_id}", data={"csrf_token": token, "digest": digest}
    )
    assert reply.status_code == 200 and "重新查看预览" in reply.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Attempt, world.alice.id).score == 60
    assert (
        client.post(f"/admin/results/rescore/{bank_id}", data={"digest": digest}).status_code == 400
    )


def test_rescore_ignores_rewording(client, world):
    bank = make_bank({("single", "charter", 3): 5}, name="cert-bank")
    reworded = bank.questions[0].__class__(
        **{**bank.questions[0].__dict__, "stem": "改写后的题干（　）"}
    )
    publish(Bank(bank.name, bank.title, bank.topics, (reworded, *bank.questions[1:])))
    assert "没有需要重新评分的答卷" in page(client, "/admin/results/rescore").get_data(as_text=True)


def test_item_statistics_on_hand_built_attempts(client, world):
    """alice AAABB, bob BAABB, carol AAAAB (key A everywhere): question 0 right for 2 of 3,
    question 3 for 1 of 3 (carol, the top scorer), question 4 for none. Upper/lower group:
    1 of 3 each (carol 80 vs bob 40): question 0 is right for carol, wrong for bob → 1.0."""
    stats, reports = exam_report(db.session.scalar(select(Exam).where(Exam.code == COMPETENCY)))
    by_id = {r.stats.question_id: r.stats for r in reports}
    assert stats.attempts == 3
    assert by_id["single-charter-3-0"].facility == pytest.approx(2 / 3)
    assert by_id["single-charter-3-0"].upper_lower == 1.0
    assert by_id["single-charter-3-3"].facility == pytest.approx(1 / 3)
    assert by_id["single-charter-3-4"].facility == 0
    assert by_id["single-charter-3-4"].flags == ("few_responses",)  # 3 papers say little
    assert by_id["single-charter-3-0"].option_counts == {"A": 2, "B": 1}
    html = page(client, f"/admin/results/exams/{world.sitting.exam_id}/statistics").get_data(
        as_text=True
    )
    assert "样本不足" in html and "single-charter-3-4" in html and "过难" not in html
    assert "作答人数过少" in html


def test_dashboard_charts_and_tables_in_scope(client, world):
    html = page(client, "/admin/results/dashboard").get_data(as_text=True)
    assert html.count("<svg viewBox") == 4 and 'role="img"' in html
    for text in (
        "市财政局",
        "办公室",
        "市教育局",
        "40岁以下",
        "40岁及以上",
        "未知",
        "党支部书记",
        "未登记",
    ):
        assert text in html, text
    assert "67%（2/3）" in html  # overall: alice and carol passed
    client.post("/logout", data={"csrf_token": csrf_token(client, "/admin/results/")})
    mine = page(client, "/admin/results/dashboard", "unitadmin").get_data(as_text=True)
    assert "市教育局" not in mine and "赵昇" not in mine and "50%（1/2）" in mine


def test_item_statistics_sort_filter_and_export(client, world):
    """Defect 10: sorting, a filter, an export."""
    by_id = page(client, f"/admin/results/exams/{world.sitting.exam_id}/statistics?sort=id")
    html = by_id.get_data(as_text=True)
    ids = re.findall(r"<strong>(single-charter-3-\d)</strong>", html)
    assert ids == sorted(ids) and len(ids) == 5
    flagged = page(
        client, f"/admin/results/exams/{world.sitting.exam_id}/statistics?show=flagged", None
    )
    assert "没有需要复查的题目" in flagged.get_data(as_text=True)  # 3 papers: nothing to say
    reply = page(client, f"/admin/results/exams/{world.sitting.exam_id}/statistics.csv", None)
    rows = list(csv.reader(io.StringIO(reply.data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["题目编号", "题型", "题干"] and len(rows) == 6
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "export.statistics"))
