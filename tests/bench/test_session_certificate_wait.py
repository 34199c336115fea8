"""The session load test's wait for a pass's certificates follows the page (issue 12): once
the status answer says they are ready it carries them, and the page fills its box from it,
so the load test loads no second result page; the wait for the score still loads it."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest
from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import session_client
from session_client import Browser
from session_stats import Stats

READY = {
    "state": "finalized", "scored": True, "certificates_ready": True, "wait_seconds": 0,
    "certificates": [{"number": "ZN-2026-000001-0A", "download_url": "/certificates/1.pdf"}],
}  # fmt: skip


async def wait_against_server(ready_when: str) -> tuple[str, list[str], Stats]:
    """``Browser.wait_for`` against a server whose status says everything is ready."""
    asked: list[str] = []

    async def status(request: web.Request) -> web.Response:
        asked.append(request.path)
        return web.json_response(READY)

    async def result(request: web.Request) -> web.Response:
        asked.append(request.path)
        return web.Response(text="<p>result page</p>", content_type="text/html")

    app = web.Application()
    app.router.add_get("/attempts/1/status", status)
    app.router.add_get("/attempts/1/result", result)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    stats = Stats()
    try:
        async with Browser(f"http://127.0.0.1:{port}", stats) as browser:
            shown = await browser.wait_for("/attempts/1", ready_when, 0, float("inf"))
    finally:
        await runner.cleanup()
    return shown, asked, stats


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch):
    """The polls' pauses (a second and more) pass at once."""
    real_sleep = asyncio.sleep
    monkeypatch.setattr(session_client.asyncio, "sleep", lambda _seconds: real_sleep(0))


def test_the_certificate_wait_takes_them_from_the_status_answer_and_loads_no_page():
    shown, asked, stats = asyncio.run(wait_against_server("certificates_ready"))
    assert asked == ["/attempts/1/status"]
    assert "ZN-2026-000001-0A" in shown and "result" not in stats.times


def test_the_score_wait_still_loads_the_result_page():
    shown, asked, stats = asyncio.run(wait_against_server("scored"))
    assert asked == ["/attempts/1/status", "/attempts/1/result"]
    assert shown == "<p>result page</p>" and len(stats.times["result"]) == 1
