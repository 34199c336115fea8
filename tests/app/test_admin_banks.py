"""Question banks in the browser: access, list, preview, web edits, uploads, history."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from flask import current_app
from markupsafe import escape
from sqlalchemy import func, select

from app.admin.banks.drafts import check_draft, draft_from_form, form_message
from app.admin.banks.forms import QuestionForm
from app.bank.services import load_version
from app.extensions import db
from app.form_words import field_labels, in_form_words
from app.models import AuditEntry, BankUpload, BankVersion, Role, Unit
from question_bank.bank_format import parse_bank
from tests.app.bank_admin_fixtures import SMALL_BANK, admin_client, post_form, publish_small
from tests.auth import login
from tests.factories import make_user

BASE = "/admin/banks"


def versions() -> int:
    return db.session.scalar(select(func.count()).select_from(BankVersion))


def upload(client, data: bytes, filename: str = "bank.yaml", **kwargs):
    return post_form(
        client,
        f"{BASE}/upload",
        {"file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
        **kwargs,
    )


# --- access ---------------------------------------------------------------------------

PAGES = [
    "/",
    "/small/",
    "/small/questions/s-1",
    "/small/questions/new",
    "/small/questions/s-1/edit",
    "/small/versions",
    "/small/diff?old=1&new=1",
    "/small/versions/1.yaml",
    "/upload",
]


@pytest.mark.parametrize("page", PAGES)
def test_pages_need_a_system_admin(app, client, ctx, page):
    publish_small()
    response = client.get(BASE + page)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    unit = Unit(name="市财政局")
    db.session.add(unit)
    db.session.commit()
    for username, role in (("candidate", Role.CANDIDATE), ("unitadmin", Role.UNIT_ADMIN)):
        make_user(username, role=role, unit=unit)
        other = app.test_client()
        login(other, username)
        assert other.get(BASE + page).status_code == 403
    admin_client(client)
    assert client.get(BASE + page).status_code == 200


@pytest.mark.parametrize(
    "page", ["/nope/", "/small/questions/zzz", "/small/versions/9.yaml", "/small/diff?old=1&new=7"]
)
def test_unknown_things_are_404(client, ctx, page):
    publish_small()
    admin_client(client)
    assert client.get(BASE + page).status_code == 404


def test_post_routes_refuse_unit_admins(client, ctx):
    publish_small()
    unit = Unit(name="市财政局")
    db.session.add(unit)
    db.session.commit()
    make_user("unitadmin", role=Role.UNIT_ADMIN, unit=unit)
    login(client, "unitadmin")
    response = client.post(f"{BASE}/small/questions/s-1/retire", data={"seen_version": 1})
    assert response.status_code in (400, 403)
    assert versions() == 1


# --- list and preview --------------------------------------------------------------------


def many_questions(n: int) -> str:
    items = "".join(
        f"  - {{id: q-{i:03d}, type: judge, topic: {'t1' if i % 2 else 't2'}, "
        f"difficulty: {1 + i % 5}, stem: 第{i}题陈述, answer: 对, source: 测试, "
        f"tags: [{'甲' if i % 3 else '乙'}]}}\n"
        for i in range(n)
    )
    return "bank: big\ntitle: 大题库\ntopics: {t1: 一, t2: 二}\nquestions:\n" + items


def test_list_searches_filters_and_pages(client, ctx):
    publish_small(many_questions(120))
    admin_client(client)
    first = client.get(f"{BASE}/big/").get_data(as_text=True)
    assert "共 120 道题" in first and "第 1 / 3 页" in first
    assert "q-049" in first and "q-050" not in first
    third = client.get(f"{BASE}/big/?page=3").get_data(as_text=True)
    assert "q-119" in third and "q-099" not in third
    assert "共 1 道题" in client.get(f"{BASE}/big/?q=第117题").get_data(as_text=True)
    html = client.get(f"{BASE}/big/?topic=t1&difficulty=2&tag=乙").get_data(as_text=True)
    expected = [i for i in range(120) if i % 2 and 1 + i % 5 == 2 and i % 3 == 0]
    assert f"共 {len(expected)} 道题" in html
    assert all(f"q-{i:03d}" in html for i in expected)
    assert "共 120 道题" in client.get(f"{BASE}/big/?page=999&type=zzz&status=").get_data(
        as_text=True
    ).replace("共 0 道题", "共 120 道题")


def test_retired_questions_are_listed_with_their_status(client, ctx):
    publish_small()
    publish_small(SMALL_BANK.split("  - id: f-1")[0])
    admin_client(client)
    retired = client.get(f"{BASE}/small/?status=retired").get_data(as_text=True)
    assert "f-1" in retired and "已停用" in retired and "s-1" not in retired
    current = client.get(f"{BASE}/small/?status=current").get_data(as_text=True)
    assert "f-1" not in current and "s-1" in current
    page = client.get(f"{BASE}/small/questions/f-1").get_data(as_text=True)
    assert "已停用" in page and "停用此题" not in page
    assert client.get(f"{BASE}/small/questions/f-1/edit").status_code == 404


def test_preview_shows_the_question_as_a_candidate_sees_it(client, ctx):
    publish_small()
    admin_client(client)
    html = client.get(f"{BASE}/small/questions/f-1").get_data(as_text=True)
    assert 'class="question"' in html and 'data-type="fill"' in html
    assert 'class="blank"' in html and "________" not in html
    html = client.get(f"{BASE}/small/questions/s-1").get_data(as_text=True)
    assert 'type="radio"' in html and "全国代表大会" in html and "党章第十条" in html


# --- the form validates exactly like the YAML -------------------------------------------

FORM = {
    "id": "new-1",
    "type": "single",
    "topic": "t1",
    "difficulty": "3",
    "stem": "新的题目（　）。",
    "options": "甲\n乙",
    "answer": "A",
    "source": "测试出处",
    "shuffle_options": "y",
    "seen_version": 1,
}
YAML = {
    "id": "new-1",
    "type": "single",
    "topic": "t1",
    "difficulty": "3",
    "stem": "新的题目（　）。",
    "options": "{A: 甲, B: 乙}",
    "answer": "A",
    "source": "测试出处",
}

BAD = [
    ("unknown type", {"type": "essay"}, {"type": "essay"}),
    ("unknown topic", {"topic": "t9"}, {"topic": "t9"}),
    ("difficulty too high", {"difficulty": "9"}, {"difficulty": "9"}),
    ("difficulty not a number", {"difficulty": "难"}, {"difficulty": "难"}),
    ("empty stem", {"stem": "  "}, {"stem": '"  "'}),
    ("empty answer", {"answer": ""}, {"answer": '""'}),
    ("answer not an option", {"answer": "C"}, {"answer": "C"}),
    ("two answers to a single", {"answer": "AB"}, {"answer": "AB"}),
    ("one option", {"options": "甲"}, {"options": "{A: 甲}"}),
    ("nine options", {"options": "\n".join("甲乙丙丁戊己庚辛壬")}, {"options": "{" + ", ".join(f"{k}: {v}" for k, v in zip("ABCDEFGHI", "甲乙丙丁戊己庚辛壬", strict=True)) + "}"}),
    ("same option texts", {"options": "甲\n甲"}, {"options": "{A: 甲, B: 甲}"}),
    ("multiple with one key", {"type": "multiple", "answer": "A"}, {"type": "multiple", "answer": "A"}),
    ("multiple with a repeated key", {"type": "multiple", "answer": "AA"}, {"type": "multiple", "answer": "AA"}),
    ("multiple without options", {"type": "multiple", "options": "", "answer": "AB"}, {"type": "multiple", "options": None, "answer": "AB"}),
    ("judge with options", {"type": "judge", "answer": "对"}, {"type": "judge", "answer": "对"}),
    ("judge answer", {"type": "judge", "options": "", "answer": "也许"}, {"type": "judge", "options": None, "answer": "也许"}),
    ("fill blanks and answers differ", {"type": "fill", "options": "", "stem": "____和____", "answer": "一"}, {"type": "fill", "options": None, "stem": "____和____", "answer": "[一]"}),
    ("fill without blanks", {"type": "fill", "options": "", "answer": "一"}, {"type": "fill", "options": None, "answer": "[一]"}),
    ("ordering missing a key", {"type": "ordering", "options": "甲\n乙\n丙", "answer": "CA"}, {"type": "ordering", "options": "{A: 甲, B: 乙, C: 丙}", "answer": "CA"}),
    ("ordering with a repeated key", {"type": "ordering", "options": "甲\n乙\n丙", "answer": "CAA"}, {"type": "ordering", "options": "{A: 甲, B: 乙, C: 丙}", "answer": "CAA"}),
    ("ordering not shuffled", {"type": "ordering", "answer": "BA", "shuffle_options": ""}, {"type": "ordering", "answer": "BA", "shuffle_options": "false"}),
    ("bad id", {"id": "坏 id"}, {"id": "坏 id"}),
    ("duplicate id", {"id": "s-1"}, {"id": "s-1"}),
]  # fmt: skip


def yaml_with(changes: dict) -> bytes:
    fields = {k: v for k, v in (YAML | changes).items() if v is not None}
    question = "  - " + "\n    ".join(f"{k}: {v}" for k, v in fields.items()) + "\n"
    return (SMALL_BANK + question).encode()


@pytest.mark.parametrize(
    "form_changes, yaml_changes", [c[1:] for c in BAD], ids=[c[0] for c in BAD]
)
def test_form_errors_are_the_yaml_validators(client, ctx, form_changes, yaml_changes):
    publish_small()
    admin_client(client)
    _, report = parse_bank(yaml_with(yaml_changes))
    assert report.errors, "the YAML case must be invalid"
    with current_app.test_request_context():
        labels = field_labels(QuestionForm(meta={"csrf": False}))
    # The validators' own messages, in the form's words (its labels for YAML keys).
    drafted = [form_message(e.message) for e in report.errors]
    expected = [escape(in_form_words(message, labels)) for message in drafted]
    html = post_form(client, f"{BASE}/small/questions/new", FORM | form_changes).get_data(
        as_text=True
    )
    for message in expected:
        assert message in html
    assert versions() == 1
    _, content = load_version("small")
    result = check_draft(content, draft_from_form(FORM | form_changes))
    assert {name for name in result.errors} == {e.field for e in report.errors}
    assert [m for ms in result.errors.values() for m in ms] == drafted


def test_a_good_form_matches_the_yaml_question(ctx):
    bank, report = parse_bank(yaml_with({}))
    assert report.ok
    publish_small()
    _, content = load_version("small")
    result = check_draft(content, draft_from_form(FORM))
    assert result.question == bank.questions[-1]


# --- create, edit, retire -----------------------------------------------------------------


def test_create_edit_retire_each_publish_a_version_by_the_editor(client, ctx):
    publish_small()
    admin = admin_client(client)
    response = post_form(client, f"{BASE}/small/questions/new", FORM | {"seen_version": 1})
    assert response.status_code == 302 and response.headers["Location"].endswith("/new-1")
    version, content = load_version("small")
    assert version.number == 2 and version.published_by_id == admin.id
    assert content.questions[-1].id == "new-1" and content.questions[-1].options[0] == ("A", "甲")

    edit = FORM | {"id": "forged", "stem": "改过的题目（　）。", "seen_version": 2}
    assert post_form(client, f"{BASE}/small/questions/s-1/edit", edit).status_code == 302
    version, content = load_version("small")
    assert version.number == 3 and content.questions[0].id == "s-1"
    assert content.questions[0].stem == "改过的题目（　）。"
    assert "forged" not in {q.id for q in content.questions}

    retire = f"{BASE}/small/questions/m-1/retire"
    assert post_form(client, retire, {"seen_version": 3}).status_code == 302
    version, content = load_version("small")
    assert version.number == 4 and "m-1" not in {q.id for q in content.questions}
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "bank.publish"))
    assert [(e.actor_id, e.target) for e in entries][-3:] == [
        (admin.id, "small v2"),
        (admin.id, "small v3"),
        (admin.id, "small v4"),
    ]


def test_an_edit_against_an_older_version_is_refused(client, ctx):
    publish_small()
    admin_client(client)
    publish_small(SMALL_BANK.replace("预备期为一年", "预备期为两年"))
    html = post_form(
        client,
        f"{BASE}/small/questions/s-1/edit",
        FORM | {"seen_version": 1},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "题库已被他人更新" in html and "现在是第 2 版" in html
    assert versions() == 2
    response = post_form(client, f"{BASE}/small/questions/j-1/retire", {"seen_version": 1})
    assert response.status_code == 302 and versions() == 2


def test_saving_an_unchanged_question_publishes_nothing(client, ctx):
    publish_small()
    admin_client(client)
    page = client.get(f"{BASE}/small/questions/j-1/edit").get_data(as_text=True)
    assert "预备党员的预备期为一年。" in page and ">\r\n对</textarea>" in page
    data = {
        "type": "judge", "topic": "t2", "difficulty": "3", "stem": "预备党员的预备期为一年。",
        "answer": "对", "source": "党章第七条", "shuffle_options": "y", "seen_version": 1,
    }  # fmt: skip
    html = post_form(
        client, f"{BASE}/small/questions/j-1/edit", data, follow_redirects=True
    ).get_data(as_text=True)
    assert "内容没有变化" in html and versions() == 1


def test_retiring_the_last_question_is_refused_by_the_validator(client, ctx):
    publish_small(SMALL_BANK.split("  - id: m-1")[0])
    admin_client(client)
    html = post_form(
        client, f"{BASE}/small/questions/s-1/retire", {"seen_version": 1}, follow_redirects=True
    ).get_data(as_text=True)
    assert "questions 为空" in html and versions() == 1


@pytest.mark.parametrize(
    "path, data",
    [
        ("/small/questions/new", FORM | {"seen_version": 1}),
        ("/small/questions/s-1/edit", FORM | {"seen_version": 1}),
        ("/small/questions/s-1/retire", {"seen_version": 1}),
    ],
)
def test_edits_need_the_csrf_token(client, ctx, path, data):
    publish_small()
    admin_client(client)
    assert client.post(BASE + path, data=data).status_code == 400
    assert versions() == 1


# --- uploads -----------------------------------------------------------------------------


def test_upload_errors_are_shown_beside_their_lines(client, ctx):
    admin_client(client)
    bad = SMALL_BANK.replace("    answer: A\n", "    answer: Z\n").replace(
        "difficulty: 4", "difficulty: 7"
    )
    html = upload(client, bad.encode()).get_data(as_text=True)
    lines = bad.splitlines()
    answer_line = lines.index("    answer: Z") + 1
    difficulty_line = lines.index("    difficulty: 7") + 1
    assert "发现 2 个错误，未做任何更改" in html
    assert f'<span class="lineno">{answer_line}</span><code>    answer: Z</code>' in html
    assert f"第 {answer_line} 行：题目 s-1：答案“Z”不是本题的选项" in html
    assert f"第 {difficulty_line} 行：题目 f-1：difficulty 应为 1 到 5 之间的整数" in html
    assert versions() == 0 and db.session.scalar(select(func.count(BankUpload.id))) == 0


def test_upload_diff_then_publish_once(client, ctx):
    publish_small()
    admin = admin_client(client)
    new = (
        SMALL_BANK.replace("中央政治局}", "中央书记处}").split("  - id: j-1")[0]
        + "  - {id: j-2, type: judge, topic: t2, stem: 新的判断题。, answer: 错, source: 党章}\n"
    )
    response = upload(client, new.encode(), "new.yaml")
    assert response.status_code == 302
    pending = response.headers["Location"]
    html = client.get(pending).get_data(as_text=True)
    assert "新增 1" in html and "修改 1" in html and "停用 2" in html
    assert "j-2" in html and "新的判断题。" in html
    assert "B. 中央政治局" in html and "B. 中央书记处" in html
    assert html.index("B. 中央政治局") < html.index("B. 中央书记处")
    assert "j-1" in html and "f-1" in html and ">发布<" in html.replace('value="发布"', ">发布<")
    assert versions() == 1, "nothing changes before 发布"

    published = post_form(client, pending + "/publish", {}, follow_redirects=True)
    assert "已发布 small 第 2 版：新增 1，修改 1，停用 2" in published.get_data(as_text=True)
    version = load_version("small")[0]
    assert version.number == 2 and version.published_by_id == admin.id
    assert version.note == "网页上传 new.yaml"
    again = post_form(client, pending + "/publish", {}, follow_redirects=True)
    assert "无需再次发布" in again.get_data(as_text=True) and versions() == 2
    assert "发布为第 2 版" in client.get(pending).get_data(as_text=True)


def test_a_new_bank_is_all_added(client, ctx):
    admin_client(client)
    pending = upload(client, SMALL_BANK.encode()).headers["Location"]
    html = client.get(pending).get_data(as_text=True)
    assert "这是一个新题库" in html and "新增 4" in html
    post_form(client, pending + "/publish", {})
    assert load_version("small")[0].number == 1


def test_a_stale_upload_is_not_published(client, ctx):
    publish_small()
    admin_client(client)
    first = upload(client, SMALL_BANK.replace("一年", "两年").encode()).headers["Location"]
    second = upload(client, SMALL_BANK.replace("一年", "三年").encode()).headers["Location"]
    post_form(client, first + "/publish", {})
    html = post_form(client, second + "/publish", {}, follow_redirects=True).get_data(as_text=True)
    assert "上传基于第 1 版，而题库现在是第 2 版" in html
    assert "重新上传" in html and 'action="' + second not in html
    assert versions() == 2 and "两年" in load_version("small")[1].questions[2].stem


def test_an_unchanged_upload_offers_no_publish(client, ctx):
    publish_small()
    admin_client(client)
    html = client.get(upload(client, SMALL_BANK.encode()).headers["Location"]).get_data(
        as_text=True
    )
    assert "无需发布" in html and "/publish" not in html


def alias_bomb() -> bytes:
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.parametrize(
    "data, message",
    [
        (b"\x00\xff\xfe\x89PNG\r\n\x1a\n" * 50, "不是 UTF-8"),
        (SMALL_BANK.encode("gb18030"), "GB18030/GBK"),
        (alias_bomb(), "别名"),
        (b"", "文件为空"),
        (b"x" * 3000, "文件过大"),
        (b"- [unclosed\n", "方括号"),
        (b"bank: small\n\ttitle: x\n", "制表符"),
    ],
    ids=["binary", "gbk", "alias-bomb", "empty", "oversize", "syntax", "tab"],
)
def test_hostile_uploads_get_a_clear_message_and_change_nothing(client, ctx, app, data, message):
    admin_client(client)
    app.config["BANK_MAX_BYTES"] = 2048
    try:
        response = upload(client, data)
    finally:
        app.config["BANK_MAX_BYTES"] = 20 * 1024 * 1024
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert message in html and "未做任何更改" in html
    assert versions() == 0 and db.session.scalar(select(func.count(BankUpload.id))) == 0


def test_upload_without_a_file_or_token(client, ctx):
    admin_client(client)
    assert "请选择要上传的题库文件" in post_form(client, f"{BASE}/upload", {}).get_data(
        as_text=True
    )
    response = client.post(
        f"{BASE}/upload",
        data={"file": (io.BytesIO(SMALL_BANK.encode()), "b.yaml")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400 and versions() == 0


def test_uploads_belong_to_their_uploader_and_expire(client, app, ctx):
    publish_small()
    admin_client(client)
    pending = upload(client, SMALL_BANK.replace("一年", "两年").encode()).headers["Location"]
    other = app.test_client()
    admin_client(other, "admin2")
    assert other.get(pending).status_code == 404
    assert post_form(other, pending + "/publish", {}).status_code == 404
    assert client.get(f"{BASE}/uploads/not-a-real-token").status_code == 404
    stored = db.session.scalar(select(BankUpload))
    stored.created_at -= timedelta(days=2)
    db.session.commit()
    assert client.get(pending).status_code == 404
    assert post_form(client, pending + "/publish", {}).status_code == 404
    upload(client, SMALL_BANK.replace("一年", "三年").encode())
    assert db.session.scalar(select(func.count(BankUpload.id))) == 1, "expired ones are dropped"
    assert versions() == 1


def test_each_uploader_keeps_a_few_pending_uploads(client, ctx):
    admin_client(client)
    for n in range(8):
        upload(client, SMALL_BANK.replace("一年", f"{n}年").encode())
    assert db.session.scalar(select(func.count(BankUpload.id))) == 5


# --- history, diff, download ----------------------------------------------------------------


def test_history_diff_and_yaml_download(client, ctx):
    publish_small()
    publish_small(
        SMALL_BANK.replace("title: 小题库", "title: 小题库（修订）").replace(
            "[战斗堡垒]", "[[战斗堡垒, 基础]]"
        )
    )
    admin_client(client)
    html = client.get(f"{BASE}/small/versions").get_data(as_text=True)
    assert "第 2 版" in html and "第 1 版" in html and "命令行导入" in html
    diff = client.get(f"{BASE}/small/diff?old=1&new=2").get_data(as_text=True)
    assert "小题库（修订）" in diff and "修改 1" in diff and "战斗堡垒 / 基础" in diff
    same = client.get(f"{BASE}/small/diff?old=2&new=2").get_data(as_text=True)
    assert "没有差别" in same
    response = client.get(f"{BASE}/small/versions/1.yaml")
    assert response.headers["Content-Disposition"] == 'attachment; filename="small-v1.yaml"'
    bank, report = parse_bank(response.data)
    assert report.ok and bank == load_version("small", 1)[1]
