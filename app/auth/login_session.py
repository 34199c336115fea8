"""Who is logged in: the login manager, session versions, idle time and the forced
password change, wired into the app by the factory.

A session cookie carries the user's ``session_version``; logging out, changing a
password and an admin's reset raise the version, so every copy of an older cookie
stops working at once. Sessions are permanent with a lifetime of
``SESSION_IDLE_MINUTES`` and refreshed by the requests (``cookie_session``: every few
minutes), so Flask's signed timestamp refuses a cookie left idle longer than that.
"""

from __future__ import annotations

from datetime import timedelta
from functools import wraps
from typing import Any, NamedTuple

from flask import Flask, Response, current_app, flash, g, redirect, request, session, url_for
from flask_login import current_user, login_url, login_user, logout_user
from sqlalchemy import bindparam, select

from app.auth.cookie_session import SlidingCookieSessionInterface
from app.database import View
from app.errors import expired_response, wants_json
from app.extensions import db, login_manager
from app.models import User
from app.refusal import Refused

SESSION_VERSION_KEY = "_sv"
# Built once: every request loads its user, and building the statement (what
# ``Session.get`` does on each call) costs more than running it.
_USER = select(User).where(User.id == bindparam("user_id"))


def load_user(user_id: str) -> User | None:
    """The user of this session, unless the session is of an older version."""
    if not user_id.isdigit():
        return None
    user = db.session.scalar(_USER, {"user_id": int(user_id)})
    if user is None or session.get(SESSION_VERSION_KEY) != user.session_version:
        return None
    return user


def start_session(user: User) -> None:
    """A fresh session at login (no fixation): old contents and CSRF token are dropped."""
    session.clear()
    g.pop("csrf_token", None)
    session.permanent = True
    session[SESSION_VERSION_KEY] = user.session_version
    login_user(user)


def end_sessions(user: User) -> None:
    """Every session of this user, wherever its cookie was copied, ends (commit follows)."""
    user.session_version += 1


def end_this_session() -> None:
    logout_user()
    session.clear()


# Endpoints that read no user: a sealed paper's key is asked for by thousands at the open.
# A ``login_claimed`` view reads none either (it checks its session's claim, and the
# password change, in its own statement): marked by ``_CHECKS_OWN_LOGIN``.
_WITHOUT_USER = frozenset({"auth.password", "auth.logout", "static", "exam.paper_key"})
_CHECKS_OWN_LOGIN = "checks_own_login"
# Endpoints that read no session at all (cookie_session): the sealed papers' keys, asked
# for by every candidate at the open.
_WITHOUT_SESSION = frozenset({"exam.paper_key"})


def require_password_change():
    """Accounts with an initial password may do nothing else until they change it."""
    if request.endpoint in _WITHOUT_USER or _checks_own_login(request.endpoint):
        return None
    if current_user.is_authenticated and current_user.must_change_password:
        return redirect(url_for("auth.password"))
    return None


def _checks_own_login(endpoint: str | None) -> bool:
    view = current_app.view_functions.get(endpoint) if endpoint else None
    return getattr(view, _CHECKS_OWN_LOGIN, False)


# Said to a page's script whose session has ended (the test page says what it does then).
EXPIRED_MESSAGE = "登录已失效（可能已在其他设备上退出登录），请重新登录。"


def not_logged_in() -> Response:
    """A page goes to the login page and back; a script gets 401 (``expired_response``)."""
    if wants_json():
        return expired_response(EXPIRED_MESSAGE)
    flash(login_manager.login_message, login_manager.login_message_category)
    return redirect(login_url(login_manager.login_view, next_url=request.url))


class LoginExpired(Exception):
    """The session a request's cookie claims has ended (found by a view that checks the
    claim itself): answered as a request without a login (``unauthorized``)."""


class SessionLogin(NamedTuple):
    """Who this request's signed cookie says is logged in, and in which session version."""

    user_id: int
    session_version: int

    def check(self, user_row: Any, password_owed: str = "请先修改初始密码。") -> None:
        """The claim against its user's ``session_version`` and ``must_change_password``,
        read in the view's own statement: an ended session is ``LoginExpired``; a password
        owed refuses everything but its change (403, ``password_owed`` says so), as every
        other page of theirs until it is changed."""
        if user_row.session_version != self.session_version:
            raise LoginExpired()
        if user_row.must_change_password:
            raise Refused(password_owed, 403)


def login_claimed(view: View) -> View:
    """``login_required`` for a view that checks the login in its own statement: the
    user's load is a query and an ORM object on every request, and a save (every answer
    of every candidate) needs only the id and the session version, which its one lookup
    compares with the user's row (``app.exam.answers``). The view gets ``g.login``; a
    request whose cookie claims no login gets what ``login_required`` gives it (the login
    manager's ``unauthorized``)."""

    @wraps(view)
    def checked(*args, **kwargs):
        user_id, version = session.get("_user_id"), session.get(SESSION_VERSION_KEY)
        if not isinstance(user_id, str) or not user_id.isdigit() or not isinstance(version, int):
            return login_manager.unauthorized()
        g.login = SessionLogin(int(user_id), version)
        return view(*args, **kwargs)

    setattr(checked, _CHECKS_OWN_LOGIN, True)  # the password-change hook leaves it alone
    return checked  # type: ignore[return-value]


def configure_login_sessions(app: Flask) -> None:
    app.session_interface = SlidingCookieSessionInterface(unread_endpoints=_WITHOUT_SESSION)
    app.permanent_session_lifetime = timedelta(minutes=app.config["SESSION_IDLE_MINUTES"])
    login_manager.login_view = "auth.login"
    login_manager.login_message = "请先登录。"
    login_manager.login_message_category = "info"
    login_manager.user_loader(load_user)
    login_manager.unauthorized_handler(not_logged_in)
    app.register_error_handler(LoginExpired, lambda _expired: login_manager.unauthorized())
    app.before_request(require_password_change)
