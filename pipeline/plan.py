"""The build plan: pure product × chapter units, run in parallel, cached by content.

Takes: a list of :class:`Unit` (what to compute, the key of everything it
reads) and a :class:`~pipeline.cache.Cache`.
Gives: each unit's result bytes, by unit name, from the cache or computed
(in worker processes when there are several and ``jobs`` allows), plus
counts of what ran and what was reused.

A unit's function runs in a forked worker. It reads what the build put in
:data:`SHARED` before the workers started (the book, its index, the
editions), so a task carries only a chapter id, not the book. A unit is pure:
the same key gives the same bytes, which is what makes the cache safe.

    >>> units = [Unit("demo", "a", key("demo", "a"), _echo, ("a",)), Unit("demo", "b", key("demo", "b"), _echo, ("b",))]
    >>> sorted(run_units(units, Cache(None), jobs=1).results.items())
    [('a', b'a'), ('b', b'b')]
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from .cache import Cache, key
from .progress import Progress, quiet

SHARED: dict[str, Any] = {}  # what forked workers read: set by the build before the pool starts

__all__ = ["Unit", "Run", "run_units", "start_units", "SHARED", "key"]


def _echo(text: str) -> bytes:
    return text.encode()


@dataclass(frozen=True)
class Unit:
    """One piece of work: ``fn(*args)`` gives bytes; ``key`` covers everything it reads.

    ``cost`` orders the work, largest first, so the last worker is not left
    with the longest chapter.
    """

    kind: str
    name: str
    key: str
    fn: Callable[..., bytes]
    args: tuple = ()
    cost: int = 0


@dataclass
class Run:
    """Units in flight: results so far, what ran, what came from the cache."""

    results: dict[str, bytes] = field(default_factory=dict)
    ran: list[str] = field(default_factory=list)
    cached: list[str] = field(default_factory=list)
    _pending: dict[str, tuple[Unit, Future]] = field(default_factory=dict)
    _pool: ProcessPoolExecutor | None = None
    _cache: Cache | None = None
    _progress: Progress = quiet

    def wait(self) -> Run:
        """Collect every unit still running; store each result in the cache as it arrives."""
        try:
            for name, (unit, future) in list(self._pending.items()):
                data = future.result()
                self.results[name] = data
                if self._cache:
                    self._cache.put(unit.kind, unit.key, data)
                self._progress.advance(unit.kind, name)
                del self._pending[name]
        finally:
            if self._pool is not None:
                self._pool.shutdown(wait=True, cancel_futures=True)
                self._pool = None
        return self


def default_jobs() -> int:
    """All the cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def start_units(units: list[Unit], cache: Cache, jobs: int = 0, progress: Progress = quiet) -> Run:
    """Look every unit up in the cache and start the rest; :meth:`Run.wait` collects them.

    With ``jobs`` 1, or a single unit to run, everything runs here and now.
    """
    run = Run(_cache=cache, _progress=progress)
    todo = []
    for unit in units:
        data = cache.get(unit.kind, unit.key)
        if data is None:
            todo.append(unit)
        else:
            run.results[unit.name] = data
            run.cached.append(unit.name)
            progress.advance(unit.kind, unit.name)
    todo.sort(key=lambda u: -u.cost)
    run.ran = [u.name for u in todo]
    jobs = jobs or default_jobs()
    if jobs <= 1 or len(todo) <= 1:
        for unit in todo:
            data = unit.fn(*unit.args)
            run.results[unit.name] = data
            cache.put(unit.kind, unit.key, data)
            progress.advance(unit.kind, unit.name)
        return run
    run._pool = ProcessPoolExecutor(max_workers=min(jobs, len(todo)), mp_context=multiprocessing.get_context("fork"))
    for unit in todo:
        run._pending[unit.name] = (unit, run._pool.submit(unit.fn, *unit.args))
    return run


def run_units(units: list[Unit], cache: Cache, jobs: int = 0, progress: Progress = quiet) -> Run:
    """:func:`start_units`, then wait for all of them."""
    return start_units(units, cache, jobs, progress).wait()
