"""The job queue's PostgreSQL storage (app/jobs/postgres_storage.py): a web process's
threads queue their jobs each on its own connection, so a round trip that waits holds up
no other request's 交卷; a queued job still wakes the workers and is taken once."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import psycopg
import pytest

from app.jobs.queue import storage_for


@pytest.fixture
def storage(database_url: str) -> Iterator:
    if not database_url.startswith("postgresql"):
        pytest.skip("the PostgreSQL storage needs the PostgreSQL run (TEST_DATABASE_URL)")
    storage_class, options = storage_for(database_url)
    storage = storage_class("storage-test", **options)
    yield storage
    storage.flush_queue()
    storage.flush_results()
    storage.close()


def test_a_thread_whose_round_trip_waits_holds_up_no_other_thread(storage):
    """One thread inside a transaction of the storage (as a waiting marker or an enqueue
    is, while the server is slow to answer) must not keep another from marking its own
    job: with one connection behind a lock for the process, it did."""
    inside, release = threading.Event(), threading.Event()

    def slow() -> None:
        with storage.db(commit=True) as cursor:
            cursor.execute("select 1")
            inside.set()
            release.wait(10)
        storage.close()  # the thread's connection (a server's threads keep theirs)

    holder = threading.Thread(target=slow)
    holder.start()
    try:
        assert inside.wait(5)
        marked, took = [], []

        def mark() -> None:
            began = time.monotonic()
            marked.append(storage.put_if_empty("scoring:1", b"1"))
            took.append(time.monotonic() - began)
            storage.close()

        other = threading.Thread(target=mark)
        other.start()
        other.join(3)
        assert marked == [True] and took[0] < 3
    finally:
        release.set()
        holder.join(10)


def test_a_queued_job_wakes_a_listening_worker_and_is_taken_once(storage, database_url):
    dsn = "postgresql://" + database_url.split("://", 1)[1]
    with psycopg.connect(dsn, autocommit=True) as listener:
        listener.execute(f'listen "{storage.channel}"')
        storage.enqueue(b"first", priority=0)
        storage.enqueue(b"scores first", priority=10)
        woken = list(listener.notifies(timeout=5, stop_after=2))
    assert len(woken) == 2
    assert storage.queue_size() == 2
    assert storage.dequeue() == b"scores first"
    assert storage.dequeue() == b"first"
    assert storage.dequeue() is None


def test_a_connection_lost_is_replaced_at_the_next_job(storage):
    storage.enqueue(b"before", priority=0)
    storage.conn.close()  # the server ended it (a restart, an idle timeout)
    storage.enqueue(b"after", priority=0)
    assert [storage.dequeue(), storage.dequeue()] == [b"before", b"after"]
