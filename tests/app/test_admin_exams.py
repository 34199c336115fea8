"""Admin exams and sittings: form and YAML checked alike, sitting actions, grants, access."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import current_app
from sqlalchemy import select

from app.admin.exams.exam_yaml import build_exam_yaml, form_data
from app.admin.exams.forms import ExamForm
from app.extensions import db
from app.form_words import field_labels, in_form_words
from app.models import Attempt, AuditEntry, Exam, Role, Sitting, SittingGrant, Unit
from app.models.types import utcnow
from question_bank.exam_format import parse_exam
from tests.app.exam_fixtures import MINI_EXAM, open_sitting
from tests.app.form_submit import unchanged_submission
from tests.auth import csrf_token, login
from tests.factories import make_user

BASE = "/admin/exams"


@pytest.fixture
def admin(ctx, client):
    make_user("admin", role=Role.SYSTEM_ADMIN, name="管理员")
    make_user("candidate", name="张晓明")
    login(client, "admin")
    return client


def form_fields(**overrides) -> dict[str, str]:
    """The structured form as a browser posts it: the mini exam, then ``overrides``."""
    fields = {
        "code": "mini-two",
        "title": "小测验二",
        "bank": "party-basics",
        "time_limit_minutes": "30",
        "pass_mark": "60%",
        "multiple_scoring": "all_or_nothing",
        "shuffle_questions": "y",
        "shuffle_options": "y",
        "review_show": "keys",
        "topics": "",
        "difficulty": "",
    }
    rows = [("single", "4", "2"), ("multiple", "2", "3"), ("judge", "3", "1"), ("fill", "1", "3")]
    for i, (kind, count, points) in enumerate(rows):
        fields |= {f"sections-{i}-type": kind, f"sections-{i}-count": count}
        fields |= {f"sections-{i}-points": points}
    return {**fields, **overrides}


def post(client, path: str, data: dict, page: str | None = None):
    token = csrf_token(client, page or path)
    return client.post(path, data={**data, "csrf_token": token})


def yaml_of(fields: dict[str, str]) -> str:
    """The YAML the structured form writes for these fields."""
    rows = [
        {k.split("-", 2)[2]: v for k, v in fields.items() if k.startswith(f"sections-{i}-")}
        for i in range(4)
    ]
    data = {k: v for k, v in fields.items() if not k.startswith("sections-")}
    data |= {"shuffle_questions": "shuffle_questions" in fields, "sections": rows}
    data |= {"shuffle_options": "shuffle_options" in fields}
    return build_exam_yaml(data).source


# One rule, many cases: the form shows exactly the message the YAML checks give, beside
# the field it concerns.
PARITY = [
    ("time_limit_minutes", "0", "time_limit_minutes"),
    ("time_limit_minutes", "99999", "time_limit_minutes"),
    ("time_limit_minutes", "半小时", "time_limit_minutes"),
    ("pass_mark", "六十", "pass_mark"),
    ("pass_mark", "200%", "pass_mark"),
    ("title", "", "title"),
    ("code", "Bad Code!", "code"),
    ("multiple_scoring", "most", "multiple_scoring"),
    ("review_show", "everything", "review_show"),
    ("topics", "charter: 50%, branch: 40%", "topics"),
    ("difficulty", "1-3: 50%, 3-5: 50%", "difficulty"),
    ("difficulty", "9: 100%", "difficulty"),
    ("sections-1-count", "0", "sections-1-count"),
    ("sections-1-points", "-1", "sections-1-points"),
    ("sections-2-type", "essay", "sections-2-type"),
    ("sections-3-type", "single", "sections-3-type"),
    ("sections-0-topics", "charter: 3", "sections-0-topics"),
]


def in_form_labels(message: str) -> str:
    """A YAML message as the structured form words it (its fields' labels)."""
    with current_app.test_request_context():
        return in_form_words(message, field_labels(ExamForm(meta={"csrf": False})))


@pytest.mark.parametrize(("name", "value", "field"), PARITY)
def test_form_and_yaml_refuse_alike(admin, name, value, field):
    open_sitting()
    fields = form_fields(**{name: value})
    _, report = parse_exam(yaml_of(fields).encode(), "试卷规则")
    assert not report.ok
    html = post(admin, f"{BASE}/new", fields).get_data(as_text=True)
    for diagnostic in report.errors:
        assert escape(in_form_labels(diagnostic.message)) in html  # the same, in form words
    # The message sits in the field's own block, next to its input.
    block = re.search(rf'<div class="field has-error">\s*<label for="{field}".*?</div>', html, re.S)
    assert block, f"no error beside {field}"
    raw = post(admin, f"{BASE}/new/yaml", {"source": yaml_of(fields)}).get_data(as_text=True)
    for diagnostic in report.errors:
        assert escape(diagnostic.message) in raw
    assert db.session.scalar(select(Exam).where(Exam.code == "mini-two")) is None


def escape(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;")
    )


def test_a_valid_form_saves_the_yaml_it_wrote_and_audits_it(admin):
    open_sitting()
    response = post(admin, f"{BASE}/new", form_fields(topics="charter: 50%, branch: 50%"))
    assert response.status_code == 302
    exam = db.session.scalar(select(Exam).where(Exam.code == "mini-two"))
    definition, report = parse_exam(exam.source.encode())
    assert report.ok and definition.question_count == 10 and definition.time_limit_minutes == 30
    assert form_data(exam.source)["topics"] == "charter: 50%, branch: 50%"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.target == "mini-two"))
    assert (
        entry.action == "exam.save"
        and entry.details["before"] is None
        and "mini-two" in entry.details["after"]
    )


def test_the_shortfall_is_named(admin):
    open_sitting()
    fields = form_fields(**{"sections-3-count": "400", "sections-3-topics": "dues: 400"})
    html = post(admin, f"{BASE}/new", fields).get_data(as_text=True)
    assert "题库不能满足本试卷规则" in html and "主题 dues、填空题：需要 400 道" in html
    raw = post(admin, f"{BASE}/new/yaml", {"source": yaml_of(fields)}).get_data(as_text=True)
    assert "主题 dues、填空题：需要 400 道" in raw


def test_editing_keeps_the_code_and_started_attempts_keep_their_policy(admin, client):
    sitting = open_sitting()
    exam = sitting.exam
    attempt_client = client.application.test_client()
    login(attempt_client, "candidate")
    post(attempt_client, f"/sessions/{sitting.id}", {})
    attempt = db.session.scalar(select(Attempt))
    fields = form_fields(code="renamed", title="改过的小测验", pass_mark="90%")
    response = post(admin, f"{BASE}/{exam.id}/edit", fields)
    assert response.status_code == 302
    db.session.refresh(exam)
    assert exam.code == "mini" and exam.title == "改过的小测验"
    db.session.refresh(attempt)
    assert attempt.stored_policy["pass_mark"] == {"value": "60", "percent": True}
    forged = MINI_EXAM.replace("exam: mini", "exam: other").replace("{when}", "immediately")
    html = post(admin, f"{BASE}/{exam.id}/yaml", {"source": forged}).get_data(as_text=True)
    assert "试卷编号不能修改" in html
    taken = MINI_EXAM.replace("exam: mini", "exam: mini").replace("{when}", "immediately")
    html = post(admin, f"{BASE}/new/yaml", {"source": taken}).get_data(as_text=True)
    assert "已被使用" in html


def test_hostile_yaml_is_refused_cleanly(admin):
    open_sitting()
    for source in ("a: &a [*a, *a]\n" * 3, "\t- x", "exam: [unclosed", "x" * 2_000_000):
        response = post(admin, f"{BASE}/new/yaml", {"source": source})
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and ("处问题" in html or "不能保存" in html)
    assert db.session.scalar(select(Exam).where(Exam.code != "mini")) is None


def test_form_values_cannot_add_yaml_structure(admin):
    open_sitting()
    title = '小测验"\nexam: evil\n{[&*'
    injected = form_fields(title=title + "\nbank: other", topics="charter: 50%}, exam: evil")
    post(admin, f"{BASE}/new", injected)
    assert db.session.scalar(select(Exam).where(Exam.code == "evil")) is None
    response = post(admin, f"{BASE}/new", form_fields(title=title))
    assert response.status_code == 302
    assert db.session.scalar(select(Exam).where(Exam.code == "mini-two")).title == title


def local(dt) -> str:
    return (dt + timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M")


def sitting_fields(exam_id: int, **overrides) -> dict[str, str]:
    now = utcnow()
    fields = {
        "exam_id": str(exam_id),
        "title": "第二场",
        "opens_at": local(now + timedelta(hours=1)),
        "closes_at": local(now + timedelta(hours=3)),
        "access_code": "",
        "max_attempts": "1",
    }
    return {**fields, **overrides}


def test_create_and_edit_a_sitting_in_local_time(admin):
    exam = open_sitting().exam
    fields = sitting_fields(exam.id, opens_at="2027-03-01T09:00", closes_at="2027-03-01T11:00")
    response = post(admin, f"{BASE}/sessions/new", fields)
    assert response.status_code == 302
    created = db.session.scalar(select(Sitting).where(Sitting.title == "第二场"))
    assert created.opens_at.isoformat() == "2027-03-01T01:00:00+00:00"
    edit = sitting_fields(exam.id, title="第二场（改）", opens_at="2027-03-01T10:00")
    edit["closes_at"] = "2027-03-01T12:00"
    assert post(admin, f"{BASE}/sessions/{created.id}/edit", edit).status_code == 302
    db.session.refresh(created)
    assert created.title == "第二场（改）" and created.closes_at.hour == 4
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "session.edit"))
    assert entry.details["before"]["title"] == "第二场"
    assert entry.details["after"]["closes"] == "2027-03-01T04:00:00+00:00"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"exam_id": "99999"}, "试卷规则不存在"),
        ({"exam_id": "abc"}, "选择无效"),
        (
            {"opens_at": "2027-03-01T10:00", "closes_at": "2027-03-01T09:00"},
            "结束时间必须晚于开始时间",
        ),
        ({"opens_at": "2027-03-01T10:00", "closes_at": "2029-03-01T09:00"}, "最长一年"),
        ({"max_attempts": "100000000000"}, "应为 1 到 10"),
        ({"max_attempts": "-1"}, "应为 1 到 10"),
        ({"opens_at": "tomorrow"}, "不是有效的日期与时间值"),
        ({"title": "x" * 500}, "最多 200 个字符"),
        ({"access_code": "x" * 33}, "最多 32 个字符"),
    ],
)
def test_forged_sitting_fields_are_refused(admin, overrides, message):
    exam = open_sitting().exam
    fields = {**sitting_fields(exam.id), **overrides}
    html = post(admin, f"{BASE}/sessions/new", fields).get_data(as_text=True)
    assert message in html
    assert db.session.scalar(select(Sitting).where(Sitting.title == "第二场")) is None


def start(client, sitting_id: int):
    return post(client, f"/sessions/{sitting_id}", {})


def test_open_close_and_extend_decide_whether_a_candidate_can_start(admin, client):
    now = utcnow()
    sitting = open_sitting(opens=now + timedelta(hours=2), closes=now + timedelta(hours=3))
    candidate = client.application.test_client()
    login(candidate, "candidate")
    assert "尚未开始" in start(candidate, sitting.id).get_data(as_text=True)
    page = f"{BASE}/sessions/{sitting.id}"
    assert post(admin, f"{page}/open", {}, page).status_code == 302
    assert post(admin, f"{page}/close", {}, page).status_code == 302
    assert "已结束" in start(candidate, sitting.id).get_data(as_text=True)
    assert post(admin, f"{page}/extend", {"minutes": "30"}, page).status_code == 302
    assert 'id="attempt"' in start(candidate, sitting.id).get_data(as_text=True)
    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.action.like("session.%")).order_by(AuditEntry.id)
    )
    assert list(actions) == ["session.create", "session.open", "session.close", "session.extend"]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "session.extend"))
    assert entry.details["before"]["closes"] < entry.details["after"]["closes"]


def test_closing_ends_running_attempts_and_extending_gives_time_back(admin, client):
    sitting = open_sitting(closes=utcnow() + timedelta(minutes=10))
    candidate = client.application.test_client()
    login(candidate, "candidate")
    start(candidate, sitting.id)
    attempt = db.session.scalar(select(Attempt))
    page = f"{BASE}/sessions/{sitting.id}"
    post(admin, f"{page}/extend", {"minutes": "60"}, page)
    db.session.refresh(attempt)
    assert attempt.deadline - attempt.started_at == timedelta(minutes=30)  # the exam's limit
    post(admin, f"{page}/close", {}, page)
    db.session.refresh(attempt)
    assert attempt.deadline <= utcnow()


@pytest.mark.parametrize("minutes", ["0", "-5", "10081", "99999999999999999999", "x"])
def test_extend_refuses_bad_minutes(admin, minutes):
    sitting = open_sitting()
    page = f"{BASE}/sessions/{sitting.id}"
    before = sitting.closes_at
    post(admin, f"{page}/extend", {"minutes": minutes}, page)
    db.session.refresh(sitting)
    assert sitting.closes_at == before


def grant(client, sitting_id: int, **fields):
    page = f"{BASE}/sessions/{sitting_id}"
    data = {"username": "candidate", "extra_minutes": "0", "extra_attempts": "0", "reason": "断网"}
    return post(client, f"{page}/grants", {**data, **fields}, page)


def test_extra_time_moves_the_deadline_of_the_attempt_in_progress(admin, client):
    sitting = open_sitting(closes=utcnow() + timedelta(minutes=40))
    candidate = client.application.test_client()
    login(candidate, "candidate")
    start(candidate, sitting.id)
    attempt = db.session.scalar(select(Attempt))
    first = attempt.deadline
    grant(admin, sitting.id, extra_minutes="15")
    db.session.refresh(attempt)
    # 30 + 15 minutes from the start, but never past the close (40 minutes from now) ...
    assert attempt.deadline == min(first + timedelta(minutes=15), sitting.closes_at)
    grant(admin, sitting.id, extra_minutes="20", beyond_close="y")
    db.session.refresh(attempt)
    # ... unless the grant says so: then the candidate's own close moves too.
    assert attempt.deadline == min(
        first + timedelta(minutes=35), sitting.closes_at + timedelta(minutes=20)
    )
    assert attempt.deadline > sitting.closes_at
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "session.grant")
    ).all()[-1]
    assert entry.details["before"]["deadline"] < entry.details["after"]["deadline"]
    assert entry.details["user"] == "candidate" and entry.details["reason"] == "断网"


def test_extra_time_for_a_future_attempt_and_a_fresh_attempt(admin, client):
    sitting = open_sitting()
    candidate = client.application.test_client()
    login(candidate, "candidate")
    start(candidate, sitting.id)
    attempt = db.session.scalar(select(Attempt))
    post(candidate, f"/attempts/{attempt.id}/submit", {}, f"/attempts/{attempt.id}")
    assert "次数已用完" in start(candidate, sitting.id).get_data(as_text=True)
    grant(admin, sitting.id, extra_attempts="1", extra_minutes="10")
    assert 'id="attempt"' in start(candidate, sitting.id).get_data(as_text=True)
    second = db.session.scalar(select(Attempt).where(Attempt.number == 2))
    assert second.deadline - second.started_at == timedelta(minutes=40)
    assert db.session.scalar(select(SittingGrant)).attempt_id == second.id
    post(candidate, f"/attempts/{second.id}/submit", {}, f"/attempts/{second.id}")
    assert "次数已用完" in start(candidate, sitting.id).get_data(as_text=True)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"extra_minutes": "-5"}, "应为 0 到 600"),
        ({"extra_minutes": "100000000000000000000"}, "应为 0 到 600"),
        ({"extra_attempts": "6"}, "应为 0 到 5"),
        ({}, "请填写加时分钟数或增加的作答次数"),
        ({"extra_minutes": "5", "username": "nobody"}, "不是本场考试的考生"),
        ({"extra_minutes": "5", "username": "outsider"}, "不是本场考试的考生"),
        ({"extra_minutes": "5", "reason": ""}, "请填写原因"),
    ],
)
def test_forged_grants_are_refused(admin, client, fields, message):
    make_user("outsider")
    sitting = open_sitting()
    page = f"{BASE}/sessions/{sitting.id}"
    response = grant(admin, sitting.id, **fields)
    assert message in admin.get(response.headers["Location"]).get_data(as_text=True)
    assert db.session.scalar(select(SittingGrant)) is None
    assert page in response.headers["Location"]


@pytest.mark.parametrize("who", ["anonymous", "candidate", "unit_admin"])
def test_only_system_admins_get_in(ctx, client, who):
    sitting = open_sitting(usernames=())
    unit = Unit(name="市委办公室")
    db.session.add(unit)
    make_user("unitadmin", role=Role.UNIT_ADMIN, unit=unit)
    make_user("candidate")
    if who != "anonymous":
        login(client, "unitadmin" if who == "unit_admin" else "candidate")
    paths = [
        BASE + "/",
        f"{BASE}/new",
        f"{BASE}/{sitting.exam_id}/yaml",
        f"{BASE}/sessions/{sitting.id}",
    ]
    for path in paths:
        response = client.get(path)
        assert response.status_code == (302 if who == "anonymous" else 403), path
    response = client.post(f"{BASE}/sessions/{sitting.id}/close", data={})
    assert response.status_code in (302, 400, 403)
    db.session.refresh(sitting)
    assert sitting.state(utcnow()) == "open"


def test_pages_render_for_a_system_admin(admin):
    sitting = open_sitting()
    index = admin.get(BASE + "/").get_data(as_text=True)
    assert "进行中" in index and "测试场次" in index and "小测验" in index
    assert "主题分布" in admin.get(f"{BASE}/{sitting.exam_id}/edit").get_data(as_text=True)
    assert "exam: mini" in admin.get(f"{BASE}/{sitting.exam_id}/yaml").get_data(as_text=True)
    assert "立即结束" in admin.get(f"{BASE}/sessions/{sitting.id}").get_data(as_text=True)
    assert admin.get(f"{BASE}/sessions/999").status_code == 404
    assert admin.get(f"{BASE}/999/edit").status_code == 404


def test_the_new_sitting_form_prefills_values_it_accepts_and_shows_every_error_at_once(admin):
    """Defect 4: 允许作答次数 came pre-filled with 0, which its own check refused, and the
    time check ran only once every other field was right."""
    exam = open_sitting().exam
    page = admin.get(f"{BASE}/sessions/new").get_data(as_text=True)
    sent = unchanged_submission(page, "")
    assert sent["max_attempts"] == "1"
    html = post(admin, f"{BASE}/sessions/new", sent | {
        "exam_id": str(exam.id), "title": "", "opens_at": "2027-03-01T10:00",
        "closes_at": "2027-03-01T09:00", "max_attempts": "0",
    }).get_data(as_text=True)  # fmt: skip
    for message in ("请填写场次名称", "结束时间必须晚于开始时间", "应为 1 到 10"):
        assert message in html


def test_a_sitting_saved_unchanged_stays_the_same(admin):
    sitting = open_sitting()
    before = (sitting.title, sitting.opens_at, sitting.closes_at, sitting.access_code,
              sitting.max_attempts, sitting.exam_id)  # fmt: skip
    path = f"{BASE}/sessions/{sitting.id}/edit"
    page = admin.get(path).get_data(as_text=True)
    assert post(admin, path, unchanged_submission(page, "")).status_code == 302
    db.session.refresh(sitting)
    assert (sitting.title, sitting.opens_at, sitting.closes_at, sitting.access_code,
            sitting.max_attempts, sitting.exam_id) == before  # fmt: skip
