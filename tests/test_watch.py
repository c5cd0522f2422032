"""``pipeline watch``: build, rebuild on each save, survive a broken edit, stop cleanly on Ctrl-C."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT, write_files

from pipeline.watch import ignored, watch

BOOK = {
    "book.yaml": "title: Watched Book\nlang: en\n",
    "01-one.md": "# One\n\nThe first chapter.\n",
    "02-two.md": "# Two\n\nThe second chapter.\n",
}


class Watcher:
    """``python -m pipeline watch ARGS`` in the background, its output read line by line."""

    def __init__(self, *args: str):
        self.proc = subprocess.Popen([sys.executable, "-m", "pipeline", "watch", *args], cwd=ROOT,
                                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line)

    def wait_for(self, text: str, timeout: float = 20) -> str:
        """The next line containing ``text`` (lines before it are kept in :attr:`seen`)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"no line with {text!r} in {timeout} s; output:\n{''.join(self.seen)}") from None
            self.seen.append(line)
            if text in line:
                return line

    def rest(self) -> str:
        """Everything printed after the lines waited for, once the process has ended."""
        self.reader.join(timeout=5)
        return "".join(list(self.lines.queue))

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        try:
            return self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise


def _epub_text(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        return "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xhtml"))


@pytest.fixture
def watcher(tmp_path: Path):
    book = write_files(tmp_path / "book", BOOK)
    w = Watcher(str(book), "--to", "epub", "--out", str(tmp_path / "out"), "-q")
    yield w
    if w.proc.poll() is None:
        w.proc.kill()
        w.proc.wait()


def test_rebuilds_on_save_survives_an_error_and_stops_on_ctrl_c(tmp_path: Path, watcher: Watcher) -> None:
    book, epub = tmp_path / "book", tmp_path / "out" / "book.epub"
    assert "built book (epub) in" in watcher.wait_for("built")
    watcher.wait_for("watching")
    assert "The second chapter." in _epub_text(epub)

    with (book / "02-two.md").open("a", encoding="utf-8") as f:
        f.write("\nA heron stands in the shallows.\n")
    line = watcher.wait_for("rebuilt")
    assert line.startswith("rebuilt book (epub) in ") and line.rstrip().endswith(" s"), line
    assert "A heron stands in the shallows." in _epub_text(epub)

    (book / "01-one.md").write_text("# One\n\n![Gone](gone.png){alt=\"Nothing.\"}\n", encoding="utf-8")
    assert "[I001]" in watcher.wait_for("I001")
    watcher.wait_for("not built")
    assert watcher.proc.poll() is None
    assert "A heron stands in the shallows." in _epub_text(epub)   # the last good output is kept

    (book / "01-one.md").write_text("# One\n\nThe first chapter, mended.\n", encoding="utf-8")
    watcher.wait_for("rebuilt")
    assert "The first chapter, mended." in _epub_text(epub)

    assert watcher.stop() == 0
    assert "stopped watching" in watcher.rest()


def test_a_missing_manuscript_ends_the_watch(tmp_path: Path) -> None:
    w = Watcher(str(tmp_path / "nowhere"), "--to", "epub", "--out", str(tmp_path / "out"))
    assert w.proc.wait(timeout=20) == 1
    assert "[M005]" in w.rest()


def test_stop_event_ends_an_in_process_watch(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = write_files(tmp_path / "book", BOOK)
    stop = threading.Event()
    status: list[int] = []
    thread = threading.Thread(target=lambda: status.append(watch(book, ["epub"], tmp_path / "out", quiet=True,
                                                                 stop_event=stop)))
    thread.start()
    deadline = time.monotonic() + 20
    while not (tmp_path / "out" / "book.epub").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    stop.set()
    thread.join(timeout=10)
    assert not thread.is_alive() and status == [0]
    assert "built book (epub)" in capsys.readouterr().err


@pytest.mark.parametrize(("path", "skip"), [
    ("book/01.md", False), ("book/stills/a.png", False),
    ("book/.01.md.swp", True), ("book/01.md~", True), ("book/#01.md#", True), ("book/4913", True),
    ("book/.cache/x", True), ("book/build/book.pdf", True), ("book/build/.book.pdf.part", True),
    ("book/stills/a.png.part", True), ("elsewhere/01.md", True),
])
def test_what_the_watcher_ignores(tmp_path: Path, path: str, skip: bool) -> None:
    assert ignored(tmp_path / path, tmp_path / "book", tmp_path / "book" / "build") is skip


def test_outputs_written_into_the_manuscript_folder_are_ignored(tmp_path: Path) -> None:
    root = tmp_path / "book"
    assert ignored(root / "book.epub", root, root) and ignored(root / "book.pdf", root, root)
    assert not ignored(root / "01.md", root, root) and not ignored(root / "01.md", root, tmp_path)
