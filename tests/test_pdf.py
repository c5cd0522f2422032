"""End-to-end checks of the print PDF, read back from the real built file.

The sample manuscript is built once per session (``sample_build`` in
conftest.py); these tests open that PDF with pdfplumber (text and image
positions, in points from the top-left corner) and pypdf (fonts, outline,
metadata) and compare what they find with the book's IR (``sample_book``).
Nothing is mocked: a test passes only if the typeset pages really look right.

Page indexes in messages are 0-based; "p." numbers are the 1-based physical
page numbers printed at the foot of the page.
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass
from pathlib import Path

import pdfplumber
import pytest
from conftest import SAMPLE
from pdf_holes import pages_with_images
from PIL import Image
from pypdf import PdfReader
from pypdf.generic import IndirectObject

from pipeline import build, build_book, ir
from pipeline.editions import EDITIONS

MARGINS_PT = {k: getattr(EDITIONS[0].margins, k) for k in ("top", "bottom", "inside", "outside")}

PAGE_W, PAGE_H = 432.0, 648.0          # 6 x 9 in
BODY_SIZE = 11.5                        # html { font-size: 11.5pt }
CAPTION_GAP_PT = 24.0                   # a caption's first line starts at most this far below its image
TOL = 1.0                               # rounding slack, in points
AUTO_HYPHEN = "\u2010"                  # WeasyPrint's hyphenate-character


# ---------------------------------------------------------------- reading the PDF


@dataclass(frozen=True)
class Line:
    """One line of text on a page, as pdfplumber groups characters."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float          # font size of the line's first character
    fonts: frozenset     # every BaseFont name used on the line

    @property
    def italic(self) -> bool:
        return all("Italic" in f for f in self.fonts)


@dataclass(frozen=True)
class Page:
    """What one PDF page shows: its lines of text and its images."""

    index: int
    width: float
    height: float
    lines: tuple[Line, ...]
    images: tuple[dict, ...]   # pdfplumber image dicts: x0, x1, top, bottom, srcsize

    def body_lines(self) -> list[Line]:
        """Lines inside the text block (no running head, no folio)."""
        return [ln for ln in self.lines
                if ln.top >= MARGINS_PT["top"] - TOL and ln.bottom <= self.height - MARGINS_PT["bottom"] + TOL]

    def text(self) -> str:
        """The text block's lines joined into one string, automatic hyphenation undone."""
        out = ""
        for ln in self.body_lines():
            if out.endswith(AUTO_HYPHEN):
                out = out[:-1] + ln.text
            else:
                out = f"{out} {ln.text}" if out else ln.text
        return norm(out)


def norm(text: str) -> str:
    """Collapse runs of whitespace (including no-break spaces) to one space."""
    return " ".join(text.split())


def first_words(text: str, n: int) -> str:
    return " ".join(norm(text).split()[:n])


def read_pages(path: Path, with_images_only: bool = False) -> list[Page]:
    """Every page's lines and images; with ``with_images_only``, pages without images get no lines (faster)."""
    pages = []
    # pdfplumber lays out every page it is asked about; pypdf finds the pages with images far faster
    wanted = pages_with_images(path) if with_images_only else None
    with pdfplumber.open(path) as pdf:
        for i, p in enumerate(pdf.pages):
            if wanted is not None and i not in wanted:
                pages.append(Page(i, float(p.width), float(p.height), (), ()))
                continue
            lines = tuple(
                Line(norm(ln["text"]), ln["x0"], ln["x1"], ln["top"], ln["bottom"], ln["chars"][0]["size"],
                     frozenset(c["fontname"] for c in ln["chars"]))
                for ln in p.extract_text_lines() if norm(ln["text"]))
            images = tuple(dict(im) for im in p.images)
            pages.append(Page(i, float(p.width), float(p.height), lines, images))
    return pages


def text_block(page: Page) -> tuple[float, float, float, float]:
    """(left, top, right, bottom) of the text block; page index 0 is a right-hand page."""
    m = MARGINS_PT
    left = m["inside"] if page.index % 2 == 0 else m["outside"]
    right = page.width - (m["outside"] if page.index % 2 == 0 else m["inside"])
    return left, m["top"], right, page.height - m["bottom"]


def outline_tree(reader: PdfReader, entries=None) -> list[tuple[str, int, list]]:
    """pypdf's nested outline as [(title, 0-based page index, children)]."""
    out: list[tuple[str, int, list]] = []
    for e in reader.outline if entries is None else entries:
        if isinstance(e, list):
            title, page, _ = out[-1]
            out[-1] = (title, page, outline_tree(reader, e))
        else:
            out.append((e.title, reader.get_destination_page_number(e), []))
    return out


def resolve(obj):
    return obj.get_object() if isinstance(obj, IndirectObject) else obj


def fonts_in(resources, seen: set[int] | None = None):
    """Every font dictionary reachable from a resource dictionary (Type0 descendants, forms, patterns)."""
    seen = set() if seen is None else seen
    resources = resolve(resources) or {}
    for font in (resolve(resources.get("/Font")) or {}).values():
        font = resolve(font)
        if id(font) in seen:
            continue
        seen.add(id(font))
        yield font
        for child in resolve(font.get("/DescendantFonts")) or []:
            yield resolve(child)
        if "/Resources" in font:  # Type3 fonts carry their own resources
            yield from fonts_in(font["/Resources"], seen)
    for key in ("/XObject", "/Pattern"):
        for xobj in (resolve(resources.get(key)) or {}).values():
            xobj = resolve(xobj)
            if "/Resources" in xobj and id(xobj) not in seen:
                seen.add(id(xobj))
                yield from fonts_in(xobj["/Resources"], seen)


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def pages(sample_build) -> list[Page]:
    return read_pages(sample_build["pdf"])


@pytest.fixture(scope="module")
def reader(sample_build) -> PdfReader:
    return PdfReader(sample_build["pdf"])


@pytest.fixture(scope="module")
def chapter_starts(reader, sample_book) -> dict[str, int]:
    """Chapter title -> 0-based index of its opening page, from the level-1 outline entries."""
    titles = [ir.plain_text(ch.title).strip() for ch in sample_book.chapters]
    starts = {title: page for title, page, _ in outline_tree(reader) if title in titles}
    assert set(starts) == set(titles), f"outline lacks chapters: {set(titles) - set(starts)}"
    return starts


def figures(book: ir.Book) -> list[ir.Figure]:
    return list(ir.query(book, ir.Figure))


# ---------------------------------------------------------------- 1, 2: stills and captions


def test_every_figure_is_drawn_once(pages, sample_book):
    drawn = sum(len(p.images) for p in pages)
    assert drawn == len(figures(sample_book)) == 13


def test_captions_sit_directly_under_their_images(pages, sample_book):
    captioned = [f for f in figures(sample_book) if ir.plain_text(f.caption).strip()]
    assert len(captioned) == 12
    problems, used = caption_problems(pages, captioned, Path(sample_book.root))
    assert not problems, "\n".join(problems)
    assert len(used) == 12


def caption_problems(pages: list[Page], captioned: list[ir.Figure], root: Path) -> tuple[list[str], set]:
    """Check each figure's caption starts directly under an image with the still's proportions.

    Returns (problems, the (page, image) pairs matched).
    """
    problems: list[str] = []
    used: set[tuple[int, int]] = set()
    for fig in captioned:
        start = first_words(ir.plain_text(fig.caption), 4)
        hits = [(p, ln) for p in pages for ln in p.lines if ln.text.startswith(start)]
        if not hits:
            problems.append(f"{fig.attr.id}: caption '{start}…' not found on any page")
            continue
        placed = False
        for page, line in hits:
            for k, im in enumerate(page.images):
                below = im["bottom"] - TOL <= line.top < im["bottom"] + CAPTION_GAP_PT
                overlaps = line.x0 < im["x1"] and line.x1 > im["x0"]
                if below and overlaps and (page.index, k) not in used:
                    used.add((page.index, k))
                    placed = True
                    # the image above the caption is this figure's still: same proportions
                    with Image.open(root / fig.image.src) as still:
                        w, h = still.size
                    shown = (im["x1"] - im["x0"]) / (im["bottom"] - im["top"])
                    if abs(shown - w / h) > 0.02 * (w / h):
                        problems.append(f"{fig.attr.id}: image above caption on page {page.index} has "
                                        f"aspect {shown:.3f}, the still has {w / h:.3f}")
                    break
            if placed:
                break
        if not placed:
            where = ", ".join(f"page {p.index} top {ln.top:.1f} (images: "
                              f"{[(round(i['top']), round(i['bottom'])) for i in p.images]})" for p, ln in hits)
            problems.append(f"{fig.attr.id}: caption '{start}…' is not directly under an image: {where}")
    return problems, used


def test_images_fit_the_text_block(pages):
    outside = []
    for page in pages:
        left, top, right, bottom = text_block(page)
        for im in page.images:
            if not (im["x0"] >= left - TOL and im["x1"] <= right + TOL
                    and im["top"] >= top - TOL and im["bottom"] <= bottom + TOL):
                outside.append(f"page {page.index}: image ({im['x0']:.1f}, {im['top']:.1f})–"
                               f"({im['x1']:.1f}, {im['bottom']:.1f}) outside block "
                               f"({left}, {top})–({right}, {bottom})")
    assert not outside, "\n".join(outside)
    assert any(p.images for p in pages)


# ---------------------------------------------------------------- 3: fonts


def test_only_shipped_fonts_all_embedded(reader):
    names, problems = set(), []
    for i, page in enumerate(reader.pages):
        for font in fonts_in(page.get("/Resources")):
            if font.get("/Subtype") == "/Type3":
                problems.append(f"page {i}: Type3 font {font.get('/Name')}")
                continue
            base = str(font["/BaseFont"]).lstrip("/")
            name = base.split("+", 1)[1] if "+" in base[:7] else base
            names.add(name)
            if not name.startswith(("Book-Serif", "Book-Fallback")):
                problems.append(f"page {i}: font {base} is not a shipped font")
            if font.get("/Subtype") == "/Type0":
                continue  # its descendant carries the descriptor; checked in turn
            desc = resolve(font.get("/FontDescriptor")) or {}
            if not any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                problems.append(f"page {i}: font {base} is not embedded")
    assert not problems, "\n".join(sorted(set(problems)))
    assert {"Book-Serif", "Book-Serif-Italic"} <= names, names


# ---------------------------------------------------------------- 4, 5, 6: outline, metadata, trim


def test_outline_lists_contents_chapters_and_sections(reader, sample_book):
    expected = [("Contents", [])]
    for ch in sample_book.chapters:
        heads = [h for h in ir.query(ch, ir.Heading) if h.level <= 2]
        assert heads and heads[0].level == 1, f"{ch.id} does not open with a level-1 heading"
        expected.append((ir.plain_text(heads[0].inlines).strip(),
                         [ir.plain_text(h.inlines).strip() for h in heads[1:] if h.level == 2]))
    actual = [(title, [t for t, _, _ in kids]) for title, _, kids in outline_tree(reader)]
    assert actual == expected
    assert len(expected) == 7 and sum(len(k) for _, k in expected) == 24


def test_document_metadata_and_language(reader, sample_book):
    meta = sample_book.meta
    info = reader.metadata
    assert info["/Title"] == meta.title == "The Salt Lantern"
    assert meta.creators and all(c.name in info["/Author"] for c in meta.creators)
    assert "Rosalind Aske" in info["/Author"]
    assert reader.trailer["/Root"]["/Lang"] == meta.lang == "en-GB"


def test_every_page_is_six_by_nine_inches(reader, sample_book):
    assert sample_book.meta.trim_size == ()
    sizes = {i: (float(p.mediabox.width), float(p.mediabox.height)) for i, p in enumerate(reader.pages)}
    wrong = {i: s for i, s in sizes.items() if s != (PAGE_W, PAGE_H)}
    assert not wrong, f"pages not 432 x 648 pt: {wrong}"
    assert len(sizes) > 20


# ---------------------------------------------------------------- 7, 8: chapter openings, running heads, folios


def test_chapters_open_on_right_hand_pages(chapter_starts, pages):
    wrong = {t: i + 1 for t, i in chapter_starts.items() if i % 2 != 0}
    assert not wrong, f"chapters opening on even (left-hand) pages, by physical page number: {wrong}"
    for title, index in chapter_starts.items():  # the outline points at the page that shows the title
        assert any(ln.text == title and ln.size > 1.4 * BODY_SIZE for ln in pages[index].lines), \
            f"'{title}' not set as a chapter title on page {index}"


def chapter_ranges(chapter_starts: dict[str, int], n_pages: int) -> dict[str, range]:
    order = sorted(chapter_starts.items(), key=lambda kv: kv[1])
    ends = [start for _, start in order[1:]] + [n_pages]
    return {title: range(start, end) for (title, start), end in zip(order, ends, strict=True)}


def running_heads(page: Page) -> list[Line]:
    return [ln for ln in page.lines if ln.bottom <= MARGINS_PT["top"]]


def test_running_heads_name_the_chapter(chapter_starts, pages):
    missing = {}
    for title, span in chapter_ranges(chapter_starts, len(pages)).items():
        heads = {i: [(ln.text, ln.italic) for ln in running_heads(pages[i])] for i in span if i != span.start}
        if not any(text == title and italic for hs in heads.values() for text, italic in hs):
            missing[title] = heads
    assert not missing, "chapter title never appears as an italic running head:\n" + "\n".join(
        f"  {t}: running heads by page index {h}" for t, h in missing.items())


def test_running_heads_are_in_the_top_margin_and_italic(pages):
    heads = [(p.index, ln) for p in pages for ln in running_heads(p)]
    assert heads, "no running heads at all"
    bad = [(i, ln.text, ln.top, sorted(ln.fonts)) for i, ln in heads if not ln.italic or ln.top >= 54]
    assert not bad, bad


def test_page_numbers_at_the_foot(chapter_starts, pages):
    """The body is numbered from 1 at the first chapter (an even page count of front matter before it);
    a chapter's first page and blank pages carry no folio."""
    first = min(chapter_starts.values())
    assert first % 2 == 0, "the first chapter must open on a right-hand page"
    problems = []
    for page in pages[:first]:
        if [ln.text for ln in page.lines if ln.top >= page.height - MARGINS_PT["bottom"]]:
            problems.append(f"front matter page {page.index} carries a folio")
    openings = set(chapter_starts.values())
    for page in pages[first:]:
        foot = [ln.text for ln in page.lines if ln.top >= page.height - MARGINS_PT["bottom"]]
        if not page.body_lines() or page.index in openings:
            if foot:
                problems.append(f"page {page.index}, a blank page or a chapter's first, shows {foot}")
            continue
        if foot != [str(page.index - first + 1)]:
            problems.append(f"page {page.index}: foot shows {foot}, expected ['{page.index - first + 1}']")
    assert not problems, "\n".join(problems)


def test_page_labels_match_the_folios(sample_build, chapter_starts):
    reader = PdfReader(sample_build["pdf"])
    first = min(chapter_starts.values())
    labels = list(reader.page_labels)
    assert labels[:first] == ["i", "ii", "iii", "iv", "v", "vi"][:first]
    assert labels[first:] == [str(k) for k in range(1, len(labels) - first + 1)]


# ---------------------------------------------------------------- 9: footnotes


def test_first_footnote_at_the_foot_of_its_page(pages, sample_book):
    note = next(ir.query(sample_book, ir.Note))
    para = next(b for b in ir.query(sample_book, ir.Para) if note in b.inlines)
    before = ir.plain_text(para.inlines[: para.inlines.index(note)])
    call = first_words(" ".join(before.split()[-3:]), 3) + str(note.number)   # 'were never exposed.1'
    # the marker runs into the note's first line: '1. The drawings were made'
    start = f"{note.number}. " + first_words(ir.plain_text(note.blocks[0].inlines), 4)

    note_lines = [(p, ln) for p in pages for ln in p.lines if ln.text.startswith(start)]
    assert len(note_lines) == 1, f"footnote text '{start}…' found {len(note_lines)} times"
    page, first_line = note_lines[0]
    assert first_line.size < BODY_SIZE - 1, f"footnote set at {first_line.size:.1f}pt, like body text"
    call_pages = [p.index for p in pages if call in p.text()]
    assert call_pages == [page.index], f"note call '{call}' on pages {call_pages}, note text on page {page.index}"
    body = [ln for ln in page.body_lines() if abs(ln.size - BODY_SIZE) < 0.5]
    assert body, f"no body text on page {page.index}"
    lowest = max(body, key=lambda ln: ln.bottom)
    assert first_line.top > lowest.bottom, (
        f"page {page.index}: footnote starts at top {first_line.top:.1f}, above body line "
        f"'{lowest.text[:40]}' ending at {lowest.bottom:.1f}")


# ---------------------------------------------------------------- 10, 11: reproducibility, trim size


def test_build_is_byte_identical(tmp_path, sample_build):
    """A second build from nothing, of the PDF alone, gives the session's pdf+epub build's PDF byte for byte."""
    first = sample_build["pdf"].read_bytes()
    second = build(SAMPLE, ["pdf"], tmp_path / "again")[0].read_bytes()
    assert first[:5] == b"%PDF-"
    if first != second:
        at = next((i for i, (x, y) in enumerate(zip(first, second)) if x != y), min(len(first), len(second)))
        pytest.fail(f"a pdf-only build differs from the pdf+epub build: {len(first)} vs {len(second)} bytes, "
                    f"first difference at byte {at}: {first[at - 20:at + 20]!r} vs {second[at - 20:at + 20]!r}")


def test_trim_size_from_front_matter(tmp_path):
    src = tmp_path / "tiny.md"
    src.write_text("---\ntitle: T\nlang: en\ntrim-size: 5in 8in\n---\n\n# A heading\n\nA paragraph of text.\n",
                   encoding="utf-8")
    (pdf,) = build(src, ["pdf"], tmp_path / "out")
    reader = PdfReader(io.BytesIO(pdf.read_bytes()))
    sizes = [(float(p.mediabox.width), float(p.mediabox.height)) for p in reader.pages]
    assert sizes and all(s == (360.0, 576.0) for s in sizes), sizes
    assert "A paragraph of text." in "".join(p.extract_text() for p in reader.pages)


# ---------------------------------------------------------------- every accepted image format


def test_every_image_format_reaches_the_pdf(tmp_path):
    from conftest import write_files
    from test_epub import FOLDER_BOOK

    root = write_files(tmp_path / "folder-book", FOLDER_BOOK)
    pdf = build(root, ["pdf"], tmp_path / "out")[0]
    pages = read_pages(pdf)
    book = build_book(root)
    raster = [f for f in figures(book) if not f.image.src.endswith(".svg")]
    # PNG (twice: once in a block quote), JPEG, TIFF (converted), GIF, WebP; the SVG is drawn as vectors
    assert sum(len(p.images) for p in pages) == len(raster) == 6
    captioned = [f for f in raster if f.caption]
    problems, used = caption_problems(pages, captioned, root)
    assert not problems, "\n".join(problems)
    svg = next(f for f in figures(book) if f.image.src.endswith(".svg"))
    page = next(p for p in pages if any(ln.text.startswith("SVG drawing") for ln in p.lines))
    with pdfplumber.open(pdf) as doc:
        assert doc.pages[page.index].curves or doc.pages[page.index].rects, "the SVG drew nothing"
    assert svg.image.alt == "A vector circle."


def test_code_is_set_in_the_shipped_monospaced_face(tmp_path):
    """Code spans and blocks use Noto Sans Mono, embedded, and keep their characters: `--from` stays --from."""
    src = tmp_path / "code.md"
    src.write_text("---\ntitle: Code\nlang: en\n---\n# Code\n\nRun `pandoc --from markdown` now -- please.\n\n"
                   "```\nx -- 1 ... (c)\n```\n", encoding="utf-8")
    (pdf_path,) = build(src, ["pdf"], tmp_path / "out", use_cache=False)
    with pdfplumber.open(pdf_path) as pdf:
        page = next(p for p in pdf.pages if "pandoc" in (p.extract_text() or ""))
        text = page.extract_text()
        mono = "".join(c["text"] for c in page.chars if c["fontname"].endswith("+Book-Mono"))
    assert "pandoc --from markdown" in text and "x -- 1 ... (c)" in text
    assert "now – please" in text  # prose still gets its dash
    assert mono.replace(" ", "") == "pandoc--frommarkdownx--1...(c)"
    reader = PdfReader(pdf_path)
    fonts = {str(f.get_object()["/BaseFont"]).split("+")[-1]: f.get_object() for p in reader.pages
             for f in (p["/Resources"].get("/Font") or {}).values()}
    descriptor = fonts["Book-Mono"]["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
    assert "/FontFile2" in descriptor  # embedded


def test_a_weasyprint_other_than_the_one_the_patches_were_written_for_is_refused():
    from pipeline.diagnostics import BuildError
    from pipeline.render import weasyprint_patches

    weasyprint_patches.check_version()  # the installed, pinned one
    with pytest.raises(BuildError) as caught:
        weasyprint_patches.check_version("71.0")
    assert caught.value.diagnostic.code == "R004" and "70.0" in caught.value.diagnostic.hint


def test_shipped_fonts_are_recognised_by_their_bytes():
    """A piece names a shipped font instead of embedding it (assembly subsets it once); only the exact
    bytes of a shipped file count, found by size first so that no process hashes all 28 MB of them."""
    from pipeline.render.html import STYLES
    from pipeline.render.weasyprint_patches import shipped_name

    regular = (STYLES / "fonts" / "EBGaramond12-Regular.otf").read_bytes()
    assert shipped_name(regular) == "EBGaramond12-Regular.otf"
    assert shipped_name(regular[:-1] + bytes([regular[-1] ^ 1])) is None  # same size, other bytes
    assert shipped_name(regular + b"\0") is None


def _laid_out(html: str) -> bytes:
    """``html`` as a one-page piece of the print edition."""
    from pipeline.editions import for_book
    from pipeline.metadata import normalise
    from pipeline.render import pdf

    edition = for_book(normalise({"title": "T", "lang": "en"}, "f"), "pdf")
    return pdf.layout(html, edition, SAMPLE, b"0" * 32, "test", pdf.scripts_in(html)).pdf


def test_lines_drawn_from_their_layout_are_weasyprints_bytes(monkeypatch: pytest.MonkeyPatch):
    """Lines drawn from the glyphs shaped when they were laid out, justified lines widened as Pango
    widens them, and glyphs read in bulk, give WeasyPrint's own bytes in every script the fonts cover:
    ligatures, kerning, accents built from combining marks (a glyph raised or lowered), right-to-left
    runs, CJK, a zero-width space, non-breaking spaces, spaces at a text box's ends; and a glyph no font
    has, which WeasyPrint's own code draws."""
    from pipeline.render import weasyprint_glyphs

    text = ("Office affluence, AVATAR To Wa. Ce\u0301sar, nai\u0308ve, Thu\u031b\u0323c Mr.\u00a0Aide "
            "\u05e9\u05dc\u05d5\u05dd \u0645\u064e\u0631\u0652\u062d\u064e\u0628\u064b\u0627 "
            "\u4e2d\u6587\u5b57 zero\u200bwidth <i> italic fi</i> <b>bold </b><code>mono()</code> x<sup>2</sup> ")
    html = (f'<html lang="en"><body><p style="text-align: justify">{text * 6}</p>'
            f"<p>{text}\U0001fae8</p></body></html>")
    widened = []
    original = weasyprint_glyphs.widened

    def counted(*args):  # noqa: ANN002, ANN202
        widened.append(args[1])
        return original(*args)

    monkeypatch.setattr(weasyprint_glyphs, "widened", counted)
    ours = _laid_out(html)
    assert len(widened) > 10  # justified lines were drawn from their layout
    for name in ("lines_kept", "glyphs_read_in_bulk"):  # WeasyPrint's own drawing
        monkeypatch.setattr(weasyprint_glyphs, name, contextlib.nullcontext)
    assert ours == _laid_out(html)


def test_a_word_is_drawn_alike_in_justified_and_ragged_lines():
    """An italic "f" before a space takes EB Garamond's short f. WeasyPrint shapes a justified line again
    word by word to draw it, so the f lost its form (and the line its measured width) in every justified
    line but kept it in the paragraph's ragged last line; drawn from their layout, all lines agree."""
    words = "the voyage <i>of the</i> Discovery and the <i>chief of the</i> staff".split(" ")
    html = f'<html lang="en"><body><p style="text-align: justify">{" ".join(words * 12)}</p></body></html>'
    with pdfplumber.open(io.BytesIO(_laid_out(html))) as doc:
        chars = doc.pages[0].chars
        lines = {round(c["top"]) for c in chars}
        widths = {round(a["x1"] - a["x0"], 3) for a, b in zip(chars, chars[1:])
                  if a["text"] == "f" and b["text"] == " " and "Italic" in a["fontname"]}
    assert len(lines) > 3 and len(widths) == 1, widths


def test_a_chapter_laid_out_after_others_is_the_chapter_laid_out_alone(tmp_path: Path):
    """A process lays chapters out one after another, each a document of its own, and shares computed
    styles between them (pipeline.render.weasyprint_styles): the next chapter's paragraphs take the
    styles computed for the last one's. Each chapter is still byte for byte what it is laid out first."""
    from conftest import write_files

    from pipeline.build import prepare
    from pipeline.editions import for_book
    from pipeline.margins import estimate_pages
    from pipeline.matter import front_count
    from pipeline.render import pdf, weasyprint_styles

    body = ("Text with *emphasis*, **strength**, `code`, a [link](#{n}-b) and a note.[^n]\n\n"
            "[^n]: The note of chapter {n}.\n\n> A quotation set apart.\n\n- one\n- two\n\n"
            "1. first\n2. second\n\n| Year | Event |\n|---|---|\n| 1812 | Borodino |\n\n"
            "## A section {{#{n}-b}}\n\nAnother paragraph, long enough to be justified across a line or two "
            "of the page, with a word or two that may be hyphenated: extraordinarily, indistinguishable.\n")
    root = write_files(tmp_path / "book", {
        "book.yaml": "title: Shared\nlang: en\nauthor: A. Writer\n",
        **{f"chapters/0{n}.md": f"# Chapter {n}\n\n" + body.format(n=n) for n in (1, 2, 3)}})
    book, index = prepare(root)
    edition = for_book(book.meta, "pdf", estimate_pages(book))
    scripts = pdf.scripts_in("".join(ir.to_json(c) for c in book.chapters))
    chapters = book.chapters[front_count(book):]

    def laid_out(chapter: ir.Chapter) -> bytes:
        return pdf.layout_chapter(chapter, index, book.meta, edition, root, scripts).pdf

    def forget() -> None:
        for table in (weasyprint_styles._STYLES, weasyprint_styles._TWINS, weasyprint_styles._PAGES):
            table.clear()

    alone = []
    for chapter in chapters:
        forget()
        alone.append(laid_out(chapter))
    forget()
    laid_out(chapters[0])
    kept = dict(weasyprint_styles._TWINS)
    in_turn = [laid_out(chapter) for chapter in chapters]
    assert in_turn == alone
    assert weasyprint_styles._TWINS == kept  # the later chapters computed no style the first had not
    assert len(kept) > 10 and weasyprint_styles._PAGES


def test_a_next_word_too_long_for_the_line_is_not_shaped_again(monkeypatch: pytest.MonkeyPatch):
    """WeasyPrint shapes a draft of each line, then the line again with the next word added; when the draft
    shows that the word cannot fit, that shaping is skipped (weasyprint_glyphs.next_words_measured).
    Fewer shapings, the same bytes: justified and ragged lines, hyphenated words, italics, non-breaking
    spaces, and right-to-left lines (shaped as before)."""
    from weasyprint.text import line_break

    from pipeline.render import weasyprint_glyphs

    shapings = []
    original = line_break.Layout.get_first_line

    def counted(self):  # noqa: ANN001, ANN202
        shapings.append(self.text)
        return original(self)

    monkeypatch.setattr(line_break.Layout, "get_first_line", counted)
    hebrew = "\u05e9\u05dc\u05d5\u05dd \u05e2\u05d5\u05dc\u05dd "
    text = ("An extraordinarily long sentence, with <i>indistinguishable</i> words and Mr.\u00a0Smith's "
            f"notwithstanding interjections; then {hebrew}again, AVATAR, To Wa. ")
    html = (f'<html lang="en"><body><p style="text-align: justify">{text * 8}</p><p>{text * 4}</p>'
            f'<p dir="rtl" lang="he">{hebrew * 40}</p></body></html>')
    ours = _laid_out(html)
    measured = len(shapings)
    shapings.clear()
    monkeypatch.setattr(weasyprint_glyphs, "next_words_measured", contextlib.nullcontext)
    assert _laid_out(html) == ours
    assert len(shapings) - measured >= 10, (measured, len(shapings))  # lines whose next word was not shaped
