"""Facing pages that end level, measured on a print PDF (for the tests and the benchmark).

Takes: a print PDF made by the pipeline (the print edition's head and foot margins).
Gives: :func:`spreads`, one :class:`Spread` per pair of facing body pages (a
verso and the recto after it), with how many lines apart their last lines
end (``gap``: the difference of the whole lines each could still hold under
its last line, above its footnotes, in lines of 14.5 pt) and
why an unlevel spread is excused (``reason``): a chapter ends on one of its
pages; a still or a heading opens the page after one of them (WeasyPrint
moved it whole, and the page before ends early); a page holds a still (its
height is not a whole number of lines); a page is blank. :func:`summary`
counts the spreads, the unlevel ones and the unlevel ones not excused.

    python tests/pdf_spreads.py build/the-salt-lantern.pdf
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import pdfplumber
from pdf_holes import MARGINS, TOL, _content, chapter_openings

LINE = 14.5          # print.css's leading
HEADING_SIZE = 12.0  # text larger than this is a heading (the body is 11.5 pt)


@dataclass(frozen=True)
class Foot:
    """What the measure needs of a page: the lines left empty at its foot, what opens it, whether it holds a still."""

    free: int | None  # whole lines that would still fit under its last line (above its footnotes); None: no text
    opens_with: str   # "text", "image", "heading" or "" (nothing)
    has_image: bool


@dataclass(frozen=True)
class Spread:
    verso: int       # 0-based page (the recto is verso + 1)
    gap: int         # how many lines shorter one page ends than the other (0: level)
    reason: str      # why an unlevel spread is excused ('' if it is not)


def _foot(page: pdfplumber.page.Page) -> Foot:
    top, bottom = MARGINS.top, float(page.height) - MARGINS.bottom
    things, notes = _content(page, top, bottom)
    if not things:
        return Foot(None, "", False)
    first = min(things)
    opens = first[2]
    if opens == "text" and any(c["size"] > HEADING_SIZE for c in page.chars if abs(c["top"] - first[0]) < 3):
        opens = "heading"
    last = max(b for _, b, _ in things)
    return Foot(int((notes - last + TOL) // LINE), opens, any(k == "image" for _, _, k in things))


def spreads(pdf_path: Path) -> list[Spread]:
    """Every spread of the body (from the page labelled 1), level or not; see the module."""
    assert MARGINS
    openings = chapter_openings(pdf_path)
    with pdfplumber.open(pdf_path) as pdf:
        import pypdf
        labels = pypdf.PdfReader(pdf_path).page_labels
        body = labels.index("1") if "1" in labels else 0
        feet = [_foot(p) for p in pdf.pages]
    n = len(feet)

    def chapter_ends(i: int) -> bool:  # the page after it is an opening, or a blank before one, or the end
        j = i + 1
        while j < n and feet[j].free is None:
            j += 1
        return j >= n or j in openings

    out = []
    for verso in range(body + 1, n - 1, 2):
        pair = (verso, verso + 1)
        a, b = feet[verso], feet[verso + 1]
        if a.free is None or b.free is None:
            out.append(Spread(verso, 0, "blank"))
            continue
        gap = abs(a.free - b.free)
        reason = ""
        if gap:
            if verso + 1 in openings or any(chapter_ends(i) for i in pair):
                reason = "chapter end"
            elif any(i + 1 < n and feet[i + 1].opens_with in ("image", "heading") for i in pair):
                reason = "still or heading next"
            elif a.has_image or b.has_image:
                reason = "still on the spread"
        out.append(Spread(verso, gap, reason))
    return out


def summary(pdf_path: Path, found: list[Spread] | None = None) -> tuple[int, int, int]:
    """(spreads with text on both pages, unlevel spreads, unlevel spreads not excused); ``found``:
    the PDF's :func:`spreads`, if measured already."""
    found = [s for s in (spreads(pdf_path) if found is None else found) if s.reason != "blank"]
    unlevel = [s for s in found if s.gap]
    return len(found), len(unlevel), sum(1 for s in unlevel if not s.reason)


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        found = spreads(Path(arg))
        total, unlevel, faults = summary(Path(arg), found)
        print(f"{arg}: {total} spreads, {unlevel} unlevel, {faults} unlevel and not excused")
        for s in found:
            if s.gap:
                why = f" ({s.reason})" if s.reason else ""
                print(f"  pages {s.verso + 1}-{s.verso + 2}: {s.gap} line(s) apart{why}")
