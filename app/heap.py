"""A server process's loaded code and app kept out of the garbage collector's full passes.

Once the app is created, a process holds ~380,000 objects that live as long as it does
(the modules of Flask, SQLAlchemy, openpyxl …, the app, its mappers and routes).
CPython's cyclic collector walks all of them in each full pass, ~130 ms on this machine,
with every thread of the process stopped meanwhile; under a crowd a web process ran one
every second or two of busy CPU (bench/RESULTS.md). Moved to the permanent generation
once loaded, they are never walked again; what requests create is collected as before.
"""

from __future__ import annotations

import gc


def freeze_loaded_heap() -> int:
    """Collect what loading left behind, then freeze the rest; returns how many objects
    are frozen. Call once the process has loaded the app (and before it forks workers,
    which then share those pages instead of copying them when the collector touches them)."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
