"""排序题 through the web: test page, autosave, submit, review, practice, statistics."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.bank.services import load_version
from app.extensions import db
from app.models import Attempt, AttemptItem, Role
from tests.app.bank_admin_fixtures import admin_client, post_form, publish_small
from tests.app.exam_fixtures import close_now, review_of
from tests.app.ordering_fixtures import open_ordering_sitting
from tests.app.test_attempts import items_of, save, start
from tests.app.test_practice import post_answer
from tests.auth import csrf_token, login
from tests.factories import make_user

ORDERED = re.compile(r'<li class="ordering-item[^"]*" data-key="([A-D])"')


@pytest.fixture
def taking(client, ctx):
    """A candidate on the test page of a fresh attempt: (attempt id, API token)."""
    make_user("candidate", name="张晓明")
    sitting = open_ordering_sitting()
    login(client, "candidate")
    attempt_id = start(client, sitting.id)
    page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    return attempt_id, re.search(r'data-csrf="([^"]+)"', page).group(1)


def fieldset(html: str, position: int) -> str:
    return html.split(f'data-position="{position}" data-type="ordering"')[1].split("</fieldset>")[0]


def submit(client, attempt_id: int, **fields) -> str:
    token = csrf_token(client, f"/attempts/{attempt_id}")
    response = client.post(
        f"/attempts/{attempt_id}/submit",
        data={"csrf_token": token, **fields},
        follow_redirects=True,
    )
    return response.get_data(as_text=True)


def test_the_page_starts_shuffled_unanswered_and_shows_a_saved_order(client, taking):
    attempt_id, token = taking
    first, second = items_of(attempt_id)
    html = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    block = fieldset(html, first.position)
    assert ORDERED.findall(block) == first.option_order != ["C", "A", "D", "B"]
    assert "data-untouched" in block and block.count(" disabled>") == 4  # nothing is sent
    assert block.count('aria-label="上移：') == 4 and block.count('aria-label="下移：') == 4
    assert 'aria-live="polite"' in block

    assert (
        save(client, attempt_id, {"position": 0, "response": list("DCBA")}, token).status_code
        == 200
    )
    block = fieldset(client.get(f"/attempts/{attempt_id}").get_data(as_text=True), 0)
    assert ORDERED.findall(block) == list("DCBA")
    assert "data-untouched" not in block and " disabled>" not in block
    assert "ordering-item" in fieldset(html, second.position)


@pytest.mark.parametrize("response", [list("CAD"), list("CADD"), list("CADE"), "CADB"])
def test_a_response_that_is_not_a_full_order_is_refused(client, taking, response):
    attempt_id, token = taking
    reply = save(client, attempt_id, {"position": 0, "response": response}, token)
    assert reply.status_code == 400
    assert "排序题的答案应为全部选项排成的一个顺序" in reply.get_json()["error"]


def test_scored_by_position_and_reviewed_with_the_order_in_words(client, taking):
    attempt_id, token = taking
    save(client, attempt_id, {"position": 0, "response": list("CADB")}, token)  # all 4 in place
    save(client, attempt_id, {"position": 1, "response": list("BAC")}, token)  # only B in place
    submit(client, attempt_id)
    attempt = db.session.get(Attempt, attempt_id)
    close_now(attempt.sitting)
    html = review_of(client, attempt_id)
    assert attempt.score == 4  # 3 + 3 × 1/3 under ordering_scoring: partial
    verdicts = [i.verdict for i in items_of(attempt_id)]
    assert verdicts == ["correct", "partial"]
    item = items_of(attempt_id)[0]
    letters = {key: "ABCD"[i] for i, key in enumerate(item.option_order)}
    words = " → ".join(
        f"{letters[k]}．{t}"
        for k, t in zip("CADB", ["第一步", "第二步", "第三步", "第四步"], strict=True)
    )
    assert f"正确答案：{words}" in html
    assert "按排在正确位置的项数比例得分" not in html  # rules belong on the start page


def test_an_ordering_never_touched_is_unanswered(client, taking):
    attempt_id, _ = taking
    submit(client, attempt_id)  # the page sends no order for an untouched list
    assert [i.verdict for i in items_of(attempt_id)] == ["unanswered", "unanswered"]


def test_a_posted_page_saves_the_order_it_holds(client, taking):
    attempt_id, _ = taking
    submit(client, attempt_id, q0=list("CADB"), q1=list("CAB"))  # none of o3 in place
    assert [i.verdict for i in items_of(attempt_id)] == ["correct", "wrong"]


def test_the_start_page_states_how_ordering_is_scored(client, ctx):
    make_user("candidate")
    sitting = open_ordering_sitting()
    login(client, "candidate")
    html = client.get(f"/sessions/{sitting.id}").get_data(as_text=True)
    assert "按排在正确位置的项数比例得分" in html


def test_item_statistics_count_per_position_who_got_it_right(app, client, taking):
    attempt_id, token = taking
    save(client, attempt_id, {"position": 0, "response": list("CBDA")}, token)  # 1st, 3rd right
    submit(client, attempt_id)
    make_user("admin", role=Role.SYSTEM_ADMIN)
    admin = app.test_client()
    login(admin, "admin")
    exam_id = db.session.scalar(select(Attempt)).sitting.exam_id
    html = admin.get(f"/admin/results/exams/{exam_id}/statistics").get_data(as_text=True)
    block = html.split("<strong>o4</strong>")[1].split("</details>")[0]
    assert "<th>正确顺序</th><th>排对人次</th>" in block
    rows = re.findall(r"<td>(第 \d 位) ([^<]+)</td><td>(\d+)</td>", block)
    assert rows == [
        ("第 1 位", "C．第一步", "1"),
        ("第 2 位", "A．第二步", "0"),
        ("第 3 位", "D．第三步", "1"),
        ("第 4 位", "B．第四步", "0"),
    ]
    awarded = db.session.scalar(select(AttemptItem.awarded).where(AttemptItem.position == 0))
    assert awarded == Decimal("1.50")  # two of four in place, of 3 points


def test_practice_feedback_shows_the_right_order_and_each_position(client, ctx):
    make_user("alice")
    open_ordering_sitting(())
    login(client, "alice")
    data = {"bank": "order-demo", "topics": ["steps"], "count": "5", "types": ["ordering"]}
    data["csrf_token"] = csrf_token(client, "/practice/")
    page = client.post("/practice/", data=data, follow_redirects=True).get_data(as_text=True)
    assert "所选范围只有 2 道题" in page and "排序题" in page
    assert 'name="answer" value=' in page and " disabled>" not in page  # the shown order is sent
    assert "/assets/question-types.js" in page
    key = re.search(r'name="question" type="hidden" value="([^"]+)"', page).group(1)
    wrong = {"o4": list("CABD"), "o3": list("BAC")}[key]
    html = post_answer(client, page, key, {"answer": wrong}).get_data(as_text=True)
    assert "回答错误" in html  # practice is all or nothing
    correct = re.search(r"正确答案：</strong>(.*?)</p>", html).group(1)
    given = re.search(r"你的答案：</strong>(.*?)</p>", html).group(1)
    right_texts = {"o4": ["第一步", "第二步", "第三步", "第四步"], "o3": ["甲项", "乙项", "丙项"]}[
        key
    ]
    assert [part.split("．")[1] for part in correct.split(" → ")] == right_texts
    assert len(given.split(" → ")) == len(right_texts)
    marks = re.findall(r'<li class="ordering-item (right|wrong)"', html)
    assert (
        marks
        == {"o4": ["right", "right", "wrong", "wrong"], "o3": ["right", "wrong", "wrong"]}[key]
    )
    assert "上移" not in html  # answered: the order is fixed


def test_practice_refuses_a_posted_order_that_is_not_every_item_once(client, ctx):
    make_user("alice")
    open_ordering_sitting(())
    login(client, "alice")
    data = {
        "bank": "order-demo",
        "topics": ["steps"],
        "count": "5",
        "csrf_token": csrf_token(client, "/practice/"),
    }
    page = client.post("/practice/", data=data, follow_redirects=True).get_data(as_text=True)
    key = re.search(r'name="question" type="hidden" value="([^"]+)"', page).group(1)
    html = post_answer(client, page, key, {"answer": ["A", "A"]}).get_data(as_text=True)
    assert "排序题的答案应为全部选项排成的一个顺序" in html


def test_the_bank_editor_writes_reads_and_diffs_an_ordering_question(client, ctx):
    publish_small()
    admin_client(client)
    form = {
        "id": "o-1", "type": "ordering", "topic": "t1", "difficulty": "3",
        "stem": "按先后排列（　）。", "options": "甲\n乙\n丙", "answer": "C A B",
        "source": "测试出处", "shuffle_options": "y", "seen_version": 1,
    }  # fmt: skip
    response = post_form(client, "/admin/banks/small/questions/new", form)
    assert response.status_code == 302, response.get_data(as_text=True)
    question = load_version("small")[1].questions[-1]
    assert (question.type, question.keys) == ("ordering", ("C", "A", "B"))
    edit_page = client.get("/admin/banks/small/questions/o-1/edit").get_data(as_text=True)
    assert (
        re.search(r'name="answer"[^>]*>\s*CAB</textarea>', edit_page)
        and "排序：按正确顺序写出全部选项字母" in edit_page
    )
    listing = client.get("/admin/banks/small/").get_data(as_text=True)
    assert '<span class="badge">排序</span>' in listing
    edited = form | {"answer": "ACB", "seen_version": 2}
    assert post_form(client, "/admin/banks/small/questions/o-1/edit", edited).status_code == 302
    diff = client.get("/admin/banks/small/diff?old=2&new=3").get_data(as_text=True)
    assert "C．丙 → A．甲 → B．乙" in diff and "A．甲 → C．丙 → B．乙" in diff
    exported = client.get("/admin/banks/small/versions/3.yaml").get_data(as_text=True)
    assert "answer: ACB" in exported
