"""Print PDF layout: IR chapters become laid-out PDF pages, with WeasyPrint.

Takes: a transformed :class:`~pipeline.ir.Book`, its :class:`~pipeline.index.BookIndex`
and the print :class:`~pipeline.editions.Edition` row (trim, margins, stylesheets).
Gives: :class:`LaidOut` pieces — a chapter, the front matter, sample
folios — each a PDF plus where its anchors and bookmarks landed; and
:func:`render_pdf_one_pass`, the whole book in one WeasyPrint pass.

This is the only module that imports WeasyPrint (with :mod:`pipeline.render.pdf_tags`, which
adjusts the structure tree it writes for the screen PDF). A print book is:

- the front matter: half-title (recto), title page (recto), copyright page
  (its verso, :mod:`pipeline.render.copyright`), the dedication and epigraph
  when the manuscript has them (:mod:`pipeline.matter`), then the contents,
  set tighter when they would spill a few entries onto a page of their own;
  labelled i, ii, iii… in the PDF, padded to an even count; only the contents'
  pages after their first carry a folio (roman);
- the body: each chapter opens on a right-hand page; pages are numbered from
  1 at the first chapter; back matter (acknowledgements, about the author, a
  colophon) is part of it. Running heads: the book's title on left-hand pages,
  the chapter's on right-hand pages, none on a chapter's first page. A
  chapter's first page and blank pages carry no folio.

Each chapter is laid out alone (:func:`layout_chapter`), since it depends on
nothing before it but the number of notes before it: it opens on a recto,
so its left and right pages are its own. What depends on where it lands —
folios, the contents' numbers, the outline, links into other chapters — is
set when :mod:`pipeline.render.pdf_assemble` puts the pieces together. Ids
are written qualified by their chapter (``ch-02/intro``); a link into another
chapter is written ``xref:ch-02/intro`` and becomes a real link at assembly.

Every resource goes through :class:`_Fetcher`: only the shipped fonts and the
book's own images are loaded, nothing from the network or elsewhere on disk.
WeasyPrint's warnings become diagnostics (R102), not lost log lines.
While it lays a piece out, two of its choices are changed: no more than two
hyphenated lines in a row (:func:`~pipeline.render.weasyprint_patches.hyphen_ladders_limited`), and a page that
must end early for a widow or an orphan ends early instead of sending its last
footnote on (:func:`~pipeline.render.weasyprint_patches.notes_kept_with_their_calls`).

    >>> from pipeline import build_book   # doctest: +SKIP
    >>> result = render_pdf_one_pass(build_book("manuscripts/the-salt-lantern"))  # doctest: +SKIP
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import hashlib
import logging
import multiprocessing.util
import os
import re
import shutil
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote

from weasyprint import CSS, HTML
from weasyprint.css.counters import CounterStyle
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from .. import ir
from ..diagnostics import Diagnostic, Reporter, from_dict, to_dict
from ..editions import Edition, to_pt
from ..index import BookIndex
from ..matter import front_count
from ..print_services import BLEED_IN
from ..stills import Policy, policy_for, variant
from ..transforms.numbering import numbered_label
from . import floats, math, pdf_tags, spreads, wide
from . import weasyprint_glyphs as glyphs
from . import weasyprint_patches as patches
from . import weasyprint_styles as styles
from .copyright import copyright_html
from .html import STYLES, Writer, attr_value, text, title_page_lines
from .page_breaks import PageStart, page_starts

IMAGE_SCHEME = "book-image:"
XREF_SCHEME = "xref:"
PX_TO_PT = 0.75


class _Fetcher(URLFetcher):
    """Serve the shipped styles and fonts, and the book's images; refuse anything else."""

    def __init__(self, root: Path, policy: Policy | None = None):
        super().__init__(allowed_protocols=("file", "book-image"))
        self.root = root
        self.policy = policy or Policy("pdf")
        self.styles = STYLES.as_uri() + "/"

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        if url.startswith(IMAGE_SCHEME):
            src = url[len(IMAGE_SCHEME):]
            still = variant(self.root / unquote(src), self.policy)  # made by stills.prepare, before layout
            return URLFetcherResponse(url, still.data, {"Content-Type": still.facts.media_type})
        if url.startswith(self.styles):
            return super().fetch(url, headers)
        raise ValueError(f"resource not allowed in a book: {url}")


# Fonts for other scripts, declared only when the book uses them: the CJK face
# alone is 24 MB, and WeasyPrint loads every @font-face it is given.
SCRIPT_FONTS: tuple[tuple[str, re.Pattern[str], str], ...] = (
    ("Book CJK", re.compile("[\u2e80-\u2fdf\u3000-\u9fff\ua960-\ua97f\uac00-\ud7ff\uf900-\ufaff"
                            "\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003ffff]"), "NotoSerifCJKsc-Regular.otf"),
    ("Book Hebrew", re.compile("[\u0590-\u05ff\ufb1d-\ufb4f]"), "NotoSerifHebrew-Regular.ttf"),
    ("Book Arabic", re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]"),
     "NotoNaskhArabic-Regular.ttf"),
    ("Book Ballot", re.compile("[\u2610-\u2612]"), "NotoSansSymbols2-Ballot.ttf"),  # task lists' ☐ ☒
)


def scripts_in(html: str) -> tuple[str, ...]:
    """The extra script font families ``html`` needs."""
    chars = "".join(set(html))  # a book's few hundred distinct characters, searched instead of its text
    return tuple(name for name, pattern, _ in SCRIPT_FONTS if pattern.search(chars))


def script_fonts_css(families: tuple[str, ...]) -> str:
    """@font-face rules for the script ``families``, and the font stack that includes them."""
    rules = "".join(f'@font-face {{ font-family: "{name}"; src: url(fonts/{file}); }}\n'
                    for name, _, file in SCRIPT_FONTS if name in families)
    stack = ", ".join(f'"{n}"' for n in ["Book Serif", "Book Fallback", *families])
    return rules + f'html {{ font-family: {stack}; }}\ncode, pre, kbd, samp {{ font-family: "Book Mono", {stack}; }}\n'


BASE_FONTS = ("EBGaramond12-Regular.otf", "NotoSerif-Regular.ttf")


@functools.cache
def _cmap(file: str) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    with TTFont(STYLES / "fonts" / file, lazy=True) as font:
        return frozenset(font.getBestCmap())


def uncovered(text: str, scripts: tuple[str, ...] | None = None) -> list[str]:
    """Characters of ``text`` that no shipped font has a glyph for (sorted, unique), with the
    fonts of ``scripts`` declared (by default, those ``text`` itself needs).

    >>> uncovered("Hello ⅒ שלום \U0001F600")
    ['😀']
    """
    chars = {c for c in set(text) if ord(c) > 0x7e and not c.isspace() and unicodedata.category(c)[0] != "C"}
    if not chars:
        return []
    scripts = scripts_in(text) if scripts is None else scripts
    files = list(BASE_FONTS) + [f for name, _, f in SCRIPT_FONTS if name in scripts]
    covered: set[int] = set()
    for f in files:
        covered |= _cmap(f)
    return sorted(c for c in chars if ord(c) not in covered)


def page_css(edition: Edition, folios: bool = True) -> str:
    """@page size and margins of the edition, its folios, the tallest a still may be, and the
    copyright page's height (its text sits at the foot of the text block).

    Without ``folios`` the pages carry no page number: a chapter laid out
    alone does not know its numbers; assembly stamps them.
    """
    assert edition.trim and edition.margins
    m = edition.margins
    _, block_height = edition.text_block_pt()
    folio = "counter(page)" if folios else "none"
    return (f"@page {{ size: {edition.trim[0]} {edition.trim[1]}; "
            f"margin: {m.top}pt {m.outside}pt {m.bottom}pt {m.inside}pt; "
            f"@bottom-center {{ content: {folio}; font-size: 8.5pt; }} }}\n"
            f"@page :left {{ margin-left: {m.outside}pt; margin-right: {m.inside}pt; }}\n"
            f"@page :right {{ margin-left: {m.inside}pt; margin-right: {m.outside}pt; }}\n"
            f"@page first-chapter:nth(1 of first-chapter) {{ counter-reset: page 1; }}\n"
            f"figure img {{ max-height: {block_height - edition.caption_room_pt:.1f}pt; }}\n"
            # a {.bleed} still covers the trim and the bleed around it (pdf_x grows the page at the top, the
            # bottom and the outside; the inside is cut at the spine); its margin box is the page
            f"figure.bleed img {{ width: {to_pt(edition.trim[0]) + 2 * BLEED_IN * 72:g}pt; "
            f"height: {to_pt(edition.trim[1]) + 2 * BLEED_IN * 72:g}pt; max-height: none; "
            f"margin: -{BLEED_IN * 72:g}pt; }}\n"
            f".copyright {{ height: {block_height - 2:.1f}pt; }}\n"  # its text is set at the foot
            + wide.wide_css(edition))


def qualify(chapter: str, ident: str) -> str:
    """An id as the print edition writes it: unique in the whole book.

    >>> qualify("ch-02", "intro")
    'ch-02/intro'
    """
    return f"{chapter}/{ident}"


def _html_doc(meta: ir.Meta, body: str, full_head: bool = True) -> str:
    """An HTML document; ``full_head`` adds the metadata that becomes the PDF's own
    (a chapter piece needs none: assembly keeps the front matter's)."""
    authors = ", ".join(c.name for c in meta.creators) if full_head else ""
    head = [f"<title>{text(meta.title)}</title>"]
    if authors:
        head.append(f'<meta name="author" content="{attr_value(authors)}"/>')
    if full_head and meta.description:
        head.append(f'<meta name="description" content="{attr_value(meta.description)}"/>')
    if full_head and meta.subjects:
        head.append(f'<meta name="keywords" content="{attr_value(", ".join(s.text for s in meta.subjects))}"/>')
    head.append('<meta name="generator" content="pipeline"/>')
    return (f'<!DOCTYPE html>\n<html lang="{attr_value(meta.lang)}">\n<head>{"".join(head)}</head>\n'
            f"<body>\n{body}</body>\n</html>\n")


def chapter_parts(ch: ir.Chapter, index: BookIndex, meta: ir.Meta, alone: bool,
                  kind: str = "chapter") -> tuple[str, list[floats.Block], str]:
    """A chapter's ``<section>`` as its opening, its top-level blocks and its end (see :func:`chapter_html`)."""
    def href(target: str) -> str:
        where = index.where(target, ch.id)
        if where is None:
            return target
        if alone and where[0] != ch.id:
            return XREF_SCHEME + qualify(*where)
        return "#" + qualify(*where)

    writer = Writer(href=href, image_src=lambda s: IMAGE_SCHEME + quote(s), notes="inline",
                    anchor=lambda i: qualify(ch.id, i), math=math.print_html)
    facts = index.chapter(ch.id)
    first = next((b for b in ch.blocks if isinstance(b, ir.Heading)), None)
    title = numbered_label(first) if first else ""  # the running head: "2 The Long Take"
    # the running head's string is set once, at the chapter's start, so that
    # string(chapter, first-except) leaves the opening page bare; the footnote
    # counter goes on from the chapters before
    # toc-depth-N: print.css keeps headings deeper than the contents out of the outline too
    matter = f" matter-{ch.matter}" if ch.matter else ""
    head = (f'<section id="{attr_value(qualify(ch.id, ch.id))}" class="{kind}{matter} toc-depth-{meta.toc_depth}" '
            f'style="counter-reset: footnote {max(facts.first_note - 1, 0)}">\n'
            f'<div class="chapter-mark" data-title="{attr_value(title)}" data-book="{attr_value(meta.title)}"></div>\n')
    blocks = []
    for b in ch.blocks:
        html = writer.blocks((b,))
        still = b.attr.classes if isinstance(b, ir.Figure) else None
        blocks.append(floats.Block(html, floats.block_id(html), still))
    return head, blocks, "</section>\n"


def chapter_html(ch: ir.Chapter, index: BookIndex, meta: ir.Meta, alone: bool, kind: str = "chapter") -> str:
    """A chapter's ``<section>``; ``alone`` writes links into other chapters as ``xref:`` URLs.
    ``kind`` is its class: ``chapter`` in the body, ``front-chapter`` before the contents;
    front or back matter is also classed by what it is (``matter-colophon``)."""
    head, blocks, tail = chapter_parts(ch, index, meta, alone, kind)
    return head + "".join(b.html for b in blocks) + tail


TOC_SPILL = 6  # contents that spill this many entries or fewer onto a last page are set tighter


def front_html(meta: ir.Meta, index: BookIndex, numbers: dict[str, str] | None,
               front: tuple[ir.Chapter, ...] = (), tight: int = 0) -> str:
    """Half-title, title page, copyright page, the front-matter chapters (dedication, epigraph),
    and contents. ``numbers`` maps a contents target to its page number; None lets WeasyPrint
    count them (the one-pass book). ``tight`` (0–2) sets the contents' leading closer."""
    out = ['<div class="front-matter">\n',
           f'<section class="halftitle"><p class="halftitle-title">{text(meta.title)}</p></section>\n',
           '<section class="titlepage" id="titlepage">\n', title_page_lines(meta), "</section>\n",
           f'<section class="copyright" id="copyright"><div class="copyright-text">\n'
           f'{copyright_html(meta)}</div></section>\n']
    for ch in front:
        out.append(chapter_html(ch, index, meta, alone=numbers is not None, kind="front-chapter"))
    writer = Writer(notes="none")
    out.append(f'<nav class="toc{f" tight-{tight}" if tight else ""}" id="contents">\n'
               f'<h1 class="toc-title">{text(meta.toc_title)}</h1>\n<ul>\n')
    for n, e in enumerate(index.printed_toc(front), 1):
        target = qualify(e.chapter, e.target or e.chapter)
        label = writer.inlines(e.title)
        if e.number:
            label = f'<span class="toc-number">{text(e.number)}</span> {label}'
        href = f"#{attr_value(target)}" if numbers is None else f"{XREF_SCHEME}{attr_value(target)}"
        number = "" if numbers is None else f' data-page="{attr_value(numbers[target])}"'
        out.append(f'<li id="toc-e{n}" class="toc-l{e.level}"><a class="toc-entry" href="{href}">{label}</a>'
                   f'<span class="toc-page"><a href="{href}"{number}></a></span></li>\n')
    out.append("</ul>\n</nav>\n</div>\n")
    return "".join(out)


def contents_spill(piece: LaidOut) -> tuple[int, int]:
    """How many pages the contents take in a laid-out front matter, and how many entries its last page holds."""
    pages = [page for name, (page, _x, _y) in piece.anchors.items() if name.startswith("toc-e")]
    if not pages:
        return 0, 0
    return max(pages) - min(pages) + 1, pages.count(max(pages))


def folio_html(numbers: tuple[int, ...]) -> str:
    """Empty pages, one per number, each showing that number as its folio (the samples
    :mod:`pipeline.render.pdf_folios` learns folios from)."""
    rules = "".join(f"@page folio-{i}:nth(1 of folio-{i}) {{ counter-reset: page {n}; }}\n"
                    for i, n in enumerate(numbers))
    pages = "".join(f'<div class="folio-page" style="page: folio-{i}"></div>\n' for i in range(len(numbers)))
    return f"<!DOCTYPE html>\n<html><head><style>{rules}</style></head>\n<body>\n{pages}</body>\n</html>\n"


@dataclass
class LaidOut:
    """A laid-out piece of the book: its PDF and what landed where.

    ``anchors`` maps each (qualified) id to ``(page, x, y)``: the 0-based page
    in this piece and the point in PDF units from the page's bottom left.
    ``bookmarks`` are ``(level, label, page, x, y)`` in document order.
    ``starts`` says where each page begins (:mod:`pipeline.render.page_breaks`):
    ``(page, anchor id, offset)``, for the EPUB's print page markers.
    ``bleed`` lists the pages that hold a ``{.bleed}`` still (edge to edge);
    ``moved`` the stills :mod:`pipeline.render.floats` moved later, and
    ``layouts`` how many WeasyPrint layouts the piece took.
    ``stills`` says where each still landed: ``(page, source path, width, height)``,
    its placed size in points, for the preflight's effective resolution.
    """

    pdf: bytes
    pages: int
    anchors: dict[str, tuple[int, float, float]] = field(default_factory=dict)
    bookmarks: list[tuple[int, str, int, float, float]] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    starts: list[PageStart] = field(default_factory=list)
    bleed: list[int] = field(default_factory=list)   # pages holding a {.bleed} still
    moved: list[str] = field(default_factory=list)   # stills moved later to fill a hole (pipeline.render.floats)
    layouts: int = 1                                 # WeasyPrint layouts it took
    stills: list[tuple[int, str, float, float]] = field(default_factory=list)

    def to_json(self) -> dict:
        """Everything but the PDF, as plain data."""
        return {"pages": self.pages, "anchors": self.anchors, "bookmarks": self.bookmarks,
                "diagnostics": [to_dict(d) for d in self.diagnostics], "starts": self.starts,
                "bleed": self.bleed, "moved": self.moved, "layouts": self.layouts, "stills": self.stills}

    @classmethod
    def from_json(cls, pdf: bytes, data: dict) -> LaidOut:
        """The piece :meth:`to_json` described, with its PDF."""
        return cls(pdf, data["pages"], {k: tuple(v) for k, v in data["anchors"].items()},
                   [tuple(b) for b in data["bookmarks"]], [from_dict(d) for d in data["diagnostics"]],
                   [tuple(s) for s in data.get("starts", [])], data.get("bleed", []), data.get("moved", []),
                   data.get("layouts", 1), [tuple(s) for s in data.get("stills", [])])


class _LogToDiagnostics(logging.Handler):
    """WeasyPrint's warnings and errors, kept as R102 diagnostics for the piece being laid out."""

    def __init__(self, where: str):
        super().__init__(logging.WARNING)
        self.where = where
        self.seen: dict[str, Diagnostic] = {}

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage().splitlines()[0][:300]
        if message not in self.seen:
            self.seen[message] = Diagnostic(
                "R102", "warning", f"WeasyPrint: {message}",
                "the PDF may differ from what the manuscript asks for; simplify the construct it names",
                self.where)


@functools.cache
def _styles(edition: Edition, scripts: tuple[str, ...], folios: bool, root: Path) -> tuple:
    """Parsed stylesheets and their font configuration, made once per worker process."""
    patches.check_version()
    fetcher = _Fetcher(root, policy_for(edition))
    fonts = FontConfiguration()  # @font-face rules only take effect through this
    counters = CounterStyle()  # and @counter-style rules (list markers "a)", "(iv)") through this
    sheets = [CSS(filename=str(STYLES / name), url_fetcher=fetcher, font_config=fonts, counter_style=counters)
              for name in edition.stylesheets]
    sheets.append(CSS(string=script_fonts_css(scripts), base_url=STYLES.as_uri() + "/",
                      url_fetcher=fetcher, font_config=fonts))
    sheets.append(CSS(string=page_css(edition, folios), font_config=fonts))
    _remove_at_exit(fonts)
    return sheets, fonts, fetcher, counters


def _remove_at_exit(fonts: FontConfiguration) -> None:
    """Remove the folder of font files WeasyPrint wrote for @font-face when this process ends.

    WeasyPrint removes it when the configuration is collected, but ours lives as long as the
    process, and a worker process ends with `os._exit`, which collects nothing: every build
    left a few megabytes of fonts in /tmp. Only the process that made the folder removes it,
    since forked workers read the same files.
    """
    folder = fonts._folder  # set by WeasyPrint 70 when the first @font-face is loaded
    if folder is None:
        return
    owner = os.getpid()

    def remove() -> None:
        if os.getpid() == owner:
            shutil.rmtree(folder, ignore_errors=True)

    atexit.register(remove)  # the main process
    multiprocessing.util.Finalize(None, remove, exitpriority=0)  # a worker, before its os._exit


def load_styles(edition: Edition, scripts: tuple[str, ...], root: Path) -> None:
    """Parse the stylesheets and load the fonts in this process now, not at the next layout."""
    _styles(edition, scripts, False, root)
    patches.shipped_by_size()


def pdf_identifier(meta: ir.Meta) -> bytes:
    """The PDF's /ID: from the book's identifier, so rebuilds agree."""
    return hashlib.md5(meta.identifier.encode()).hexdigest().encode()


PIECE_ID = b"0" * 32  # a piece's own /ID never reaches the book


@contextlib.contextmanager
def _weasyprint_log(where: str) -> Iterator[_LogToDiagnostics]:
    """WeasyPrint's warnings while the block runs, kept as R102 diagnostics."""
    log = logging.getLogger("weasyprint")
    handler = _LogToDiagnostics(where)
    log.addHandler(handler)
    old_level, old_propagate = log.level, log.propagate
    log.setLevel(logging.WARNING)
    log.propagate = False
    try:
        yield handler
    finally:
        log.removeHandler(handler)
        log.setLevel(old_level)
        log.propagate = old_propagate


def _render(html: str, edition: Edition, root: Path, scripts: tuple[str, ...], folios: bool,  # noqa: ANN202
            keep_lines: bool = True):
    """WeasyPrint's document for ``html``: its pages laid out, no PDF written. With ``keep_lines``, each
    line keeps its shaping to be drawn from (:mod:`pipeline.render.weasyprint_glyphs`): a whole book laid
    out in one pass does not, as keeping them all until it is drawn takes a sixth more memory."""
    sheets, fonts, fetcher, counters = _styles(edition, scripts, folios, root)
    with patches.hyphen_ladders_limited(), patches.notes_kept_with_their_calls(), styles.styles_shared(), \
            glyphs.lines_kept() if keep_lines else contextlib.nullcontext(), glyphs.next_words_measured():
        return HTML(string=html, base_url=STYLES.as_uri() + "/", url_fetcher=fetcher).render(
            stylesheets=sheets, font_config=fonts, counter_style=counters,
            presentational_hints=True)  # <ol type="a" start="3">, <li value>: HTML's own list numbering


def _laid_out(doc, edition: Edition, identifier: bytes, piece: bool, starts: bool,  # noqa: ANN001
              diagnostics: list[Diagnostic], variant: str | None = None) -> LaidOut:
    """The PDF of a rendered ``doc``, with its anchors, bookmarks and (with ``starts``) page starts;
    a ``variant`` as :func:`layout`'s."""
    assert edition.trim
    with patches.fonts_named_not_subset() if piece else contextlib.nullcontext(), patches.compress_level_6(), \
            glyphs.glyphs_read_in_bulk(), \
            pdf_tags.adjusted() if variant else contextlib.nullcontext(), \
            patches.black_drawn_as_k() if piece and not variant else contextlib.nullcontext():
        pdf = doc.write_pdf(pdf_identifier=identifier, pdf_variant=variant)
    height_pt = to_pt(edition.trim[1])
    anchors: dict[str, tuple[int, float, float]] = {}
    bookmarks: list[tuple[int, str, int, float, float]] = []
    for i, page in enumerate(doc.pages):
        for name, (x, y, *_) in page.anchors.items():
            anchors.setdefault(name, (i, round(x * PX_TO_PT, 3), round(height_pt - y * PX_TO_PT, 3)))
        for level, label, (x, y), _state in page.bookmarks:
            bookmarks.append((level, label, i, round(x * PX_TO_PT, 3), round(height_pt - y * PX_TO_PT, 3)))
    return LaidOut(pdf, len(doc.pages), anchors, bookmarks, diagnostics,
                   page_starts(doc.pages) if starts else [], floats.bleed_pages(doc.pages),
                   stills=placed_stills(doc.pages))


def layout(html: str, edition: Edition, root: Path, identifier: bytes, where: str,
           scripts: tuple[str, ...], folios: bool = False, piece: bool = True, starts: bool = False,
           variant: str | None = None) -> LaidOut:
    """Lay ``html`` out with WeasyPrint; returns the PDF with its anchors and bookmarks.

    ``scripts`` are the extra script fonts to declare: the whole book's, so
    that a chapter laid out alone falls back to the same fonts as in the book.
    A ``piece`` (not a whole book) names its shipped fonts instead of
    embedding them: only assembly makes a PDF that a reader opens.
    With ``starts``, where each page begins is recorded too (body text only).
    A ``variant`` is WeasyPrint's ``pdf_variant``: ``"pdf/ua-1"`` writes a tagged PDF, its
    structure tree adjusted by :mod:`pipeline.render.pdf_tags`.
    """
    with _weasyprint_log(where) as handler:
        doc = _render(html, edition, root, scripts, folios, keep_lines=piece)
        return _laid_out(doc, edition, identifier, piece, starts, list(handler.seen.values()), variant)


def placed_stills(pages: list) -> list[tuple[int, str, float, float]]:
    """Each still of the book on ``pages`` (WeasyPrint's): its page, source path and placed
    width and height in points (its content box, as printed)."""
    from weasyprint.formatting_structure.boxes import ReplacedBox

    found = []
    for i, page in enumerate(pages):
        for box in page._page_box.descendants():
            src = box.element.get("src", "") if isinstance(box, ReplacedBox) and box.element is not None else ""
            if src.startswith(IMAGE_SCHEME):
                found.append((i, unquote(src[len(IMAGE_SCHEME):]), round(box.width * PX_TO_PT, 2),
                              round(box.height * PX_TO_PT, 2)))
    return found


def uncovered_warning(html: str, reporter: Reporter, scripts: tuple[str, ...] | None = None) -> None:
    """Warn (R101) about characters of ``html`` that no shipped font has."""
    missing = uncovered(html, scripts)
    if missing:
        shown = " ".join(f"{c} (U+{ord(c):04X})" for c in missing[:12]) + (" …" if len(missing) > 12 else "")
        reporter.warn("R101", f"{len(missing)} character(s) have no glyph in the shipped fonts: {shown}",
                      "the PDF will take them from whatever system font has them; "
                      "add a font for that script to styles/fonts/ and styles/fonts.css")


def math_warnings(ch: ir.Chapter, reporter: Reporter) -> None:
    """Warn (R110) about formulas of ``ch`` that print cannot draw (they are set as their TeX)."""
    for tex, why in math.print_problems(ch):
        reporter.warn("R110", f"formula '{tex[:80]}' cannot be drawn in print ({why}); its TeX is set as code",
                      "simplify the formula or rewrite the construct named; the EPUB shows it as MathML",
                      ch.source)


_NOTES_BEFORE = re.compile(r"counter-reset: footnote (\d+)")  # in a chapter's opening (chapter_parts)


def _chapter_doc(head: str, blocks: list[str], tail: str, meta: ir.Meta) -> str:
    return _html_doc(meta, f'<div class="body-matter">\n{head}{"".join(blocks)}{tail}</div>\n', full_head=False)


def chapter_layouts(ch: ir.Chapter, index: BookIndex, meta: ir.Meta, edition: Edition, root: Path,
                    scripts: tuple[str, ...]):  # noqa: ANN201
    """The chapter's opening, blocks and end, and the two ways :func:`pipeline.render.floats.place` lays
    it out: blocks as the whole chapter, and blocks as a part of it whose footnotes are numbered on from
    a count of notes before them."""
    head, blocks, tail = chapter_parts(ch, index, meta, alone=True)
    notes = _NOTES_BEFORE.search(head)
    assert notes is not None

    def render(parts: list[str]):  # noqa: ANN202
        return _render(_chapter_doc(head, parts, tail, meta), edition, root, scripts, False)

    def render_from(parts: list[str], before: int):  # noqa: ANN202
        part_head = head.replace(notes.group(0), f"counter-reset: footnote {int(notes.group(1)) + before}", 1)
        return _render(_chapter_doc(part_head, parts, tail, meta), edition, root, scripts, False)

    return head, blocks, tail, render, render_from


def place_chapter(ch: ir.Chapter, index: BookIndex, meta: ir.Meta, edition: Edition, root: Path,
                  scripts: tuple[str, ...]):  # noqa: ANN201
    """The chapter laid out alone with its stills placed (:mod:`pipeline.render.floats`): WeasyPrint's
    document, the placement, the HTML laid out, and WeasyPrint's warnings."""
    head, blocks, tail, render, render_from = chapter_layouts(ch, index, meta, edition, root, scripts)
    with _weasyprint_log(ch.source) as handler:
        doc, placement = floats.place(blocks, render, level=meta.level_spreads == "cut", render_from=render_from)
    if meta.level_spreads != "off":
        spreads.stretch(doc.pages)  # what is still unlevel: the shorter page opened up, no layout again
    return doc, placement, _chapter_doc(head, placement.blocks, tail, meta), list(handler.seen.values())


def layout_chapter(ch: ir.Chapter, index: BookIndex, meta: ir.Meta, edition: Edition, root: Path,
                   scripts: tuple[str, ...]) -> LaidOut:
    """One chapter alone, as pages 1… of a document that opens on a recto, without folios; its stills
    placed so that no page ends early before one (:mod:`pipeline.render.floats`)."""
    doc, placement, html, diagnostics = place_chapter(ch, index, meta, edition, root, scripts)
    piece = _laid_out(doc, edition, PIECE_ID, True, True, diagnostics)
    piece.starts = placement.fix_starts(piece.starts)
    piece.anchors = placement.fix_anchors(piece.anchors)
    piece.moved, piece.layouts = placement.moved, placement.layouts
    reporter = Reporter(echo=False)
    uncovered_warning(html, reporter, scripts)
    math_warnings(ch, reporter)
    hole_warnings(ch, doc, placement, reporter)
    piece.diagnostics[:0] = reporter.warnings
    return piece


def hole_warnings(ch: ir.Chapter, doc, placement: floats.Placement, reporter: Reporter) -> None:  # noqa: ANN001
    """Warn (R150) about each still that still leaves a hole over a quarter of the text block before it."""
    lines = {b.attr.id: b.line for b in ir.query(ch, ir.Figure)}  # in a list or a quote too
    for hole in floats.holes(doc.pages, floats.REPORTED):
        if hole.ends_chapter:
            continue
        ident = hole.figure.split("/", 1)[-1]
        reporter.warn("R150", f"page {hole.page + 1} of the chapter ends {hole.blank:.0%} blank before still "
                      f"'{ident}', which could not be moved later",
                      "a still directly after another, or at the chapter's end, cannot float: move it in the "
                      "manuscript, shrink it ({width=…}), or mark it {.inline} to accept the hole",
                      ch.source, lines.get(ident, 0))


def layout_front(meta: ir.Meta, index: BookIndex, edition: Edition, root: Path,
                 numbers: dict[str, str], scripts: tuple[str, ...], front: tuple[ir.Chapter, ...] = ()) -> LaidOut:
    """The front matter, with the contents' page numbers given. Contents that would spill a
    few entries (:data:`TOC_SPILL`) onto a last page are laid out again with a closer leading,
    kept if that saves the page."""
    def attempt(tight: int) -> LaidOut:
        return layout(_html_doc(meta, front_html(meta, index, numbers, front, tight)), edition, root,
                      pdf_identifier(meta), "", scripts)

    piece = attempt(0)
    pages, last = contents_spill(piece)
    if pages < 2 or last > TOC_SPILL:
        return piece
    for tight in (1, 2):
        closer = attempt(tight)
        if contents_spill(closer)[0] < pages:
            return closer
    return piece


def layout_folios(edition: Edition, numbers: tuple[int, ...]) -> bytes:
    """A PDF of pages that carry only their folio: ``numbers``, alternately right and left."""
    return layout(folio_html(numbers), edition, STYLES, PIECE_ID, "", (), folios=True).pdf


def book_html(book: ir.Book, index: BookIndex, tight: int = 0, placed: dict[str, list[str]] | None = None) -> str:
    """The whole book as one HTML document for WeasyPrint (the one-pass layout); ``placed`` gives
    body chapters' blocks as :func:`place_chapter` placed them."""
    def chapter(ch: ir.Chapter) -> str:
        if placed is None or ch.id not in placed:
            return chapter_html(ch, index, book.meta, alone=False)
        head, _, tail = chapter_parts(ch, index, book.meta, alone=False)
        # the placed blocks were written for a chapter alone: its links into other chapters back to #ids
        return head + "".join(placed[ch.id]).replace(f'href="{XREF_SCHEME}', 'href="#') + tail

    n = front_count(book)
    chapters = "".join(chapter(ch) for ch in book.chapters[n:])
    return _html_doc(book.meta, front_html(book.meta, index, None, book.chapters[:n], tight)
                     + f'<div class="body-matter">\n{chapters}</div>\n')


def render_pdf_one_pass(book: ir.Book, index: BookIndex, edition: Edition, variant: str | None = None) -> LaidOut:
    """The whole book in one WeasyPrint pass: the reference the stitched build must equal, and
    the screen PDF (``variant="pdf/ua-1"``: a structure tree cannot be stitched from pieces). Its
    contents are set tighter by the same rule as :func:`layout_front`'s. The print reference places
    its body chapters' stills as the stitched build does; the screen PDF keeps them where written."""
    placements: dict[str, floats.Placement] = {}
    if variant is None:
        scripts = scripts_in(book_html(book, index))
        placements = {ch.id: place_chapter(ch, index, book.meta, edition, Path(book.root), scripts)[1]
                      for ch in book.chapters[front_count(book):]}
    placed = {k: p.blocks for k, p in placements.items()}

    def attempt(tight: int) -> tuple[str, LaidOut]:
        html = book_html(book, index, tight, placed)
        return html, layout(html, edition, Path(book.root), pdf_identifier(book.meta), "", scripts_in(html),
                            folios=True, piece=False, starts=variant is None, variant=variant)

    html, piece = attempt(0)
    pages, last = contents_spill(piece)
    if pages >= 2 and last <= TOC_SPILL:
        for tight in (1, 2):
            closer_html, closer = attempt(tight)
            if contents_spill(closer)[0] < pages:
                html, piece = closer_html, closer
                break
    for p in placements.values():
        piece.starts = p.fix_starts(piece.starts)
        piece.anchors = p.fix_anchors(piece.anchors)
    reporter = Reporter(echo=False)
    uncovered_warning(html, reporter)
    for ch in book.chapters:
        math_warnings(ch, reporter)
    piece.diagnostics[:0] = reporter.warnings
    return piece
