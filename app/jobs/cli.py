"""``flask jobs worker``: the background worker process of the Procfile.

Scoring and certificates are Python work, so threads of one process share one core (the
GIL). Several workers run as separate processes forked by huey's consumer, one job each
at a time, so they use as many cores as they are given; one scheduler among them runs
the minute sweep. ``JOB_WORKERS`` (default 2, measured on a 2-core machine: see
``bench/RESULTS.md``) sets how many.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import sys
from datetime import timedelta

import click
from flask import current_app
from flask.cli import AppGroup

from app.certificate.setup import preload
from app.extensions import db
from app.heap import freeze_loaded_heap
from app.jobs.priority import each_job_process_in_its_own_group, yield_to_the_web
from app.jobs.queue import huey
from app.jobs.tasks import sweep_now
from app.models.types import utcnow

jobs_cli = AppGroup("jobs", help="后台任务")

# An idle worker process polls the queue (SQLite or PostgreSQL) with a wait that grows
# by 15 % per empty look. At huey's 10 s cap, when a close's first papers were queued
# one of two processes slept on for 5-7 s while the other scored alone; at 1 s it woke
# within 0.8 s (bench/RESULTS.md). An idle process pays one short query a second.
POLL_AT_MOST_SECONDS = 1.0


@jobs_cli.command("worker")
@click.option(
    "--workers", type=click.IntRange(min=1), default=None,
    help="并行执行任务的进程数（默认取配置 JOB_WORKERS）",
)  # fmt: skip
def worker_command(workers: int | None) -> None:
    """Run jobs until stopped; first re-enqueue anything a killed worker dropped."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    quiet_each_job()
    if huey.immediate:
        raise click.ClickException("JOBS_IMMEDIATE=1：任务在请求中执行，无需后台进程。")
    click.echo(f"重新排队的评分任务 {sweep_now(utcnow(), lost_after=timedelta(0))} 个")
    count = workers or current_app.config["JOB_WORKERS"]
    yield_to_the_web(current_app.config["JOB_NICE"])
    if count > 1:
        each_job_process_in_its_own_group(current_app.config["JOB_NICE"])
    consumer = huey.create_consumer(
        workers=count,
        worker_type="process" if count > 1 else "thread",
        periodic=True,
        max_delay=POLL_AT_MOST_SECONDS,
    )
    preload()
    # Forked workers must not share this process's connections: each opens its own.
    db.session.remove()
    db.engine.dispose()
    huey.storage.close()
    freeze_loaded_heap()
    if count > 1:
        _end_children_with(os.getpid())
    click.echo(f"任务进程 {count} 个")
    consumer.run()


def quiet_each_job() -> None:
    """huey logs two lines per job at INFO: at a 10,000-paper close that is 40,000 lines
    in a few minutes, ~3 % of the workers' CPU and more of the log's reader (a profile of
    a 3,000 close). Failures are still logged (and kept for the admins), and so are the
    consumer's own lines; huey's INFO line for each retry is not."""
    logging.getLogger("huey").setLevel(logging.WARNING)
    logging.getLogger("huey.consumer").setLevel(logging.INFO)


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _end_children_with(consumer_pid: int) -> None:
    """The forked processes (scheduler and workers) are killed when this one dies, even
    by SIGKILL, rather than run on as orphans beside a restarted worker: a job one held
    is re-queued by the sweep. Linux only; elsewhere they outlive a killed consumer."""
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None, use_errno=True)

    def in_child() -> None:
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != consumer_pid:  # died before the call above
            os._exit(1)

    os.register_at_fork(after_in_child=in_child)
