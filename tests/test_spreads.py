"""Facing pages end level (pipeline/render/spreads.py), measured on real PDFs by tests/pdf_spreads.py.

A one-chapter fixture book of paragraphs of many lengths (no stills, no
headings but the chapter's): widows and orphans leave some pages a line
short. Built twice, with the levelling off (the default: see
``pipeline/render/spreads.py``) and on (``level-spreads: true`` in the metadata).
"""

from __future__ import annotations

import random
import re
import zipfile
from pathlib import Path

import pdfplumber
import pytest
from conftest import write_files
from pdf_spreads import spreads, summary
from test_page_list import MARKER, _documents, _pdf_first_words, _plain

from pipeline.build import run_build
from pipeline.diagnostics import Reporter


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict:
    rng = random.Random(7)
    words = ("the keeper lit a lamp over the marsh as tide and salt light came in on grey slow quiet water "
             "by the stone tower").split()
    paragraphs = [" ".join(rng.choice(words) for _ in range(rng.choice([18, 25, 40, 60, 90, 130, 170])))
                  .capitalize() + "." for _ in range(150)]
    root = write_files(tmp_path_factory.mktemp("level") / "level", {
        "book.yaml": "title: Level\nlang: en\nidentifier: urn:uuid:00000000-0000-4000-8000-000000000019\n",
        "01.md": "# One\n\n" + "\n\n".join(paragraphs) + "\n"})
    out = {}
    for name in ("off", "on"):
        if name == "on":
            meta = root / "book.yaml"
            meta.write_text(meta.read_text() + "level-spreads: true\n")
        result = run_build(root, ["pdf", "epub"], root.parent / name, Reporter(echo=False))
        out[name] = result.outputs[0]
    return {**out, "root": root, "result": result, "epub": result.outputs[1]}


def test_unlevel_spreads_are_levelled(builds: dict) -> None:
    total, _, before = summary(builds["off"])
    assert total >= 10 and before >= 2  # the fixture has unlevel spreads to level
    found = spreads(builds["on"])
    assert summary(builds["on"], found)[2] == 0, [s for s in found if s.gap and not s.reason]


def _body_text(pdf: Path) -> str:
    """The body's letters in order: no running heads or folios (8.5 pt), no spaces or hyphens."""
    with pdfplumber.open(pdf) as doc:
        text = "".join(c["text"] for p in doc.pages for c in p.chars if c["size"] > 10)
    return re.sub(r"[\s\-\u2010]", "", text)


def test_levelling_keeps_the_text_and_its_order(builds: dict) -> None:
    assert _body_text(builds["on"]) == _body_text(builds["off"])


def test_epub_page_markers_follow_the_levelled_pages(builds: dict) -> None:
    """A page that a cut paragraph begins is marked in the EPUB where the PDF page's text begins."""
    assert builds["result"].outputs[0] == builds["on"]
    first = _pdf_first_words(builds["on"], 4)
    checked = 0
    for _href, html in _documents(zipfile.ZipFile(builds["epub"])):
        for m in MARKER.finditer(html):
            if not m.group(2).isdigit():
                continue
            after = "".join(_plain(html[m.end():m.end() + 3000]).split())
            assert after.startswith("".join(first[m.group(2)])), (m.group(2), first[m.group(2)], after[:60])
            checked += 1
    assert checked >= 20


def test_one_pass_reference_breaks_the_pages_alike(builds: dict, tmp_path: Path) -> None:
    again = run_build(builds["root"], ["pdf"], tmp_path, Reporter(echo=False), use_cache=False, one_pass=True)
    assert again.page_map is not None and again.page_map.breaks == builds["result"].page_map.breaks
