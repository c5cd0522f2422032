"""Room on CPython's frame stack, so that deep recursion does not map and unmap memory on every call.

Takes: a function and its arguments.
Gives: :func:`roomy`, which calls it with a megabyte of frame stack to itself.

CPython 3.11 keeps its frames in chunks of 16 KiB, and frees a chunk as soon
as the frame that opened it returns. WeasyPrint's layout recursion goes back
and forth across a chunk's edge thousands of times a chapter, and each
crossing is an ``mmap`` and a ``munmap``: 2,150 pairs in a ``watch`` save of
the sample, 30 ms of system time of its 0.35 s. A chunk is made at least
large enough for the frame that needs it plus 1,000 slots, rounded up to a
power of two: :func:`roomy` calls through a frame just over half a megabyte
(an unused value stack, which costs nothing to set up), so CPython gives it
a 1 MiB chunk whose other half holds every frame the call makes. The save
then takes 0.30 s. Nested calls go straight through (one chunk is enough);
a worker forked inside the call inherits its stack and its room.

    >>> roomy(sum, [1, 2, 3])
    6
"""

from __future__ import annotations

import threading
import types
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

SLOTS = (1 << 19) // 8 - 1000  # value-stack slots: with the frame's others, just over half of 1 MiB (in 8-byte slots)


def _through(fn: Callable[..., Any], args: tuple, kwargs: dict) -> Any:  # noqa: ANN401
    return fn(*args, **kwargs)


_ROOMY = types.FunctionType(_through.__code__.replace(co_stacksize=SLOTS), globals(), "_roomy")
_state = threading.local()


def roomy(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:  # noqa: ANN401
    """``fn(*args, **kwargs)``, its frames (and those of the calls it makes) in a 1 MiB stack chunk."""
    if getattr(_state, "inside", False):
        return fn(*args, **kwargs)
    _state.inside = True
    try:
        return _ROOMY(fn, args, kwargs)
    finally:
        _state.inside = False
