"""The session load test's browser (bench_session.py): one aiohttp session per candidate,
each request timed into its phase, a kept-alive connection the server closed while idle
retried as a browser retries it, and the pages' wait for the score and the certificates
as app/static/result-status.js waits."""

from __future__ import annotations

import asyncio
import json
import random
import time

import aiohttp
from session_stats import SLOW, STEP, WALL_HEADER, Stats

# A stale kept-alive connection: the server closed it while idle (web_server.py
# ``WEB_KEEPALIVE``, 30 s) just as the client sent the next request on it.
STALE = (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError)


class Browser:
    """What a candidate's browser does over HTTP, as far as the load depends on it.

    The server closes a connection idle for 5 s; aiohttp keeps one for 15 s, as a browser
    keeps one for minutes, so a request sent on a kept-alive connection may meet the
    server's close and fail before any byte of the response. A browser then sends it again
    on a new connection, unseen by the page (Chromium resends any request, a POST too, when
    a reused connection fails before the response starts: the server cannot have answered
    it). aiohttp retries only GETs, once, and on any connection, reused or not; a failed
    POST (a save, a submit) counted as failed though no candidate would have seen it. So
    aiohttp's own retry is off and the request is sent again only in the browser's case:
    counted apart (``Stats.resent``), and timed from the first try.
    """

    def __init__(self, base: str, stats: Stats) -> None:
        trace = aiohttp.TraceConfig()
        trace.on_connection_reuseconn.append(self._reused)
        trace.on_connection_create_end.append(self._created)
        self.web = aiohttp.ClientSession(
            base, cookie_jar=aiohttp.CookieJar(unsafe=True),
            timeout=aiohttp.ClientTimeout(total=60), trace_configs=[trace],
        )  # fmt: skip
        # The session's retry of GETs (aiohttp's test client turns it off the same way).
        self.web._retry_connection = False
        self.stats = stats
        self.on_reused_connection = False  # one request at a time per candidate

    async def _reused(self, *_args) -> None:
        self.on_reused_connection = True

    async def _created(self, *_args) -> None:
        self.on_reused_connection = False

    async def __aenter__(self) -> Browser:
        return self

    async def __aexit__(self, *_exc) -> None:
        await self.web.close()

    async def call(self, phase: str, request) -> tuple[int, str]:
        """One request, timed; a timeout, a refused connection or a 5xx counts as failed.
        A redirect's target is returned as its body. A result page that still says the
        paper is being scored counts as ``scoring page``, not ``result``; a status answer
        that carries the result counts as ``result``: the page shows it."""
        began = time.perf_counter()
        first_sent = time.time()
        for tries in range(1, 4):
            self.on_reused_connection = False
            sent = time.time()
            try:
                response = await request()
            except STALE as error:
                if self.on_reused_connection and tries < 3:
                    self.stats.resent[phase] += 1
                    continue
                self.stats.failed(phase, type(error).__name__)
                return 0, ""
            except (TimeoutError, aiohttp.ClientError) as error:
                self.stats.failed(phase, type(error).__name__)
                return 0, ""
            break
        try:
            body = await response.text()
        except (TimeoutError, aiohttp.ClientError) as error:
            self.stats.failed(phase, type(error).__name__)
            return 0, ""
        finally:
            response.release()
        if response.status >= 500:
            self.stats.failed(phase, f"HTTP {response.status}")
        else:
            if phase == "result" and 'id="scoring"' in body:
                phase = "scoring page"
            elif phase == "status" and '"result_html"' in body:
                phase = "result"  # the answer that shows the result (app.exam.result_page)
            self.stats.sent[phase][int(first_sent // STEP)] += 1
            took = time.perf_counter() - began
            self.stats.times[phase].append(took)
            if took >= SLOW:
                self.stats.slow.append((time.time() - took, phase, took))
            app_wall = response.headers.get(WALL_HEADER)
            if app_wall:
                entered, left = map(float, app_wall.split())
                self.stats.split[phase].append((entered - sent, left - entered, time.time() - left))
        return response.status, response.headers.get("Location", body)

    async def wait_for(
        self,
        attempt_path: str,
        ready_when: str,
        wait_seconds: float,
        give_up_at: float,
        floor_spread: float | None = None,
    ) -> str:
        """As app/static/result-status.js: the first poll after the wait the page was given
        (the grace left at the timer's zero, never before it, then spread over as long
        again or over ``floor_spread``, the page's crowd spread, if longer) or a second,
        then 1 s doubling to 15 s (or the wait the server says, if longer), each
        × 0.85–1.35; once the answer says
        ``ready_when``, the result it carries (asked for with the score: the page shows it
        in place; "" if never ready), or from code before that the result page; for a
        pass's certificates the answer carries them and the page fills its box from it,
        so the answer's body is returned. No result page is loaded then."""
        delay, pause = 1.0, max(1.0, wait_seconds)
        first = floor_spread is not None
        asks = "?result=1" if ready_when == "scored" else ""  # the result with the score
        while time.time() < give_up_at:
            if first:
                await asyncio.sleep(pause + random.random() * max(pause, floor_spread or 0))
            else:
                await asyncio.sleep(pause * (0.85 + random.random() / 2))
            first = False
            status, body = await self.call("status", lambda: self.web.get(
                f"{attempt_path}/status{asks}", headers={"Accept": "application/json"}))  # fmt: skip
            if status == 0:  # no answer: the page's catch
                delay = min(delay * 2, 15)
                pause = delay
                continue
            try:
                answer = json.loads(body) if status == 200 else {}
            except ValueError:
                answer = {}
            if answer.get(ready_when):
                if ready_when == "certificates_ready" and "certificates" in answer:
                    return body
                if isinstance(answer.get("result_html"), str):  # shown in place
                    return answer["result_html"]
                _, page = await self.call("result", lambda: self.web.get(f"{attempt_path}/result"))
                return page
            pause, delay = max(delay, answer.get("wait_seconds") or 0), min(delay * 2, 15)
        return ""
