"""Stills placed as a typesetter would (pipeline/render/floats.py), checked on real PDFs.

The sample book (the session's shared build) and The Worst Journey in the
World (built once for the session, shared with test_corpus.py) have no page
over 25 % blank before a still; every caption shares its still's page; the
stills keep their order and stay in their chapter; the text reads in order;
the EPUB keeps the manuscript's order; a ``{.inline}`` still is not moved.
"""

from __future__ import annotations

import random
import subprocess
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pdfplumber
import pytest
from conftest import CORPUS, image_bytes, shared_build, write_files
from pdf_holes import holes, pages_with_images, summary

from pipeline import ir
from pipeline.build import prepare, run_build
from pipeline.diagnostics import Reporter

WORST = CORPUS / "the-worst-journey-in-the-world"
X = "{http://www.w3.org/1999/xhtml}"


@pytest.fixture(scope="module")
def worst(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    if not WORST.is_dir():
        pytest.skip("../shared/corpus is not present")
    result = shared_build(tmp_path_factory, WORST, ("pdf", "epub"))
    return {**{p.suffix[1:]: p for p in result.outputs}, "src": WORST, "result": result}


@pytest.fixture(scope="module")
def sample(sample_build: dict[str, Path]) -> dict[str, Path]:
    from conftest import SAMPLE
    return {**sample_build, "src": SAMPLE}


def _book(request: pytest.FixtureRequest, name: str) -> dict:
    return request.getfixturevalue(name)


BOOKS = ["sample", pytest.param("worst", marks=pytest.mark.slow)]


@pytest.mark.parametrize("name", BOOKS)
def test_no_page_over_a_quarter_blank_before_a_still(request: pytest.FixtureRequest, name: str) -> None:
    book = _book(request, name)
    over, _ = summary(book["pdf"])
    assert over == 0, [h for h in holes(book["pdf"]) if h.blank > 0.25 and not h.ends_chapter]


def test_pages_with_images_are_those_pdfplumber_finds(sample: dict) -> None:
    """The fast finder that the checks above rely on (the worst journey's 600 pages) misses no page."""
    with pdfplumber.open(sample["pdf"]) as doc:
        found = {i for i, page in enumerate(doc.pages) if page.images}
    assert found and pages_with_images(sample["pdf"]) == found


def _page_texts(pdf: Path) -> list[str]:
    """Every page's text (pdftotext), hyphenated line ends joined, spaces collapsed."""
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True,
                         check=True).stdout
    return [" ".join(p.replace("\u2010\n", "").split()) for p in out.split("\f")]


def _images(pdf: Path) -> list[tuple[int, tuple[int, int]]]:
    """(page, source size) of every image, in page order, top to bottom (pdfplumber lays out only the pages
    that paint one)."""
    found = []
    with pdfplumber.open(pdf) as doc:
        for i in sorted(pages_with_images(pdf)):
            for im in sorted(doc.pages[i].images, key=lambda im: im["top"]):
                found.append((i, tuple(int(v) for v in im["srcsize"])))
    return found


@pytest.mark.slow
def test_placing_defines_no_anchor_twice(worst: dict) -> None:
    """A layout from a hole's page on cuts its first paragraph; the second part's ids must not repeat
    those of a part a moved still already split off (WeasyPrint warned "Anchor defined twice", R102,
    twice on this book)."""
    assert [d.message for d in worst["result"].diagnostics if d.code == "R102"] == []


@pytest.mark.parametrize("name", BOOKS)
def test_stills_keep_their_order_and_captions_their_page(request: pytest.FixtureRequest, name: str) -> None:
    book = _book(request, name)
    manuscript, index = prepare(book["src"], Reporter(echo=False))
    figures = [(ch, f) for ch in manuscript.chapters for f in ir.query(ch, ir.Figure)]
    images = _images(book["pdf"])
    assert len(images) == len(figures)
    facts = index.images
    # the print variant is turned upright by its EXIF orientation: a side may swap
    expected = [(facts[f.image.src].info.width, facts[f.image.src].info.height) for _, f in figures]
    assert [tuple(sorted(size)) for _, size in images] == [tuple(sorted(size)) for size in expected]
    texts = _page_texts(book["pdf"])
    page_map = book["result"].page_map if "result" in book else None
    for (page, _), (ch, f) in zip(images, figures):
        caption = " ".join(ir.plain_text(f.caption).split()[:4]) if f.caption else ""
        assert caption in texts[page], (f.image.src, page)
        if page_map is not None:  # the still did not leave its chapter
            first, count = page_map.chapters[ch.id]
            assert first <= page < first + count


@pytest.mark.parametrize("name", BOOKS)
def test_text_reads_in_manuscript_order(request: pytest.FixtureRequest, name: str) -> None:
    book = _book(request, name)
    manuscript, _ = prepare(book["src"], Reporter(echo=False))
    text = " ".join(_page_texts(book["pdf"]))
    at, found, paragraphs = 0, 0, 0
    for ch in manuscript.chapters:
        for b in ch.blocks:
            if not isinstance(b, ir.Para):
                continue
            words = ir.plain_text(b.inlines).split()[:5]
            if len(words) < 5:
                continue
            paragraphs += 1
            where = text.find(" ".join(words), at)
            if where >= 0:
                at, found = where, found + 1
    # a paragraph whose first words straddle a page break (running head, notes between) is not found
    assert found >= 0.9 * paragraphs


def test_epub_keeps_the_manuscript_order(sample: dict) -> None:
    manuscript, _ = prepare(sample["src"], Reporter(echo=False))
    with zipfile.ZipFile(sample["epub"]) as z:
        docs = [ET.fromstring(z.read(n)) for n in sorted(z.namelist()) if n.endswith(".xhtml")]
    order = [e.get("id") for d in docs for e in d.iter(f"{X}figure")]
    expected = [f.attr.id for ch in manuscript.chapters for f in ir.query(ch, ir.Figure)]
    assert order == expected


def _prose(seed: int, words: int) -> str:
    rng = random.Random(seed)
    vocabulary = "the keeper lit lamp over marsh tide salt light water grey slow quiet stone tower".split()
    return " ".join(rng.choice(vocabulary) for _ in range(words)).capitalize() + "."


def _one_chapter(root: Path, title: str, n: int, text: str, image: str, size: tuple[int, int]) -> Path:
    """A book of one chapter file, ``01.md`` (``text``), with one grey test image (book identifier ``n``)."""
    return write_files(root, {
        "book.yaml": f"title: {title}\nlang: en\nidentifier: urn:uuid:00000000-0000-4000-8000-{n:012d}\n",
        "01.md": text,
        image: image_bytes("PNG", size),
    })


def _pdf(root: Path) -> tuple[Path, object]:
    """``root`` built to PDF in ``root/out``: the file and the build's result."""
    result = run_build(root, ["pdf"], root / "out", Reporter(echo=False))
    return root / "out" / f"{root.name}.pdf", result


@pytest.fixture(scope="module")
def inline_books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, object]]:
    """Two one-chapter books alike but for ``{.inline}`` on a tall still that does not fit its page."""
    out = {}
    for name, attr in (("floating", ""), ("inline", " .inline")):
        before = "\n\n".join(_prose(i, 110) for i in range(5))
        after = "\n\n".join(_prose(100 + i, 110) for i in range(8))
        out[name] = _pdf(_one_chapter(
            tmp_path_factory.mktemp(name), "Floats", 1,
            f"# One\n\n{before}\n\n![A tall still](tall.png){{#fig-tall{attr} alt=\"A tall grey block.\"}}"
            f"\n\n{after}\n\n# Two\n\nThe end.\n", "tall.png", (600, 800)))
    return out


def test_inline_still_stays_where_written(inline_books: dict) -> None:
    floating_pdf, floating = inline_books["floating"]
    inline_pdf, inline = inline_books["inline"]
    assert summary(floating_pdf)[0] == 0
    assert summary(inline_pdf)[0] == 1  # the hole the author accepted
    # the text before the still ends where it did: moving it fills the page with what follows
    before = _page_texts(inline_pdf)
    key = next(k for k in inline.page_map.ids if k.endswith("/fig-tall"))
    page = inline.page_map.ids[key][0]
    assert "A tall still" in before[page]
    assert floating.page_map.ids[key][0] == page
    assert len(_page_texts(floating_pdf)[page - 1]) > len(before[page - 1])


@pytest.fixture(scope="module")
def classes_book(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    """A book with a {.full-page} and a {.bleed} still among paragraphs."""
    text = "\n\n".join(_prose(200 + i, 110) for i in range(4))
    more = "\n\n".join(_prose(300 + i, 110) for i in range(4))
    return _pdf(_one_chapter(
        tmp_path_factory.mktemp("classes"), "Classes", 2,
        f"# One\n\n{text}\n\n![Full page](wide.png){{#fig-full .full-page alt=\"A grey block.\"}}\n\n"
        f"{more}\n\n![Bleed](wide.png){{#fig-bleed .bleed alt=\"A grey block.\"}}\n\n{text}\n",
        "wide.png", (800, 600)))


def test_full_page_and_bleed_stills_are_alone_on_their_page(classes_book: tuple[Path, object]) -> None:
    pdf, result = classes_book
    ids = result.page_map.ids
    full = next(v[0] for k, v in ids.items() if k.endswith("/fig-full"))
    bleed = next(v[0] for k, v in ids.items() if k.endswith("/fig-bleed"))
    texts = _page_texts(pdf)
    assert texts[full].startswith("Full page") and len(texts[full]) < 20  # the caption (and folio) only
    with pdfplumber.open(pdf) as doc:
        page = doc.pages[bleed]
        (image,) = page.images
        # the picture covers the page and its bleed (object-fit: cover: drawn larger, clipped to the page)
        x0, top, x1, bottom = page.bbox
        assert image["x0"] <= x0 and image["top"] <= top
        assert image["x1"] >= x1 - 0.5 and image["bottom"] >= bottom - 0.5
    assert result.page_map.bleed == [bleed]
    # a folio on the full page (in its margin), none on the bleed page (it would print over the picture)
    assert any(c.isdigit() for c in texts[full]) and not any(c.isdigit() for c in texts[bleed])
    assert summary(pdf)[0] == 0


@pytest.fixture(scope="module")
def list_book(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    """A tall still in the second item of a numbered list, where it does not fit its page."""
    before = "\n\n".join(_prose(i, 110) for i in range(5))
    after = "\n\n".join(_prose(100 + i, 110) for i in range(6))
    return _pdf(_one_chapter(
        tmp_path_factory.mktemp("list"), "Lists", 3,
        f"# One\n\n{before}\n\n3. The first item, numbered three.\n\n"
        f"4. The second item.\n\n"
        f"   ![A tall still in a list](tall.png){{#fig-list alt=\"A tall grey block.\"}}\n\n"
        f"   The second item goes on after its still. {_prose(50, 60)}\n\n"
        f"5. The third item.\n\n6. The fourth item.\n\n{after}\n", "tall.png", (600, 800)))


def test_still_in_a_list_floats_and_the_list_counts_on(list_book: tuple[Path, object]) -> None:
    pdf, result = list_book
    assert summary(pdf)[0] == 0, holes(pdf)  # it left a hole when stills in lists could not move
    texts = _page_texts(pdf)
    key = next(k for k in result.page_map.ids if k.endswith("/fig-list"))
    page = result.page_map.ids[key][0]
    assert "A tall still in a list" in texts[page][:40]  # it opens its page (after the running head)
    whole = " ".join(texts)
    # each number once, in order, before its own item: the item cut by the still shows no second marker
    found = [(whole.find(f"{n}. The {what}"), whole.count(f"{n}. ")) for n, what in
             ((3, "first"), (4, "second"), (5, "third"), (6, "fourth"))]
    assert all(at >= 0 for at, _ in found) and [at for at, _ in found] == sorted(at for at, _ in found), found
    assert whole.index("The second item goes on") < whole.index("5. The third")


def test_placing_from_the_hole_page_is_exact(tmp_path: Path) -> None:
    """Where the page after a hole begins, found by laying out from the hole's page on (its first
    paragraph cut, its footnotes numbered on), and the layout after a move made from there while more
    holes wait, give the placement a layout from the chapter's start gives: the same blocks, fewer
    pages laid out."""
    from pipeline.render import floats, pdf
    from pipeline.render.pdf import scripts_in

    paragraphs = []
    for i in range(14):  # notes numbered past 9 and 99 on the pages laid out from a hole's page on
        calls = "".join(f"{_prose(400 + 10 * i + k, 30)}[^n{i}-{k}] " for k in range(8))
        notes = "\n\n".join(f"[^n{i}-{k}]: {_prose(600 + 10 * i + k, 3 + 9 * (k % 2))}" for k in range(8))
        paragraphs.append(f"{calls}\n\n{notes}")
        if i in (4, 8, 11):
            paragraphs.append(f"![Still {i}](tall.png){{#fig-{i} alt=\"A tall grey block.\"}}")
    root = _one_chapter(tmp_path / "book", "Segments", 4, "# One\n\n" + "\n\n".join(paragraphs) + "\n",
                        "tall.png", (600, 700))
    book, index = prepare(root, Reporter(echo=False))
    from pipeline.editions import for_book
    edition = for_book(book.meta, "pdf")
    scripts = scripts_in(ir.to_json(book))
    ch = book.chapters[-1]
    _, blocks, _, render, render_from = pdf.chapter_layouts(ch, index, book.meta, edition, root, scripts)
    whole_doc, whole = floats.place(blocks, render)
    part_doc, part = floats.place(blocks, render, render_from=render_from)
    assert whole.moved and part.from_page >= 1 and part.parts >= 1
    assert part.blocks == whole.blocks and part.moved == whole.moved
    assert [len(p._page_box.children) for p in part_doc.pages] == [len(p._page_box.children) for p in whole_doc.pages]
