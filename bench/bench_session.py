"""A whole test session under load: N candidates, black-box HTTP against the app served
as deployed (every process of the Procfile, via honcho, on a free loopback port).

The journey (issue 12): logins spread over a window before the open, each followed by
the sitting's start page (the waiting room, loaded once); a few seconds later the
candidate presses 进入考场 (``enter``: the form's POST, which answers the test page with
the paper sealed; a failed one loads the page again and posts), and at the attempt's
start (the open plus its offset, within the first seconds) the page asks for the key
(``paper key``, again when told to wait) and decrypts the paper as sealed-paper.js does.
BENCH_LATE (5 %) come after the open instead and press 开始答题 (``start``, answering the
open test page) within the first minute after the open (most in the first seconds); answers
spread over the test (time compressed: the rate is printed); 30 % submit early (at any
moment of the test's last third, having answered), and for 70 % the timer reaches zero in
the same second (the sitting's close caps every deadline) and the page does what it does
then: it stays and asks the status endpoint from the end of the answer grace on (its
first ask spread over the page's crowd spread), with backoff and jitter, and loads the
result page once the score is there (an early submit is posted by the page, which then
stays and waits the same way); a
pass's result page then waits for its certificates the same way and fills its box from the
status answer that says they are ready (no second result page). Saves retry as the page
does (1 s doubling to 15 s); a request that meets a kept-alive connection just closed by
the server is sent again, as a browser does (session_client.py), and counted apart. It
prints per phase, and how long candidates waited from the zero (or the submit) until the
result page showed the score. Then the database is read back: answers acknowledged
against stored, attempts finalized once, certificates issued and when the last one was.

    BENCH_SESSION_N=1000 .venv/bin/python bench/bench_session.py
    BENCH_DATABASE_URL=postgresql://…  (e.g. under scripts/with-postgres.sh) WEB_CONCURRENCY=2
    BENCH_JOB_WORKERS=M (job worker processes, as JOB_WORKERS), BENCH_LOGIN_SECONDS, BENCH_TEST_MINUTES,
    BENCH_ANSWERS (per candidate, 20: over a 15-minute test that is the issue's 80 an hour),
    BENCH_EARLY (the share submitting early), BENCH_EARLY_WINDOW (the seconds before the
    close in which they do: a third of the test; 50 is nearly the last minute's crowd of
    the runs before session 30), BENCH_SESSION_STRICT=1 (exit 1 on any failed request,
    lost answer, paper not finalized once or certificate missing),
    BENCH_CLIENTS=K (the load client's processes; 1 below 2,000 candidates, else 2:
    session_clients.py), BENCH_CLIENT_NICE (-10: with more than one, the nice of each
    one's scheduling group, ahead of the server's; 0 an equal), BENCH_CLIENT_LOOP (uvloop;
    asyncio: Python's own event loop, as before session 31), BENCH_REQUEST_CPU=1 (the
    web app wrapped by request_cpu.py: the web's CPU by endpoint in each window of the
    journey)

A short test scales the start spread and the answering and submitting windows down
(a 3-minute test keeps the journey above); `make test` runs 30 candidates that way.

Bounded: every request times out after 60 s and the whole run after BENCH_SESSION_LIMIT s
(in every client process; one that dies fails the run).
"""

from __future__ import annotations

import asyncio
import base64
import html
import itertools
import json
import math
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import request_cpu
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from session_app import (
    create_test_sitting,
    database_url,
    free_port,
    prepare,
    read_back,
    wait_until_serving,
)
from session_client import Browser
from session_clients import CLIENT_LOOP, CLIENT_NICE, default_clients, report_lag, run_clients
from session_cpu import CpuSampler, cpu_windows, report_crowds
from session_stats import Stats

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

N = int(os.environ.get("BENCH_SESSION_N", 300))
# 10 minutes at 10,000 (issue 12); longer while a login costs ~100 ms of CPU (scrypt).
LOGIN_WINDOW = float(os.environ.get("BENCH_LOGIN_SECONDS", max(30, N * 0.06)))
TEST_MINUTES = float(os.environ.get("BENCH_TEST_MINUTES", 3))
TEST_SECONDS = TEST_MINUTES * 60
# The Procfile's one worker forks this many job processes (JOB_WORKERS, default 2).
JOB_WORKERS = os.environ.get("BENCH_JOB_WORKERS") or os.environ.get("JOB_WORKERS", "2")
ANSWERS = int(os.environ.get("BENCH_ANSWERS", 20))  # each candidate answers this many
EARLY = float(os.environ.get("BENCH_EARLY", 0.3))
# Early papers are handed in over the test's last third (the last 20 minutes of an hour's
# test). Runs before session 30 handed them all in within the last 50 s: 3,000 submits and
# their result pages in the last minute at 10,000, a crowd a sitting hardly sends.
EARLY_WINDOW = float(os.environ.get("BENCH_EARLY_WINDOW") or TEST_SECONDS / 3)
# The share who come after the open and press 开始答题 (the others enter the waiting room).
LATE = float(os.environ.get("BENCH_LATE", 0.05))
# Any failed request, lost answer or paper not finalized once fails the run (make test).
STRICT = os.environ.get("BENCH_SESSION_STRICT") == "1"
LIMIT = float(os.environ.get("BENCH_SESSION_LIMIT", 1800))
REQUEST_CPU = os.environ.get("BENCH_REQUEST_CPU") == "1"  # the web wrapped by request_cpu.py
# The load client's processes, each with its own event loop and slice of the candidates.
CLIENTS = min(N, int(os.environ.get("BENCH_CLIENTS") or default_clients(N)))
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
EXAM = f"""\
exam: secretary-pre-appointment
title: 负载测试
bank: party-basics
time_limit_minutes: {math.ceil(TEST_MINUTES) + 5}
pass_mark: 60%
review: {{show: keys, from: after_close}}
sections:
  - {{type: single, count: 12, points: 1}}
  - {{type: judge, count: 8, points: 1}}
"""


async def candidate(
    number: int, plan: dict, stats: Stats, acknowledged: dict, keys: dict, base: str
) -> None:
    async with Browser(base, stats) as browser:
        web, call = browser.web, browser.call
        await asyncio.sleep(max(0, plan["login_at"] - time.time()))
        for delay in (1, 2, 4, 8, 15, 15):  # the candidate tries again, as people do
            _, page = await call("login", lambda: web.get("/login"))
            found = TOKEN.search(page)
            if found:
                form = {"username": f"load{number}", "password": "load-password-1",
                        "csrf_token": found.group(1)}  # fmt: skip
                status, _ = await call("login", lambda f=form: web.post(
                    "/login", data=f, allow_redirects=False))  # fmt: skip
                if status == 302:
                    break
            await asyncio.sleep(delay)
        else:
            stats.gave_up += 1
            return
        # The start page before the open is the waiting room, loaded once: 进入考场 is
        # there already; after the open its button is 开始答题.
        _, page = await call("start page", lambda: web.get(plan["sitting_path"]))
        phase = "start" if plan["late"] else "enter"
        # Entering: after reading the rules for a while, and before the open.
        enter_at = min(time.time() + random.uniform(3, 20), plan["open_at"] - 1)
        await asyncio.sleep(max(0, plan["start_at"] if plan["late"] else enter_at) - time.time())
        attempt_path = None
        for press in range(5):  # the candidate presses the button, and again if it failed
            if press:
                await asyncio.sleep(2)
                _, page = await call(phase, lambda: web.get(plan["sitting_path"]))
            found = TOKEN.search(page)
            if found:
                form = {"csrf_token": found.group(1)}
                _, page = await call(phase, lambda f=form: web.post(
                    plan["sitting_path"], data=f, allow_redirects=False))  # fmt: skip
                # The start answers the test page (its script then shows its address).
                shown = re.search(r'id="attempt" data-page-url="(/attempts/\d+)"', page)
                if shown and 'data-csrf="' in page:
                    attempt_path = shown.group(1)
                    break
        if attempt_path is None:
            stats.gave_up += 1
            return
        started, key = time.time(), None
        if 'id="sealed-paper"' in page:  # entered before the open: the key at the start
            started, key = await paper_key(page, browser)
            if key is None:
                stats.gave_up += 1
                return
        api_token = re.search(r'data-csrf="([^"]+)"', page).group(1)
        grace = float(re.search(r'data-grace-seconds="(\d+)"', page).group(1))
        spread = float(re.search(r'data-first-ask-spread="(\d+)"', page).group(1))
        answer_times = sorted(
            random.uniform(started + 5, plan["answer_until"]) for _ in range(ANSWERS)
        )
        if key is not None:
            # A browser decrypts its paper on its own CPU. This one process does it before
            # the first answer: at the open, decrypting thousands of papers in a row held
            # up its requests (the keys' p50 3.9 s at 10,000, the client then 100 % busy).
            await asyncio.sleep(max(0, answer_times[0] - time.time()))
        questions = questions_on(page if key is None else sealed_paper(page, key), keys)
        mine = acknowledged.setdefault(number, {"path": attempt_path, "answers": {}})
        changed: dict[int, int] = {}
        for at, (position, _value, response) in zip(answer_times, questions, strict=False):
            await asyncio.sleep(max(0, at - time.time()))
            changed[position] = int(time.time() * 1000)
            payload = {"position": position, "response": response, "changed_at": changed[position]}
            delay = 1.0
            while time.time() < plan["close_at"] + 20:
                status, body = await call("save", lambda p=payload: web.post(
                    f"{attempt_path}/answers", json=p, headers={"X-CSRFToken": api_token}))  # fmt: skip
                if status == 200:
                    mine["answers"][position] = response
                    spread = float(json.loads(body)["first_ask_spread"])  # as the page takes it
                    break
                if status in (400, 403, 404, 409):
                    break
                await asyncio.sleep(delay)
                delay = min(delay * 2, 15)
        form = {"csrf_token": TOKEN.search(page).group(1)}
        form |= {f"q{p}": v for p, v, _ in questions} | {
            f"changed{p}": str(t) for p, t in changed.items()
        }
        give_up_at = plan["close_at"] + LIMIT
        if plan["early"]:  # 交卷 posted by the page, which stays and waits for the score
            await asyncio.sleep(max(0, plan["submit_at"] - time.time()))
            waited_from = time.time()
            told = await hand_in(browser, attempt_path, form, give_up_at)
            shown = await browser.wait_for(
                attempt_path, "scored", told.get("wait_seconds", 0), give_up_at
            )
            wait = "submit to result"
        else:
            # The timer's zero (the whole second at which less than one is left, by the
            # server's clock): the page stays, says the paper is being scored and polls
            # the status from the end of the grace on (attempt.js, result-status.js); it
            # loads the result page only once the paper is scored.
            zero = math.floor(plan["close_at"])
            await asyncio.sleep(max(0, zero - time.time()))
            waited_from = time.time()
            shown = await browser.wait_for(
                attempt_path, "scored", plan["close_at"] + grace - time.time(), give_up_at,
                floor_spread=spread,
            )  # fmt: skip
            wait = "zero to result"
        if shown:
            stats.waits[wait].append(time.time() - waited_from)
        # A pass: it waits for these too, first for the wait its page was given, and takes
        # them from the status answer (Browser.wait_for), as the page's box does.
        box = re.search(r'data-wait-seconds="(\d+)" data-ready-when="certificates_ready"', shown)
        if box:
            await browser.wait_for(
                attempt_path, "certificates_ready", float(box.group(1)), give_up_at
            )


async def hand_in(browser: Browser, attempt_path: str, form: dict, give_up_at: float) -> dict:
    """What attempt.js does at 交卷: post the paper asking for JSON, again after a failure
    (1 s doubling to 15 s); its answer (``submitted`` and the wait before the first poll).
    Refused, the page would post the form its own way: no candidate here is refused."""
    delay = 1.0
    while time.time() < give_up_at:
        status, body = await browser.call("submit", lambda: browser.web.post(
            f"{attempt_path}/submit", data=form, headers={"Accept": "application/json"},
            allow_redirects=False))  # fmt: skip
        if status and status < 500:
            told = json.loads(body) if status == 200 else {}
            if not told.get("submitted"):
                raise RuntimeError(f"the submit was refused: {status} {body[:200]}")
            return told
        await asyncio.sleep(delay)
        delay = min(delay * 2, 15)
    return {}


SEALED = re.compile(r'<section class="card sealed-paper".*?</section>', re.S)


async def paper_key(page: str, browser: Browser) -> tuple[float, bytes | None]:
    """What sealed-paper.js does: at the attempt's start, ask for the key (again when
    told to wait, or after a failure with the page's backoff). When the key came, and it."""
    box = SEALED.search(page).group(0)
    starts_at = datetime.fromisoformat(re.search(r'data-starts-at="([^"]+)"', box).group(1))
    key_url = html.unescape(re.search(r'data-key-url="([^"]+)"', box).group(1))
    wait, delay = starts_at.timestamp() - time.time(), 1.0
    for _ in range(20):
        await asyncio.sleep(max(0, wait))
        status, body = await browser.call("paper key", lambda: browser.web.get(key_url))
        if status == 200:
            return time.time(), base64.b64decode(json.loads(body)["key"])
        if status == 425:
            wait = json.loads(body)["wait_seconds"] + random.uniform(0, 0.5)
        else:
            wait, delay = delay, min(delay * 2, 15)
    return time.time(), None


def sealed_paper(page: str, key: bytes) -> str:
    """The paper sealed in the test page, decrypted: what sealed-paper.js shows in its place
    (the rest of the page, its form's token among it, is outside the seal)."""
    box = SEALED.search(page).group(0)
    sealed = base64.b64decode(re.search(r'data-paper="([^"]+)"', box).group(1))
    return AESGCM(key).decrypt(sealed[:12], sealed[12:], None).decode()


def questions_on(paper: str, keys: dict) -> list[tuple[int, str, object]]:
    """The first ANSWERS questions' field values and JSON responses: the key 85 % of the
    time. Only those are read: the client's CPU at the open is every candidate's."""
    found = []
    fieldsets = re.finditer(r'<fieldset class="question".*?</fieldset>', paper, re.S)
    for fieldset in itertools.islice(fieldsets, ANSWERS):
        body = fieldset.group(0)
        position = int(re.search(r'data-position="(\d+)"', body).group(1))
        kind = re.search(r'data-type="(\w+)"', body).group(1)
        stem = html.unescape(re.search(r"</span>\s*(.*?)\s*</legend>", body, re.S).group(1)).strip()
        options = re.findall(r'type="radio" name="q\d+" value="([^"]+)"', body)
        key = keys.get(stem)
        value = key if key in options and random.random() < 0.85 else random.choice(options)
        found.append((position, value, value == "true" if kind == "judge" else value))
    return found


def plan(sitting_id: int, start: float, open_at: float, close_at: float) -> dict:
    """One candidate's journey, decided at random: when they log in and start, whether they
    hand in early (and when), and until when they answer."""
    early = random.random() < EARLY
    submit_at = close_at - random.uniform(min(5, TEST_SECONDS / 6), EARLY_WINDOW)
    return {
        "sitting_path": f"/sessions/{sitting_id}", "early": early,
        "login_at": start + random.uniform(0, LOGIN_WINDOW),
        "open_at": open_at,
        "late": random.random() < LATE,
        "start_at": open_at + min(60.0, TEST_SECONDS / 3, random.expovariate(1 / 3)),
        "answer_until": (submit_at if early else close_at) - min(10, TEST_SECONDS / 6),
        "close_at": close_at,
        "submit_at": submit_at,
    }  # fmt: skip


def load(
    base: str, sitting_id: int, keys: dict, start: float, open_at: float, close_at: float
) -> tuple[Stats, dict]:
    """Every candidate's plan, decided here once, then their journeys in CLIENTS processes."""
    plans = [plan(sitting_id, start, open_at, close_at) for _ in range(N)]
    return run_clients(candidate, plans, keys, base, CLIENTS, time.time() + LIMIT, open_at)


def main() -> None:
    tmp = tempfile.mkdtemp(prefix="bench-session-")
    port = free_port()
    database = database_url(tmp)
    env = {
        **os.environ, "INSTANCE_PATH": tmp, "SECRET_KEY": "bench-session", "DATABASE_URL": database,
        "PORT": str(port), "JOBS_IMMEDIATE": "0", "JOB_WORKERS": JOB_WORKERS, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
    }  # fmt: skip
    if database.startswith("sqlite"):
        env["JOB_QUEUE_URL"] = f"sqlite:///{tmp}/jobs.db"
    keys = prepare(env, N, EXAM)
    if REQUEST_CPU:  # the same processes, the web's app wrapped
        Path(tmp, "request_cpu").mkdir()
        env |= {"WEB_APP": "request_cpu:create_app", "REQUEST_CPU_DIR": f"{tmp}/request_cpu",
                "PYTHONPATH": f"{ROOT / 'bench'}:{ROOT}"}  # fmt: skip
    with open(f"{tmp}/honcho.log", "wb") as log:
        processes = subprocess.Popen(
            [sys.executable, "-m", "honcho", "start", "-f", str(ROOT / "Procfile"), "-d", str(ROOT)],
            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        wait_until_serving(port)
        start = time.time() + 2
        open_at = start + LOGIN_WINDOW + 5
        close_at = open_at + TEST_MINUTES * 60
        sitting_id = create_test_sitting(open_at, close_at, N)
        rate = ANSWERS / TEST_MINUTES * 60
        print(f"{N} candidates, logins over {LOGIN_WINDOW:.0f} s, starts in the first minute, "
              f"{ANSWERS} answers over {TEST_MINUTES} min ({rate:.0f}/h: time compressed "
              f"{rate / 80:.0f}×), {EARLY:.0%} submit early (in the last {EARLY_WINDOW:.0f} s), {1 - EARLY:.0%} at the timer's zero; "
              f"database {database.split(':')[0]}, web processes {os.environ.get('WEB_CONCURRENCY', 'default')}, "
              f"job worker processes {JOB_WORKERS}, load client processes {CLIENTS} ({CLIENT_LOOP})"
              + (f" (each a scheduling group of its own at nice {CLIENT_NICE})" if CLIENTS > 1 else ""))  # fmt: skip
        began_load = os.getloadavg()
        with CpuSampler(processes.pid, postgres=database.startswith("postgresql")) as cpu:
            stats, acknowledged = load(
                f"http://127.0.0.1:{port}", sitting_id, keys, start, open_at, close_at
            )
            stats.report()
            stats.report_slow(close_at)
            stats.report_split()
            report_lag(stats, CLIENTS, cpu_windows(start, open_at, close_at, time.time()))
            problems = read_back(
                acknowledged,
                close_at,
                time.time() + float(os.environ.get("BENCH_READ_BACK_WAIT", 600)),
            )
        windows = cpu_windows(start, open_at, close_at, time.time())
        cpu.report(windows)
        report_crowds(stats, cpu, open_at, close_at)
        if REQUEST_CPU:
            request_cpu.report(Path(tmp, "request_cpu"), windows)
        failed = sum(stats.failures.values())
        problems += [f"{failed} requests failed"] if failed else []
        problems += [f"{stats.gave_up} candidates gave up"] if stats.gave_up else []
        problems += [f"{stats.crashed} journeys not followed"] if stats.crashed else []
        problems += (
            [f"{stats.unfinished} journeys stopped at the limit"] if stats.unfinished else []
        )
        problems += (
            [f"{N - len(acknowledged)} candidates never got a paper"]
            if len(acknowledged) < N
            else []
        )
        print(f"load average at the start {began_load[0]:.2f}, at the end {os.getloadavg()[0]:.2f} "
              f"(1-minute; the machine is shared)")  # fmt: skip
    finally:
        os.killpg(processes.pid, signal.SIGTERM)
        processes.wait(timeout=60)
    locked = Path(f"{tmp}/honcho.log").read_text(errors="replace").count("database is locked")
    print(f"'database is locked' in the server logs: {locked}")
    if problems or locked:
        print(f"the servers' log and database are kept in {tmp}")
    else:  # a 10,000 run leaves about 600 MB
        shutil.rmtree(tmp, ignore_errors=True)
    if STRICT and (problems or locked):
        raise SystemExit(
            "FAILED: " + "; ".join(problems + [f"{locked} 'database is locked'"] * bool(locked))
        )


if __name__ == "__main__":
    main()
