"""Facing pages end level (pipeline/render/spreads.py), measured on real PDFs by tests/pdf_spreads.py.

A one-chapter fixture book of paragraphs of many lengths (no stills, no
headings but the chapter's): widows and orphans leave some pages a line
short. Built three times: with the levelling off (``level-spreads: false``),
stretched (the default) and cut (``level-spreads: cut``).
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

from pipeline.build import prepare, run_build
from pipeline.diagnostics import Reporter
from pipeline.editions import for_book
from pipeline.matter import front_count
from pipeline.render.pdf import place_chapter

SETTINGS = {"off": "level-spreads: false\n", "stretch": "", "cut": "level-spreads: cut\n"}


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict:
    rng = random.Random(7)
    words = ("the keeper lit a lamp over the marsh as tide and salt light came in on grey slow quiet water "
             "by the stone tower").split()
    paragraphs = [" ".join(rng.choice(words) for _ in range(rng.choice([18, 25, 40, 60, 90, 130, 170])))
                  .capitalize() + "." for _ in range(150)]
    base = tmp_path_factory.mktemp("level")
    out: dict = {}
    for name, setting in SETTINGS.items():
        root = write_files(base / name / "level", {
            "book.yaml": "title: Level\nlang: en\nidentifier: urn:uuid:00000000-0000-4000-8000-000000000019\n"
                         + setting,
            "01.md": "# One\n\n" + "\n\n".join(paragraphs) + "\n"})
        result = run_build(root, ["pdf", "epub"], base / name / "out", Reporter(echo=False))
        out[name] = result.outputs[0]
        out[f"{name}-result"], out[f"{name}-root"] = result, root
    return out


def _unlevel_not_excused(pdf: Path) -> list:
    return [s for s in spreads(pdf) if s.gap and not s.reason]


def test_the_fixture_has_unlevel_spreads_when_levelling_is_off(builds: dict) -> None:
    total, _, before = summary(builds["off"])
    assert total >= 10 and before >= 2


@pytest.mark.parametrize("how", ["stretch", "cut"])
def test_unlevel_spreads_are_levelled(builds: dict, how: str) -> None:
    assert _unlevel_not_excused(builds[how]) == []


def _last_lines(pdf: Path) -> list[float]:
    """The bottom of each page's last line of body text (11.5 pt), in pt from the top."""
    with pdfplumber.open(pdf) as doc:
        return [round(max((c["bottom"] for c in p.chars if c["size"] > 10), default=0.0), 2) for p in doc.pages]


def test_stretching_moves_no_line_to_another_page(builds: dict) -> None:
    """A stretched page holds the lines it held, only lower; the facing pages' last lines end level."""
    with pdfplumber.open(builds["off"]) as off, pdfplumber.open(builds["stretch"]) as on:
        assert len(off.pages) == len(on.pages)
        for a, b in zip(off.pages, on.pages):
            assert a.extract_text() == b.extract_text()
    off, on = _last_lines(builds["off"]), _last_lines(builds["stretch"])
    lower = [i for i, (a, b) in enumerate(zip(off, on)) if b > a + 1]
    assert len(lower) >= 2, (off, on)  # pages opened up, each now ending as its facing page does
    for i in lower:
        facing = i + 1 if i % 2 else i - 1
        assert abs(on[i] - on[facing]) < 1.0, (i, on[i], on[facing])


def test_stretching_lays_nothing_out_again(builds: dict) -> None:
    """The same number of WeasyPrint layouts with the stretch as without it; the cut makes more."""
    layouts = {}
    for name in SETTINGS:
        book, index = prepare(builds[f"{name}-root"], Reporter(echo=False))
        chapter = book.chapters[front_count(book)]
        _doc, placement, _html, _warnings = place_chapter(chapter, index, book.meta, for_book(book.meta, "pdf"),
                                                          Path(book.root), ())
        layouts[name] = placement.layouts
    assert layouts["stretch"] == layouts["off"] < layouts["cut"], layouts


def _body_text(pdf: Path) -> str:
    """The body's letters in order: no running heads or folios (8.5 pt), no spaces or hyphens."""
    with pdfplumber.open(pdf) as doc:
        text = "".join(c["text"] for p in doc.pages for c in p.chars if c["size"] > 10)
    return re.sub(r"[\s\-\u2010]", "", text)


@pytest.mark.parametrize("how", ["stretch", "cut"])
def test_levelling_keeps_the_text_and_its_order(builds: dict, how: str) -> None:
    assert _body_text(builds[how]) == _body_text(builds["off"])


def test_epub_page_markers_follow_the_levelled_pages(builds: dict) -> None:
    """A page that a cut paragraph begins is marked in the EPUB where the PDF page's text begins."""
    first = _pdf_first_words(builds["cut"], 4)
    checked = 0
    for _href, html in _documents(zipfile.ZipFile(builds["cut-result"].outputs[1])):
        for m in MARKER.finditer(html):
            if not m.group(2).isdigit():
                continue
            after = "".join(_plain(html[m.end():m.end() + 3000]).split())
            assert after.startswith("".join(first[m.group(2)])), (m.group(2), first[m.group(2)], after[:60])
            checked += 1
    assert checked >= 20


def test_one_pass_reference_breaks_the_pages_alike(builds: dict, tmp_path: Path) -> None:
    again = run_build(builds["cut-root"], ["pdf"], tmp_path, Reporter(echo=False), use_cache=False, one_pass=True)
    assert again.page_map is not None and again.page_map.breaks == builds["cut-result"].page_map.breaks


@pytest.fixture(scope="module")
def list_builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The fixture's paragraphs with a bulleted list after every fourth, levelling off and stretched."""
    rng = random.Random(11)
    words = "the keeper lit a lamp over the marsh as tide and salt light came in on grey slow water".split()
    parts = []
    for k in range(110):
        parts.append(" ".join(rng.choice(words) for _ in range(rng.choice([25, 40, 60, 90, 130]))).capitalize() + ".")
        if k % 4 == 3:
            parts.append("\n".join(f"- {' '.join(rng.choice(words) for _ in range(rng.choice([8, 20, 30])))}."
                                   for _ in range(3)))
    base = tmp_path_factory.mktemp("level-lists")
    out = {}
    for name in ("off", "stretch"):
        root = write_files(base / name / "lists", {
            "book.yaml": "title: Lists\nlang: en\n" + SETTINGS[name], "01.md": "# One\n\n" + "\n\n".join(parts) + "\n"})
        out[name] = run_build(root, ["pdf"], base / name / "out", Reporter(echo=False)).outputs[0]
    return out


def _bullets(pdf_path: Path) -> list[tuple[int, float]]:
    """Each bullet's page and how far its foot sits from the foot of its item's first line, in pt."""
    out = []
    with pdfplumber.open(pdf_path) as pdf:
        for i, page in enumerate(pdf.pages):
            body = [c for c in page.chars if c["size"] > 10 and c["text"].strip() and c["text"] != "•"]
            for b in (c for c in page.chars if c["text"] == "•"):
                line = min(body, key=lambda c: (abs(c["bottom"] - b["bottom"]), c["x0"] < b["x1"]))
                out.append((i, round(b["bottom"] - line["bottom"], 2)))
    return out


def test_a_list_items_marker_stays_on_its_line_when_its_page_is_stretched(list_builds: dict[str, Path]) -> None:
    """WeasyPrint places a bullet outside its item, as a box of its own: it moves with the item's first line."""
    off, on = _bullets(list_builds["off"]), _bullets(list_builds["stretch"])
    assert len(off) == len(on) > 20 and [p for p, _ in off] == [p for p, _ in on]
    assert on == off
    lower = [i for i, (a, b) in enumerate(zip(_last_lines(list_builds["off"]), _last_lines(list_builds["stretch"])))
             if b > a + 1]
    assert {p for p, _ in on} & set(lower), "no stretched page holds a list"
