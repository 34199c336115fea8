"""Logging in and out: hashed passwords, CSRF on every form, throttling, forced change."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import Role, User
from tests.auth import csrf_token, login
from tests.factories import make_user


def test_login_page_is_chinese_and_works_on_a_phone(client):
    html = client.get("/login").get_data(as_text=True)
    assert '<html lang="zh-CN"' in html
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in html
    assert "登录" in html


def test_anonymous_users_are_sent_to_login(client):
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_login_and_logout(client, ctx):
    make_user("zhang", name="张三")
    response = login(client, "zhang")
    assert response.status_code == 302
    assert "您好，张三" in client.get("/").get_data(as_text=True)
    token = csrf_token(client, "/")
    client.post("/logout", data={"csrf_token": token})
    assert client.get("/").status_code == 302


def test_passwords_are_stored_hashed(ctx):
    user = make_user("zhang", password="correct-horse-1")
    assert "correct-horse-1" not in user.password_hash
    assert user.password_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")


def test_wrong_password_is_refused_with_a_message(client, ctx):
    make_user("zhang")
    response = login(client, "zhang", "wrong-password")
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.get_data(as_text=True)


def test_a_post_without_csrf_token_is_refused(client, ctx):
    make_user("zhang")
    response = client.post("/login", data={"username": "zhang", "password": "correct-horse-1"})
    assert response.status_code == 400
    assert "页面已过期" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_repeated_failures_lock_the_account_even_for_the_right_password(client, app, ctx):
    make_user("zhang")
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        login(client, "zhang", "guess")
    response = login(client, "zhang", "correct-horse-1")
    assert "尝试次数过多，请 5 分钟后再试" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_initial_password_must_be_changed_before_anything_else(client, ctx):
    make_user("zhang", must_change_password=True)
    response = login(client, "zhang")
    assert response.headers["Location"].endswith("/password")
    assert client.get("/").headers["Location"].endswith("/password")
    token = csrf_token(client, "/password")
    short = client.post(
        "/password",
        data={
            "current": "correct-horse-1",
            "new": "short",
            "confirm": "short",
            "csrf_token": token,
        },
    )
    assert "新密码长度应为 8 到 128 个字符" in short.get_data(as_text=True)
    client.post(
        "/password",
        data={
            "current": "correct-horse-1",
            "new": "lantern-ridge-47",
            "confirm": "lantern-ridge-47",
            "csrf_token": token,
        },
    )
    assert client.get("/").status_code == 200
    user = db.session.scalar(select(User).where(User.username == "zhang"))
    db.session.refresh(user)
    assert user.must_change_password is False and user.check_password("lantern-ridge-47")


def test_login_does_not_redirect_to_other_sites(client, ctx):
    make_user("zhang")
    token = csrf_token(client, "/login")
    response = client.post(
        "/login?next=//evil.example/x",
        data={"username": "zhang", "password": "correct-horse-1", "csrf_token": token},
    )
    assert response.headers["Location"] == "/"


def test_roles_and_unit_tree(ctx):
    from app.models import Unit

    root = Unit(name="市级机关工委")
    bureau = Unit(name="市财政局", parent=root)
    office = Unit(name="办公室", parent=bureau)
    db.session.add_all([root, bureau, office])
    admin = make_user("fin-admin", role=Role.UNIT_ADMIN, unit=bureau)
    assert bureau.subtree_ids() == {bureau.id, office.id}
    assert admin.role_title == "单位管理员"


def test_demo_seed_is_repeatable(runner, ctx):
    first = runner.invoke(args=["demo", "seed"])
    second = runner.invoke(args=["demo", "seed"])
    assert first.exit_code == second.exit_code == 0
    roles = sorted(u.role.value for u in db.session.scalars(select(User)))
    assert roles == ["candidate", "system_admin", "unit_admin"]


def test_demo_seed_opens_one_demo_sitting_for_the_demo_unit(runner, ctx):
    from pathlib import Path

    from app.bank.services import publish
    from app.exam.exams import save_exam
    from app.exam.sittings import sittings_for
    from tests.app.exam_fixtures import shipped_bank

    publish(shipped_bank())
    exams = Path(__file__).resolve().parents[2] / "question_bank" / "exams"
    save_exam((exams / "secretary-pre-appointment.yaml").read_bytes(), "secretary.yaml")
    runner.invoke(args=["demo", "seed"])
    runner.invoke(args=["demo", "seed"])
    candidate = db.session.scalar(select(User).where(User.username == "candidate"))
    sittings = sittings_for(candidate)
    assert [s.title for s in sittings] == ["演示场次：党组织书记任前党务知识测试"]
    assert candidate.position  # so a pass issues a certificate naming the position


def test_login_page_links_verification_and_says_what_to_do_about_a_forgotten_password(client):
    html = client.get("/login").get_data(as_text=True)
    assert '<a href="/verify">证书核验</a>无需登录' in html
    assert "忘记密码" in html and "单位管理员重置" in html


def test_a_login_refused_by_the_throttle_says_for_how_long_and_is_audited_as_locked(
    client, app, ctx
):
    from app.models import AuditEntry

    make_user("zhang")
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        login(client, "zhang", "wrong-password")
    html = login(client, "zhang", "correct-horse-1").get_data(as_text=True)
    minutes = app.config["LOGIN_LOCK_SECONDS"] // 60
    assert f"请 {minutes} 分钟后再试" in html
    last = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert (last.action, last.target, last.details["locked"]) == (
        "auth.login_failed",
        "zhang",
        True,
    )


def test_logins_failures_and_password_changes_are_audited(client, ctx):
    from app.models import AuditEntry

    make_user("zhang")
    login(client, "zhang", "wrong-password")
    login(client, "nobody", "whatever")
    login(client, "zhang")
    token = csrf_token(client, "/password")
    client.post("/password", data={"csrf_token": token, "current": "correct-horse-1",
                                   "new": "a-much-better-pass-9", "confirm": "a-much-better-pass-9"})  # fmt: skip
    entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [(e.action, e.target) for e in entries] == [
        ("auth.login_failed", "zhang"),
        ("auth.login_failed", "nobody"),
        ("auth.login", "zhang"),
        ("auth.password_change", "zhang"),
    ]
    assert entries[0].actor is None and entries[2].actor.username == "zhang"


def test_no_transaction_is_open_while_a_sign_in_checks_a_password(client, ctx, monkeypatch):
    """A hash check takes a tenth of a second or more; a read left open across it holds
    back PostgreSQL's cleanup of old row versions, and a session's sign-ins (twenty a
    second, for ten minutes) would hold it back all the time. Known and unknown usernames
    alike; an imported account's cheap hash is still renewed at its first sign-in."""
    from werkzeug.security import generate_password_hash

    from app.auth import passwords

    make_user("zhang", password="correct-horse-1")
    imported = make_user("li")
    imported.password_hash = generate_password_hash("initial-pass-9", "pbkdf2:sha256:1000")
    db.session.commit()
    open_during_check: list[bool] = []
    real = passwords.verify_password

    def watched(stored: str, password: str) -> passwords.PasswordCheck:
        open_during_check.append(db.session().in_transaction())
        return real(stored, password)

    monkeypatch.setattr(passwords, "verify_password", watched)
    assert login(client, "zhang", "correct-horse-1").status_code == 302
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, "nobody-here", "whatever-1")
    login(client, "zhang", "wrong-horse-1")
    assert login(client, "li", "initial-pass-9").status_code == 302
    assert open_during_check and not any(open_during_check)
    db.session.expire_all()
    renewed = db.session.scalar(select(User).where(User.username == "li")).password_hash
    assert renewed.startswith("$argon2id$")
