"""Guessing passwords does not pay, and nobody can lock anyone else out (issue 10,
items 10 and 11): throttles per account and address and per address, growing delays,
counted atomically; nothing tells whether a username exists."""

from __future__ import annotations

import re
import threading
import time
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import event, select, update

from app.auth import passwords, throttle
from app.auth.services import LoginRefused, authenticate
from app.extensions import db
from app.models import LoginThrottle, User
from tests.auth import csrf_token, login
from tests.factories import make_user


def _login_from(app: Flask, address: str, username: str, password: str) -> str:
    client = app.test_client()
    token = csrf_token(client, "/login")
    response = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token},
        environ_base={"REMOTE_ADDR": address},
    )
    return "ok" if response.status_code == 302 else response.get_data(as_text=True)


def test_a_guesser_elsewhere_cannot_lock_the_owner_out(app, ctx):
    make_user("admin")
    for _ in range(app.config["LOGIN_MAX_FAILURES"] + 3):
        _login_from(app, "203.0.113.9", "admin", "guess")
    assert "尝试次数过多" in _login_from(app, "203.0.113.9", "admin", "correct-horse-1")
    assert _login_from(app, "198.51.100.7", "admin", "correct-horse-1") == "ok"


def test_the_wait_is_said_in_minutes_and_grows(app, ctx):
    make_user("zhang")
    limit = app.config["LOGIN_MAX_FAILURES"]
    for _ in range(limit):
        page = _login_from(app, "203.0.113.9", "zhang", "guess")
        assert "用户名或密码不正确" in page
    assert "尝试次数过多，请 5 分钟后再试。" in _login_from(app, "203.0.113.9", "zhang", "x")
    # The block runs out; the next failure blocks twice as long.
    db.session.execute(update(LoginThrottle).values(blocked_until=None))
    db.session.commit()
    assert "用户名或密码不正确" in _login_from(app, "203.0.113.9", "zhang", "guess")
    assert "请 10 分钟后再试" in _login_from(app, "203.0.113.9", "zhang", "correct-horse-1")


def test_one_address_trying_many_accounts_is_stopped(app, ctx):
    app.config["LOGIN_ADDRESS_MAX_FAILURES"] = 6
    try:
        for number in range(6):
            _login_from(app, "203.0.113.9", f"user{number}", "123456")
        page = _login_from(app, "203.0.113.9", "someone-else", "123456")
    finally:
        app.config["LOGIN_ADDRESS_MAX_FAILURES"] = 50
    assert re.search(r"请 \d+ 分钟后再试", page)


def test_a_success_clears_the_accounts_count(app, ctx):
    make_user("zhang")
    limit = app.config["LOGIN_MAX_FAILURES"]
    for _ in range(limit - 1):
        _login_from(app, "203.0.113.9", "zhang", "guess")
    assert _login_from(app, "203.0.113.9", "zhang", "correct-horse-1") == "ok"
    for _ in range(limit - 1):
        assert "用户名或密码不正确" in _login_from(app, "203.0.113.9", "zhang", "guess")


def test_concurrent_guesses_never_outnumber_the_limit(app, ctx):
    """Twelve threads guess at once; exactly the limit's number of guesses is checked."""
    make_user("zhang")
    checked, lock = [], threading.Lock()
    real = passwords.verify_password

    def counting(stored, password):
        with lock:
            checked.append(password)
        return real(stored, password)

    outcomes: list[str] = []

    def guess(number: int) -> None:
        with app.app_context():
            try:
                authenticate("zhang", f"guess-{number}", "203.0.113.9")
                outcomes.append("in")
            except LoginRefused as exc:
                outcomes.append(exc.message)
            finally:
                db.session.remove()

    passwords.verify_password = counting
    try:
        threads = [threading.Thread(target=guess, args=(n,)) for n in range(12)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        passwords.verify_password = real
    assert len(outcomes) == 12 and "in" not in outcomes
    assert len(checked) == app.config["LOGIN_MAX_FAILURES"]
    assert sum("尝试次数过多" in text for text in outcomes) == 12 - len(checked)


def _without_values(html: str) -> str:
    """The page less the CSRF token and the echoed username, which differ by design."""
    return re.sub(r'value="[^"]*"', "", html)


def test_unknown_and_known_usernames_look_the_same(app, ctx, monkeypatch):
    make_user("zhang")
    calls: list[str] = []
    real = passwords.verify_password

    def counting(stored, password):
        calls.append(password)
        return real(stored, password)

    monkeypatch.setattr(passwords, "verify_password", counting)
    known = _login_from(app, "203.0.113.9", "zhang", "wrong-1")
    assert calls == ["wrong-1"]
    unknown = _login_from(app, "203.0.113.9", "nobody", "wrong-2")
    assert calls == ["wrong-1", "wrong-2"]
    assert _without_values(known) == _without_values(unknown)


def test_usernames_compare_without_case(app, ctx):
    make_user("admin")
    assert _login_from(app, "203.0.113.9", "Admin", "correct-horse-1") == "ok"
    assert _login_from(app, "203.0.113.9", " ADMIN ", "correct-horse-1") == "ok"


def test_old_scrypt_hashes_still_log_in_and_are_upgraded(app, ctx):
    from werkzeug.security import generate_password_hash

    user = make_user("old")
    user.password_hash = generate_password_hash("correct-horse-1", method="scrypt")
    db.session.commit()
    assert _login_from(app, "203.0.113.9", "old", "correct-horse-1") == "ok"
    db.session.expire_all()
    stored = db.session.scalar(select(User.password_hash).where(User.username == "old"))
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")


@pytest.mark.parametrize(
    ("new", "refused"),
    [
        ("correct-horse-1", "不能与当前密码"),
        ("12345678", "太常见"),
        ("password2026!", "太常见"),
        ("qq123456", "太常见"),
        ("zhangsan-2026", "用户名或姓名"),
        ("张三的密码很长啊", "用户名或姓名"),
        ("aaaaaaaa1", "重复字符"),
        ("lantern-ridge-47", None),
    ],
)
def test_a_new_password_is_not_the_initial_a_common_or_an_own_name(app, ctx, new, refused):
    make_user("zhangsan", name="张三", must_change_password=True)
    client = app.test_client()
    login(client, "zhangsan")
    response = client.post(
        "/password",
        data={"current": "correct-horse-1", "new": new, "confirm": new,
              "csrf_token": csrf_token(client, "/password")},
    )  # fmt: skip
    if refused:
        assert response.status_code == 200 and refused in response.get_data(as_text=True)
    else:
        assert response.status_code == 302


def test_wrong_current_passwords_are_throttled(app, ctx):
    make_user("zhang")
    client = app.test_client()
    login(client, "zhang")
    pages = []
    for number in range(app.config["LOGIN_MAX_FAILURES"] + 1):
        pages.append(
            client.post(
                "/password",
                data={"current": f"guess-{number}", "new": "lantern-ridge-47",
                      "confirm": "lantern-ridge-47", "csrf_token": csrf_token(client, "/password")},
            ).get_data(as_text=True)
        )  # fmt: skip
    assert all("当前密码不正确" in page for page in pages[:-1])
    assert "尝试次数过多" in pages[-1]


def test_the_block_is_shown_in_minutes_and_seconds():
    from app.auth.throttle import wait_in_words

    assert wait_in_words(timedelta(seconds=300)) == " 5 分钟"
    assert wait_in_words(timedelta(seconds=90.2)) == " 1 分 31 秒"
    assert wait_in_words(timedelta(seconds=12)) == " 12 秒"


def test_an_imported_accounts_cheap_hash_costs_an_argon2_check_too(app, ctx, monkeypatch):
    """Timing tells an unused imported account no more than an unknown username."""
    from werkzeug.security import generate_password_hash

    from app.admin.people.accounts import INITIAL_HASH

    user = make_user("imported")
    user.password_hash = generate_password_hash("initial-Pw-1", method=INITIAL_HASH)
    db.session.commit()
    checks: list[str] = []
    real = passwords.HASHER

    class Counting:
        def __getattr__(self, name):
            return getattr(real, name)

        def verify(self, stored, password):
            checks.append(password)
            return real.verify(stored, password)

    monkeypatch.setattr(passwords, "HASHER", Counting())
    _login_from(app, "203.0.113.9", "imported", "wrong-1")
    _login_from(app, "203.0.113.9", "nobody", "wrong-2")
    assert checks == ["wrong-1", "wrong-2"]


def test_an_offices_sign_ins_do_not_queue_on_their_shared_address(app, ctx, database_url):
    """While one sign-in's account key is being claimed (its transaction held open here),
    another account's sign-in from the same address counts its try at once: the
    address's row is not held locked to the end of the first one's transaction."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite serializes every write transaction: nothing to tell apart")
    address = "198.51.100.20"
    throttle.claim(throttle.login_limits("warm", address))  # the address's row exists
    holding, release = threading.Event(), threading.Event()

    def hold_alphas_claim(_conn, _cursor, statement, parameters, *_args) -> None:
        if statement.startswith("INSERT INTO login_throttle") and "login:alpha|" in str(parameters):
            holding.set()
            release.wait(10)

    def sign_in(username: str, done: list[float]) -> None:
        with app.app_context():
            try:
                throttle.claim(throttle.login_limits(username, address))
                done.append(time.monotonic())
            finally:
                db.session.remove()

    alpha_done: list[float] = []
    beta_done: list[float] = []
    event.listen(db.engine, "before_cursor_execute", hold_alphas_claim)
    alpha = threading.Thread(target=sign_in, args=("alpha", alpha_done))
    beta = threading.Thread(target=sign_in, args=("beta", beta_done))
    try:
        alpha.start()
        assert holding.wait(10)
        beta.start()
        beta.join(5)
        released_at = time.monotonic()
    finally:
        release.set()
        alpha.join(10)
        beta.join(10)
        event.remove(db.engine, "before_cursor_execute", hold_alphas_claim)
    assert beta_done and beta_done[0] < released_at, "beta waited for alpha's transaction"
    assert alpha_done
    counted = db.session.scalar(
        select(LoginThrottle.failures).where(LoginThrottle.key == f"addr:{address}")
    )
    assert counted == 3  # warm, alpha, beta: none lost
