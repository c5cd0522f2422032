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

import functools
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
    """Units in flight: results so far, what ran, what came from the cache.

    :meth:`add` looks units up in the cache and starts the rest; :meth:`get`
    waits for one; :meth:`wait` for several; :meth:`close` ends the workers.
    Each result is stored in the cache as soon as its worker is done.
    """

    cache: Cache
    jobs: int = 1
    progress: Progress = quiet
    results: dict[str, bytes] = field(default_factory=dict)
    ran: list[str] = field(default_factory=list)
    cached: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)  # what the caller measured while it waited
    _pending: dict[str, tuple[Unit, Future]] = field(default_factory=dict)
    _pool: ProcessPoolExecutor | None = None

    def add(self, units: list[Unit], background: bool = False, workers: int = 0) -> Run:
        """Take results from the cache; start the rest, largest first (here and now with one job).
        A single unit left runs here too, since forking costs more than it saves, unless
        ``background`` asks for a worker so that the caller can go on meanwhile. ``workers``
        caps the worker processes below ``jobs`` (the caller keeps a core for itself)."""
        todo = []
        for unit in units:
            if unit.name in self.results or unit.name in self._pending:
                continue
            data = self.cache.get(unit.kind, unit.key)
            if data is None:
                todo.append(unit)
            else:
                self.results[unit.name] = data
                self.cached.append(unit.name)
                self.progress.advance(unit.kind, unit.name)
        todo.sort(key=lambda u: -u.cost)
        if self._pool is None and self.jobs > 1 and (len(todo) > 1 or background and todo):
            self._pool = ProcessPoolExecutor(max_workers=min(workers or self.jobs, self.jobs, len(todo)),
                                             mp_context=multiprocessing.get_context("fork"))
        for unit in todo:
            if self._pool is None:
                self._store(unit, unit.fn(*unit.args))
            else:
                future = self._pool.submit(unit.fn, *unit.args)
                future.add_done_callback(functools.partial(self._keep, unit))
                self._pending[unit.name] = (unit, future)
        return self

    def _keep(self, unit: Unit, future: Future) -> None:
        """Store a worker's result in the cache as soon as it is done, not when the build asks for
        it: an interrupted build keeps every unit finished so far for the next one."""
        if not future.cancelled() and future.exception() is None:
            self.cache.put(unit.kind, unit.key, future.result())

    def _store(self, unit: Unit, data: bytes, cache: bool = True) -> None:
        self.results[unit.name] = data
        self.ran.append(unit.name)
        if cache:
            self.cache.put(unit.kind, unit.key, data)
        self.progress.advance(unit.kind, unit.name)

    def has(self, name: str) -> bool:
        """Whether unit ``name`` was added (done or still running)."""
        return name in self.results or name in self._pending

    def get(self, name: str) -> bytes:
        """The result of unit ``name``, waiting for it if it is still running."""
        if name in self._pending:
            unit, future = self._pending.pop(name)
            try:
                self._store(unit, future.result(), cache=False)  # _keep stored it
            except BaseException:
                self.close()
                raise
        return self.results[name]

    def wait(self, names: list[str] | None = None) -> Run:
        """Wait for ``names`` (by default every unit started)."""
        for name in list(self._pending) if names is None else names:
            self.get(name)
        return self

    def close(self) -> None:
        """Stop the workers; units still queued are cancelled, and workers still running one (the
        build was interrupted or failed) are killed rather than waited for."""
        if self._pool is not None:
            if any(not future.done() for _, future in self._pending.values()):
                for process in list(getattr(self._pool, "_processes", {}).values()):
                    process.kill()  # SIGKILL: a forked worker inherited the build's SIGTERM handler
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        self._pending.clear()


def default_jobs() -> int:
    """All the cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def start_units(units: list[Unit], cache: Cache, jobs: int = 0, progress: Progress = quiet) -> Run:
    """Look every unit up in the cache and start the rest (:meth:`Run.add`)."""
    return Run(cache, jobs or default_jobs(), progress).add(units)


def run_units(units: list[Unit], cache: Cache, jobs: int = 0, progress: Progress = quiet) -> Run:
    """:func:`start_units`, then wait for all of them."""
    run = start_units(units, cache, jobs, progress)
    try:
        return run.wait()
    finally:
        run.close()
