"""No script can run that the app did not ship: no inline script, handler or
``javascript:`` URL in any template, and a strict CSP with its companion headers on
every response, whoever asks and whatever the status (issue 10, item 8)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask

from app.extensions import db
from app.headers import HEADERS
from app.models import Role, Unit
from tests.auth import login
from tests.factories import make_user

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app"
MARKUP = sorted(
    [
        *APP.glob("templates/**/*.html"),
        *APP.glob("static/**/*.html"),
        *APP.glob("static/**/*.svg"),
        *(ROOT / "question_bank" / "types").glob("*/templates/**/*.html"),
    ]
)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
JS_URL = re.compile(r"javascript:", re.IGNORECASE)
STYLE = re.compile(r"<style|\sstyle\s*=", re.IGNORECASE)


def test_the_templates_were_found():
    assert len(MARKUP) > 40


@pytest.mark.parametrize("path", MARKUP, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_inline_script_handler_javascript_url_or_style(path: Path):
    text = path.read_text(encoding="utf-8")
    assert not INLINE_SCRIPT.search(text), "inline <script>: move it to app/static/"
    assert not HANDLER.search(text), "inline event handler: use data-* and a static script"
    assert not JS_URL.search(text), "javascript: URL"
    assert not STYLE.search(text), "inline style: use a class in the stylesheet"


def test_the_policy_allows_no_inline_script():
    policy = dict(part.split(" ", 1) for part in HEADERS["Content-Security-Policy"].split("; "))
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["default-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["base-uri"] == "'none'"
    assert policy["form-action"] == "'self'"
    assert policy["img-src"] == "'self' data:"


def _sample_url(rule) -> str:
    values = {}
    for name, converter in rule._converters.items():
        options = getattr(converter, "items", None)
        values[name] = (
            sorted(options)[0]
            if options
            else "1"
            if "int" in type(converter).__name__.lower()
            else "x"
        )
    path = rule.rule
    for name, value in values.items():
        path = re.sub(rf"<[^>]*\b{name}>", str(value), path)
    return path


def _assert_headers(response, where: str) -> None:
    for name, value in HEADERS.items():
        assert response.headers.get(name) == value, f"{name} missing on {where}"


@pytest.fixture
def people(ctx):
    unit = Unit(name="市财政局")
    db.session.add(unit)
    db.session.commit()
    make_user("sys", role=Role.SYSTEM_ADMIN, unit=unit)
    make_user("fin", role=Role.UNIT_ADMIN, unit=unit)
    make_user("candidate", unit=unit)


@pytest.mark.parametrize("who", [None, "candidate", "fin", "sys"])
def test_every_route_answers_with_the_security_headers(app: Flask, people, who):
    client = app.test_client()
    if who:
        login(client, who)
    rules = [r for r in app.url_map.iter_rules() if "GET" in r.methods]
    assert len(rules) > 50
    for rule in rules:
        url = _sample_url(rule)
        _assert_headers(client.get(url), f"GET {url} as {who}")
    _assert_headers(client.get("/no/such/page"), "404")
    _assert_headers(client.post("/verify/nothing-here"), "404 POST")
    _assert_headers(client.put("/login"), "405")


def test_a_server_error_has_the_headers_too(app: Flask, people):
    client = app.test_client()
    login(client, "candidate")

    def broken():
        raise RuntimeError("boom")

    original = app.view_functions["main.index"]
    app.view_functions["main.index"] = broken
    app.config["PROPAGATE_EXCEPTIONS"] = False
    try:
        response = client.get("/")
    finally:
        app.view_functions["main.index"] = original
        app.config["PROPAGATE_EXCEPTIONS"] = None
    assert response.status_code == 500
    assert "服务器出错" in response.get_data(as_text=True)
    _assert_headers(response, "500")
