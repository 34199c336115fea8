"""Counts a web process reuses for a minute: the registered of a sitting, the crowd ending
with a paper. Thousands of pages and saves are answered while they hardly move, and each
is one query at most once a minute per process instead of once a request."""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable, Hashable
from typing import ClassVar


class Recounted:
    """Counts by key, each counted again once ``seconds`` old; past ``keep`` keys the stale
    ones are dropped."""

    _every: ClassVar[weakref.WeakSet[Recounted]] = weakref.WeakSet()  # for ``forget_all``

    def __init__(self, seconds: float = 60.0, keep: int = 1_000) -> None:
        self._seconds, self._keep = seconds, keep
        self._counts: dict[Hashable, tuple[float, int]] = {}  # key -> (when counted, count)
        self._lock = threading.Lock()
        Recounted._every.add(self)

    def get(self, key: Hashable, count: Callable[[], int]) -> int:
        """The count kept for ``key``, or ``count()`` if none is fresh (outside the lock:
        two threads may both count, and the later keeps its own)."""
        now = time.monotonic()
        with self._lock:
            counted = self._counts.get(key)
            if counted is not None and now - counted[0] < self._seconds:
                return counted[1]
        fresh = count()
        with self._lock:
            if len(self._counts) >= self._keep:
                stale = [k for k, (when, _) in self._counts.items() if now - when >= self._seconds]
                for k in stale:
                    del self._counts[k]
            self._counts[key] = (now, fresh)
        return fresh

    @classmethod
    def forget_all(cls) -> None:
        """Forget every count: for tests, whose emptied tables reuse ids."""
        for counts in cls._every:
            with counts._lock:
                counts._counts.clear()
