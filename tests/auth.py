"""Logging a test client in as a user would: the login page's form and its CSRF token.
The ``auth`` fixture (tests/conftest.py) wraps these for one client."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

CSRF = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"'
)


def csrf_token(client: FlaskClient, path: str) -> str:
    """The token a real browser would send, read from the page's form."""
    html = client.get(path).get_data(as_text=True)
    match = CSRF.search(html)
    assert match, f"no CSRF token on {path}"
    return match.group(1) or match.group(2)


def login(client: FlaskClient, username: str, password: str = "correct-horse-1"):
    token = csrf_token(client, "/login")
    return client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}
    )


class Auth:
    """The test client's login, as the ``auth`` fixture gives it."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def login(self, username: str = "candidate", password: str = "correct-horse-1"):
        return login(self.client, username, password)
