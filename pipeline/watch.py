"""Watch a manuscript and rebuild it on every save.

Takes: a manuscript (folder or single ``.md`` file), the editions wanted, an
output folder and the build's options.
Gives: a first build, then one rebuild per batch of saved changes in the
manuscript's folder, each reported on stderr in one line (what was built,
how long it took, how many chapters were laid out and how many came from the
cache); an exit status when stopped (0 for Ctrl-C).

The builds run in this one long-lived process, so the in-memory caches stay
warm and a one-paragraph edit re-lays out one chapter only. A build that fails
prints its diagnostic and the watcher waits for the next save; the previous
outputs stay as they were. Ignored: the output folder, ``.cache``, hidden
files and the temporary files of editors and of the build itself.

    python -m pipeline watch manuscripts/the-salt-lantern --to epub
"""

from __future__ import annotations

import re
import sys
import time
import traceback
from pathlib import Path
from typing import Protocol

from .diagnostics import BuildError, Diagnostic, Reporter

FATAL = {"M005", "R002"}  # no manuscript, unknown format: no save in the folder can fix these
IDLE = 250  # ms: how often an idle watcher wakes up (to notice Ctrl-C and stop_event)

# Editors' swap, backup and autosave files, and the build's own ``.part`` files.
TEMPORARY = re.compile(r"(\.part|\.tmp|\.sw[a-p]|\.kate-swp|~|___jb_(tmp|old)___)$|^#.*#$|^4913$")


class StopEvent(Protocol):
    """Anything with ``is_set()``, such as a :class:`threading.Event`."""

    def is_set(self) -> bool: ...


def watched_folder(source: Path | str) -> Path:
    """The folder to watch: the manuscript folder, or a single file's folder."""
    path = Path(source).resolve()
    return path if path.is_dir() else path.parent


def ignored(path: Path | str, root: Path, out_dir: Path) -> bool:
    """Whether a change to ``path`` (under ``root``) cannot change the book.

    >>> root, out = Path("/b"), Path("/b/build")
    >>> [ignored(p, root, out) for p in ("/b/01.md", "/b/.01.md.swp", "/b/01.md~", "/b/build/x.pdf",
    ...                                  "/b/.cache/u", "/b/stills/a.png.part", "/b/#01.md#")]
    [False, True, True, True, True, True, True]
    """
    path = Path(path)
    try:
        parts = path.relative_to(root).parts
    except ValueError:
        return True
    if any(p.startswith(".") for p in parts) or (parts and TEMPORARY.search(parts[-1])):
        return True
    if out_dir == root or out_dir in root.parents:   # the outputs are written among the inputs
        return path.parent == out_dir and path.suffix in (".pdf", ".epub")
    return path == out_dir or out_dir in path.parents


def _name(source: Path | str) -> str:
    path = Path(source).resolve()
    return path.name if path.is_dir() else path.stem


def _count(n: int, what: str) -> str:
    return f"{n} {what}" if n == 1 else f"{n} {what.replace('chapter', 'chapters')}"


def build_once(source: Path | str, formats: list[str], out_dir: Path, jobs: int = 0, quiet: bool = False,
               again: bool = False) -> Diagnostic | None:
    """Build once and print one line saying what was built; returns the error that stopped it, if any."""
    from .build import run_build
    from .progress import for_terminal

    started = time.perf_counter()
    progress = for_terminal(not quiet)
    try:
        try:
            result = run_build(source, formats, out_dir, Reporter(), jobs=jobs, progress=progress)
        finally:
            progress.done()
    except BuildError as exc:
        failed = exc.diagnostic
    except RecursionError:
        failed = Diagnostic("R003", "error", "the manuscript is nested too deeply to build",
                            "simplify deeply nested quotes, lists or emphasis")
    else:
        took = time.perf_counter() - started
        name = result.outputs[0].stem if result.outputs else _name(source)
        if result.up_to_date:
            line = f"{name} is up to date ({took:.2f} s)"
        else:
            line = f"{'rebuilt' if again else 'built'} {name} ({', '.join(formats)}) in {took:.2f} s"
            if result.ran or result.cached:
                which = f" ({', '.join(result.ran)})" if 0 < len(result.ran) <= 3 else ""
                line += f": {_count(len(result.ran), 'chapter laid out')}{which}, {len(result.cached)} from the cache"
        print(line, file=sys.stderr, flush=True)
        if not again and "pdf" in formats:
            from .render.pdf_units import warm
            warm()  # the chapters were laid out in workers; the next edit is laid out here
        return None
    print(failed, file=sys.stderr, flush=True)
    print(f"{_name(source)} not built; the previous outputs are untouched", file=sys.stderr, flush=True)
    return failed


def watch(source: Path | str, formats: list[str], out_dir: Path | str = "build", jobs: int = 0,
          quiet: bool = False, stop_event: StopEvent | None = None) -> int:
    """Build ``source``, then rebuild it on each batch of changes until Ctrl-C or ``stop_event``; the exit status."""
    import watchfiles

    from .load import display_path

    out = Path(out_dir).resolve()
    root = watched_folder(source)
    try:
        if not Path(source).exists():
            build_once(source, formats, Path(out_dir), jobs, quiet)   # says what is missing
            return 1
        # The watcher starts (on the first step, which returns after at most IDLE ms) before the first
        # build, so a save made while it runs is not missed; empty batches are the idle wake-ups.
        batches = watchfiles.watch(root, watch_filter=lambda _change, path: not ignored(path, root, out),
                                   stop_event=stop_event, rust_timeout=IDLE, yield_on_timeout=True)
        next(batches, None)
        failed = build_once(source, formats, Path(out_dir), jobs, quiet)
        if failed is not None and failed.code in FATAL:
            return 1
        print(f"watching {display_path(root)} for changes (Ctrl-C to stop)", file=sys.stderr, flush=True)
        for changes in batches:
            if not changes:
                continue
            try:
                build_once(source, formats, Path(out_dir), jobs, quiet, again=True)
            except Exception:   # a bug in the pipeline: report it and keep watching
                traceback.print_exc()
    except KeyboardInterrupt:
        print("stopped watching", file=sys.stderr, flush=True)
    return 0
