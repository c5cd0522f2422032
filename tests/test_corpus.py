"""The real books in ../shared/corpus/: both build to a valid EPUB and to a PDF.

These take a few minutes (War and Peace is 565k words); they are skipped if the
corpus is not beside the clone.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pypdf
import pytest
from conftest import CORPUS, ace_violations, epubcheck_messages, needs_ace, shared_build

from pipeline import build, ir
from pipeline.build import build_book

X = "{http://www.w3.org/1999/xhtml}"
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
WORST = CORPUS / "the-worst-journey-in-the-world"
WAR = CORPUS / "war-and-peace"

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not present")]


@pytest.fixture(scope="module")
def worst(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Built once for the session, shared with test_floats.py."""
    return {p.suffix[1:]: p for p in shared_build(tmp_path_factory, WORST, ("pdf", "epub")).outputs}


@pytest.fixture(scope="module")
def war(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    paths = build(WAR, ["pdf", "epub"], tmp_path_factory.mktemp("war"))
    return {p.suffix[1:]: p for p in paths}


def _xhtml(epub: Path) -> dict[str, ET.Element]:
    with zipfile.ZipFile(epub) as z:
        return {n: ET.fromstring(z.read(n)) for n in z.namelist() if n.startswith("EPUB/text/")}


# War and Peace first: its EPUB has the most documents for DAISY Ace (368), which make test's batch then
# checks alongside the other tests, and test_floats.py's worker meanwhile makes the Worst Journey's
# shared build.
def test_war_and_peace_builds(war: dict[str, Path]) -> None:
    assert epubcheck_messages(war["epub"]) == []
    docs = _xhtml(war["epub"])
    assert len(docs) == 365 + 2  # the chapters, the cover and the title page
    notes = [a for d in docs.values() for a in d.iter(X + "aside") if a.get(EPUB_TYPE) == "footnote"]
    assert len(notes) == 137
    reader = pypdf.PdfReader(war["pdf"])
    assert len(reader.pages) > 1000


@needs_ace  # under --ace-every-epub (make test) the session's batch checks it; alone, Ace takes minutes
def test_war_and_peace_has_no_ace_violation(war: dict[str, Path]) -> None:
    assert ace_violations(war["epub"]) == []


def test_worst_journey_epub_is_valid(worst: dict[str, Path]) -> None:
    assert epubcheck_messages(worst["epub"]) == []


@needs_ace
def test_worst_journey_has_no_ace_violation(worst: dict[str, Path]) -> None:
    assert ace_violations(worst["epub"]) == []


def test_worst_journey_keeps_figures_notes_and_cross_references(worst: dict[str, Path]) -> None:
    docs = _xhtml(worst["epub"])
    figures = [f for d in docs.values() for f in d.iter(X + "figure")]
    assert len(figures) == 76
    for f in figures:
        assert f.find(X + "img").get("alt")
        assert "".join(f.find(X + "figcaption").itertext()).strip()
    notes = [a for d in docs.values() for a in d.iter(X + "aside") if a.get(EPUB_TYPE) == "footnote"]
    assert len(notes) == 364
    ids = {n.split("/")[-1]: {e.get("id") for e in d.iter() if e.get("id")} for n, d in docs.items()}
    xrefs = 0
    for name, d in docs.items():
        for a in d.iter(X + "a"):
            href = a.get("href", "")
            if a.get(EPUB_TYPE) == "noteref" or a.get("role") == "doc-backlink" or href.startswith("http"):
                continue
            file_part, _, frag = href.partition("#")
            assert frag in ids[file_part or name.split("/")[-1]], href
            xrefs += 1
    # every internal link of the manuscript survives and resolves (42 links to 34 anchors)
    written = sum(p.read_text(encoding="utf-8").count("](#") for p in WORST.glob("*.md"))
    assert xrefs == written == 42


def test_worst_journey_pdf_has_every_figure_with_its_caption(worst: dict[str, Path]) -> None:
    from test_pdf import caption_problems, read_pages

    book = build_book(WORST)
    figures = list(ir.query(book, ir.Figure))
    pages = read_pages(worst["pdf"], with_images_only=True)
    assert sum(len(p.images) for p in pages) == len(figures) == 76
    problems, used = caption_problems(pages, figures, WORST)
    assert not problems, "\n".join(problems)
    assert len(used) == 76
