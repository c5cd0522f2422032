"""Editions as data: one row per product a build can make.

Takes: nothing but the book's metadata (for the author's trim size).
Gives: :data:`EDITIONS`, the table of products, and :func:`for_book`, the
rows a build makes with the book's own trim applied (and margins to suit it:
:func:`pipeline.margins.margins_for`).

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
from typing import TYPE_CHECKING

from .resources import STYLES

if TYPE_CHECKING:
    from . import ir

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
    """The row called ``name`` with what the book asks for applied: its ``trim-size``, and the
    margins for that trim and ``pages`` pages (:func:`pipeline.margins.margins_for`)."""
    row = edition(name)
    if row.trim:
        from .margins import margins_for  # it reads Margins from here

        trim = (meta.trim_size[0], meta.trim_size[1]) if meta.trim_size else row.trim
        row = dataclasses.replace(row, trim=trim, margins=margins_for(row, trim, pages))
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
