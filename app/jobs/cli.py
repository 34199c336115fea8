"""``flask jobs worker``: the background worker process of the Procfile."""

from __future__ import annotations

import logging
from datetime import timedelta

import click
from flask.cli import AppGroup

from app.jobs.queue import huey
from app.jobs.tasks import sweep_now
from app.models.types import utcnow

jobs_cli = AppGroup("jobs", help="后台任务")


@jobs_cli.command("worker")
@click.option("--threads", default=2, show_default=True, help="并行执行任务的线程数")
def worker_command(threads: int) -> None:
    """Run jobs until stopped; first re-enqueue anything a killed worker dropped."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    if huey.immediate:
        raise click.ClickException("JOBS_IMMEDIATE=1：任务在请求中执行，无需后台进程。")
    click.echo(f"重新排队的评分任务 {sweep_now(utcnow(), lost_after=timedelta(0))} 个")
    huey.create_consumer(workers=threads, worker_type="thread", periodic=True).run()
