"""The server processes freeze what loading the app left in memory, so that the garbage
collector's full passes (each stopping the process's threads for ~130 ms, ~0.8 s on a
busy machine: bench/RESULTS.md) no longer walk it."""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator

import pytest

import web_server


@pytest.fixture
def thawed_after() -> Iterator[None]:
    """The test process's heap is thawed again, as it was for the other tests."""
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_a_web_worker_freezes_its_loaded_heap_before_serving(app, thawed_after, monkeypatch):
    # WEB_APP names the factory a worker calls: here one handing it the test's app.
    monkeypatch.setattr(sys.modules[__name__], "factory", lambda: app, raising=False)
    monkeypatch.setenv("WEB_APP", f"{__name__}:factory")
    assert gc.get_freeze_count() == 0
    assert web_server.application() is app  # what each web worker calls to load the app
    assert gc.get_freeze_count() > 100_000  # the modules and the app, not a handful
