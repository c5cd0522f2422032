"""Progress of a build, for people watching it.

Takes: events from the build: a stage begins (with how many steps it has),
a step is done, the stage ends.
Gives: nothing by default (:data:`quiet`); :func:`for_terminal` gives a
display on stderr when it is a terminal: one line per stage with its bar,
steps done of all, the last step's label, the time so far and the time left.
rich is imported only then, so a build whose stderr is not a terminal never
loads it.

    >>> quiet.stage("pdf-chapter", 3); quiet.advance("pdf-chapter", "ch-01"); quiet.done()
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from rich.console import Console


class Progress(Protocol):
    """What a build tells whoever is watching."""

    def stage(self, name: str, total: int) -> None:
        """A stage with ``total`` steps begins."""

    def advance(self, name: str, label: str = "") -> None:
        """One step of stage ``name`` is done (``label``: which one)."""

    def done(self) -> None:
        """The build is over."""


class _Quiet:
    def stage(self, name: str, total: int) -> None:
        pass

    def advance(self, name: str, label: str = "") -> None:
        pass

    def done(self) -> None:
        pass


quiet: Progress = _Quiet()

STAGES: dict[str, str] = {
    "pdf-chapter": "laying out chapters",
    "pdf-assemble": "assembling PDF",
}
"""What the display calls each stage; a stage not named here shows its own name."""


class _Live:
    """A rich progress display: one task per announced stage; steps of unannounced stages are ignored.

    It starts with the first stage, redirects ``sys.stderr`` through its console
    while it is live (so warnings print above the bars), and :meth:`done` (or
    the end of the process, should a build fail before it) clears it.
    """

    _active: set[_Live] = set()  # displays live in this process, stopped at exit and in forked children

    def __init__(self, console: Console | None = None):
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn
        from rich.progress import Progress as Bars

        self.console = console or Console(stderr=True)
        self.bars = Bars(TextColumn("{task.description:<20}"), BarColumn(), MofNCompleteColumn(),
                         TextColumn("{task.fields[last]}", style="dim"), TimeElapsedColumn(),
                         TextColumn("left"), TimeRemainingColumn(),
                         console=self.console, transient=True, redirect_stdout=False, redirect_stderr=True)
        self.tasks: dict[str, object] = {}
        self.streams: tuple[object, object] | None = None

    def stage(self, name: str, total: int) -> None:
        if not self.tasks:
            self.streams = (sys.stdout, sys.stderr)
            _Live._active.add(self)
            self.bars.start()
        for task in self.tasks.values():   # an earlier stage is over when the next begins
            self.bars.update(task, completed=self.bars.tasks[task].total)  # type: ignore[index]
        if name in self.tasks:
            self.bars.reset(self.tasks[name], total=total, last="")  # type: ignore[arg-type]
        else:
            self.tasks[name] = self.bars.add_task(STAGES.get(name, name), total=total, last="")

    def advance(self, name: str, label: str = "") -> None:
        task = self.tasks.get(name)
        if task is not None:
            self.bars.update(task, advance=1, last=label)  # type: ignore[arg-type]

    def done(self) -> None:
        if self in _Live._active:
            _Live._active.discard(self)
            self.bars.stop()

    @classmethod
    def _stop_all(cls) -> None:
        for live in list(cls._active):
            live.done()

    @classmethod
    def _in_child(cls) -> None:
        # A forked worker has no refresh thread and must not write through the parent's console.
        for live in cls._active:
            if live.streams is not None:
                sys.stdout, sys.stderr = live.streams  # type: ignore[assignment]
        cls._active.clear()


_hooks_installed = False


def _install_hooks() -> None:
    global _hooks_installed
    if not _hooks_installed:
        import atexit
        import os

        atexit.register(_Live._stop_all)    # a failed build never calls done(): give the cursor back
        if hasattr(os, "register_at_fork"):
            os.register_at_fork(after_in_child=_Live._in_child)
        _hooks_installed = True


def live(console: Console | None = None) -> Progress:
    """The rich display, on ``console`` (default: a console on stderr), whatever stderr is."""
    _install_hooks()
    return _Live(console)


def for_terminal(enabled: bool = True) -> Progress:
    """A progress display on stderr when it is a terminal and ``enabled``; else :data:`quiet`."""
    if enabled and sys.stderr.isatty():
        return live()
    return quiet
