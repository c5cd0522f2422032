"""Stills placed as a typesetter places them: no hole at the foot of a page before a still.

Takes: a chapter's print HTML as its top-level blocks (:class:`Block`, from
:func:`pipeline.render.pdf.chapter_blocks`) and a function that lays a list
of block strings out with WeasyPrint and returns the document.
Gives: :func:`place`, which returns the chapter's final layout and the
:class:`Placement` that made it: the stills moved, and the ids a split
paragraph's second part carries (:meth:`Placement.fix_starts` maps the page
starts back to the manuscript's ids and offsets). :func:`holes` measures the
blank left at the foot of each page before a still (the same measure the
benchmark reports), :func:`bleed_pages` which pages hold a ``{.bleed}`` still.

WeasyPrint has no page floats: a still that does not fit the rest of a page
moves to the next one, and the page before it ends early. :func:`place`
does what LaTeX does with a float instead. For each such hole (more than
:data:`HOLE` of the text block blank, in document order):

1. the chapter is laid out again without that still, so the text after it
   fills the page: from the start of the hole's page, its first paragraph cut
   where the page begins and its footnotes numbered on
   (:func:`_segment_starts`; used only when that page's lines fall where they
   do in the chapter), else from the chapter's start
   (:func:`_without`), only as far as a few pages past the hole; where
   the next page then begins is read from the layout
   (:func:`pipeline.render.page_breaks.page_starts`: an element's id and a
   count of its characters);
2. the still is put back there: before that element, or, when the page
   begins inside a paragraph, between its two parts. The first part's last
   line is justified like any inner line and the second part is not
   indented, so every line breaks where it broke without the still;
3. the chapter is laid out once more, and the next hole is looked for (while
   more stills follow, only from the hole's page on, with the same guard and
   the same text on that page, the pages before it kept; the last layout is
   of the whole chapter). A
   still placed from the hole's page on that still leaves its hole is placed
   again from a layout of the chapter from its start, if that finds another
   place. Laid out from the hole's page on or from the chapter's start, the
   sample's and *The Worst Journey in the World*'s chapters come out
   byte-identical (the first costs 16–20% less CPU on the latter).

A still never moves past another still (it then goes just before it) nor
past its chapter's end, and is moved at most once, so this ends. A still
inside a quote, a div or a list floats out of it, in a copy of that block (so
it keeps its indent; in a list, the item goes on after it without a second
marker, and a numbered list goes on counting). A ``{.inline}`` still stays where it is written. ``{.full-page}`` and
``{.bleed}`` stills are alone on their page (``print.css``), and float like
the others. Only the print HTML changes: the IR and the EPUB keep the
manuscript's order. A chapter without a hole is laid out once, as before.
Then the chapter's facing pages are made to end level
(:mod:`pipeline.render.spreads`, which cuts paragraphs as this module does).
Last, a ``{.wide}`` still that landed on a verso is turned to reach left
(:mod:`pipeline.render.wide`): one more layout, with the same page breaks.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from . import wide
from .page_breaks import HYPHENS, SKIPPED_TAGS, PageStart, counted, counted_length, local_name, own_text, page_starts

HOLE = 0.10      # a blank over this part of the text block, before a still, is a hole to fill
REPORTED = 0.25  # a hole over this part that cannot be filled is reported (R150)
CONTINUED = "~cont"  # the id suffix of a split paragraph's second part (and of what it copies)
CUTTABLE = frozenset({"p", "blockquote", "div", "aside"})  # blocks that may be cut in two
LISTS = frozenset({"ol", "ul", "li"})  # a still in a list floats out of it too (:func:`detach`)
UNCUTTABLE = frozenset({"ul", "ol", "li", "dl", "dt", "dd", "table", "thead", "tbody", "tfoot", "tr", "td", "th",
                        "pre", "figure", "figcaption", "h1", "h2", "h3", "h4", "h5", "h6"})
# A part is laid out from a hole's page only from this page (0-based) of the chapter on. Nearer the start, what a
# part saves (the pages before the hole) is less than the whole layout it leads to: the last one, or the check when
# the stills it moved still leave their hole (the sample's chapter 3, its paragraph grown: 4 layouts → 3).
PART_FROM = 3
AHEAD = 12000  # characters of HTML past a hole's stills laid out to find where its next page begins (3–4 pages)
MOVED = "data-float"  # on a still that was moved: its value is "moved"
_ID = re.compile(r'\bid="([^"]*)"')


@dataclass(frozen=True)
class Block:
    """A top-level block of a chapter's print HTML: its XHTML, its id, and the still's classes if it is one."""

    html: str
    id: str = ""
    figure: tuple[str, ...] | None = None  # the classes of a still (None: not a still)

    @property
    def floats(self) -> bool:
        """Whether this still may move to fill a hole."""
        return self.figure is not None and "inline" not in self.figure


@dataclass(frozen=True)
class Hole:
    """A page whose text stops early because the still that opens the next page did not fit."""

    page: int        # 0-based page with the blank at its foot
    figure: str      # the still's id (as print writes it)
    blank: float     # the blank's part of the text block, 0…1
    ends_chapter: bool = False  # the still and what follows it are stills only, on the chapter's last page:
    # the blank is where the chapter's text ends, not a hole to fill


@dataclass
class Placement:
    """What :func:`place` did to a chapter: stills moved, paragraphs split, layouts made."""

    moved: list[str] = field(default_factory=list)          # the ids of the stills moved, in order
    shifts: dict[str, tuple[str, int]] = field(default_factory=dict)  # "id~cont" → (id, counted chars before)
    layouts: int = 1                                        # WeasyPrint layouts made for the chapter
    from_page: int = 0                                      # holes whose next page was found from their page on
    parts: int = 0                                          # layouts after a move made from the hole's page on
    blocks: list[str] = field(default_factory=list)         # the final blocks' XHTML

    def fix_starts(self, starts: list[PageStart]) -> list[PageStart]:
        """Page starts in a second part of a split paragraph, as ids and offsets of the manuscript's element."""
        out = []
        for page, anchor, offset in starts:
            while anchor in self.shifts:  # a part of a part: back to the manuscript's element
                anchor, before = self.shifts[anchor]
                offset += before
            out.append((page, anchor, offset))
        return out

    def fix_anchors(self, anchors: dict[str, Any]) -> dict[str, Any]:
        """The anchors without the ids only a split paragraph's second part carries."""
        return {k: v for k, v in anchors.items() if k not in self.shifts}


# ---------------------------------------------------------------- measuring

def _leaves(box: Any, figure: Any = None) -> Iterator[tuple[Any, Any]]:
    """A page's in-flow lines and images (not its margin boxes or footnotes), each with its still or None."""
    kind = type(box).__name__
    if kind in ("MarginBox", "FootnoteAreaBox"):
        return
    element = box.element
    if figure is None and element is not None and local_name(element.tag) == "figure":
        figure = element
    if kind == "LineBox" or "Replaced" in kind:
        yield box, figure
        return
    for child in getattr(box, "children", ()):
        yield from _leaves(child, figure)


def _bottom(box: Any) -> float:
    return box.position_y + box.margin_height()


def _room(page: Any) -> tuple[float, float]:
    """(top, bottom) of the page's text block less its footnote area, in CSS px."""
    box = page._page_box
    top = box.content_box_y()
    bottom = top + box.height
    for child in box.children:
        if type(child).__name__ == "FootnoteAreaBox" and child.children:
            bottom = min(bottom, child.position_y)
    return top, bottom


def holes(pages: list[Any], threshold: float = 0.0) -> list[Hole]:
    """Each page followed by a page that a still opens, with more than ``threshold`` of its text block blank
    at its foot (from the bottom of its last line or image to the footnotes or the text block's end)."""
    out = []
    for i in range(1, len(pages)):
        first = next(_leaves(pages[i]._page_box), None)
        if first is None or first[1] is None or not first[1].get("id"):
            continue
        leaves = list(_leaves(pages[i - 1]._page_box))
        if all(f is not None for _, f in leaves):
            continue  # a blank page, or a page of stills
        bottoms = [_bottom(b) for b, _ in leaves]
        top, bottom = _room(pages[i - 1])
        blank = max(0.0, bottom - max(bottoms)) / (pages[i - 1]._page_box.height or 1)
        if blank > threshold:
            ends = i == len(pages) - 1 and all(f is not None for _, f in _leaves(pages[i]._page_box))
            out.append(Hole(i - 1, first[1].get("id"), round(blank, 4), ends))
    return out


def bleed_pages(pages: list[Any]) -> list[int]:
    """The 0-based pages that hold a ``{.bleed}`` still."""
    return [i for i, page in enumerate(pages)
            if any(f is not None and "bleed" in (f.get("class") or "").split() for _, f in _leaves(page._page_box))]


# ---------------------------------------------------------------- splitting a paragraph

def _position(root: Any, anchor: Any, offset: int) -> tuple[Any, str, int] | None:
    """Where the ``offset``-th counted character of ``anchor``'s own text is: (element, "text" or "tail", index)."""
    left = offset

    def find(text: str | None) -> int | None:
        nonlocal left
        for i, c in enumerate(text or ""):
            if counted(c):
                if left == 0:
                    return i
                left -= 1
        return None

    def walk(e: Any) -> tuple[Any, str, int] | None:
        i = find(e.text)
        if i is not None:
            return e, "text", i
        for child in e:
            if isinstance(child.tag, str) and not child.get("id") and local_name(child.tag) not in SKIPPED_TAGS:
                found = walk(child)
                if found:
                    return found
            i = find(child.tail)
            if i is not None:
                return child, "tail", i
        return None

    return walk(anchor)


def _cut(root: Any, marker: Any, keep_before: bool) -> None:
    """Remove from ``root`` everything after (``keep_before``) or before the ``marker`` element, then it."""
    node = marker
    while node is not root:
        parent = node.getparent()
        if keep_before:
            for sibling in list(node.itersiblings()):
                parent.remove(sibling)
            if node is not marker:
                node.tail = None
        else:
            for sibling in list(node.itersiblings(preceding=True)):
                parent.remove(sibling)
            parent.text = None
        node = parent
    parent = marker.getparent()
    tail = marker.tail if not keep_before else None
    previous = marker.getprevious()
    if tail:
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(marker)


def _counted_len(element: Any) -> int:
    return counted_length(own_text(element))


def split(html: str, anchor: str, offset: int) -> tuple[str, str, dict[str, tuple[str, int]]] | None:
    """A paragraph's XHTML cut before the ``offset``-th counted character of its element ``anchor``:
    the two parts, and the ids of the second part mapped to the first's (see :class:`Placement`).
    None if the block is not a paragraph or the place is not found."""
    try:
        root = etree.fromstring(html.strip())
    except etree.XMLSyntaxError:
        return None
    if root.tag not in CUTTABLE:
        return None
    target = root if root.get("id") == anchor else next(iter(root.iterfind(f".//*[@id='{anchor}']")), None)
    if target is None:
        return None
    marker = etree.Element("float-cut")
    if offset == 0 and target is not root:
        target.addprevious(marker)  # between two blocks of a quote or a div
    else:
        where = _position(root, target, offset)
        if where is None:
            return None
        element, slot, i = where
        text = getattr(element, slot)
        setattr(element, slot, text[:i])
        marker.tail = text[i:]
        if slot == "text":
            element.insert(0, marker)
        else:
            element.addnext(marker)
    if any(a.tag in UNCUTTABLE for a in marker.iterancestors()):
        return None
    first, second = _halves(root)
    shifts = _rename_shared(first, second)
    return (etree.tostring(first, encoding="unicode") + "\n", etree.tostring(second, encoding="unicode") + "\n",
            shifts)


# ---------------------------------------------------------------- placing

def _with_moved(html: str) -> str:
    return html.replace("<figure", f'<figure {MOVED}="moved"', 1)


def _mark_path(marker: Any, root: Any, cls: str) -> None:
    """Add ``cls`` to every element from the marker's parent up to ``root``."""
    node = marker.getparent()
    while node is not None:
        node.set("class", " ".join(filter(None, [node.get("class"), cls])))
        if node is root:
            break
        node = node.getparent()


def _empty(e: Any) -> bool:
    return not "".join(e.itertext()).strip() and not any(isinstance(c.tag, str) for c in e.iter() if c is not e)


def _rename_shared(first: Any, second: Any) -> dict[str, tuple[str, int]]:
    """Give ``second``'s ids that ``first`` has too the :data:`CONTINUED` suffix; return the shifts."""
    shared = {e.get("id"): e for e in first.iter() if isinstance(e.tag, str) and e.get("id")}
    shifts: dict[str, tuple[str, int]] = {}
    for e in second.iter():
        ident = e.get("id") if isinstance(e.tag, str) else None
        if ident in shared:
            e.set("id", ident + CONTINUED)
            shifts[ident + CONTINUED] = (ident, _counted_len(shared[ident]))
    return shifts


def _halves(root: Any) -> tuple[Any, Any]:
    """Two copies of ``root``, which holds a ``float-cut`` marker: what comes before it and what after."""
    first, second = root, copy.deepcopy(root)
    marker = next(first.iter("float-cut"))
    _mark_path(marker, first, "float-cut-before")
    _cut(first, marker, keep_before=True)
    marker = next(second.iter("float-cut"))
    _mark_path(marker, second, "float-cut-after")
    _cut(second, marker, keep_before=False)
    return first, second


def _item_number(item: Any) -> int | None:
    """The number an ``<li>`` of an ``<ol>`` shows (``start``, ``value``), or None when it cannot be
    told (a reversed list, a value that is not a number)."""
    ol = item.getparent()
    if ol.get("reversed") is not None:
        return None
    items = [c for c in ol if c.tag == "li"]
    number = None
    try:
        for k, li in enumerate(items):
            number = int(li.get("value")) if li.get("value") is not None else \
                (int(ol.get("start", "1")) if k == 0 else number + 1)  # type: ignore[operator]
            if li is item:
                return number
    except ValueError:
        return None
    return None


def _continue_lists(second: Any, numbers: list[int | None]) -> bool:
    """In the part of a list after a cut, each item the cut runs through (``float-cut-after``,
    outermost first) goes on without a marker, and each numbered list goes on counting from that
    item's number in ``numbers`` (taken before the cut). False when a number cannot be told."""
    items = [li for li in second.iter("li") if "float-cut-after" in (li.get("class") or "").split()]
    for li, number in zip(items, numbers):
        if li.getparent().tag == "ol":
            if number is None:
                return False
            li.getparent().set("start", str(number))
            li.attrib.pop("value", None)
    return True


def detach(html: str, figure: str) -> tuple[str, str, str, dict[str, tuple[str, int]]] | None:
    """A block (a quote, a div, a list) that holds the still ``figure``, cut around it: the part before
    (maybe ''), the still in a copy of the block that holds nothing else and has no id (so it keeps the
    block's indent; out of a list, the still alone), the part after (maybe ''), and the ids the part
    after renames (see :class:`Placement`). In a list, the item the still was in goes on after it without
    a second marker, and a numbered list goes on counting. None for a table, or a still marked
    ``{.inline}``."""
    try:
        root = etree.fromstring(html.strip())
    except etree.XMLSyntaxError:
        return None
    fig = next(iter(root.iterfind(f".//figure[@id='{figure}']")), None)
    movable = CUTTABLE | LISTS
    if fig is None or root.tag not in movable or "inline" in (fig.get("class") or "").split() \
            or any(a.tag not in movable for a in fig.iterancestors()):
        return None
    numbers = [_item_number(li) for li in reversed(list(fig.iterancestors("li")))]  # before the cut
    if any(a.tag in LISTS for a in fig.iterancestors()) or root.tag in LISTS:
        # out of a list, the still stands alone: in a copy of its item WeasyPrint breaks the page two
        # lines early before it (measured), and it is placed among the text after the list anyway
        wrapper = copy.deepcopy(fig)
        wrapper.tail = None
    else:
        wrapper = copy.deepcopy(root)
        node = next(iter(wrapper.iterfind(f".//figure[@id='{figure}']")))
        node.tail = None
        while node is not wrapper:
            parent = node.getparent()
            for sibling in list(parent):
                if sibling is not node:
                    parent.remove(sibling)
            parent.text = None
            parent.attrib.pop("id", None)
            node = parent
    marker = etree.Element("float-cut")
    marker.tail = fig.tail
    fig.addprevious(marker)
    fig.getparent().remove(fig)
    first, second = _halves(root)
    if not _continue_lists(second, numbers):
        return None
    shifts = _rename_shared(first, second)

    def out(e: Any) -> str:
        return "" if _empty(e) else etree.tostring(e, encoding="unicode") + "\n"

    return out(first), etree.tostring(wrapper, encoding="unicode") + "\n", out(second), shifts


def _detached(current: list[Block], figure: str, placement: Placement) -> list[Block] | None:
    """``current`` with the still ``figure``, inside a top-level block, as a block of its own."""
    j = _block_of(current, figure)
    if j is None or current[j].figure is not None:
        return None
    parts = detach(current[j].html, figure)
    if parts is None:
        return None
    before, wrapper, after, shifts = parts
    placement.shifts.update(shifts)
    new = ([Block(before, current[j].id)] if before else []) + [Block(wrapper, figure, ("contained",))] \
        + ([Block(after, current[j].id + CONTINUED)] if after else [])
    return current[:j] + new + current[j + 1:]


def _block_of(blocks: list[Block], anchor: str) -> int | None:
    needle = f'id="{anchor}"'
    return next((j for j, b in enumerate(blocks) if needle in b.html), None)


def _has_still(b: Block) -> bool:
    return b.figure is not None or "<figure" in b.html


_FIGURE_ID = re.compile(r'<figure\b[^>]*\bid="([^"]*)"')


def _run(current: list[Block], at: int, placement: Placement) -> tuple[list[Block], int]:
    """The stills that follow the one at ``at`` with nothing between them (a still opening a quote
    or a div is taken out of it): they float together. Returns the blocks and the run's length."""
    n = 1
    while at + n < len(current):
        nxt = current[at + n]
        if nxt.floats:
            n += 1
            continue
        m = _FIGURE_ID.search(nxt.html)
        if nxt.figure is not None or m is None:
            break
        detached = _detached(current, m.group(1), placement)
        if detached is None or detached[at + n].id != m.group(1):
            break  # text comes before that still in its block
        current = detached
        n += 1
    return current, n


def _ahead(rest: list[Block], at: int) -> int:
    """The end of the blocks to lay out to find where the page after a hole at ``at`` begins: up to
    :data:`AHEAD` characters of HTML past the stills' place (the page the text fills, and one more)."""
    end, length = at, 0
    while end < len(rest) and length < AHEAD:
        length += len(rest[end].html)
        end += 1
    return end


def _without(rest: list[Block], at: int, page: int, render: Callable[[list[str]], Any],
             placement: Placement) -> list[PageStart]:
    """Where page ``page + 1`` begins with the chapter laid out without the stills that left a hole on
    ``page`` (as :func:`page_starts` gives it; ``[]``: the chapter ends first): first only the blocks up
    to :func:`_ahead`, then, if that ran out before page ``page + 2``, the whole chapter."""
    end = _ahead(rest, at)
    doc = None
    if end < len(rest):
        doc = render([b.html for b in rest[:end]])
        placement.layouts += 1
        if len(doc.pages) <= page + 2:
            doc = None
    if doc is None:
        doc = render([b.html for b in rest])
        placement.layouts += 1
    return [s for s in page_starts(doc.pages[:page + 2]) if s[0] == page + 1]


def _move(rest: list[Block], at: int, stills: list[Block], starts: list[PageStart],
          lay: Callable[[list[Block]], Any], placement: Placement) -> tuple[list[Block], Any]:
    """Put ``stills`` (taken out of ``rest`` at ``at``) where the next page begins (``starts``: that
    page's start, or none), before any later still; returns the blocks and their layout (``lay``'s),
    or the blocks as they were and None when nothing would change."""
    next_still = next((j for j in range(at, len(rest)) if _has_still(rest[j])), len(rest))
    target, parts = next_still, None
    if starts:
        _, anchor, offset = starts[0]
        j = _block_of(rest, anchor)
        if j is not None and at <= j < next_still:
            target = j
            if not (offset == 0 and rest[j].id == anchor):
                parts = split(rest[j].html, anchor, offset)
    if target == at and parts is None:
        return rest[:at] + stills + rest[at:], None  # nothing would change
    moved = [Block(_with_moved(b.html), b.id, b.figure) for b in stills]
    if parts is not None:
        first, second, shifts = parts
        placement.shifts.update(shifts)
        new = [Block(first, rest[target].id), *moved, Block(second, rest[target].id + CONTINUED)]
        current = rest[:target] + new + rest[target + 1:]
    else:
        current = rest[:target] + moved + rest[target:]
    placement.moved.extend(b.id for b in stills)
    return current, lay(current)


_NOTE = re.compile(r'<span class="footnote[ "]')
_FIRST_TAG = re.compile(r"^(\s*<[A-Za-z][\w-]*)")
HIDDEN = "data-segment-hidden"  # print.css: display: none (a block there only for its siblings' selectors)


@dataclass
class Part:
    """A chapter laid out from the start of one of its pages on (:func:`lay_out_from`)."""

    doc: Any                                  # WeasyPrint's document of the part: its page 0 is the chapter's ``page``
    page: int                                 # the chapter's page the part starts at
    local: dict[str, tuple[str, int]]         # ids of the cut first paragraph's second part → (id, chars before)

    def ids(self, anchor: str, offset: int) -> tuple[str, int]:
        """An element and offset of the part as the chapter's blocks name them."""
        return chapter_ids(self.local, anchor, offset)

    def after(self, doc: Any) -> Pages:
        """The chapter's pages: ``doc``'s before the part's first page, then the part's."""
        return Pages(doc.pages[:self.page] + self.doc.pages, {**_local(doc), **self.local})


def chapter_ids(local: dict[str, tuple[str, int]], anchor: str, offset: int) -> tuple[str, int]:
    """An element and offset on pages laid out from a page on (``local``: their own ids) as the
    chapter's blocks name them."""
    while anchor in local:
        anchor, chars = local[anchor]
        offset += chars
    return anchor, offset


@dataclass
class Pages:
    """A chapter's pages put together from a layout's first pages and a part laid out from the next
    one on (:func:`lay_out_from`), with the ids the part's pages have that the chapter's blocks do not."""

    pages: list[Any]
    local: dict[str, tuple[str, int]] = field(default_factory=dict)


def _local(doc: Any) -> dict[str, tuple[str, int]]:
    return doc.local if isinstance(doc, Pages) else {}


def lay_out_from(pages: list[Any], blocks: list[Block], page: int, limit: int, end: int,
                 render_from: Callable[[list[str], int], Any], placement: Placement,
                 local: dict[str, tuple[str, int]] | None = None, tag: str = CONTINUED,
                 same_text: bool = True) -> Part | None:
    """``blocks`` up to ``end`` laid out from the start of ``pages[page]`` (the chapter laid out as
    ``blocks`` are, before ``limit`` at least), not from the chapter's start: the page's first
    paragraph cut where the page begins (as :func:`split` cuts one; its second part's ids end in
    ``tag``), the block before it there but hidden (so that ``figure + p`` and the like still match),
    and the footnote counter going on (``render_from(blocks, notes before them)``). ``local`` maps ids
    the pages carry that ``blocks`` do not (an earlier part's). None when this cannot be done here: the
    first page, a page opening with a still, a start not found or at ``limit`` or later, or a page that
    does not begin as it does in ``pages``: its lines there first, ending at the same heights (WeasyPrint
    may keep a margin at the top of a page that it drops at the top of a document) and, with
    ``same_text``, with the same text (so never a page that begins inside a hyphenated word, where the
    part begins with the whole word; and a paragraph's hyphenated lines are counted across the page
    turn). Counts the layout it makes in ``placement``."""
    if page == 0:
        return None
    first = next(_leaves(pages[page]._page_box), None)
    if first is None or first[1] is not None:
        return None
    above = [t for _, t in _lines_of(pages[page - 1]) if t] if same_text else []
    if above and above[-1].rstrip()[-1:] in HYPHENS:
        return None  # the page begins inside a word: the part would begin with the whole word
    opening = [s for s in page_starts(pages[:page + 1]) if s[0] == page]
    if not opening:
        return None
    anchor, offset = chapter_ids(local or {}, *opening[0][1:])
    j = _block_of(blocks, anchor)
    if j is None or j == 0 or j >= limit:
        return None
    part_local: dict[str, tuple[str, int]] = {}
    before = "".join(b.html for b in blocks[:j])
    if offset == 0 and blocks[j].id == anchor:
        lead, hidden = blocks[j].html, blocks[j - 1].html
    else:
        parts = split(blocks[j].html, anchor, offset)
        if parts is None:
            return None
        hidden, lead, part_local = parts
        before += hidden
        if tag != CONTINUED:
            for key in list(part_local):
                lead = lead.replace(f'id="{key}"', f'id="{key[:-len(CONTINUED)]}{tag}"')
                part_local[key[:-len(CONTINUED)] + tag] = part_local.pop(key)
    seg = render_from([_FIRST_TAG.sub(rf'\1 {HIDDEN}=""', hidden, count=1), lead, *(b.html for b in blocks[j + 1:end])],
                      len(_NOTE.findall(before)))
    placement.layouts += 1
    laid = _lines_of(pages[page], same_text)
    if _lines_of(seg.pages[0], same_text)[:len(laid)] != laid:
        return None
    return Part(seg, page, part_local)


def _lines_of(page: Any, text: bool = True) -> list[tuple[float, str]]:
    """A page's lines and images: where each ends, and (with ``text``) its text."""
    return [(round(_bottom(b), 2), "".join(t.text for t in b.descendants() if type(t).__name__ == "TextBox")
             if text and type(b).__name__ == "LineBox" else "") for b, _ in _leaves(page._page_box)]


def _segment_starts(doc: Any, rest: list[Block], at: int, page: int, render_from: Callable[[list[str], int], Any],
                    placement: Placement, local: dict[str, tuple[str, int]]) -> list[PageStart] | None:
    """Where page ``page + 1`` would begin without the stills taken out at ``at``, found by laying out
    only from the start of page ``page`` (:func:`lay_out_from`, as far as :data:`AHEAD` past the stills),
    not from the chapter's start (``local``: the ids ``doc``'s pages have that ``rest`` does not).
    Returns the start as :func:`page_starts` gives it, in ``rest``'s ids (``[]``: the chapter ends on
    that page), or None when this cannot be done here."""
    end = _ahead(rest, at)
    part = lay_out_from(doc.pages, rest, page, at, end, render_from, placement, local, f"~part{placement.layouts}",
                        same_text=False)
    if part is None or len(part.doc.pages) < 3 and end < len(rest):
        return None  # the part laid out ran out before the page after next: the whole chapter is needed
    return [(page + 1, *part.ids(ident, at_char)) for _, ident, at_char in
            [s for s in page_starts(part.doc.pages[:2]) if s[0] == 1][:1]]


def place(blocks: list[Block], render: Callable[[list[str]], Any], threshold: float = HOLE,
          level: bool = False, render_from: Callable[[list[str], int], Any] | None = None) -> tuple[Any, Placement]:
    """The chapter laid out with its holes filled (see the module): the final document and the placement.
    With ``render_from`` (blocks laid out as a part of the chapter, its footnotes numbered on from a
    count), where the page after a hole on page :data:`PART_FROM` or later begins is found from the
    hole's page on (:func:`_segment_starts`);
    a placement made that way that still leaves its hole is made again from a layout of the whole
    chapter up to there."""
    current = list(blocks)
    placement = Placement()
    doc = render([b.html for b in current])
    tried: set[str] = set()

    def lay(blocks: list[Block], page: int, at: int, more: bool) -> Any:
        """``blocks`` laid out: when a still that may leave a hole comes after this one (``more``), only
        from ``doc``'s page ``page`` on (:func:`lay_out_from`, the pages before it ``doc``'s own) if that
        can be done; the chapter's layout is made whole again after the last."""
        if more and render_from is not None and page >= PART_FROM:
            part = lay_out_from(doc.pages, blocks, page, at, len(blocks), render_from, placement, _local(doc),
                                tag=f"~place{placement.layouts}")
            if part is not None:
                placement.parts += 1
                return part.after(doc)
        placement.layouts += 1
        return render([b.html for b in blocks])

    while True:
        by_id = {b.id: j for j, b in enumerate(current) if b.floats}
        hole = next((h for h in holes(doc.pages, threshold) if h.figure not in tried and not h.ends_chapter), None)
        if hole is None:
            break
        tried.add(hole.figure)
        if hole.figure not in by_id:  # a still inside a quote or a div floats out of it, with its indent
            detached = _detached(current, hole.figure, placement)
            if detached is None:
                continue
            current = detached
            by_id = {b.id: j for j, b in enumerate(current) if b.floats}
        at = by_id[hole.figure]
        unchanged = len(current)
        current, n = _run(current, at, placement)
        stills = current[at:at + n]
        tried.update(b.id for b in stills)
        more = any(b.floats and b.id not in tried for b in current[at + n:])  # a later still may leave a hole
        rest = current[:at] + current[at + n:]
        segment = None
        # from the hole's page: when _run took no further still out of a block, far enough into the chapter
        if render_from is not None and len(current) == unchanged and hole.page >= PART_FROM:
            segment = _segment_starts(doc, rest, at, hole.page, render_from, placement, _local(doc))
            placement.from_page += segment is not None
        starts = segment if segment is not None else _without(rest, at, hole.page, render, placement)
        before_doc = doc

        def lay_here(blocks: list[Block], page: int = hole.page, at: int = at, more: bool = more) -> Any:
            return lay(blocks, page, at, more)

        current, moved_doc = _move(rest, at, stills, starts, lay_here, placement)
        if moved_doc is None:
            continue
        doc = moved_doc
        ids = {b.id for b in stills}
        if segment is not None and any(h.figure in ids for h in holes(doc.pages, threshold)):
            starts = _without(rest, at, hole.page, render, placement)  # the hole stays: ask the whole chapter
            if starts != segment:  # it finds another place: the stills go there instead
                placement.moved = placement.moved[:-len(stills)]
                doc = before_doc
                current, moved_doc = _move(rest, at, stills, starts, lay_here, placement)
                doc = moved_doc if moved_doc is not None else before_doc
    if isinstance(doc, Pages):  # the last layout was a part: the chapter whole
        doc = render([b.html for b in current])
        placement.layouts += 1
    from . import spreads  # it builds on this module

    if level:  # facing pages end level (the book's level-spreads)
        current, doc = spreads.level(current, doc, render, placement, render_from)
    versos = wide.on_versos(doc.pages)  # a {.wide} still on a verso reaches left, not right
    if versos:
        marked = wide.to_versos([b.html for b in current], versos)
        current = [Block(html, b.id, b.figure) for html, b in zip(marked, current)]
        doc = render(marked)
        placement.layouts += 1
    placement.blocks = [b.html for b in current]
    return doc, placement


def block_id(html: str) -> str:
    """The id of a block's outermost element ('' if it has none)."""
    head = html[:html.find(">") + 1]
    m = _ID.search(head)
    return m.group(1) if m else ""
