"""The print cover: the full wrap (back, spine, front) with bleed, as one PDF page.

Takes: a transformed :class:`~pipeline.ir.Book`, the cover
:class:`~pipeline.editions.Edition` row (the book's trim applied), and the
print edition's final page count (its :class:`~pipeline.render.pagemap.PageMap`,
padded to the print service's page multiple).
Gives: :func:`wrap_for`, the geometry of the wrap, and :func:`render_cover`,
``<slug>.cover.pdf``: one page laid out by WeasyPrint (through
:func:`pipeline.render.pdf.layout`), made PDF/X-4 as the print PDF is
(:func:`pipeline.render.pdf_x.make_press_ready`: the GTS_PDFX output intent
with its CMYK profile, black as pure K, every other colour ICC-based, the
version keys and XMP), its TrimBox the wrap without bleed, its BleedBox and
MediaBox the wrap with :data:`~pipeline.print_services.BLEED_IN` on every side.

The wrap, left to right: bleed, back, spine, front, bleed. Its width is
2 × trim width + spine + 2 × bleed; its height trim height + 2 × bleed. The
spine is the page count times the thickness of a page of the book's ``paper``
at its ``print-service`` (:func:`pipeline.print_services.spine_width_in`).

- The front is the ``cover-image``, scaled to cover the front panel and its
  bleed (cropped, never stretched); without one, the title, subtitle and
  author set in the shipped faces on a plain colour.
- The back holds the ``description`` and leaves a white box of
  :data:`BARCODE_IN` in its bottom right corner, :data:`BARCODE_INSET_IN`
  from the trim and the spine, where the service prints the ISBN's barcode.
- The spine carries the title and author, turned to read from top to bottom,
  when it is at least :data:`SPINE_TEXT_MIN_IN` wide; a thinner spine is
  left plain (services refuse text on a spine that thin).

The layout is cached (kind ``cover``) by everything it reads, so a rebuild
whose page count did not change lays nothing out; the PDF/X treatment, cheap on
one page, runs after the cache (it reads the book's ``modified`` date too).

    >>> w = wrap_for(("6in", "9in"), 300, "kdp", "white")
    >>> round(w.spine, 2), round(w.width, 2), w.height, w.spine_text
    (48.64, 930.64, 666.0, True)
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pikepdf

from .. import ir
from ..cache import Cache, key
from ..diagnostics import Reporter
from ..editions import Edition, Margins, styles_fingerprint, to_pt
from ..print_services import BLEED_IN, SERVICES, spine_width_in
from ..stills import policy_for, variant_facts
from .html import attr_value, text
from .pdf import IMAGE_SCHEME, LaidOut, layout, scripts_in
from .pdf_x import Press, make_press_ready

PT = 72.0
BARCODE_IN = (2.0, 1.2)      # KDP's barcode area, width × height
BARCODE_INSET_IN = 0.25      # from the back's bottom trim edge and from the spine
SAFE_IN = 0.5                # type on the back and the front keeps this far from the trim
SPINE_TEXT_MIN_IN = 0.25     # no spine text on a thinner spine (KDP: none under 79–100 pages)
SPINE_CLEAR_IN = 0.0625      # spine type keeps this far from each fold (KDP)
COVER_MIN_PPI = 300          # what the services ask of a cover image at its printed size
CROP_WARN = 0.15             # warn when more than this part of the cover image is cut off


@dataclass(frozen=True, slots=True)
class Wrap:
    """The cover's geometry in points; x from the wrap's left trim edge, y from its top trim edge."""

    trim_w: float
    trim_h: float
    spine: float
    bleed: float
    pages: int

    @property
    def width(self) -> float:
        """The full width with bleed: 2 × trim + spine + 2 × bleed."""
        return 2 * self.trim_w + self.spine + 2 * self.bleed

    @property
    def height(self) -> float:
        """The full height with bleed: trim + 2 × bleed."""
        return self.trim_h + 2 * self.bleed

    @property
    def front_x(self) -> float:
        """Where the front panel begins (the spine's right fold)."""
        return self.trim_w + self.spine

    @property
    def spine_text(self) -> bool:
        """Whether the spine is wide enough to carry text."""
        return self.spine >= SPINE_TEXT_MIN_IN * PT - 1e-9


def wrap_for(trim: tuple[str, str], pages: int, service: str, paper: str) -> Wrap:
    """The wrap of a book of ``pages`` pages at ``trim``, printed by ``service`` on ``paper``."""
    return Wrap(to_pt(trim[0]), to_pt(trim[1]), spine_width_in(pages, service, paper) * PT, BLEED_IN * PT, pages)


def _box(x: float, y: float, w: float, h: float, extra: str = "") -> str:
    return f"left: {x:.3f}pt; top: {y:.3f}pt; width: {w:.3f}pt; height: {h:.3f}pt;{extra}"


def _authors(meta: ir.Meta) -> str:
    return ", ".join(c.name for c in meta.creators)


def _front(meta: ir.Meta, wrap: Wrap) -> str:
    b = wrap.bleed
    if meta.cover_image:  # the image covers the front panel and the bleed above, below and outside it
        box = _box(wrap.front_x, -b, wrap.trim_w + b, wrap.trim_h + 2 * b)
        return (f'<div class="panel front" style="{box}">'
                f'<img src="{IMAGE_SCHEME}{attr_value(quote(meta.cover_image))}" alt=""/></div>\n')
    safe = SAFE_IN * PT
    box = _box(wrap.front_x + safe, 2 * safe, wrap.trim_w - 2 * safe, wrap.trim_h - 5 * safe)
    out = [f'<div class="panel front typographic" style="{box}">\n',
           f'<h1 class="cover-title">{text(meta.title)}</h1>\n']
    if meta.subtitle:
        out.append(f'<p class="cover-subtitle">{text(meta.subtitle)}</p>\n')
    out.append('<div class="cover-rule"></div>\n</div>\n')
    if meta.creators:  # the author at the foot of the front
        box = _box(wrap.front_x + safe, wrap.trim_h - 2.5 * safe, wrap.trim_w - 2 * safe, safe)
        out.append(f'<div class="panel front typographic" style="{box}">'
                   f'<p class="cover-author">{text(_authors(meta))}</p></div>\n')
    return "".join(out)


def _back(meta: ir.Meta, wrap: Wrap) -> str:
    safe = SAFE_IN * PT
    bw, bh = BARCODE_IN[0] * PT, BARCODE_IN[1] * PT
    inset = BARCODE_INSET_IN * PT
    barcode_top = wrap.trim_h - inset - bh
    out = [f'<div class="panel barcode" id="barcode" style="{_box(wrap.trim_w - inset - bw, barcode_top, bw, bh)}">'
           "</div>\n"]
    # the description ends a quarter inch above the barcode box at most (checked after layout: R140)
    box = _box(safe, 1.5 * safe, wrap.trim_w - 2 * safe, barcode_top - 1.5 * safe - inset)
    out.append(f'<div class="panel back" style="{box}">\n')
    if meta.description:
        out.append(f'<p class="description">{text(meta.description)}<span id="description-end"></span></p>\n')
    out.append("</div>\n")
    if meta.publisher:
        box = _box(safe, barcode_top, wrap.trim_w - 2 * safe - inset - bw, bh, " display: flex; align-items: flex-end;")
        out.append(f'<div class="panel back" style="{box}"><p class="publisher">{text(meta.publisher)}</p></div>\n')
    return "".join(out)


def _spine(meta: ir.Meta, wrap: Wrap) -> str:
    if not wrap.spine_text:
        return ""
    clear = SPINE_CLEAR_IN * PT
    room = wrap.spine - 2 * clear
    size = min(room * 0.7, 16.0)
    inset = SAFE_IN * PT
    # turned a quarter clockwise about its top left corner, which sits on the spine's right fold:
    # the box's width runs down the spine, its height across it
    box = _box(wrap.front_x, inset, wrap.trim_h - 2 * inset, wrap.spine,
               f" font-size: {size:.2f}pt; line-height: {wrap.spine:.3f}pt; padding: 0 {clear:.3f}pt;"
               " box-sizing: border-box;")
    author = (f'<span class="spine-author"><span id="spine-author-start"></span>{text(_authors(meta))}'
              '<span id="spine-author-end"></span></span>' if meta.creators else "")
    return (f'<div class="panel spine-text" style="{box}"><span class="spine-title">{text(meta.title)}'
            f'<span id="spine-title-end"></span></span>{author}</div>\n')


def cover_html(meta: ir.Meta, wrap: Wrap) -> str:
    """The cover as one HTML document: an @page the size of the wrap, the panels placed absolutely."""
    scale = wrap.trim_w / (6 * PT)  # the type grows with the trim, as designed for 6 in
    style = (f"@page {{ size: {2 * wrap.trim_w + wrap.spine:.3f}pt {wrap.trim_h:.3f}pt; margin: 0; "
             f"bleed: {wrap.bleed:.3f}pt; }}\n"
             f"html {{ font-size: {11.5 * scale:.2f}pt; }}\n")
    body = _back(meta, wrap) + _spine(meta, wrap) + _front(meta, wrap)
    return (f'<!DOCTYPE html>\n<html lang="{attr_value(meta.lang)}">\n<head><title>{text(meta.title)}</title>'
            f'<meta name="author" content="{attr_value(_authors(meta))}"/>'
            f'<meta name="generator" content="pipeline"/><style>{style}</style></head>\n'
            f"<body>\n{body}</body>\n</html>\n")


def _check_image(book: ir.Book, wrap: Wrap, edition: Edition, meta_file: str, reporter: Reporter) -> None:
    """Warn when the cover image is under :data:`COVER_MIN_PPI` at its printed size (R141), or
    when covering the front panel cuts off much of it (R142)."""
    facts = variant_facts(Path(book.root) / book.meta.cover_image, policy_for(edition))
    if not facts.width or not facts.height or facts.media_type == "image/svg+xml":
        return
    w_in, h_in = (wrap.trim_w + wrap.bleed) / PT, wrap.height / PT
    scale = max(w_in / facts.width, h_in / facts.height)  # inches per pixel once it covers the panel
    ppi = 1 / scale
    if ppi < COVER_MIN_PPI:
        reporter.warn("R141", f"the cover image '{book.meta.cover_image}' ({facts.width}×{facts.height} px) prints at "
                      f"{ppi:.0f} ppi on the {w_in:.3f}×{h_in:.3f} in front (with bleed)",
                      f"use an image of at least {round(w_in * COVER_MIN_PPI)}×{round(h_in * COVER_MIN_PPI)} px "
                      f"({COVER_MIN_PPI} ppi)", meta_file)
    cut = 1 - min(w_in / (facts.width * scale), h_in / (facts.height * scale))
    if cut > CROP_WARN:
        reporter.warn("R142", f"the cover image '{book.meta.cover_image}' is cropped by {cut:.0%} to cover the "
                      f"front ({w_in:.3f}×{h_in:.3f} in with bleed)",
                      "make the image in the front's proportions, with what matters away from the edges",
                      meta_file)


def _check_layout(piece: LaidOut, wrap: Wrap, meta: ir.Meta, meta_file: str, reporter: Reporter) -> None:
    """Warn when the description runs into the barcode area (R140), or the spine's title and author
    do not fit on it (R143). Anchors' y is measured up from the trim's bottom edge."""
    end = piece.anchors.get("description-end")  # none when the text ran off the page
    limit = BARCODE_INSET_IN * PT + BARCODE_IN[1] * PT + BARCODE_INSET_IN * PT
    if meta.description and (end is None or end[2] < limit - 0.5):
        how_far = "off the page" if end is None else f"{limit - end[2]:.0f} pt into the barcode area"
        reporter.warn("R140", f"the description on the back cover runs {how_far}",
                      "shorten 'description' (the back holds about 250 words at 6×9 in)", meta_file)
    down = {name: wrap.trim_h - piece.anchors[name][2]  # how far down the spine, from the top trim edge
            for name in ("spine-title-end", "spine-author-start", "spine-author-end") if name in piece.anchors}
    if len(down) == 3:
        em = min((wrap.spine - 2 * SPINE_CLEAR_IN * PT) * 0.7, 16.0)
        if down["spine-author-start"] - down["spine-title-end"] < em \
                or down["spine-author-end"] > wrap.trim_h - SAFE_IN * PT + 0.5:
            reporter.warn("R143", "the title and author do not fit on the spine",
                          "a shorter title or author on the spine, or a wider spine (more pages, cream paper)",
                          meta_file)


def cover_identifier(meta: ir.Meta) -> bytes:
    """The cover PDF's /ID: from the book's identifier, so rebuilds agree (and differ from the book's)."""
    return hashlib.md5((meta.identifier + "#cover").encode()).hexdigest().encode()


def press_ready(pdf_data: bytes, meta: ir.Meta, wrap: Wrap) -> bytes:
    """The laid-out cover made PDF/X-4 (:func:`pipeline.render.pdf_x.make_press_ready`), its boxes
    those of a page laid out with its bleed (:func:`pipeline.render.pdf_x.wrap_boxes`)."""
    with pikepdf.open(io.BytesIO(pdf_data)) as pdf:
        make_press_ready(pdf, Press.for_book(meta, wrap.bleed, part="cover"), wrap=True)
        buf = io.BytesIO()
        pdf.save(buf, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate,
                 min_version="1.6")
    return buf.getvalue()


def render_cover(book: ir.Book, edition: Edition, pages: int, reporter: Reporter, cache: Cache | None = None,
                 meta_file: str = "", image_digest: str = "") -> bytes:
    """The cover PDF of ``book`` for a print edition of ``pages`` pages (see the module's docstring)."""
    from .pdf_units import pack, unpack

    assert edition.trim
    meta = book.meta
    wrap = wrap_for(edition.trim, pages, meta.print_service, meta.paper)
    if not meta.description:
        reporter.warn("M130", "no 'description': the back cover is blank but for the barcode box",
                      "add 'description:' to the metadata: a paragraph or two about the book", meta_file)
    if meta.cover_image:
        _check_image(book, wrap, edition, meta_file, reporter)
    html = cover_html(meta, wrap)
    k = key("cover", html, repr(edition), styles_fingerprint(), image_digest, SERVICES[meta.print_service].source)
    stored = cache.get("cover", k) if cache is not None else None
    if stored is not None:
        piece = unpack(stored)
    else:
        row = dataclasses.replace(edition, trim=(f"{2 * wrap.trim_w + wrap.spine:.3f}pt", f"{wrap.trim_h:.3f}pt"),
                                  margins=Margins(0.0, 0.0, 0.0, 0.0))
        piece = layout(html, row, Path(book.root), cover_identifier(meta), meta_file, scripts_in(html),
                       piece=False)
        if cache is not None:
            cache.put("cover", k, pack(piece))
    reporter.replay(piece.diagnostics)
    _check_layout(piece, wrap, meta, meta_file, reporter)
    return press_ready(piece.pdf, meta, wrap)
