"""The print edition's page numbers in the EPUB: markers where the PDF's pages begin, a page-list, the source.

A multi-chapter book with footnotes, figures, a list, a table and formulas is
built to both formats once; its PDF is read back with pdfplumber and pypdf and
compared with the EPUB's markers page by page.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from html import unescape
from pathlib import Path

import pdfplumber
import pypdf
import pytest
from conftest import epubcheck_messages
from PIL import Image

from pipeline.build import run_build
from pipeline.diagnostics import Reporter
from pipeline.editions import EDITIONS
from pipeline.render.page_list import insert_markers

WORDS = ("harbour lantern causeway estuary fog bell tide marsh keeper prism photograph camera shadow window "
         "salt channel evening reel sound silence weather sea gallery engineer stair tower").split()
MARKER = re.compile(r'<span epub:type="pagebreak" role="doc-pagebreak" id="([^"]+)" aria-label="([^"]+)"/>')


def _prose(seed: int, sentences: int) -> str:
    out = []
    for s in range(sentences):
        n = 9 + (seed * 7 + s * 3) % 11
        words = [WORDS[(seed * 13 + s * 5 + i * i) % len(WORDS)] for i in range(n)]
        out.append(" ".join(words).capitalize() + ".")
    return " ".join(out)


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("paged") / "paged"
    (root / "chapters").mkdir(parents=True)
    Image.new("RGB", (600, 400), (40, 90, 140)).save(root / "still.png")
    (root / "book.yaml").write_text("title: Paged\nauthor: Ann Author\nlang: en\nprint-isbn: 978-0-306-40615-7\n"
                                    "date: 2020-01-01\nrights: © 2020\n")
    for c in range(1, 4):
        parts = [f"# Chapter {c}\n"]
        for p in range(9):
            note = f"[^n{c}{p}]" if p % 3 == 1 else ""
            parts.append(f"{_prose(c * 10 + p, 6)}{note} {_prose(c * 20 + p, 4)} With $x^{p}$ here.\n")
            if note:
                parts.append(f"[^n{c}{p}]: {_prose(p, 2)}\n")
            if p == 4:
                parts.append(f"![A still for chapter {c}.](../still.png){{#fig-s{c} alt=\"A blue field.\"}}\n")
            if p == 6:
                parts.append("- " + _prose(p, 2) + "\n- " + _prose(p + 1, 2) + "\n")
                parts.append("| Reel | Length |\n|---|---|\n| One | 10 |\n| Two | 12 |\n")
        (root / "chapters" / f"0{c}-ch.md").write_text("\n".join(parts))
    out = root.parent / "out"
    result = run_build(root, ["pdf", "epub"], out, Reporter(echo=False), cache_dir=root.parent / "cache")
    epub = out / "paged.epub"
    return {"root": root, "result": result, "epub": epub, "pdf": out / "paged.pdf",
            "zip": zipfile.ZipFile(epub), "cache": root.parent / "cache"}


def _documents(z: zipfile.ZipFile) -> list[tuple[str, str]]:
    """The spine's XHTML documents, in reading order: (href relative to the OPF, text)."""
    opf = z.read("EPUB/content.opf").decode()
    hrefs = dict(re.findall(r'<item [^>]*?href="([^"]+)"[^>]*?id="([^"]+)"', opf))
    by_id = {v: k for k, v in hrefs.items()}
    if not by_id:  # attributes in the other order
        by_id = dict(re.findall(r'<item [^>]*?id="([^"]+)"[^>]*?href="([^"]+)"', opf))
    spine = re.findall(r'<itemref [^>]*?idref="([^"]+)"', opf)
    return [(by_id[i], z.read("EPUB/" + by_id[i]).decode()) for i in spine]


def _plain(html: str) -> str:
    html = re.sub(r"<math\b.*?</math>", " ", html, flags=re.S)  # formulas: drawn, not text, in the PDF
    html = re.sub(r'<section class="footnotes".*', " ", html, flags=re.S)
    return unicodedata.normalize("NFKC", unescape(re.sub(r"<[^>]+>", " ", html)))


def _pdf_first_words(pdf: Path, n: int) -> dict[str, list[str]]:
    """The first ``n`` words of each page's text block (below the running head), by page label."""
    top = EDITIONS[0].margins.top - 2
    labels = list(pypdf.PdfReader(pdf).page_labels)
    out = {}
    with pdfplumber.open(pdf) as doc:
        for label, page in zip(labels, doc.pages):
            words = [w for w in page.extract_words(use_text_flow=True) if w["top"] >= top]
            if words:
                out[label] = [unicodedata.normalize("NFKC", w["text"]) for w in words[:n]]
    return out


def test_markers_and_page_list_agree_with_the_pdf_labels(book: dict) -> None:
    docs = _documents(book["zip"])
    markers = [(f"{href}#{m.group(1)}", m.group(2)) for href, html in docs for m in MARKER.finditer(html)]
    nav = book["zip"].read("EPUB/nav.xhtml").decode()
    page_list = re.search(r'<nav epub:type="page-list" role="doc-pagelist" hidden="">(.*?)</nav>', nav, re.S)
    assert page_list is not None
    entries = re.findall(r'<li><a href="([^"]+)">([^<]+)</a></li>', page_list.group(1))
    assert entries == markers  # one entry per marker, in reading order
    labels = list(pypdf.PdfReader(book["pdf"]).page_labels)
    pages = [labels.index(label) for _, label in markers]
    assert pages == sorted(pages) and len(set(pages)) == len(pages)
    # every page with text has its marker, but the half-title (page i: the EPUB has none); the front
    # matter's in roman (title page iii, copyright page iv, contents v)
    with_text = _pdf_first_words(book["pdf"], 1)
    body = [lb for lb in labels if lb.isdigit() and lb in with_text]
    assert with_text["i"] == ["Paged"] and "ii" not in with_text
    assert [lb for _, lb in markers] == [lb for lb in labels if lb in with_text and lb != "i"]
    assert [(href.split("#")[0], lb) for href, lb in markers if not lb.isdigit()] == [
        ("text/titlepage.xhtml", "iii"), ("text/titlepage.xhtml", "iv"), ("nav.xhtml", "v")]
    assert len(body) >= 8


def test_front_matter_markers_stand_where_their_pages_begin(book: dict) -> None:
    z = book["zip"]
    first = _pdf_first_words(book["pdf"], 1)
    title = z.read("EPUB/text/titlepage.xhtml").decode()
    nav = z.read("EPUB/nav.xhtml").decode()
    assert re.search(r'aria-label="iii"/><h1 class="title"[^>]*>Paged<', title) and first["iii"] == ["Paged"]
    assert re.search(r'aria-label="iv"/><section class="copyright"[^>]*>\s*<p class="rights">© 2020<', title)
    assert first["iv"] == ["©"]
    assert re.search(r'aria-label="v"/><nav epub:type="toc"', nav) and first["v"] == ["Contents"]


def _ncx_page_list(z: zipfile.ZipFile) -> list[tuple[str, str, str, str]]:
    ncx = z.read("EPUB/toc.ncx").decode()
    return re.findall(r'<pageTarget id="[^"]+" type="(front|normal)" value="(\d+)" playOrder="\d+">\s*'
                      r'<navLabel><text>([^<]+)</text></navLabel>\s*<content src="([^"]+)"/>', ncx)


def test_toc_ncx_carries_the_same_page_list(book: dict) -> None:
    z = book["zip"]
    nav = z.read("EPUB/nav.xhtml").decode()
    page_list = re.search(r'<nav epub:type="page-list".*?</nav>', nav, re.S).group(0)  # type: ignore[union-attr]
    entries = re.findall(r'<li><a href="([^"]+)">([^<]+)</a></li>', page_list)
    targets = _ncx_page_list(z)
    assert [(href, label) for _t, _v, label, href in targets] == entries
    roman = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6}
    for kind, value, label, _href in targets:
        assert (kind, int(value)) == (("normal", int(label)) if label.isdigit() else ("front", roman[label]))
    # playOrder: reading order over the navMap and the pageList together, one number per target
    ncx = z.read("EPUB/toc.ncx").decode()
    order = re.findall(r'playOrder="(\d+)">\s*<navLabel><text>[^<]*</text></navLabel>\s*<content src="([^"]+)"/>',
                       ncx)
    by_target: dict[str, set[str]] = {}
    for n, src in order:
        by_target.setdefault(src, set()).add(n)
    assert all(len(v) == 1 for v in by_target.values())
    numbers = sorted(int(next(iter(v))) for v in by_target.values())
    assert numbers == list(range(1, len(numbers) + 1))
    page_orders = [int(n) for n, src in order if "#page-" in src]
    assert page_orders == sorted(page_orders)
    assert f'<meta name="dtb:totalPageCount" content="{len(targets)}"/>' in ncx


def test_first_words_of_each_pdf_page_follow_its_marker(book: dict) -> None:
    first = _pdf_first_words(book["pdf"], 4)
    checked = 0
    for _href, html in _documents(book["zip"]):
        for m in MARKER.finditer(html):
            label = m.group(2)
            if not label.isdigit():
                continue
            after = "".join(_plain(html[m.end():m.end() + 3000]).split())
            pdf_words = "".join(first[label])
            at = after.find(pdf_words)
            # the page's first words follow the marker: at once, or after the start of a word
            # hyphenated across the page break (the marker stands before that word)
            head = _plain(html[m.end():m.end() + 400]).split()[0]
            assert 0 <= at <= len(head), (label, first[label], after[:80])
            checked += 1
    assert checked >= 8


def test_the_epub_is_valid_and_names_its_page_source(book: dict) -> None:
    assert epubcheck_messages(book["epub"]) == []
    opf = book["zip"].read("EPUB/content.opf").decode()
    assert '<meta property="pageBreakSource">urn:isbn:9780306406157</meta>' in opf
    for feature in ("printPageNumbers", "pageBreakMarkers"):
        assert f'<meta property="schema:accessibilityFeature">{feature}</meta>' in opf
    assert not [d for d in book["result"].diagnostics if d.code.startswith("E")]


def test_cached_chapters_carry_their_page_starts(book: dict, tmp_path: Path) -> None:
    result = run_build(book["root"], ["pdf", "epub"], tmp_path, Reporter(echo=False), cache_dir=book["cache"])
    assert result.ran == [] and len(result.cached) == 3  # every chapter from the cache
    assert (tmp_path / "paged.epub").read_bytes() == book["epub"].read_bytes()
    again = run_build(book["root"], ["pdf", "epub"], tmp_path, Reporter(echo=False), cache_dir=book["cache"])
    assert again.up_to_date


def test_epub_alone_has_no_page_list(book: dict, tmp_path: Path) -> None:
    run_build(book["root"], ["epub"], tmp_path, Reporter(echo=False), use_cache=False)
    z = zipfile.ZipFile(tmp_path / "paged.epub")
    assert "page-list" not in z.read("EPUB/nav.xhtml").decode()
    assert "pageList" not in z.read("EPUB/toc.ncx").decode()
    assert "pageBreakSource" not in z.read("EPUB/content.opf").decode()
    assert not any(MARKER.search(html) for _, html in _documents(z))


def test_one_pass_layout_gives_the_same_page_breaks(book: dict, tmp_path: Path) -> None:
    result = run_build(book["root"], ["pdf", "epub"], tmp_path, Reporter(echo=False), use_cache=False,
                       one_pass=True)
    assert result.page_map is not None and result.page_map.breaks == book["result"].page_map.breaks


def test_front_matter_pages_are_mapped_by_what_they_hold() -> None:
    # a front matter that gained a half-title and a blank verso: pages are found by their parts' ids
    from pipeline.render.page_list import front_breaks
    from pipeline.render.pagemap import PageMap

    ids = {"half-title": (0, 9.0), "titlepage": (2, 9.0), "imprint": (3, 9.0), "contents": (4, 9.0),
           "toc-e1": (4, 8.0), "toc-e2": (4, 7.0), "toc-e3": (5, 9.0), "ch/ch": (8, 9.0)}
    m = PageMap(front_pages=8, total_pages=20, ids=ids)
    everything = {"titlepage", "imprint", "contents", "toc-e1", "toc-e2", "toc-e3"}
    assert front_breaks(m, everything) == {"titlepage": "iii", "imprint": "iv", "contents": "v", "toc-e3": "vi"}
    assert front_breaks(m, everything - {"imprint"}) == {"titlepage": "iii", "contents": "v", "toc-e3": "vi"}
    assert front_breaks(PageMap(front_pages=0, total_pages=3, ids=ids), everything) == {}


def test_a_marker_goes_before_its_character_inside_a_list_item_or_at_the_end() -> None:
    html = (b'<body><p id="p">Un<em>der</em>stand &amp; wait.</p><ul id="u"><li id="a">Item</li></ul>'
            b'<p id="q">x</p></body>')
    out, made = insert_markers(html, [("1", "p", 10), ("2", "a", 0), ("3", "q", 5)], Reporter(echo=False))
    text = out.decode()
    assert '<em>der</em>stand <span epub:type="pagebreak" role="doc-pagebreak" id="page-1" aria-label="1"/>&amp;' \
        in text
    assert '<li id="a"><span epub:type="pagebreak" role="doc-pagebreak" id="page-2" aria-label="2"/>Item' in text
    assert 'x<span epub:type="pagebreak" role="doc-pagebreak" id="page-3" aria-label="3"/></p>' in text  # E120
    assert made == [("1", "page-1"), ("2", "page-2"), ("3", "page-3")]


def _texts(box) -> list[str]:
    own = [box.text] if type(box).__name__ == "TextBox" else []
    return own + [t for child in getattr(box, "children", ()) for t in _texts(child)]


def test_a_page_that_begins_inside_a_hyphenated_word_begins_at_that_word() -> None:
    from weasyprint import CSS, HTML

    from pipeline.render.page_breaks import counted, page_starts

    text = " ".join("extraordinarily incomprehensibility photographically characteristically "
                    "internationalisation responsibilities".split() * 6)
    css = CSS(string="@page { size: 4.3cm 1.6cm; margin: 0.1cm } "
                     "p { hyphens: auto; font-size: 10pt; line-height: 1.2; margin: 0; text-align: justify }")
    doc = HTML(string=f'<html lang="en"><body><p id="p">{text}</p></body></html>').render(stylesheets=[css])
    where = [i for i, c in enumerate(text) if counted(c)]  # counted character → index in the text
    starts = page_starts(doc.pages)
    assert [s[0] for s in starts] == list(range(len(doc.pages))) and {s[1] for s in starts} == {"p"}
    hyphenated = 0
    for page, _anchor, offset in starts[1:]:
        previous, first = _texts(doc.pages[page - 1]._page_box)[-1], _texts(doc.pages[page]._page_box)[0]
        if previous.endswith("\u2010"):  # a word broken across the pages: the marker goes before it
            hyphenated += 1
            assert text[where[offset] - 1] == " " and text[where[offset]:].split()[0].endswith(first.split()[0])
        else:
            assert text[where[offset]:].startswith(first.split()[0].rstrip("\u2010"))
    assert hyphenated >= 3


@pytest.fixture(scope="module")
def long_contents(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A book whose printed contents take three pages (70 sections)."""
    from pipeline import build

    root = tmp_path_factory.mktemp("toc") / "toc"
    (root / "chapters").mkdir(parents=True)
    (root / "book.yaml").write_text("title: Long Contents\nauthor: Ann Author\nlang: en\n")
    sections = "".join(f"## Section {n}\n\n{_prose(n, 1)}\n\n" for n in range(1, 71))
    (root / "chapters" / "01.md").write_text(f"# The Only Chapter\n\n{sections}")
    return {p.suffix[1:]: p for p in build(root, ["pdf", "epub"], root.parent / "out")}


def test_a_contents_page_begins_at_its_entry_in_the_nav(long_contents: dict[str, Path]) -> None:
    # a contents page after the first: its marker opens the link of the entry that page begins with
    sample_build = long_contents
    nav = zipfile.ZipFile(sample_build["epub"]).read("EPUB/nav.xhtml").decode()
    toc = nav.split('epub:type="landmarks"')[0]
    inside = re.findall(r'<a href="[^"]+"><span epub:type="pagebreak" role="doc-pagebreak" id="([^"]+)" '
                        r'aria-label="([^"]+)"/>([^<]+)</a>', toc)
    assert inside, "no contents page after the first"
    first = _pdf_first_words(sample_build["pdf"], 1)
    for ident, label, title in inside:
        assert first[label] == title.split()[:1] and ident == f"page-{label}"
    assert f'<li><a href="nav.xhtml#{inside[0][0]}">{inside[0][1]}</a></li>' in nav
