"""Blank space at the foot of a page before a still, measured on a print PDF (for the tests and the benchmark).

Takes: a print PDF made by the pipeline (the print edition's margins).
Gives: :func:`holes`, one :class:`PdfHole` per page that is followed by a
page a still opens (an image is the first thing in its text block), with the
part of the text block left blank at the page's foot: from the bottom of its
last line or image to the footnote area (its rule, less the rule's 8 pt
margin) or the text block's end. :func:`summary` gives what the benchmark
prints: pages with a hole over 25 %, and the blank in all, in pages. A page
where the chapter's text ends, followed only by stills, is a chapter's end,
not a hole: it is listed, not counted (a still moved to its chapter's end
lands there, as a LaTeX float does). :func:`pages_with_images` finds the
pages that paint an image from their content streams (pypdf), so that
pdfplumber lays out only those and their neighbours, not a whole book.

    python tests/pdf_holes.py build/the-salt-lantern.pdf
    python tests/pdf_holes.py --summary build/the-salt-lantern.pdf   # [pages over 25 %, blank pages] as JSON
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import pdfplumber
import pypdf

from pipeline.editions import EDITIONS

MARGINS = EDITIONS[0].margins
FOOTNOTE_MARGIN = 8.0   # print.css: @footnote { margin-top: 8pt }
TOL = 1.0


BODY_SIZE = 10.5        # text larger than this is body text (11.5 pt; captions 9.8, notes 9, heads and folios 8.5)
OPENING_DROP = 50.0     # a chapter's first page sets its heading this far below the text block's top (1 in)


@dataclass(frozen=True)
class PdfHole:
    page: int       # 0-based page with the blank at its foot
    blank: float    # the blank's part of the text block, 0…1
    ends_chapter: bool = False  # the chapter's text ends on that page and only stills follow it: not a hole


def _content(page: pdfplumber.page.Page, top: float, bottom: float) -> tuple[list[tuple[float, float, str]], float]:
    """The text block's things as (top, bottom, kind), and where the footnote area begins (or ``bottom``)."""
    notes = bottom
    for r in page.rects:  # the footnote area's rule: filled to the text block's foot, the block's width
        if r["bottom"] >= bottom - TOL and r["width"] > page.width / 2 and r["top"] > top:
            notes = min(notes, r["top"] - FOOTNOTE_MARGIN)
    things = [(c["top"], c["bottom"], "text") for c in page.chars
              if c["top"] >= top - TOL and c["bottom"] <= notes + TOL and c["text"].strip()]
    things += [(im["top"], im["bottom"], "image") for im in page.images
               if im["bottom"] > top and im["top"] < notes]
    return things, notes


def _ends_chapter(pages: list, i: int, top: float, bottom: float) -> bool:
    """Whether page ``i`` holds stills and no body text, and the chapter ends with it (what follows is the
    end, a blank page or a chapter's opening page)."""
    if any(c["size"] > BODY_SIZE for c in pages[i].chars if top - TOL <= c["top"] <= bottom):
        return False
    if i + 1 == len(pages):
        return True
    following, _ = _content(pages[i + 1], top, bottom)
    return not following or min(following)[0] > top + OPENING_DROP


def chapter_openings(pdf_path: Path) -> set[int]:
    """The 0-based pages the PDF's outline says a chapter (or the contents) begins on, and the body's first."""
    reader = pypdf.PdfReader(pdf_path)
    found = {reader.get_destination_page_number(e) for e in reader.outline if not isinstance(e, list)}
    labels = reader.page_labels  # the body's first page: the first labelled "1" after the front matter's i, ii…
    return found | {i for i, label in enumerate(labels) if label == "1"}


def pages_with_images(pdf_path: Path) -> set[int]:
    """The 0-based pages whose content stream paints an image XObject (WeasyPrint draws each image from
    the page's own stream, with one resource dict for all pages): pdfplumber's ``page.images``, for a
    fraction of the time."""
    found = set()
    for i, page in enumerate(pypdf.PdfReader(pdf_path).pages):
        resources = page.get("/Resources")
        xobjects = resources.get_object().get("/XObject") if resources is not None else None
        names = [name.encode() for name, x in (xobjects.get_object().items() if xobjects is not None else ())
                 if x.get_object().get("/Subtype") == "/Image"]
        content = page.get_contents()
        data = content.get_data() if content is not None else b""
        if any(re.search(re.escape(name) + rb"\s+Do\b", data) for name in names):
            found.add(i)
    return found


def holes(pdf_path: Path, threshold: float = 0.0) -> list[PdfHole]:
    """Pages whose foot is blank over ``threshold`` of the text block, before a page a still opens
    (not a chapter's first page: the page before it belongs to another chapter)."""
    assert MARGINS
    out: list[PdfHole] = []
    openings = chapter_openings(pdf_path)
    with pdfplumber.open(pdf_path) as pdf:
        pages = pdf.pages
        with_images = pages_with_images(pdf_path)
        for i in sorted(with_images):
            if i == 0 or i in openings:
                continue
            page = pages[i]
            top, bottom = MARGINS.top, float(page.height) - MARGINS.bottom
            things, _ = _content(page, top, bottom)
            if not things or min(things)[2] != "image":
                continue
            before = pages[i - 1]
            things, notes = _content(before, top, bottom)
            if not things or not any(c["size"] > BODY_SIZE for c in before.chars if top - TOL <= c["top"] <= bottom):
                continue  # a blank page (before a chapter opening on a recto), or a page of stills
            blank = max(0.0, notes - max(b for _, b, _ in things)) / (bottom - top)
            if blank > threshold:
                out.append(PdfHole(i - 1, round(blank, 4), _ends_chapter(pages, i, top, bottom)))
    return out


def summary(pdf_path: Path) -> tuple[int, float]:
    """(pages with a hole over 25 % before a still, total blank before stills in pages of text block)."""
    found = [h for h in holes(pdf_path) if not h.ends_chapter]
    return sum(1 for h in found if h.blank > 0.25), round(sum(h.blank for h in found), 2)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--summary"]:  # the benchmark: one line of JSON, measured in this process, not its own
        print(json.dumps(summary(Path(sys.argv[2]))))
        sys.exit(0)
    for arg in sys.argv[1:]:
        found = holes(Path(arg))
        over, total = summary(Path(arg))
        print(f"{arg}: {over} page(s) with a hole over 25% before a still; {total} page(s) blank in all")
        for h in found:
            if h.blank > 0.05:
                print(f"  page {h.page + 1}: {h.blank:.0%}" + (" (the chapter's text ends: not counted)"
                                                             if h.ends_chapter else ""))
