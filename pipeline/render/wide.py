"""Wide stills (``{.wide}``): into the outer margin, on the right of a recto and the left of a verso.

Takes: the print edition (its margins), and a chapter laid out alone
(WeasyPrint's pages) with its blocks' XHTML.
Gives: :func:`wide_css`, the rules that widen a ``figure.wide`` (page_css adds
them), :func:`on_versos`, which wide stills of a laid-out chapter landed on a
verso, and :func:`to_versos`, the blocks with those stills marked
``wide-verso``.

A wide still is as wide as the text block plus the outer margin less
:data:`KEEP_PT`; its caption widens with it. It is laid out widened to the
right (a recto's outer side): a negative right margin. A chapter is laid out
alone from a recto (every chapter opens on one), so which of its pages are
versos is known then: its odd pages (0-based). A wide still that lands on one
is marked ``wide-verso`` and the chapter laid out again; that class moves the
still left by the same amount with ``position: relative``, which changes
nothing else in the layout, so every page breaks where it did.

    >>> from pipeline.editions import Edition, Margins
    >>> e = Edition("pdf", ".pdf", (), "pdf", ("6in", "9in"), Margins(54, 60, 45, 99))
    >>> print(wide_css(e), end="")
    figure.wide { margin-right: -63.0pt; }
    figure.wide img { width: 100%; height: auto; object-fit: contain; }
    figure.wide.wide-verso { position: relative; left: -63.0pt; }
    >>> to_versos(['<p>a</p>', '<figure id="x" class="wide">', '<figure class="wide big">'], {1})
    ['<p>a</p>', '<figure id="x" class="wide">', '<figure class="wide big wide-verso">']
"""

from __future__ import annotations

import re
from typing import Any

from ..editions import Edition

KEEP_PT = 36.0  # the outer margin a wide still leaves white: 0.5 in, twice KDP's 0.25 in live-area minimum
VERSO = "wide-verso"
_WIDE_TAG = re.compile(r'<figure\b[^>]*\bclass="([^"]*)"[^>]*>')


def reach_pt(edition: Edition) -> float:
    """How far a wide still reaches into the outer margin, in points (0: the page has no outer side)."""
    m = edition.margins
    if m is None or m.inside == m.outside:
        return 0.0  # the screen PDF: no recto and verso, no outer margin
    return max(0.0, round(m.outside - KEEP_PT, 1))


def wide_css(edition: Edition) -> str:
    """The rules that widen ``figure.wide`` into the outer margin ('' when there is none)."""
    reach = reach_pt(edition)
    if not reach:
        return ""
    return (f"figure.wide {{ margin-right: -{reach}pt; }}\n"
            "figure.wide img { width: 100%; height: auto; object-fit: contain; }\n"
            f"figure.wide.{VERSO} {{ position: relative; left: -{reach}pt; }}\n")


def _is_wide(element: Any) -> bool:
    return element is not None and element.tag.rpartition("}")[2] == "figure" \
        and "wide" in (element.get("class") or "").split()


def on_versos(pages: list[Any]) -> set[int]:
    """The wide stills on a verso of a chapter laid out from a recto: their ordinals among the
    chapter's wide stills, in document order."""
    seen: dict[int, int] = {}  # id(element) -> first page
    order: list[int] = []
    for i, page in enumerate(pages):
        for box in page._page_box.descendants():
            element = getattr(box, "element", None)
            if _is_wide(element) and id(element) not in seen:
                seen[id(element)] = i
                order.append(id(element))
    return {n for n, key in enumerate(order) if seen[key] % 2 == 1}


def to_versos(blocks: list[str], ordinals: set[int]) -> list[str]:
    """``blocks`` with the wide stills numbered ``ordinals`` (in document order) marked :data:`VERSO`."""
    count = 0
    out = []
    for html in blocks:
        def mark(m: re.Match[str]) -> str:
            nonlocal count
            classes = m.group(1).split()
            if "wide" not in classes:
                return m.group(0)
            n, count = count, count + 1
            if n not in ordinals or VERSO in classes:
                return m.group(0)
            end = m.end(1) - m.start(0)
            return m.group(0)[:end] + f" {VERSO}" + m.group(0)[end:]
        out.append(_WIDE_TAG.sub(mark, html))
    return out
