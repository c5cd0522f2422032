"""Every example of the CommonMark spec (npm ``commonmark-spec``), treated as hostile input.

Each example alone either builds or stops with a clear image diagnostic (the
spec links images that do not exist, or that sit at absolute paths); never a
traceback. All the examples that build are then bound into one book, one
example per chapter, which must pass EPUBCheck with no message at all, render
to PDF, and carry no script, event handler or ``javascript:`` link.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pypdf
import pytest
from conftest import ROOT, epubcheck_messages, write_files

from pipeline import build, build_book
from pipeline.diagnostics import BuildError, Reporter
from pipeline.render.epub import render_epub

SPEC = ROOT / ".venv" / "share" / "commonmark-spec" / "spec.txt"
IMAGE_CODES = {"I001", "I005"}  # image not found; image outside the manuscript (absolute paths)


def spec_examples() -> list[str]:
    """The Markdown of each spec example, as the package's own index.js extracts them."""
    if not SPEC.is_file():
        pytest.fail(f"{SPEC} is missing: run `make setup` (it fetches the npm package commonmark-spec)")
    text = re.sub(r"^<!-- END TESTS -->(.|\n)*", "", SPEC.read_text(encoding="utf-8"), flags=re.M)
    found = re.finditer(r"^`{32} example\n([\s\S]*?)^\.\n([\s\S]*?)^`{32}$", text, flags=re.M)
    return [m.group(1).replace("→", "\t") for m in found]


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[int, str]:
    """Build every example alone (IR and EPUB, in-process): 'ok' or the diagnostic code."""
    root = tmp_path_factory.mktemp("examples")
    result: dict[int, str] = {}
    for n, markdown in enumerate(spec_examples(), 1):
        path = root / f"example-{n:03}.md"
        path.write_text("---\ntitle: Example\nlang: en\n---\n" + markdown, encoding="utf-8")
        try:
            assert render_epub(build_book(path, Reporter(stream=io.StringIO()))).data
            result[n] = "ok"
        except BuildError as exc:
            result[n] = exc.diagnostic.code
    return result


def test_every_example_builds_or_gives_a_clear_image_error(outcomes: dict[int, str]) -> None:
    assert len(outcomes) == 652
    refused = {n: code for n, code in outcomes.items() if code != "ok"}
    assert set(refused.values()) <= IMAGE_CODES, refused
    assert len(refused) == 22  # the examples whose images are missing or absolute


@pytest.fixture(scope="module")
def spec_book(outcomes: dict[int, str], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    examples = spec_examples()
    files: dict[str, str | bytes] = {"book.yaml": "title: CommonMark examples\nlang: en\n"}
    for n, code in outcomes.items():
        if code == "ok":
            files[f"chapters/{n:03}.md"] = examples[n - 1]
    root = write_files(tmp_path_factory.mktemp("spec") / "commonmark", files)
    paths = build(root, ["epub", "pdf"], tmp_path_factory.mktemp("out"), Reporter(stream=io.StringIO()))
    return {p.suffix[1:]: p for p in paths}


def test_spec_book_passes_epubcheck(spec_book: dict[str, Path]) -> None:
    assert epubcheck_messages(spec_book["epub"]) == []


def test_spec_book_renders_to_pdf(spec_book: dict[str, Path]) -> None:
    assert len(pypdf.PdfReader(spec_book["pdf"]).pages) > 100


def test_no_script_handler_or_javascript_survives(spec_book: dict[str, Path]) -> None:
    with zipfile.ZipFile(spec_book["epub"]) as z:
        for name in z.namelist():
            if name.endswith(".xhtml"):
                text = z.read(name).decode("utf-8").lower()
                assert "<script" not in text, name
                assert not re.search(r"\son[a-z]+\s*=", text), name
                assert "javascript:" not in text, name
