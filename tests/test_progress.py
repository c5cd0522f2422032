"""The progress display: rich on a terminal, nothing otherwise; rich is loaded only when shown."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, write_files

from pipeline import progress


def _console(buffer: io.StringIO):
    from rich.console import Console

    return Console(file=buffer, force_terminal=True, width=120, color_system=None)


def test_quiet_when_disabled_or_stderr_is_not_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    assert progress.for_terminal() is progress.quiet
    assert progress.for_terminal(enabled=False) is progress.quiet


def test_disabled_even_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stderr", Tty())
    assert progress.for_terminal(enabled=False) is progress.quiet
    shown = progress.for_terminal()
    assert shown is not progress.quiet
    shown.done()  # never started: nothing to stop


def test_live_display_names_stages_and_chapters() -> None:
    buffer = io.StringIO()
    stderr = sys.stderr
    shown = progress.live(_console(buffer))
    shown.advance("pdf-chapter", "too early")   # before its stage: ignored
    shown.stage("pdf-chapter", 2)
    shown.advance("pdf-chapter", "ch-01-arrival")
    shown.advance("pdf-folios", "folios-0")     # a stage never announced: ignored
    shown.advance("pdf-chapter", "ch-02-light")
    shown.stage("pdf-assemble", 1)
    shown.advance("pdf-assemble")
    shown.stage("epub-pack", 3)                 # a stage without a label shows its name
    shown.done()
    shown.done()
    text = buffer.getvalue()
    assert "laying out chapters" in text and "assembling PDF" in text and "epub-pack" in text
    assert "ch-02-light" in text and "2/2" in text
    assert sys.stderr is stderr


def test_warnings_printed_while_live_go_through_the_display(monkeypatch: pytest.MonkeyPatch) -> None:
    buffer = io.StringIO()
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    stderr = sys.stderr
    shown = progress.live(_console(buffer))
    shown.stage("pdf-chapter", 1)
    print("01.md:3: warning: a still without alt text [I101]", file=sys.stderr)
    shown.advance("pdf-chapter", "ch-01")
    shown.done()
    assert sys.stderr is stderr and stderr.getvalue() == ""
    assert "a still without alt text [I101]" in buffer.getvalue()


def test_importing_and_a_quiet_build_do_not_load_rich() -> None:
    code = ("import sys, pipeline, pipeline.cli; from pipeline.progress import for_terminal; "
            "for_terminal(); print(sorted(m for m in sys.modules if m.split('.')[0] in ('rich', 'watchfiles')))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def _on_a_terminal(*args: str) -> str:
    """Run ``python -m pipeline ARGS`` with stderr on a pseudo-terminal; what it printed there."""
    import pty
    import threading

    master, slave = pty.openpty()
    out = bytearray()

    def read() -> None:
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:   # EIO: the child closed its end
                return
            if not data:
                return
            out.extend(data)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        result = subprocess.run([sys.executable, "-m", "pipeline", *args], cwd=ROOT, stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=slave, timeout=60,
                                env={**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "100"})
    finally:
        os.close(slave)
        reader.join(timeout=5)
        os.close(master)
    text = out.decode("utf-8", "replace")
    assert result.returncode == 0, text
    return text


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="needs a pseudo-terminal")
def test_build_on_a_terminal_shows_progress_and_quiet_hides_it(tmp_path: Path) -> None:
    book = write_files(tmp_path / "book", {"book.yaml": "title: Bars\nlang: en\n",
                                           "01.md": "# One\n\nText.\n", "02.md": "# Two\n\nMore.\n"})
    build = ("build", str(book), "--to", "pdf", "--out", str(tmp_path / "out"), "-j", "1", "--no-cache")
    quiet = _on_a_terminal(*build, "-q")
    assert "laying out chapters" not in quiet and "built" in quiet
    shown = _on_a_terminal(*build)
    assert "laying out chapters" in shown and "assembling PDF" in shown and "built" in shown
