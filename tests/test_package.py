"""Packaging: the wheel ships the stylesheets and fonts, and an installed pipeline builds a book with them.

The repo keeps ``styles/`` at its top level; pyproject.toml maps it into the
wheel as ``pipeline/styles/``. These tests build the wheel, install it into a
temporary folder and run it from outside the repo, so neither the checkout
nor the editable install can stand in for it.
"""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT, SAMPLE

SOURCES = ("pyproject.toml", "README.md", "pipeline", "styles")  # what the build backend reads


def _run(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(args, capture_output=True, text=True, timeout=300, **kwargs)
    assert result.returncode == 0, f"{' '.join(args)}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built from the working tree (copied first: setuptools writes build/ and *.egg-info)."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    src.mkdir()
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy(ROOT / name, src / name)
    # conftest sets SOURCE_DATE_EPOCH="" for the pipeline; the wheel's zip timestamps want a number or nothing
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH" or v}
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp / "dist"), str(src)], env=env)
    (built,) = (tmp / "dist").glob("pipeline-*.whl")
    return built


def test_wheel_ships_styles_fonts_and_every_module(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "pipeline/styles/print.css" in names
    assert "pipeline/styles/fonts/EBGaramond12-Regular.otf" in names
    styles = {"pipeline/styles/" + p.relative_to(ROOT / "styles").as_posix()
              for p in (ROOT / "styles").rglob("*") if p.is_file()}
    assert styles - names == set()
    # pyproject.toml lists the packages by hand (package-dir needs it): a new subpackage must be added there
    modules = {p.relative_to(ROOT).as_posix() for p in (ROOT / "pipeline").rglob("*.py")}
    assert modules - names == set()


def test_installed_wheel_builds_an_epub(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "installed"
    _run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-compile", "--quiet",
          "--target", str(target), str(wheel)])
    work = tmp_path / "work"  # the cwd: outside the repo, holding only the manuscript
    shutil.copytree(SAMPLE, work / SAMPLE.name)
    # -S: no site, so no .pth files, so not the editable install's finder that maps pipeline to the repo;
    # the dependencies come from this interpreter's site-packages, named explicitly after the wheel.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(target), *site.getsitepackages()])}
    python = [sys.executable, "-S"]

    where = _run([*python, "-c", "import pipeline, pipeline.resources as r; print(pipeline.__file__); print(r.STYLES)"],
                 cwd=work, env=env).stdout.splitlines()
    assert Path(where[0]).is_relative_to(target), where
    assert Path(where[1]) == target / "pipeline" / "styles", where

    _run([*python, "-m", "pipeline", "build", SAMPLE.name, "--to", "epub", "--out", "out"], cwd=work, env=env)
    epub = work / "out" / f"{SAMPLE.name}.epub"
    assert epub.is_file()
    with zipfile.ZipFile(epub) as z:
        assert z.read("EPUB/styles/book.css") == (ROOT / "styles" / "book.css").read_bytes()
