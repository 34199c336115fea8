"""Does an idle job worker leave a close's first papers waiting? A real worker with two
processes (``flask jobs worker --workers 2``) on temporary SQLite, of this checkout and of
a baseline checkout (``BENCH_BASELINE_ROOT``, default /work/main; skipped if absent):
``BENCH_POLL_BURSTS`` times, ``BENCH_POLL_IDLE`` seconds with nothing queued (huey's
poll wait grows meanwhile), then ``BENCH_POLL_PAPERS`` papers (70 % passes) closed at
once as submits close them. Prints, per burst, how long each process slept on after the
papers were queued (from its polls, logged by a wrapper around huey's worker), and when
every paper was scored and certified. The waits are sleeps, so the machine's load moves
them little; the time to done is as noisy as the machine. Figures in bench/RESULTS.md.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]
BASELINE = os.environ.get("BENCH_BASELINE_ROOT", "/work/main")
BURSTS = int(os.environ.get("BENCH_POLL_BURSTS", 3))
IDLE = float(os.environ.get("BENCH_POLL_IDLE", 70))
PAPERS = int(os.environ.get("BENCH_POLL_PAPERS", 60))

# The worker as the Procfile runs it, each poll's sleep logged: "start delay" per line.
WORKER = """
import os, sys, time
from huey import consumer
sleep, polls = consumer.Worker.sleep, sys.argv[1]
def logged(self):
    with open(f"{polls}.{os.getpid()}", "a") as log:
        log.write(f"{time.time()} {min(self.delay, self.max_delay)}\\n")
    sleep(self)
consumer.Worker.sleep = logged
sys.argv = ["flask", "jobs", "worker", "--workers", "2"]
from flask.cli import main
main()
"""


def bursts(root: str) -> None:
    """Child, ``root``'s app first on the path: prints one JSON line per burst."""
    sys.path[:0] = [root, str(HERE / "bench")]
    os.chdir(root)
    import bench_job_throughput as jobs
    from sqlalchemy import func, select

    from app.exam.attempts import close_attempt
    from app.extensions import db
    from app.models import Attempt, Certificate
    from app.models.types import utcnow

    passes = round(PAPERS * 0.7)
    with tempfile.TemporaryDirectory(prefix="bench-polling-") as tmp:
        kinds = [(passes, True), (PAPERS - passes, False)] * BURSTS  # all right, all wrong
        made = jobs._prepare(tmp, kinds)
        groups = [made[i] + made[i + 1] for i in range(0, len(made), 2)]
        db.engine.dispose()
        log, polls = Path(tmp) / "worker.log", f"{tmp}/polls"
        env = {**os.environ, **jobs._environment(tmp), "FLASK_APP": "app"}
        with log.open("wb") as output:
            worker = subprocess.Popen([sys.executable, "-c", WORKER, polls], cwd=root, env=env,
                                      stdout=output, stderr=subprocess.STDOUT)  # fmt: skip
        try:
            while "任务进程" not in log.read_text(errors="replace"):
                time.sleep(0.05)
            results = []
            for number, papers in enumerate(groups):
                time.sleep(IDLE)
                started = time.time()
                for attempt_id in papers:
                    close_attempt(attempt_id, "candidate", utcnow())
                while True:
                    done = db.session.scalar(
                        select(func.count()).where(Attempt.status == "finalized")
                    )
                    stored = db.session.scalar(select(func.count(Certificate.id))
                                               .where(Certificate.pdf.is_not(None)))  # fmt: skip
                    db.session.rollback()
                    if done == (number + 1) * PAPERS and stored == (number + 1) * passes:
                        break
                    time.sleep(0.02)
                results.append((started, time.time() - started))
        finally:
            worker.send_signal(signal.SIGTERM)
            worker.wait(timeout=60)
        logs = [[tuple(map(float, line.split())) for line in Path(f).read_text().splitlines()]
                for f in Path(tmp).glob("polls.*")]  # fmt: skip
    for started, done in results:
        slept_on = []
        for sleeps in logs:  # the sleep each process was in when the papers came
            ends = [at + delay for at, delay in sleeps if at <= started < at + delay]
            slept_on.append(round(ends[0] - started, 2) if ends else 0.0)
        print(json.dumps({"slept_on": sorted(slept_on), "done": round(done, 2)}))


def main() -> None:
    print(f"load average at the start: {os.getloadavg()[0]:.1f}")
    roots = [("baseline", BASELINE)] if BASELINE and Path(BASELINE, "app").is_dir() else []
    print(f"{PAPERS} papers closed at once after {IDLE:.0f} s idle, {BURSTS} times, "
          "a worker with 2 processes:")  # fmt: skip
    for label, root in [*roots, ("branch", str(HERE))]:
        out = subprocess.run([sys.executable, __file__, "--bursts", root], cwd=root,
                             check=True, capture_output=True, text=True)  # fmt: skip
        rows = [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]
        later = [row["slept_on"][-1] for row in rows]
        print(f"{label:9} each process slept on after the papers came: "
              f"{', '.join(str(row['slept_on']) for row in rows)} s; the later one "
              f"{sum(later) / len(later):.2f} s on average; all scored and certified after "
              f"{', '.join(str(row['done']) for row in rows)} s")  # fmt: skip
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--bursts"]:
        bursts(sys.argv[2])
    else:
        main()
