"""Log in, log out, change password."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.auth.forms import ChangePasswordForm, LoginForm
from app.auth.login_session import end_sessions, end_this_session, start_session
from app.auth.services import LoginRefused, authenticate, change_password, check_current_password
from app.extensions import db
from app.refusal import flash_refusal

bp = Blueprint("auth", __name__)


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


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = authenticate(form.username.data, form.password.data, request.remote_addr)
        except LoginRefused as exc:
            flash_refusal(exc)
            return render_template("auth/login.html", form=form)
        start_session(user)
        if user.must_change_password:
            flash("首次登录请先修改初始密码。", "warning")
            return redirect(url_for("auth.password"))
        return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    end_sessions(current_user)
    db.session.commit()
    end_this_session()
    flash("您已退出登录。", "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    form = ChangePasswordForm(current_user)
    if form.validate_on_submit():
        error = check_current_password(current_user, form.current.data)
        if error:
            form.current.errors.append(error)
        else:
            user = current_user._get_current_object()
            change_password(user, form.new.data)
            start_session(user)
            flash("密码已修改。", "success")
            return redirect(url_for("main.index"))
    return render_template("auth/password.html", form=form)
