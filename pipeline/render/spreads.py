"""Facing pages that end level: a verso and its recto end on the same line.

Takes: a chapter laid out alone (WeasyPrint's pages; its first page a recto,
so its odd pages are versos), its top-level blocks (:class:`~pipeline.render.floats.Block`)
and the function that lays blocks out.
Gives: :func:`free_lines` (the whole lines a page could still hold at its
foot), :func:`unlevel` (the spreads that end unlevel and are not excused),
:func:`stretch`, which opens up the shorter page of each, and :func:`level`,
which evens them out by cutting the fuller page, one spread at a time.

WeasyPrint breaks a page early for widows and orphans (``print.css``:
``widows: 2; orphans: 2``) and to keep a footnote with its call, so one page
of a spread can end a line or two above the other. A spread is excused when
a chapter ends on it, when a still or a heading opens the page after one of
its pages (it moved whole, as it must), when one of its pages holds a still,
or when a page is blank.

Two ways to even out the others, chosen by the book's ``level-spreads``:

- ``stretch`` (the default; ``true``): vertical justification, as LaTeX's
  ``\flushbottom`` and InDesign do it. The shorter page's lines are spread
  apart until its last line ends where its facing page's does (above the
  footnotes on a page with notes), when that adds at most
  :data:`MAX_STRETCH` of a line between two lines; a figure, a table, a box
  with a border or a background moves whole. No line changes page and
  nothing is laid out again, so it costs nothing measurable. On *The Worst
  Journey in the World*: 94 unlevel spreads not excused → 6.
- ``cut``: first, as a compositor does ("take a line back" on both pages),
  the fuller page is made as short as the other: the paragraph that runs
  across its last lines is cut where the shorter page's count ends (as
  :mod:`pipeline.render.floats` cuts one, with the same ids and offsets for
  the EPUB's page markers), an empty ``div.level-break`` between the parts
  breaks the page, and the chapter is laid out again. The cut is kept if
  that spread ends no less level than before and no new hole opens before a
  still; otherwise the layout before it stays. A line taken from a verso
  often leaves the recto the longer page (its own widow is resolved): a
  second cut then takes a line from the recto too, and both end a line
  short. At most :data:`ATTEMPTS` cuts are tried on a spread and
  :data:`MAX_TRIES` layouts made in a chapter; a layout covers only the part
  of the chapter up to a few pages past the spread, and, where it can,
  starts at the page before the spread (:func:`level`). What it leaves
  unlevel is then stretched. It keeps every page's lines on one grid, at
  2.6× the print build's CPU time on *Worst Journey* (94 → 62 before
  stretching; README, "Facing pages end level").
- ``off`` (``false``): pages end where WeasyPrint ends them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from .floats import (
    AHEAD,
    CONTINUED,
    Block,
    Placement,
    _block_of,
    _bottom,
    _leaves,
    _local,
    _room,
    chapter_ids,
    holes,
    lay_out_from,
    split,
)
from .page_breaks import HYPHENS, _Anchor, _flow, local_name, page_starts

LINE_PX = 14.5 * 96 / 72  # print.css's leading, in CSS px
TOL_PX = 1.5
MAX_TRIES = 10          # layouts a chapter may take to level it (whole or in part)
ATTEMPTS = 2            # cuts tried on one spread
BREAK = '<div class="level-break"></div>\n'
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})


def free_lines(page: Any) -> int | None:
    """Whole lines that would still fit under the page's last line or image, above its footnotes
    (None: a page with nothing in its text block)."""
    leaves = list(_leaves(page._page_box))
    if not leaves:
        return None
    _top, bottom = _room(page)
    return int((bottom - max(_bottom(b) for b, _ in leaves) + TOL_PX) // LINE_PX)


def _opens(page: Any) -> str:
    first = next(_leaves(page._page_box), None)
    if first is None:
        return ""
    box, figure = first
    if figure is not None:
        return "still"
    element = box.element
    return "heading" if element is not None and local_name(element.tag) in HEADINGS else "text"


def _has_still(page: Any) -> bool:
    return any(f is not None for _, f in _leaves(page._page_box))


def _excused(pages: list[Any], i: int) -> bool:
    """Whether page ``i`` may end where it does: it holds a still, or a still, a heading or nothing
    opens the page after it (``i`` is not the last page)."""
    return _has_still(pages[i]) or _opens(pages[i + 1]) in ("still", "heading", "")


def _spreads(pages: list[Any]) -> Iterator[int]:
    """The versos of a chapter laid out from a recto whose spreads are not excused (see the module):
    the recto after each is not the chapter's last page."""
    for verso in range(1, len(pages) - 2, 2):
        if not (_excused(pages, verso) or _excused(pages, verso + 1)):
            yield verso


def unlevel(pages: list[Any]) -> list[tuple[int, int]]:
    """The spreads of a chapter laid out from a recto that end unlevel and are not excused (see the
    module): ``(verso, lines)``, the verso's 0-based page and how many lines apart the feet are."""
    out = []
    for verso in _spreads(pages):
        free = [free_lines(pages[i]) for i in (verso, verso + 1)]
        if None not in free and free[0] != free[1]:
            out.append((verso, abs(free[0] - free[1])))  # type: ignore[operator]
    return out


def _lines(page: Any) -> list[Any]:
    return [b for b, f in _leaves(page._page_box) if type(b).__name__ == "LineBox" and f is None]


def line_start(pages: list[Any], page: int, line: int) -> tuple[str, int] | None:
    """Where the ``line``-th in-flow line of ``page`` begins: the id of the element its first text
    belongs to and the counted characters of that element before it (as
    :func:`pipeline.render.page_breaks.page_starts` counts them). None when the line before it ends
    inside a hyphenated word, or the line has no text of an element with an id."""
    lines = _lines(pages[page])
    if not 0 < line < len(lines):
        return None
    before = [b for b in lines[line - 1].descendants() if type(b).__name__ == "TextBox"]
    if before and before[-1].text.rstrip()[-1:] in HYPHENS:
        return None
    wanted = {id(b) for b in lines[line].descendants() if type(b).__name__ == "TextBox"}
    anchors: dict[int, _Anchor] = {}
    seen: set[int] = set()
    for number, p in enumerate(pages[:page + 1]):
        headers: set[int] = set()
        for box, owner in _flow(p._page_box, None, seen, headers):
            if owner is None or type(box).__name__ != "TextBox":
                continue
            state = anchors.setdefault(id(owner), _Anchor(owner))
            if number == page and id(box) in wanted:
                return owner.get("id"), state.at
            state.consume(box.text)
        seen |= headers
    return None


def _cut(current: list[Block], anchor: str, offset: int, placement: Placement) -> list[Block] | None:
    """``current`` with a page break before the ``offset``-th counted character of ``anchor``."""
    j = _block_of(current, anchor)
    if j is None or current[j].figure is not None:
        return None
    if offset == 0 and current[j].id == anchor:
        return current[:j] + [Block(BREAK)] + current[j:]
    parts = split(current[j].html, anchor, offset)
    if parts is None:
        return None
    first, second, shifts = parts
    taken = "".join(b.html for b in current)
    for key in list(shifts):  # the block was cut before (by floats or here): its second part's ids are taken
        unique = key
        while f'id="{unique}"' in taken:
            unique += CONTINUED
        if unique != key:
            second = second.replace(f'id="{key}"', f'id="{unique}"')
            shifts[unique] = shifts.pop(key)
    placement.shifts.update(shifts)
    return current[:j] + [Block(first, current[j].id), Block(BREAK), Block(second, current[j].id + CONTINUED)] \
        + current[j + 1:]


def _holes(pages: list[Any], upto: int) -> int:
    """Holes over a quarter of the text block before a still, on the pages before ``upto``."""
    return sum(1 for h in holes(pages[:upto + 1], 0.25) if not h.ends_chapter and h.page < upto)


def _gap(pages: list[Any], verso: int) -> int | None:
    """How many lines apart the spread's feet are (None: it is not there, or a page is blank)."""
    if len(pages) <= verso + 1:
        return None
    a, b = free_lines(pages[verso]), free_lines(pages[verso + 1])
    return None if a is None or b is None else abs(a - b)


def _enough(blocks: list[Block], doc: Any, page: int) -> int:
    """How many of ``blocks`` to lay out for pages up to ``page`` to come out as in the whole chapter:
    up to the block where ``doc``'s page ``page + 1`` begins, and :data:`AHEAD` characters more."""
    start = next((anchor for p, anchor, _ in page_starts(doc.pages) if p > page), None)
    end = _block_of(blocks, start) if start else None
    if end is None:
        return len(blocks)
    length = 0
    while end < len(blocks) and length < AHEAD:
        length += len(blocks[end].html)
        end += 1
    return end


def level(current: list[Block], doc: Any, render: Callable[[list[str]], Any], placement: Placement,
          render_from: Callable[[list[str], int], Any] | None = None) -> tuple[list[Block], Any]:
    """The chapter's blocks and layout with its unlevel spreads evened out (see the module).

    A layout covers only as much of the chapter as the spread it works on
    needs (:func:`_enough`): the next spread to level is looked for in the
    pages known (those that come out as in the whole chapter), then past them
    where the last whole layout had one, then in a whole layout. With
    ``render_from`` (as :func:`pipeline.render.floats.place` has it), a cut is
    tried on a part laid out from the page before the spread on
    (:func:`~pipeline.render.floats.lay_out_from`), not from the chapter's
    start: the pages before it are the layout's own. If the whole chapter then
    has more holes before a still than before, it is given back as it was.
    """
    start, first = current, doc
    whole_doc = doc          # the last layout of the whole chapter: where to look past the known pages
    known = len(doc.pages)   # the pages of doc that are as the whole chapter would have them
    attempts: dict[int, int] = {}
    layouts = 0

    def lay_out(blocks: list[Block], upto: int | None, start: int = 0) -> tuple[Any, int, bool]:
        """A layout of ``blocks`` good up to page ``upto`` of the chapter (None: all of it), the pages
        of it that are known, and whether it is whole; from page ``start`` on when it can be
        (:class:`~pipeline.render.floats.Pages`, ``doc``'s pages before it)."""
        nonlocal layouts
        end = len(blocks) if upto is None else _enough(blocks, whole_doc, upto)
        if upto is not None and start > 0 and render_from is not None:
            made = placement.layouts
            part = lay_out_from(doc.pages, blocks, start, len(blocks), end, render_from, placement, _local(doc),
                                tag=f"~level{made}")
            layouts += placement.layouts - made
            if part is not None:
                pages = part.after(doc)
                if end == len(blocks) or len(pages.pages) > upto + 1:
                    return pages, len(pages.pages) - (2 if end < len(blocks) else 0), False
        laid = render([b.html for b in blocks[:end]])
        layouts += 1
        placement.layouts += 1
        if end < len(blocks) and len(laid.pages) <= (upto or 0) + 1:  # fell short of the page: all of it
            laid, end = render([b.html for b in blocks]), len(blocks)
            layouts += 1
            placement.layouts += 1
        return laid, (len(laid.pages) - 2 if end < len(blocks) else len(laid.pages)), end == len(blocks)

    whole = True
    while layouts < MAX_TRIES:
        spread = next((v for v, _ in unlevel(doc.pages) if v + 2 < known and attempts.get(v, 0) < ATTEMPTS), None)
        if spread is None:
            if whole:
                break
            ahead = next((v for v, _ in unlevel(whole_doc.pages) if v + 2 >= known), None)
            doc, known, whole = lay_out(current, None if ahead is None else ahead + 3, known - 1)
            if whole:
                whole_doc = doc
            continue
        verso = spread
        attempts[verso] = attempts.get(verso, 0) + 1
        free = {i: free_lines(doc.pages[i]) or 0 for i in (verso, verso + 1)}
        fuller = min(free, key=lambda i: free[i])
        other = verso + 1 if fuller == verso else verso
        lines = _lines(doc.pages[fuller])
        where = line_start(doc.pages, fuller, len(lines) - (free[other] - free[fuller]))
        if where is not None:
            where = chapter_ids(_local(doc), *where)
        if where is None:
            attempts[verso] = ATTEMPTS
            continue
        shifts = dict(placement.shifts)
        cut = _cut(current, *where, placement)
        if cut is None:
            placement.shifts = shifts
            attempts[verso] = ATTEMPTS
            continue
        again, again_known, again_whole = lay_out(cut, verso + 3, verso - 1)
        gap = _gap(again.pages, verso)
        # kept if the spread is no worse (a line taken from a verso may leave the recto the longer
        # one: the next attempt takes a line from the recto too) and no hole opens before a still
        upto = min(known, again_known)
        if gap is not None and gap <= free[other] - free[fuller] and _same_before(doc.pages, again.pages, verso) \
                and _holes(again.pages, upto) <= _holes(doc.pages, upto):
            current, doc, known, whole = cut, again, again_known, again_whole
            if whole:
                whole_doc = doc
        else:
            placement.shifts = shifts
            attempts[verso] = ATTEMPTS
    if not whole:
        doc = render([b.html for b in current])
        placement.layouts += 1
    if current is not start and (_holes(doc.pages, len(doc.pages)) > _holes(first.pages, len(first.pages))
                                 or _shortest(doc.pages) > _shortest(first.pages)
                                 or len(unlevel(doc.pages)) >= len(unlevel(first.pages))):
        return start, first  # worse somewhere past what was checked: the chapter as it was
    return current, doc


def _same_before(old: list[Any], new: list[Any], verso: int) -> bool:
    """Whether the pages before ``verso`` end as they did (a cut that leaves one line of a paragraph
    on its page makes WeasyPrint pull a line back from the page before, for widows)."""
    return len(new) > verso and all(free_lines(a) == free_lines(b) for a, b in zip(old[:verso], new[:verso]))


def _shortest(pages: list[Any]) -> int:
    """The most lines left empty at the foot of a page of running text: not the chapter's last page,
    a page with a still, or a page before a still, a heading or a blank page."""
    found = [free_lines(pages[i]) or 0 for i in range(len(pages) - 1) if not _excused(pages, i)]
    return max(found, default=0)


# ---------------------------------------------------------------- stretching the shorter page

MAX_STRETCH = 0.08  # of a line, at most, added between two lines (or rigid boxes) of a stretched page
LEVEL_PX = 0.5      # feet this close (CSS px) are level already


def _rigid(box: Any) -> bool:
    """A box moved whole, never opened up: a figure, a table, a box with a border or a background."""
    element = box.element
    if element is not None and local_name(element.tag) in ("figure", "table"):
        return True
    style = box.style
    return any(style[f"border_{side}_width"] for side in ("top", "right", "bottom", "left")) \
        or style["background_color"].alpha > 0


def _units(box: Any) -> list[list[Any]]:
    """A page's in-flow lines, images and rigid boxes, in order (not its margin boxes or footnotes),
    each with the boxes out of the flow that go with it: a list item's marker (WeasyPrint places an
    outside marker as an absolute box beside the item's first line) moves with the line after it."""
    kind = type(box).__name__
    if kind in ("MarginBox", "FootnoteAreaBox"):
        return []
    if kind == "LineBox" or "Replaced" in kind or (kind != "PageBox" and box.element is not None and _rigid(box)):
        return [[box]]
    out: list[list[Any]] = []
    beside: list[Any] = []
    for child in getattr(box, "children", ()):
        if kind != "PageBox" and not child.is_in_normal_flow():
            beside.append(child)
            continue
        groups = _units(child)
        if groups and beside:
            groups[0][:0], beside = beside, []
        out.extend(groups)
    if beside:
        if out:
            out[-1].extend(beside)
        else:
            out.append(beside)
    return out


def _blank_at_foot(page: Any, units: list[list[Any]]) -> float:
    """The height, in CSS px, between the page's last line (or box) and its footnotes or text block's end."""
    return _room(page)[1] - max(_bottom(b) for unit in units for b in unit)


def stretch(pages: list[Any]) -> list[int]:
    """Each spread that is not excused (:func:`_spreads`) made to end level by opening up its
    shorter page: the height its facing page fills more is shared out between its lines, as a
    compositor's vertical justification does, when that adds at most :data:`MAX_STRETCH` of a
    line between two of them. No line moves to another page. Returns the pages stretched; their
    boxes moved, so WeasyPrint's pages are made again from them (links and anchors where the text
    now is)."""
    from weasyprint.document import Page

    done = []
    for verso in _spreads(pages):
        units = {i: _units(pages[i]._page_box) for i in (verso, verso + 1)}
        if not all(units.values()):
            continue
        blank = {i: _blank_at_foot(pages[i], units[i]) for i in units}
        shorter = max(blank, key=lambda i: blank[i])
        more = blank[shorter] - min(blank.values())
        gaps = len(units[shorter]) - 1
        if more <= LEVEL_PX or not gaps or more / gaps > MAX_STRETCH * LINE_PX:
            continue
        for k, unit in enumerate(units[shorter][1:], 1):
            for moved in unit:
                moved.translate(dy=k * more / gaps)
        pages[shorter] = Page(pages[shorter]._page_box)
        done.append(shorter)
    return done
