"""Print margins from the trim and the page count, the page count estimated before layout.

Takes: a print trim (width, height as CSS lengths) and a page count; or a
transformed :class:`~pipeline.ir.Book`, for :func:`estimate_pages`.
Gives: :func:`margins_for`, the :class:`~pipeline.editions.Margins` of any
edition on a trim (for print, :func:`print_margins`: those of a book of that
many pages), and :func:`estimate_pages`, the page count a book will
have, from its text alone.

The line is :data:`MEASURE_PT` wide on the 6×9 in design trim: 4 in, the
two-thirds of the page of the classical canon, which sets 60–70 characters of
11.5 pt EB Garamond (``styles/print.css``); on another trim it scales with the
page's width, and the head and foot with its height, as
:func:`scaled_margins` scales the other editions' margins (:func:`margins_for` picks). The
inside margin grows with the page count, as print-on-demand services ask,
since a thicker book loses more of its inner margin in the binding: KDP's
minimum gutter (:data:`KDP_GUTTER_IN`) plus :data:`INSIDE_VISIBLE_PT` of
margin that stays visible. The outside margin takes the rest, so the measure
does not change with the page count.

The page count is only known after layout, and laying the book out twice
would double the build. So the margins are chosen from an estimate made
before layout (:func:`estimate_pages`); each chapter unit's key covers its
edition row, margins included, so a book whose estimate crosses a threshold
is laid out again with the new margins, and one that does not reuses its
cache. After layout, :func:`gutter_short` says whether the real page count
needs a wider gutter than the estimate gave (warning R165).

    >>> m = print_margins(("6in", "9in"), 120)
    >>> m.inside, m.outside, 432 - m.inside - m.outside
    (45.0, 99.0, 288.0)
    >>> print_margins(("6in", "9in"), 620).inside
    72.0
    >>> gutter_short(print_margins(("6in", "9in"), 140), 160)
    9.0
"""

from __future__ import annotations

from . import ir
from .diagnostics import Reporter
from .editions import Edition, Margins, to_pt

# KDP's minimum inside margin (gutter) by page count, in inches: (most pages, gutter).
# Source: KDP Help, "Set trim size, bleed and margins" (paperback, 2025).
KDP_GUTTER_IN: tuple[tuple[int, float], ...] = ((150, 0.375), (300, 0.5), (500, 0.625), (700, 0.75))
KDP_GUTTER_BEYOND_IN = 0.875
INSIDE_VISIBLE_PT = 18.0   # margin left visible beyond the gutter the binding may take
MEASURE_PT = 288.0         # the line: 4 in, 60-70 characters at print.css's 11.5 pt
OUTSIDE_MIN_PT = 36.0      # on a narrow trim the line shrinks before the outside margin goes under 0.5 in
TOP_PT, BOTTOM_PT = 54.0, 60.0  # head and foot on the design trim, scaled with the page's height
DESIGN_TRIM_PT = (432.0, 648.0)  # 6 x 9 in: on another trim the line scales with the page's width

# The estimate's figures, measured on the sample and The Worst Journey in the World.
CHARS_PER_LINE = 60.0      # body text at MEASURE_PT: 65 on a full line, fewer on average
LINE_PT = 14.5             # print.css's leading
FIGURE_PAGES = 0.75        # a still and its caption, with the white a still that does not fit leaves
CHAPTER_PAGES = 1.0        # a chapter's opening sink, its last page's white, half a blank verso
FRONT_PAGES = 4


def kdp_gutter_pt(pages: int) -> float:
    """KDP's minimum inside margin for a book of ``pages`` pages, in points.

    >>> kdp_gutter_pt(150), kdp_gutter_pt(151), kdp_gutter_pt(900)
    (27.0, 36.0, 63.0)
    """
    for most, inches in KDP_GUTTER_IN:
        if pages <= most:
            return inches * 72
    return KDP_GUTTER_BEYOND_IN * 72


def print_margins(trim: tuple[str, str], pages: int) -> Margins:
    """The margins of a book of ``pages`` pages on ``trim``: the gutter grows with the page
    count, the line stays :data:`MEASURE_PT` wide (narrower only on a trim too narrow for it)."""
    width, height = to_pt(trim[0]), to_pt(trim[1])
    inside = kdp_gutter_pt(pages) + INSIDE_VISIBLE_PT
    line = min(round(MEASURE_PT * width / DESIGN_TRIM_PT[0], 1), width - inside - OUTSIDE_MIN_PT)
    down = height / DESIGN_TRIM_PT[1]
    return Margins(top=round(TOP_PT * down, 1), bottom=round(BOTTOM_PT * down, 1), inside=inside,
                   outside=round(width - inside - line, 1))


def scaled_margins(trim: tuple[str, str], base: Margins, base_trim: tuple[str, str]) -> Margins:
    """Margins for ``trim``: ``base`` (the margins designed for ``base_trim``) scaled with the page,
    the side margins with its width and the head and foot with its height, so every trim keeps the
    proportions of the page designed, and never under KDP's least (0.375 in inside, 0.25 in outside).

    >>> m = scaled_margins(("5in", "8in"), Margins(54.0, 60.0, 58.0, 43.0), ("6in", "9in"))
    >>> m.top, m.bottom, m.inside, m.outside
    (48.0, 53.3, 48.3, 35.8)
    >>> scaled_margins(("6in", "9in"), Margins(54.0, 60.0, 58.0, 43.0), ("6in", "9in")).inside
    58.0
    """
    across = to_pt(trim[0]) / to_pt(base_trim[0])
    down = to_pt(trim[1]) / to_pt(base_trim[1])
    return Margins(top=round(base.top * down, 1), bottom=round(base.bottom * down, 1),
                   inside=max(round(base.inside * across, 1), 27.0),
                   outside=max(round(base.outside * across, 1), 18.0))


def margins_for(row: Edition, trim: tuple[str, str], pages: int = 0) -> Margins | None:
    """The margins of edition ``row`` on ``trim``, for a book of ``pages`` pages: the one place
    margins come from. Print's (``gutter_from_pages``) are :func:`print_margins`; another
    edition's are its row's, designed for the row's trim, scaled to ``trim`` (:func:`scaled_margins`).

    >>> from pipeline.editions import edition
    >>> margins_for(edition("pdf"), ("6in", "9in"), 620).inside
    72.0
    >>> margins_for(edition("screen-pdf"), ("5in", "8in")).inside
    42.1
    """
    if row.gutter_from_pages:
        return print_margins(trim, pages)
    if row.margins is None or row.trim is None:
        return row.margins
    return scaled_margins(trim, row.margins, row.trim)


def gutter_short(margins: Margins, pages: int) -> float:
    """How many points the inside margin falls short of KDP's minimum for ``pages`` pages (0 if none)."""
    return max(0.0, kdp_gutter_pt(pages) - (margins.inside - INSIDE_VISIBLE_PT))


def estimate_pages(book: ir.Book) -> int:
    """The page count ``book`` will print to, from its text, stills and chapters, before layout.

    Within about 10% on the books it was measured on; an estimate that lands in
    the wrong gutter band is reported after layout (:func:`gutter_short`).
    """
    trim = book.meta.trim_size or ("6in", "9in")
    width, height = to_pt(trim[0]), to_pt(trim[1])
    per_line = CHARS_PER_LINE * min(1.0, (width - 2 * OUTSIDE_MIN_PT) / MEASURE_PT)
    lines_per_page = (height - TOP_PT - BOTTOM_PT) / LINE_PT
    lines = 0.0
    figures = 0
    for ch in book.chapters:
        for node in ir.query(ch, (ir.Text, ir.Code, ir.Para, ir.CodeBlock, ir.Figure, ir.Heading)):
            if isinstance(node, (ir.Text, ir.Code)):
                lines += len(node.text) / per_line
            elif isinstance(node, ir.CodeBlock):
                lines += node.text.count("\n") + 1.5
            elif isinstance(node, ir.Figure):
                figures += 1
            else:  # a paragraph's last line is short; a heading takes its line and space around it
                lines += 0.5 if isinstance(node, ir.Para) else 2.5
    return round(FRONT_PAGES + lines / lines_per_page + figures * FIGURE_PAGES
                 + len(book.chapters) * CHAPTER_PAGES)


def check_gutter(edition: Edition, pages: int, reporter: Reporter) -> None:
    """Warn (R165) when the laid-out book has more pages than its gutter was chosen for."""
    assert edition.margins
    short = gutter_short(edition.margins, pages)
    if short:
        reporter.warn("R165", f"the print edition has {pages} pages, more than estimated before layout: its "
                              f"inside margin is {short:.0f}pt under the {kdp_gutter_pt(pages) / 72:g} in "
                              "print services ask for at that count",
                      "report the book's text (the estimate in pipeline/margins.py missed); until then, "
                      "a trim-size with more pages per line of text, or less text, avoids it")
