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

A cookie once verified is remembered (``VerifiedCookies``): a candidate sends the same
cookie with every save and poll of a sitting, and verifying it again is as much CPU as
the save's own statements. The remembered entry keeps when it was signed, so its age is
checked on every request as itsdangerous checks it.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from flask import Flask, Request, Response
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin
from itsdangerous import BadSignature

REFRESH_FRACTION = 60  # signed again once older than lifetime / REFRESH_FRACTION
REMEMBERED_COOKIES = 10_000  # a large sitting's candidates: ~16 MB at most per process
FLAT = (str, int, float, bool, type(None))


class VerifiedCookies:
    """Cookies whose signature was checked, with their data and signing time: a bounded
    map, its oldest entry dropped first, safe across a server's threads. Each request's
    session is a copy of the data kept (``SecureCookieSession`` copies what it is given),
    a shallow one: so only sessions of plain values are kept, and a request that changes
    its session (appends to its list of flashed messages, say) cannot change what the
    next request with that cookie gets."""

    def __init__(self, size: int = REMEMBERED_COOKIES) -> None:
        self.size = size
        self._entries: dict[str, tuple[dict, datetime]] = {}
        self._lock = threading.Lock()

    def get(self, cookie: str) -> tuple[dict, datetime] | None:
        return self._entries.get(cookie)

    def keep(self, cookie: str, data: dict, signed_at: datetime) -> None:
        if not all(isinstance(value, FLAT) for value in data.values()):
            return
        with self._lock:
            if len(self._entries) >= self.size:
                del self._entries[next(iter(self._entries))]
            self._entries[cookie] = (data, signed_at)


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
        self.verified = VerifiedCookies()

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
        if not app.secret_key:
            return None
        cookie = request.cookies.get(self.get_cookie_name(app))
        if not cookie:
            return self.session_class()
        lifetime = app.permanent_session_lifetime
        remembered = self.verified.get(cookie)
        if remembered is None:
            serializer = self.get_signing_serializer(app)
            try:
                data, signed_at = serializer.loads(
                    cookie, max_age=int(lifetime.total_seconds()), return_timestamp=True
                )
            except BadSignature:
                return self.session_class()
            self.verified.keep(cookie, data, signed_at)
        else:
            data, signed_at = remembered
            if not timedelta(0) <= datetime.now(UTC) - signed_at <= lifetime:
                return self.session_class()  # expired, as itsdangerous would say
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
