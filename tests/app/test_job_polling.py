"""An idle job worker looks for new jobs at least every second: after a quiet spell a
close's first papers are not left to one process while the other sleeps on."""

from __future__ import annotations

import pytest
from huey.consumer import Consumer

from app.jobs import queue
from app.jobs.cli import POLL_AT_MOST_SECONDS


@pytest.fixture
def sqlite_queue(app, tmp_path):
    app.config.update(JOBS_IMMEDIATE=False, JOB_QUEUE_URL=f"sqlite:///{tmp_path}/jobs.db")
    queue.configure(app)
    yield
    queue.huey.storage.close()
    app.config["JOBS_IMMEDIATE"] = True
    queue.configure(app)


@pytest.mark.usefixtures("sqlite_queue")
@pytest.mark.parametrize("workers", ["1", "2"])
def test_an_idle_worker_polls_at_least_every_second(app, monkeypatch, workers):
    started: list[Consumer] = []
    monkeypatch.setattr(Consumer, "run", lambda consumer: started.append(consumer))
    result = app.test_cli_runner().invoke(args=["jobs", "worker", "--workers", workers])
    assert result.exit_code == 0, result.output
    (consumer,) = started
    assert consumer.max_delay == POLL_AT_MOST_SECONDS <= 1
    assert consumer.backoff > 1  # still backs off from a quick poll when there is nothing
