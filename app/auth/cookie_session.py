"""The signed cookie session, signed again once it is a little old rather than on every
request.

Sessions are permanent and their lifetime is the idle time (``login_session``): each
signing restarts it. Flask signs and sets the cookie on every response for that, which
is an eighth of a status poll's CPU; during a sitting every candidate saves an answer or
polls every minute or so. Here an unchanged session is signed again only once its
signature is older than a sixtieth of the lifetime (four minutes of the default four
hours), so an idle session ends at most that much sooner than it did, never later, and
any change to the session (login, logout, a new CSRF token, a message) is sent at once.

Requests for endpoints that need no session (``unread_endpoints``: a sealed paper's key,
asked by every candidate in the first seconds of the open) get an empty one that is never
saved. They are told by their path, since the session is opened before the URL is
matched to an endpoint: the
cookie is neither verified (an HMAC and a zlib and JSON decoding, ~10 % of a key's
Python time on a new connection, bench/RESULTS.md) nor signed again, and cannot be
replaced by whatever that request might put in a session.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask, Request, Response
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin
from itsdangerous import BadSignature

REFRESH_FRACTION = 60  # signed again once older than lifetime / REFRESH_FRACTION


class SignedAtSession(SecureCookieSession):
    """The session and when its cookie was signed (None for a new one)."""

    signed_at: datetime | None = None


class UnreadSession(SignedAtSession):
    """The session of a request whose path reads none: empty, and never saved."""


class SlidingCookieSessionInterface(SecureCookieSessionInterface):
    session_class = SignedAtSession

    def __init__(self, unread_endpoints: frozenset[str] = frozenset()) -> None:
        self.unread_endpoints = unread_endpoints
        self._unread_paths: tuple[str, ...] | None = None

    def unread_paths(self, app: Flask) -> tuple[str, ...]:
        """The start of each unread endpoint's URL rule, up to its first variable (every
        rule of these has one), read once the blueprints are registered."""
        if self._unread_paths is None:
            self._unread_paths = tuple(
                rule.rule.split("<", 1)[0]
                for rule in app.url_map.iter_rules()
                if rule.endpoint in self.unread_endpoints
            )
        return self._unread_paths

    def open_session(self, app: Flask, request: Request) -> SignedAtSession | None:
        if request.path.startswith(self.unread_paths(app)):
            return UnreadSession()
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        cookie = request.cookies.get(self.get_cookie_name(app))
        if not cookie:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        try:
            data, signed_at = serializer.loads(cookie, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        session = self.session_class(data)
        session.signed_at = signed_at
        return session

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        if not isinstance(session, UnreadSession):
            super().save_session(app, session, response)

    def should_set_cookie(self, app: Flask, session: SessionMixin) -> bool:
        if not super().should_set_cookie(app, session):
            return False
        signed_at = getattr(session, "signed_at", None)
        if session.modified or signed_at is None:
            return True
        age = datetime.now(UTC) - signed_at
        return age >= app.permanent_session_lifetime / REFRESH_FRACTION
