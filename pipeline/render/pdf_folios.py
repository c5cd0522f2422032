"""Folios set at assembly: page numbers drawn as WeasyPrint draws them, for any number.

Takes: a small PDF of sample folios laid out by WeasyPrint with the edition's
own styles (:data:`SAMPLES`: ``1`` and ``1023456789`` on right-hand pages,
``2`` and ``1023456790`` on left-hand ones).
Gives: :class:`Folios`, which draws the folio of any body page onto a page
of the assembled book.

A chapter is laid out alone, before anyone knows its page numbers, so its
pages carry no folio. WeasyPrint draws a folio as one line of text: a text
matrix, a font, and the digits' glyphs. From the samples we learn, for each
side of the spread, that line's template, each digit's glyph and width, and
where the line starts for a given width (``x = anchor - k * width``: ``k`` is
0 for left-aligned folios, ½ centred, 1 right-aligned). Any number is then
the same template with its own glyphs and start: the text and its place are
what WeasyPrint would have drawn, and no page is laid out again.

    >>> sample_numbers()
    (1, 2, 1023456789, 1023456790)
"""

from __future__ import annotations

import io
import re

import pikepdf
from pikepdf import Array, Dictionary, Name

from .pdf_fonts import parse_widths

PANGO_SCALE = 1024
SAMPLES = (1, 2, 1023456789, 1023456790)  # recto, verso, recto, verso; the long ones use every digit
_TM = re.compile(rb"1 0 0 -1 (-?[\d.]+) (-?[\d.]+) Tm")
_TJ = re.compile(rb"\[((?:<[0-9a-fA-F]+>-?[\d.]*)+)\] TJ")
GLYPH = re.compile(rb"<([0-9a-fA-F]+)>")
_SUBSET_TAG = re.compile(r"^/?[A-Z]{6}\+")
_TF = re.compile(rb"/(\S+) (-?[\d.]+) Tf")


def face(font: pikepdf.Object) -> str:
    """A PDF font's name without its subset tag (``ABCDEF+``)."""
    return _SUBSET_TAG.sub("", str(font.get("/BaseFont", "")))


def pdf_number(x: float) -> bytes:
    """``x`` as WeasyPrint (pydyf) writes a number in a content stream."""
    return (str(int(x)) if x.is_integer() else f"{x:f}".rstrip("0")).encode()


def glyph_run(glyphs: list[bytes]) -> bytes:
    """The ``TJ`` that shows ``glyphs`` (hex glyph ids) as WeasyPrint writes one, without kerning."""
    return b"[" + b"".join(b"<%s>0" % g for g in glyphs) + b"] TJ"


def sample_numbers() -> tuple[int, ...]:
    """The folios to lay out as samples, in page order."""
    return SAMPLES


class Folios:
    """Draws folios learned from the sample PDF onto pages of ``pdf``."""

    def __init__(self, pdf: pikepdf.Pdf, samples: bytes):
        self.pdf = pdf
        self._src = pikepdf.open(io.BytesIO(samples))
        pages = self._src.pages
        self.glyphs: dict[str, bytes] = {}
        self.widths: dict[bytes, float] = {}
        self.faces: set[str] = set()  # the fonts the folios are set in, without subset tags
        self.sides = []
        for short, long in ((0, 2), (1, 3)):
            a, b = self._read(pages[short], SAMPLES[short]), self._read(pages[long], SAMPLES[long])
            wa, wb = self.width(a["glyphs"], a["size"]), self.width(b["glyphs"], b["size"])
            k = round((a["x"] - b["x"]) / (wb - wa) * 4) / 4  # left, centred or right: 0, ½ or 1
            self.sides.append({"template": a["content"], "anchor": a["x"] + k * wa, "k": k, "size": a["size"],
                               "resources": pdf.copy_foreign(pages[short].obj.Resources)})
        self.mediabox = Array([float(v) for v in pages[0].obj.MediaBox])
        # every page's content is wrapped in the same two streams: save the state, then restore it and draw
        self._open = pdf.make_indirect(pikepdf.Stream(pdf, b"q\n"))
        self._close = pdf.make_indirect(pikepdf.Stream(pdf, b"Q\nq /Folio Do Q\n"))

    def _read(self, page: pikepdf.Page, number: int) -> dict:
        content = page.Contents.read_bytes()
        glyphs = GLYPH.findall(_TJ.search(content).group(1))  # type: ignore[union-attr]
        for digit, glyph in zip(str(number), glyphs):
            self.glyphs[digit] = glyph
        font = page.obj.Resources.Font
        for value in font.values():
            self.faces.add(face(value))
            widths = value.DescendantFonts[0].get("/W", Array())
            for gid, width in parse_widths(widths).items():
                self.widths[b"%04x" % gid] = float(width)
        tm = _TM.search(content)
        assert tm is not None
        return {"content": content, "x": float(tm.group(1)), "glyphs": glyphs,
                "size": float(_TF.search(content).group(2))}  # type: ignore[union-attr]

    def width(self, glyphs: list[bytes], size: float) -> float:
        """The advance of ``glyphs`` at ``size``, as Pango (WeasyPrint's text layout) rounds it:
        in 1/1024 of a unit, glyph by glyph."""
        return sum(round(self.widths[g.lower()] * size / 1000 * PANGO_SCALE) for g in glyphs) / PANGO_SCALE

    def stamp(self, page: pikepdf.Page, number: int) -> None:
        """Draw ``number``'s folio on ``page`` (a body page; odd numbers are right-hand pages)."""
        side = self.sides[(number + 1) % 2]
        glyphs = [self.glyphs[d] for d in str(number)]
        x = side["anchor"] - side["k"] * self.width(glyphs, side["size"])
        content = _TJ.sub(glyph_run(glyphs), side["template"], count=1)
        content = _TM.sub(lambda m: b"1 0 0 -1 %s %s Tm" % (pdf_number(x), m.group(2)), content, count=1)
        form = self.pdf.make_stream(content, Type=Name.XObject, Subtype=Name.Form, BBox=self.mediabox,
                                    Resources=side["resources"])
        resources = Dictionary({k: v for k, v in page.obj.Resources.items()})
        xobjects = Dictionary({k: v for k, v in resources.get("/XObject", Dictionary()).items()})
        xobjects[Name.Folio] = form
        resources.XObject = xobjects
        page.obj.Resources = resources
        page.contents_add(self._open, prepend=True)
        page.contents_add(self._close)

    def close(self) -> None:
        """Release the sample PDF (after the book is saved)."""
        self._src.close()
