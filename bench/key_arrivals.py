"""Keys asked at a fixed pace, each on a new connection, as the sealed pages ask at the open.

At its start a sealed page asks for its key on a connection of its own: the server closed
the page's last one (idle for ``keepalive``, 5 s) minutes before, in the waiting room.
So each request here opens a TCP connection, sends what a browser sends for a
``fetch()`` (its usual headers and the session cookie), reads the answer and then keeps
the connection open until the server closes it, as a browser does. The pace is fixed
(open loop): request i is due at ``i / rate`` whether or not earlier ones were answered,
and its latency counts from when it was due, so a server falling behind shows in the
figures instead of slowing the client down. The client's own lateness (how late a
request left against when it was due) is printed beside, as it shares the cores.
"""

from __future__ import annotations

import asyncio
import contextlib
import statistics
import time
from dataclasses import dataclass, field

HOLD_SECONDS = 10.0  # longest a browser-like connection waits for the server's close


@dataclass
class Arrivals:
    """What one paced run measured (seconds)."""

    latencies: list[float] = field(default_factory=list)
    late: list[float] = field(default_factory=list)
    failed: int = 0
    other_status: int = 0

    @staticmethod
    def quantile(values: list[float], q: float) -> float:
        if len(values) < 2:
            return values[0] if values else float("nan")
        return statistics.quantiles(values, n=100, method="inclusive")[round(q * 100) - 1]

    def summary(self) -> str:
        lat, late = self.latencies, self.late
        return (
            f"p50 {self.quantile(lat, 0.5) * 1000:6.1f} ms, p99 {self.quantile(lat, 0.99) * 1000:7.1f} ms,"
            f" max {max(lat, default=float('nan')) * 1000:7.1f} ms"
            f" (client late p99 {self.quantile(late, 0.99) * 1000:.1f} ms"
            f"{f', {self.failed} failed' if self.failed else ''}"
            f"{f', {self.other_status} not 200' if self.other_status else ''})"
        )


def browser_request(path: str, host: str, cookie: str) -> bytes:
    """The GET a page's ``fetch()`` sends (Chromium's headers, about 700 bytes)."""
    lines = [
        f"GET {path} HTTP/1.1",
        f"Host: {host}",
        "Connection: keep-alive",
        'sec-ch-ua: "Chromium";v="131", "Not_A Brand";v="24"',
        "sec-ch-ua-mobile: ?0",
        "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)"
        " Chrome/131.0.0.0 Safari/537.36",
        'sec-ch-ua-platform: "Linux"',
        "Accept: */*",
        "Sec-Fetch-Site: same-origin",
        "Sec-Fetch-Mode: cors",
        "Sec-Fetch-Dest: empty",
        f"Referer: http://{host}/sessions/1",
        "Accept-Encoding: gzip, deflate, br, zstd",
        "Accept-Language: zh-CN,zh;q=0.9",
        f"Cookie: {cookie}",
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


async def _one(port: int, request: bytes, due: float, found: Arrivals, held: list) -> None:
    found.late.append(time.monotonic() - due)
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n"):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        await reader.readexactly(length)
    except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
        found.failed += 1
        return
    found.latencies.append(time.monotonic() - due)
    if not head.startswith(b"HTTP/1.1 200"):
        found.other_status += 1
    held.append(asyncio.create_task(_hold(reader, writer)))


async def _hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Kept open until the server closes it, as a browser keeps it."""
    with contextlib.suppress(OSError, TimeoutError):
        await asyncio.wait_for(reader.read(), HOLD_SECONDS)
    writer.close()


async def _paced(port: int, request: bytes, rate: float, seconds: float) -> Arrivals:
    found, held, sent = Arrivals(), [], []
    start = time.monotonic() + 0.05
    for i in range(round(rate * seconds)):
        due = start + i / rate
        wait = due - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        sent.append(asyncio.create_task(_one(port, request, due, found, held)))
    await asyncio.gather(*sent)
    await asyncio.gather(*held)
    return found


def paced_keys(port: int, path: str, cookie: str, rate: float, seconds: float) -> Arrivals:
    """``rate`` keys a second for ``seconds``, each on a new connection."""
    request = browser_request(path, f"127.0.0.1:{port}", cookie)
    return asyncio.run(_paced(port, request, rate, seconds))
