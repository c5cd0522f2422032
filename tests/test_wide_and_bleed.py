"""{.wide} stills in the outer margin, and a book with {.bleed} stills grown by the bleed, on a real build.

One fixture book, built once for the module: a chapter of prose with four
``{.wide}`` stills, placed so that some land on rectos and some on versos,
and one ``{.bleed}`` still. Read back with pdfplumber (where each image and
line of text is drawn), pikepdf (the page boxes) and pdftoppm (the pixels at
the edges of the bleed page).
"""

from __future__ import annotations

import random
import shutil
import subprocess
from pathlib import Path

import pdfplumber
import pikepdf
import pytest
from conftest import image_bytes, write_files

from pipeline.build import run_build
from pipeline.diagnostics import Reporter
from pipeline.preflight import check_bleed

BLEED = 9.0  # 0.125 in


def _prose(seed: int, words: int) -> str:
    rng = random.Random(seed)
    vocabulary = "the keeper lit lamp over marsh tide salt light water grey slow quiet stone tower".split()
    return " ".join(rng.choice(vocabulary) for _ in range(words)).capitalize() + "."


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    parts = []
    for k, paragraphs in enumerate((6, 3, 5, 3)):  # lands the wide stills on pages of both hands
        parts.append("\n\n".join(_prose(10 * k + i, 120) for i in range(paragraphs)))
        parts.append(f'![Wide {k}](wide.png){{#fig-wide-{k} .wide alt="A grey band."}}')
    parts.append("\n\n".join(_prose(90 + i, 120) for i in range(3)))
    parts.append('![Bleed](tall.png){#fig-bleed .bleed alt="A grey block."}')
    parts.append("\n\n".join(_prose(95 + i, 120) for i in range(3)))
    root = write_files(tmp_path_factory.mktemp("margins") / "margins", {
        "book.yaml": "title: Margins\nlang: en\nidentifier: urn:uuid:00000000-0000-4000-8000-000000000009\n",
        "01.md": "# One\n\n" + "\n\n".join(parts) + "\n",
        "wide.png": image_bytes("PNG", (1600, 600)), "tall.png": image_bytes("PNG", (1900, 2800))})
    result = run_build(root, ["pdf"], root.parent / "out", Reporter(echo=False))
    return result.outputs[0], result


def _text_block(doc: pdfplumber.PDF, image_pages: set[int], recto: bool) -> tuple[float, float]:
    """The x-extent of the body text on pages of one hand without a still (in the body: from page 4)."""
    xs = [(c["x0"], c["x1"]) for i, p in enumerate(doc.pages)
          if i >= 4 and i % 2 == (0 if recto else 1) and i not in image_pages for c in p.chars]
    return min(x for x, _ in xs), max(x for _, x in xs)


def test_wide_stills_reach_into_the_outer_margin_on_both_hands(book: tuple[Path, object]) -> None:
    pdf, result = book
    wide = [page for page, _c, src, _w, _h in result.page_map.stills if src == "wide.png"]
    assert len(wide) == 4
    assert {p % 2 for p in wide} == {0, 1}, wide  # rectos (even pages) and versos
    with pdfplumber.open(pdf) as doc:
        stills = {i for i, p in enumerate(doc.pages) if p.images}
        for page in wide:
            recto = page % 2 == 0
            left, right = _text_block(doc, stills, recto)
            image = next(im for im in doc.pages[page].images if im["x1"] - im["x0"] < 400)
            if recto:  # flush with the text block at the spine, 2/3 of the way into the right margin
                assert abs(image["x0"] - left) < 1 and image["x1"] > right + 40, (page, image["x0"], left, right)
            else:
                assert abs(image["x1"] - right) < 1 and image["x0"] < left - 40, (page, image["x1"], left, right)
            assert image["x0"] > 30 and image["x1"] < 432 - 30  # never closer than 0.5 in to the trim
            # the caption is centred under the picture, not under the text block
            caption = [c for c in doc.pages[page].chars if image["bottom"] < c["top"] < image["bottom"] + 30]
            assert caption
            middle = (min(c["x0"] for c in caption) + max(c["x1"] for c in caption)) / 2
            assert abs(middle - (image["x0"] + image["x1"]) / 2) < 2


def test_a_book_with_bleed_grows_every_page_at_top_bottom_and_outside(book: tuple[Path, object]) -> None:
    pdf, result = book
    assert result.page_map.bleed
    with pikepdf.open(pdf) as doc:
        assert len(doc.pages) >= 12
        for i, page in enumerate(doc.pages):
            trim = [float(v) for v in page.obj.TrimBox]
            media = [float(v) for v in page.obj.MediaBox]
            assert trim == [0, 0, 432, 648], i
            assert [float(v) for v in page.obj.BleedBox] == media, i
            if i % 2 == 0:  # a recto: the outside is on the right, the spine on the left
                assert media == [0, -BLEED, 432 + BLEED, 648 + BLEED], i
            else:
                assert media == [-BLEED, -BLEED, 432, 648 + BLEED], i
        assert not check_bleed(doc, result.page_map)


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) is not installed")
def test_the_bleed_still_fills_its_page_and_the_bleed(book: tuple[Path, object], tmp_path: Path) -> None:
    from PIL import Image

    pdf, result = book
    (page,) = result.page_map.bleed
    subprocess.run(["pdftoppm", "-f", str(page + 1), "-l", str(page + 2), "-r", "36", "-png", str(pdf),
                    str(tmp_path / "p")], check=True)
    shots = sorted(tmp_path.glob("p-*.png"))
    bled, plain = (Image.open(p).convert("L") for p in shots)
    w, h = bled.size
    assert abs(w - (432 + BLEED) / 2) <= 1 and abs(h - (648 + 2 * BLEED) / 2) <= 1  # 36 dpi: half a point a pixel
    edges = [(x, y) for x in (0, w // 2, w - 1) for y in (0, h // 2, h - 1) if (x, y) != (w // 2, h // 2)]
    assert all(bled.getpixel(xy) < 128 for xy in edges)  # the grey picture out to every edge of the bleed
    assert all(plain.getpixel(xy) == 255 for xy in edges)  # the next page's bleed is white


def test_preflight_finds_a_page_without_the_bleed_and_a_second_trim(book: tuple[Path, object]) -> None:
    pdf, result = book
    with pikepdf.open(pdf) as doc:
        doc.pages[3].obj.MediaBox = doc.pages[3].obj.BleedBox = pikepdf.Array([0, 0, 432, 648])
        found = check_bleed(doc, result.page_map)
        assert [d.code for d in found] == ["X021"] and "page iv" in found[0].message
        assert "at the outside" in found[0].message and found[0].hint
        doc.pages[5].obj.TrimBox = pikepdf.Array([0, 0, 420, 648])
        assert [d.code for d in check_bleed(doc, result.page_map)] == ["X020", "X021"]
