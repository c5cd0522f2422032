"""Print PDF renderer: an IR Book becomes a typeset PDF, with WeasyPrint.

Takes: a transformed :class:`~pipeline.ir.Book`.
Gives: the PDF's bytes, byte-identical for the same input.

This is the only module that imports WeasyPrint. The book is one HTML
document: a title page, a contents page with page numbers, then each chapter
as a ``<section>`` that opens on a right-hand page. ``styles/fonts.css``,
``styles/book.css`` and ``styles/print.css`` style it; the trim size comes
from the metadata (``trim-size``, 6×9 in by default).

Every resource goes through :class:`_Fetcher`: only the shipped fonts and the
book's own images are loaded, nothing from the network or elsewhere on disk.

    >>> from pipeline import build_book   # doctest: +SKIP
    >>> data = render_pdf(build_book("manuscripts/the-salt-lantern"))  # doctest: +SKIP
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
import unicodedata
from pathlib import Path
from urllib.parse import quote, unquote

from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from .. import ir
from ..diagnostics import Reporter
from ..images import for_target
from ..transforms import table_of_contents
from .html import STYLES, Writer, attr_value, text, title_page_lines

STYLESHEETS = ("fonts.css", "book.css", "print.css")
IMAGE_SCHEME = "book-image:"

logging.getLogger("weasyprint").setLevel(logging.ERROR)
logging.getLogger("fontTools").setLevel(logging.ERROR)


class _Fetcher(URLFetcher):
    """Serve the shipped styles and fonts, and the book's images; refuse anything else."""

    def __init__(self, root: Path):
        super().__init__(allowed_protocols=("file", "book-image"))
        self.root = root
        self.styles = STYLES.as_uri() + "/"

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        if url.startswith(IMAGE_SCHEME):
            src = url[len(IMAGE_SCHEME):]
            data, media_type = for_target(self.root / unquote(src), "pdf")
            return URLFetcherResponse(url, data, {"Content-Type": media_type})
        if url.startswith(self.styles):
            return super().fetch(url, headers)
        raise ValueError(f"resource not allowed in a book: {url}")


_PT = {"in": 72.0, "mm": 72 / 25.4, "cm": 72 / 2.54, "pt": 1.0}
MARGINS_PT = {"top": 54.0, "bottom": 60.0, "inside": 58.0, "outside": 43.0}
CAPTION_ROOM_PT = 90.0  # a still leaves this much of the text block for its caption


def to_pt(length: str) -> float:
    """A CSS length in in, mm, cm or pt, in points.

    >>> to_pt("6in"), round(to_pt("148mm"), 1)
    (432.0, 419.5)
    """
    return float(length[:-2]) * _PT[length[-2:]]


# Fonts for other scripts, declared only when the book uses them: the CJK face
# alone is 24 MB, and WeasyPrint loads every @font-face it is given.
SCRIPT_FONTS: tuple[tuple[str, re.Pattern[str], str], ...] = (
    ("Book CJK", re.compile("[\u2e80-\u2fdf\u3000-\u9fff\ua960-\ua97f\uac00-\ud7ff\uf900-\ufaff"
                            "\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003ffff]"), "NotoSerifCJKsc-Regular.otf"),
    ("Book Hebrew", re.compile("[\u0590-\u05ff\ufb1d-\ufb4f]"), "NotoSerifHebrew-Regular.ttf"),
    ("Book Arabic", re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]"),
     "NotoNaskhArabic-Regular.ttf"),
)


def script_fonts_css(html: str) -> str:
    """@font-face rules for the scripts ``html`` uses, and the font stack that includes them."""
    families = [(name, file) for name, pattern, file in SCRIPT_FONTS if pattern.search(html)]
    rules = "".join(f'@font-face {{ font-family: "{name}"; src: url(fonts/{file}); }}\n'
                    for name, file in families)
    stack = ", ".join(f'"{n}"' for n in ["Book Serif", "Book Fallback", *(name for name, _ in families)])
    return rules + f"html, code, pre {{ font-family: {stack}; }}\n"


BASE_FONTS = ("EBGaramond12-Regular.otf", "NotoSerif-Regular.ttf")


@functools.cache
def _cmap(file: str) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    with TTFont(STYLES / "fonts" / file, lazy=True) as font:
        return frozenset(font.getBestCmap())


def uncovered(text: str) -> list[str]:
    """Characters of ``text`` that no shipped font has a glyph for (sorted, unique).

    >>> uncovered("Hello ⅒ שלום \U0001F600")
    ['😀']
    """
    chars = {c for c in set(text) if ord(c) > 0x7e and not c.isspace() and unicodedata.category(c)[0] != "C"}
    if not chars:
        return []
    files = list(BASE_FONTS) + [f for _, pattern, f in SCRIPT_FONTS if pattern.search(text)]
    covered: set[int] = set()
    for f in files:
        covered |= _cmap(f)
    return sorted(c for c in chars if ord(c) not in covered)


def page_css(meta: ir.Meta) -> str:
    """@page size and margins for the trim size, and the tallest a still may be."""
    m = MARGINS_PT
    block_height = to_pt(meta.page_height) - m["top"] - m["bottom"]
    return (f"@page {{ size: {meta.page_width} {meta.page_height}; "
            f"margin: {m['top']}pt {m['outside']}pt {m['bottom']}pt {m['inside']}pt; }}\n"
            f"@page :left {{ margin-left: {m['outside']}pt; margin-right: {m['inside']}pt; }}\n"
            f"@page :right {{ margin-left: {m['inside']}pt; margin-right: {m['outside']}pt; }}\n"
            f"figure img {{ max-height: {block_height - CAPTION_ROOM_PT:.1f}pt; }}\n")


def book_html(book: ir.Book) -> str:
    """The whole book as one HTML document for WeasyPrint."""
    meta = book.meta
    writer = Writer(image_src=lambda s: IMAGE_SCHEME + quote(s), notes="inline")
    authors = ", ".join(c.name for c in meta.creators)
    head = [f"<title>{text(meta.title)}</title>"]
    if authors:
        head.append(f'<meta name="author" content="{attr_value(authors)}"/>')
    if meta.description:
        head.append(f'<meta name="description" content="{attr_value(meta.description)}"/>')
    if meta.subjects:
        head.append(f'<meta name="keywords" content="{attr_value(", ".join(meta.subjects))}"/>')
    head.append('<meta name="generator" content="pipeline"/>')
    parts = [f'<!DOCTYPE html>\n<html lang="{attr_value(meta.lang)}">\n<head>{"".join(head)}</head>\n<body>\n',
             _title_page(meta), _contents(book)]
    for ch in book.chapters:
        title = ir.plain_text(ch.title).strip()
        # the running head's string is set once, at the chapter's start, so that
        # string(chapter, first-except) leaves the opening page bare
        parts.append(f'<section id="{attr_value(ch.id)}" class="chapter">\n'
                     f'<div class="chapter-mark" data-title="{attr_value(title)}"></div>\n')
        parts.append(writer.blocks(ch.blocks))
        parts.append("</section>\n")
    parts.append("</body>\n</html>\n")
    return "".join(parts)


def _title_page(meta: ir.Meta) -> str:
    out = ['<section class="titlepage">\n', title_page_lines(meta), "</section>\n"]
    if meta.rights or meta.identifier or meta.date:
        out.append('<section class="imprint">\n')
        for value in (meta.rights, meta.date and f"First published {meta.date}", meta.identifier):
            if value:
                out.append(f"<p>{text(value)}</p>\n")
        out.append("</section>\n")
    return "".join(out)


def _contents(book: ir.Book) -> str:
    writer = Writer(notes="none")
    out = [f'<nav class="toc">\n<h1 class="toc-title">{text(book.meta.toc_title)}</h1>\n<ul>\n']
    for e in table_of_contents(book, depth=3):
        target = e.target or e.chapter
        label = writer.inlines(e.title)
        out.append(f'<li class="toc-l{e.level}"><a href="#{attr_value(target)}">{label}</a></li>\n')
    out.append("</ul>\n</nav>\n")
    return "".join(out)


def render_pdf(book: ir.Book, reporter: Reporter | None = None) -> bytes:
    """Render ``book`` as print PDF bytes; warns about characters no shipped font covers."""
    root = Path(book.root)
    fetcher = _Fetcher(root)
    html = book_html(book)
    missing = uncovered(html)
    if missing and reporter is not None:
        shown = " ".join(f"{c} (U+{ord(c):04X})" for c in missing[:12]) + (" …" if len(missing) > 12 else "")
        reporter.warn("R101", f"{len(missing)} character(s) have no glyph in the shipped fonts: {shown}",
                      "the PDF will take them from whatever system font has them; "
                      "add a font for that script to styles/fonts/ and styles/fonts.css")
    fonts = FontConfiguration()  # @font-face rules only take effect through this
    stylesheets = [CSS(filename=str(STYLES / name), url_fetcher=fetcher, font_config=fonts)
                   for name in STYLESHEETS]
    stylesheets.append(CSS(string=script_fonts_css(html), base_url=STYLES.as_uri() + "/",
                           url_fetcher=fetcher, font_config=fonts))
    stylesheets.append(CSS(string=page_css(book.meta), font_config=fonts))
    doc = HTML(string=html, base_url=STYLES.as_uri() + "/", url_fetcher=fetcher)
    identifier = hashlib.md5(book.meta.identifier.encode()).hexdigest().encode()
    return doc.write_pdf(stylesheets=stylesheets, pdf_identifier=identifier, font_config=fonts)
