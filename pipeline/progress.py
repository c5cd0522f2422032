"""Progress of a build, for people watching it.

Takes: events from the build: a stage begins (with how many steps it has),
a step is done, the stage ends.
Gives: nothing by default (:data:`quiet`); :func:`for_terminal` gives a
display when stderr is a terminal.

    >>> quiet.stage("pdf-chapter", 3); quiet.advance("pdf-chapter", "ch-01"); quiet.done()
"""

from __future__ import annotations

from typing import Protocol


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


def for_terminal(enabled: bool = True) -> Progress:
    """A progress display on stderr when it is a terminal and ``enabled``; else :data:`quiet`."""
    return quiet
