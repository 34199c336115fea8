"""The server processes freeze what loading the app left in memory, so that the garbage
collector's full passes (each stopping the process's threads for ~130 ms, ~0.8 s on a
busy machine: bench/RESULTS.md) no longer walk it."""

from __future__ import annotations

import gc
import runpy
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def thawed_after() -> Iterator[None]:
    """The test process's heap is thawed again, as it was for the other tests."""
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_a_web_worker_freezes_its_loaded_heap_before_serving(app, thawed_after):
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert gc.get_freeze_count() == 0
    config["post_worker_init"](None)  # what gunicorn calls once the worker loaded the app
    assert gc.get_freeze_count() > 100_000  # the modules and the app, not a handful
