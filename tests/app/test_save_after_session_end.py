"""A save whose session has ended is refused in words the page acts on, never answered
with the login page.

A candidate's session ends everywhere when they log out on another device, or when an
admin resets their password or changes their role. The test page saves with ``fetch``,
which follows a redirect: a redirect to the login page came back as that page, 200, and
the page said 已保存 for an answer the server never stored. Now a request that wants
JSON gets 401 with ``expired`` and a Chinese message, and so does a save whose page
token no longer matches its session (a login in another tab gives a new one); the page
keeps the answer and sends it again once the candidate is back (test_save_after_session_end_browser).
"""

from __future__ import annotations

from sqlalchemy import select, update

from app.admin.people.services import reset_password
from app.extensions import db
from app.models import Attempt, Role, User
from app.models.attempt import IN_PROGRESS
from tests.app.exam_fixtures import stored_response
from tests.app.test_attempts import begin, correct_response, items_of, save
from tests.auth import csrf_token, login
from tests.factories import make_user


def test_a_save_after_logging_out_elsewhere_is_refused_as_expired(app, client, ctx):
    make_user("candidate")
    attempt_id, token = begin(client)
    item = items_of(attempt_id)[2]
    phone = app.test_client()
    login(phone, "candidate")
    phone.post("/logout", data={"csrf_token": csrf_token(phone, "/")})  # ends every session
    reply = save(client, attempt_id, {"position": 2, "response": correct_response(item)}, token)
    assert reply.status_code == 401
    assert reply.is_json and reply.get_json()["expired"] is True
    assert "登录" in reply.get_json()["error"]
    assert stored_response(attempt_id, 2) is None


def test_a_save_with_the_token_of_a_session_replaced_by_a_new_login_is_refused_as_expired(
    app, client, ctx
):
    make_user("candidate")
    attempt_id, old_token = begin(client)
    item = items_of(attempt_id)[1]
    phone = app.test_client()
    login(phone, "candidate")
    phone.post("/logout", data={"csrf_token": csrf_token(phone, "/")})
    login(client, "candidate")  # back in another tab of the same browser: a new session and token
    reply = save(client, attempt_id, {"position": 1, "response": correct_response(item)}, old_token)
    assert reply.status_code == 401
    assert reply.get_json()["expired"] is True
    assert "刷新" in reply.get_json()["error"]
    assert stored_response(attempt_id, 1) is None


def test_a_page_without_a_session_still_goes_to_the_login_page(client, ctx):
    make_user("candidate")
    reply = client.get("/")
    assert reply.status_code == 302 and "/login" in reply.headers["Location"]
    assert client.get("/sessions/1").headers["Location"].startswith("/login?next=")


def test_a_save_after_an_admins_password_reset_is_refused_as_expired(client, ctx):
    make_user("candidate")
    attempt_id, token = begin(client)
    item = items_of(attempt_id)[0]
    admin = make_user("sys", role=Role.SYSTEM_ADMIN)
    reset_password(db.session.scalar(select(User).filter_by(username="candidate")), admin)
    reply = save(client, attempt_id, {"position": 0, "response": correct_response(item)}, token)
    assert reply.status_code == 401 and reply.get_json()["expired"] is True
    assert stored_response(attempt_id, 0) is None


def test_a_save_from_a_browser_never_logged_in_is_refused_without_a_redirect(client, ctx):
    """Its own session and a token that matches it, but no login: the save's own check
    (login_claimed) refuses it as a script is refused, not with the login page."""
    make_user("candidate")
    attempt_id, _token = begin(client)
    stranger = client.application.test_client()
    reply = save(
        stranger, attempt_id, {"position": 0, "response": "A"}, csrf_token(stranger, "/login")
    )
    assert reply.status_code == 401 and reply.get_json()["expired"] is True
    assert "Location" not in reply.headers
    assert stored_response(attempt_id, 0) is None


def test_a_save_by_a_user_who_must_change_the_password_first_is_refused(client, ctx):
    """The save reads no user (login_claimed), so its lookup checks what every other page
    of theirs checks before anything else: the password change owed."""
    make_user("candidate")
    attempt_id, token = begin(client)
    item = items_of(attempt_id)[0]
    db.session.execute(
        update(User).where(User.username == "candidate").values(must_change_password=True)
    )
    db.session.commit()
    reply = save(client, attempt_id, {"position": 0, "response": correct_response(item)}, token)
    assert reply.status_code == 403
    assert "修改初始密码" in reply.get_json()["error"]
    assert stored_response(attempt_id, 0) is None


def test_a_submit_that_found_the_login_ended_leads_back_to_the_test_page_to_hand_in_again(
    app, client, ctx
):
    """The login page sends the candidate back to the address the 交卷 posted to, now a
    GET: once a 405 page; now the test page, saying the paper was not handed in."""
    make_user("candidate")
    attempt_id, token = begin(client)
    phone = app.test_client()
    login(phone, "candidate")
    phone.post("/logout", data={"csrf_token": csrf_token(phone, "/")})
    submit_url = f"/attempts/{attempt_id}/submit"
    refused = client.post(submit_url, data={"csrf_token": token})
    assert refused.status_code == 302 and refused.headers["Location"].startswith("/login?next=")
    login(client, "candidate")
    back = client.get(submit_url)
    assert back.status_code == 302 and back.headers["Location"] == f"/attempts/{attempt_id}"
    page = client.get(back.headers["Location"]).get_data(as_text=True)
    assert "试卷尚未交出" in page and 'id="submit-button"' in page
    assert db.session.get(Attempt, attempt_id).status == IN_PROGRESS  # not handed in
