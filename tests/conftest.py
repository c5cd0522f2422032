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
