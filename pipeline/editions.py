"""Editions as data: one row per product a build can make.

Takes: nothing but the book's metadata (for the author's trim size).
Gives: :data:`EDITIONS`, the table of products, and :func:`for_book`, the
rows a build makes with the book's own trim applied (and margins to suit it:
:func:`margins_for`).

A row says everything that differs between products: the output's file
name, the stylesheets, the image policy (what :mod:`pipeline.stills`
makes of each still), and for print the trim and margins. Renderers read
their row; nothing else in the pipeline knows a trim size or a margin. A new
product (a screen PDF, a cover) is a new row plus a renderer.

    >>> [e.name for e in EDITIONS]
    ['pdf', 'epub', 'cover', 'screen-pdf']
    >>> print_edition = EDITIONS[0]
    >>> print_edition.file_name("salt"), print_edition.trim, print_edition.text_block_pt()
    ('salt.pdf', ('6in', '9in'), (288.0, 534.0))
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
from dataclasses import dataclass

from . import ir
from .resources import STYLES

_PT = {"in": 72.0, "mm": 72 / 25.4, "cm": 72 / 2.54, "pt": 1.0}


def to_pt(length: str) -> float:
    """A CSS length in in, mm, cm or pt, in points.

    >>> to_pt("6in"), round(to_pt("148mm"), 1)
    (432.0, 419.5)
    """
    return float(length[:-2]) * _PT[length[-2:]]


@dataclass(frozen=True, slots=True)
class Margins:
    """Page margins in points; inside is the gutter (right of a verso, left of a recto)."""

    top: float
    bottom: float
    inside: float
    outside: float


@dataclass(frozen=True, slots=True)
class Edition:
    """One product: its ``--to`` name, file suffix, stylesheets, image policy and page geometry."""

    name: str
    suffix: str
    stylesheets: tuple[str, ...]
    images: str                       # the image policy: "pdf" keeps print resolution, "epub" converts for readers
    trim: tuple[str, str] | None = None
    margins: Margins | None = None
    caption_room_pt: float = 0.0      # print: the part of the text block a still leaves for its caption
    image_megapixels: float = 0.0     # the most pixels of a still (the book's epub-image-megapixels); 0: all
    gutter_from_pages: bool = False   # margins from the trim and page count (pipeline.margins), not scaled

    def file_name(self, slug: str) -> str:
        """The output's name for a book whose slug is ``slug``."""
        return slug + self.suffix

    def text_block_pt(self) -> tuple[float, float]:
        """Width and height of the text block in points (print editions only)."""
        assert self.trim and self.margins
        m = self.margins
        return (to_pt(self.trim[0]) - m.inside - m.outside, to_pt(self.trim[1]) - m.top - m.bottom)


def margins_for(trim: tuple[str, str], base: Margins, base_trim: tuple[str, str]) -> Margins:
    """Margins for ``trim``: ``base`` (the margins designed for ``base_trim``) scaled with the page,
    the side margins with its width and the head and foot with its height, so every trim keeps the
    proportions of the page designed, and never under KDP's least (0.375 in inside, 0.25 in outside).

    >>> m = margins_for(("5in", "8in"), Margins(54.0, 60.0, 58.0, 43.0), ("6in", "9in"))
    >>> m.top, m.bottom, m.inside, m.outside
    (48.0, 53.3, 48.3, 35.8)
    >>> margins_for(("6in", "9in"), Margins(54.0, 60.0, 58.0, 43.0), ("6in", "9in")).inside
    58.0
    """
    across = to_pt(trim[0]) / to_pt(base_trim[0])
    down = to_pt(trim[1]) / to_pt(base_trim[1])
    return Margins(top=round(base.top * down, 1), bottom=round(base.bottom * down, 1),
                   inside=max(round(base.inside * across, 1), 27.0),
                   outside=max(round(base.outside * across, 1), 18.0))


EDITIONS: tuple[Edition, ...] = (
    Edition("pdf", ".pdf", ("fonts.css", "book.css", "print.css", "code.css"), images="pdf",
            trim=("6in", "9in"), margins=Margins(top=54.0, bottom=60.0, inside=45.0, outside=99.0),
            caption_room_pt=90.0, gutter_from_pages=True),
    Edition("epub", ".epub", ("book.css", "epub.css", "code.css"), images="epub", image_megapixels=4.0),
    # the cover: its trim is the book's; pipeline.render.cover sizes the wrap (back, spine, front)
    # from it and the print page count, and places everything itself
    Edition("cover", ".cover.pdf", ("fonts.css", "cover.css"), images="pdf", trim=("6in", "9in")),
    # the screen PDF: the print book's trim and type, margins without a gutter, no blank pages,
    # and the EPUB's stills (sRGB, at most epub-image-megapixels): tagged PDF/UA-1, RGB only
    Edition("screen-pdf", ".screen.pdf", ("fonts.css", "book.css", "print.css", "code.css", "screen.css"),
            images="epub", trim=("6in", "9in"), margins=Margins(top=54.0, bottom=60.0, inside=50.5, outside=50.5),
            caption_room_pt=90.0, image_megapixels=4.0),
)
NAMES = tuple(e.name for e in EDITIONS)


def edition(name: str) -> Edition:
    """The row called ``name``; KeyError if there is none."""
    for e in EDITIONS:
        if e.name == name:
            return e
    raise KeyError(name)


def for_book(meta: ir.Meta, name: str, pages: int = 0) -> Edition:
    """The row called ``name`` with what the book asks for applied (its ``trim-size``, and margins
    scaled to that trim); the print row's margins are those of a book of ``pages`` pages on that
    trim (:func:`pipeline.margins.print_margins`)."""
    row = edition(name)
    if row.trim and meta.trim_size:
        trim = (meta.trim_size[0], meta.trim_size[1])
        margins = margins_for(trim, row.margins, row.trim) if row.margins else None
        row = dataclasses.replace(row, trim=trim, margins=margins)
    if row.gutter_from_pages:  # print: the inside margin grows with the page count, the line stays
        from .margins import print_margins  # it reads Margins from here

        row = dataclasses.replace(row, margins=print_margins(row.trim, pages))
    if row.image_megapixels:
        row = dataclasses.replace(row, image_megapixels=meta.epub_image_megapixels)
    return row


@functools.cache
def styles_fingerprint() -> str:
    """A hash of every stylesheet and font file the editions may read (part of every unit's key)."""
    h = hashlib.sha256()
    for path in sorted(p for p in STYLES.rglob("*") if p.is_file()):
        h.update(path.relative_to(STYLES).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()
