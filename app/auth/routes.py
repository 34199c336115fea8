"""Log in, log out, change password."""

from __future__ import annotations

import math
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from app.auth.forms import ChangePasswordForm, LoginForm
from app.auth.services import LoginOutcome, authenticate, change_password, record_login
from app.extensions import db, login_manager
from app.models import User
from app.models.audit import record
from app.models.types import utcnow

bp = Blueprint("auth", __name__)
login_manager.login_view = "auth.login"
login_manager.login_message = "请先登录。"
login_manager.login_message_category = "info"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id)) if user_id.isdigit() else None


def _safe_next(target: str | None) -> str:
    """Only same-site paths, so the login page cannot be used to redirect elsewhere."""
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and not urlsplit(target).netloc
    ):
        return target
    return url_for("main.index")


def _refusal(outcome: LoginOutcome, user: User | None) -> str:
    if outcome is not LoginOutcome.LOCKED:
        return "用户名或密码不正确。"
    if user is not None and user.locked_until is not None:
        minutes = max(1, math.ceil((user.locked_until - utcnow()).total_seconds() / 60))
        return f"登录失败次数过多，账号已暂时锁定，请 {minutes} 分钟后再试。"
    return "登录失败次数过多，账号已暂时锁定，请稍后再试。"


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        outcome, user = authenticate(form.username.data, form.password.data)
        record_login(outcome, form.username.data, user, request.remote_addr)
        if outcome is LoginOutcome.OK:
            login_user(user)
            if user.must_change_password:
                flash("首次登录请先修改初始密码。", "warning")
                return redirect(url_for("auth.password"))
            return redirect(_safe_next(request.args.get("next")))
        flash(_refusal(outcome, user), "error")
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    flash("您已退出登录。", "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current.data):
            form.current.errors.append("当前密码不正确")
        else:
            change_password(current_user, form.new.data)
            record(current_user, "auth.password_change", current_user.username)
            db.session.commit()
            flash("密码已修改。", "success")
            return redirect(url_for("main.index"))
    return render_template("auth/password.html", form=form)
