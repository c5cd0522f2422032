"""Diagnostics: every problem the pipeline reports, with a code, a place and a fix.

Takes: what a stage found wrong.
Gives: :class:`Diagnostic` values, a :class:`Reporter` that collects warnings,
and :class:`BuildError`, raised for errors and caught once by the CLI.

Codes are a category letter and three digits, never reused:

- ``M`` manuscript files and metadata (load stage)
- ``P`` Markdown parsing
- ``I`` images
- ``L`` links and ids
- ``R`` rendering and output

A diagnostic prints as ``file:line: message [CODE]`` followed by ``hint: …``::

    >>> print(Diagnostic("I001", "error", "image 'a.jpg' not found",
    ...                  "check the path", "x/01.md", 14))
    x/01.md:14: error: image 'a.jpg' not found [I001]
      hint: check the path
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import TextIO


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One message: a code, ``error`` or ``warning``, what is wrong, how to fix it, where."""

    code: str
    severity: str
    message: str
    hint: str = ""
    file: str = ""
    line: int = 0

    def __str__(self) -> str:
        where = self.file + (f":{self.line}" if self.line else "") if self.file else ""
        head = f"{where}: " if where else ""
        text = f"{head}{self.severity}: {self.message} [{self.code}]"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


class BuildError(Exception):
    """A build cannot go on. Carries the diagnostic that says why."""

    def __init__(self, diagnostic: Diagnostic):
        super().__init__(str(diagnostic))
        self.diagnostic = diagnostic


def error(code: str, message: str, hint: str = "", file: str = "", line: int = 0) -> BuildError:
    """Make a :class:`BuildError` to raise."""
    return BuildError(Diagnostic(code, "error", message, hint, file, line))


@dataclass
class Reporter:
    """Collects warnings during a build and prints them as they come."""

    stream: TextIO | None = None
    warnings: list[Diagnostic] = field(default_factory=list)

    def warn(self, code: str, message: str, hint: str = "", file: str = "", line: int = 0) -> None:
        """Record a warning and print it to ``stream`` (stderr by default)."""
        d = Diagnostic(code, "warning", message, hint, file, line)
        self.warnings.append(d)
        print(d, file=self.stream or sys.stderr)
