"""The print edition's page numbers in the EPUB: page-break markers, the page-list nav, the page source.

Takes: the print edition's :class:`~pipeline.render.pagemap.PageMap` (when the
book is built to both formats), each chapter's XHTML as the EPUB writes it,
and the book's metadata.
Gives:

- :func:`chapter_breaks`: the breaks that fall in each chapter, as
  ``(label, anchor id, offset)``;
- :func:`insert_markers`: the chapter's XHTML with an invisible marker
  ``<span epub:type="pagebreak" role="doc-pagebreak" id="page-12" aria-label="12"/>``
  where each printed page begins, and the ``(label, id)`` of each, in order;
- :func:`page_list_nav`: ``<nav epub:type="page-list" role="doc-pagebreak" hidden="">``
  for ``nav.xhtml``, one entry per marker;
- :func:`page_list_metadata`: ``pageBreakSource`` (the print ISBN,
  ``print-isbn`` in the metadata, else the print edition's title and authors)
  and the ``printPageNumbers`` and ``pageBreakMarkers`` accessibility features.

Where a page begins comes from the PDF's real layout
(:mod:`pipeline.render.page_breaks`): an element's id and the count of that
element's non-space characters before the page's first one, counted by the
same rule on both sides. Here the count is replayed over the EPUB's XHTML
with expat, whose byte positions let the marker be spliced into the bytes as
written, nothing else reformatted. A page that begins at the start of an
element gets its marker just before that element (so a heading's name does
not include the page number), or as its first child where a ``<span>`` may
not stand before it (``li``, ``td``, ``dd``…). A page whose start cannot be
found (the EPUB's text of that element is shorter: never expected) gets its
marker at the element's end, with warning E120.

Front matter (:func:`front_breaks`): a front-matter page is mapped by what it
holds, not by its number, so the mapping holds when the print front matter
gains or loses pages. The print parts carry the ids of :data:`FRONT_ANCHORS`;
the page where each landed gets its roman-numeral marker in the EPUB's
counterpart: the title page (``titlepage``) and the imprint (``imprint``, before
the title page's rights line) in ``titlepage.xhtml``, the contents
(``contents``) before the nav's contents, and a contents page that begins
with entry N (``toc-eN``) inside the link of the nav's entry with the same
target. A page with nothing
the EPUB has (a blank verso, an imprint when the EPUB shows no rights, a part
the EPUB lacks) gets no marker and no entry.
"""

from __future__ import annotations

import re
import xml.parsers.expat
from typing import Any

from ..diagnostics import Reporter
from .html import attr_value, text
from .page_breaks import SKIPPED_TAGS, counted_length, nth_counted
from .pagemap import PageMap

# A marker may not precede these (their parent allows only certain children): it goes inside, first.
INSIDE = frozenset({"li", "td", "th", "tr", "thead", "tbody", "tfoot", "caption", "dt", "dd", "col",
                    "colgroup", "summary", "option", "section", "body"})


def marker(label: str, ident: str) -> str:
    """The invisible page-break marker for the page labelled ``label``."""
    return (f'<span epub:type="pagebreak" role="doc-pagebreak" id="{attr_value(ident)}" '
            f'aria-label="{attr_value(label)}"/>')


# The print front matter's parts, by id, in reading order: where each has its counterpart in the EPUB.
# "copyright": the imprint under the name of a copyright page.
FRONT_ANCHORS = ("titlepage", "imprint", "copyright", "contents")


def front_breaks(page_map: PageMap, has: set[str]) -> dict[str, str]:
    """The front-matter pages that the EPUB has: the anchor each page is mapped by → its label.

    ``has`` names the anchors of :data:`FRONT_ANCHORS` (and ``toc-eN``) that
    the EPUB can carry. A page is given to the first such anchor on it, in
    reading order; pages holding none of them are left out.

    >>> m = PageMap(front_pages=6, total_pages=9, ids={"titlepage": (0, 9.0), "imprint": (1, 5.0),
    ...     "contents": (2, 9.0), "toc-e1": (2, 8.0), "toc-e2": (3, 9.0), "toc-e3": (3, 8.0)})
    >>> front_breaks(m, {"titlepage", "contents", "toc-e1", "toc-e2", "toc-e3"})
    {'titlepage': 'i', 'contents': 'iii', 'toc-e2': 'iv'}
    """
    entries = sorted((k for k in page_map.ids if k.startswith("toc-e") and k[5:].isdigit()), key=lambda k: int(k[5:]))
    out: dict[str, str] = {}
    seen: set[int] = set()
    for anchor in (*FRONT_ANCHORS, *entries):
        if anchor not in has or anchor not in page_map.ids:
            continue
        page = page_map.ids[anchor][0]
        if page < page_map.front_pages and page not in seen:
            seen.add(page)
            out[anchor] = page_map.label(page)
    return out


def chapter_breaks(page_map: PageMap) -> dict[str, list[tuple[str, str, int]]]:
    """The print pages that begin in each chapter, by chapter id: ``(label, anchor id, offset)``, in page order."""
    out: dict[str, list[tuple[str, str, int]]] = {}
    for page, cid, anchor, offset in sorted(page_map.breaks):
        out.setdefault(cid, []).append((page_map.label(page), anchor, offset))
    return out


def insert_markers(xhtml: bytes, breaks: list[tuple[str, str, int]], reporter: Reporter | None = None,
                   source: str = "") -> tuple[bytes, list[tuple[str, str]]]:
    """Put a marker in ``xhtml`` where each of ``breaks`` begins (see the module).

    Returns the new XHTML and the ``(label, id)`` of each marker in page order.

    >>> html = b'<body><h1 id="t">Title</h1><p id="p">One two <em>three</em> four.</p></body>'
    >>> out, ids = insert_markers(html, [("7", "t", 0), ("8", "p", 11)])
    >>> print(out.decode().replace(' epub:type="pagebreak" role="doc-pagebreak"', "").replace("><", ">\\n<"))
    <body>
    <span id="page-7" aria-label="7"/>
    <h1 id="t">Title</h1>
    <p id="p">One two <em>three</em> <span id="page-8" aria-label="8"/>four.</p>
    </body>
    """
    targets: dict[str, list[tuple[int, int]]] = {}  # anchor → [(offset, break number)], by offset
    for n, (_label, anchor, offset) in enumerate(breaks):
        targets.setdefault(anchor, []).append((offset, n))
    for pending in targets.values():
        pending.sort()
    at: dict[int, int] = {}  # break number → byte position of its marker
    lost: list[int] = []
    ids: set[str] = set()
    parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")
    stack: list[tuple[str, str, bool]] = []  # (local name, anchor id, counting)
    counts: dict[str, int] = {}

    def start(name: str, attrs: dict[str, str]) -> None:
        b = parser.CurrentByteIndex
        ident = attrs.get("id", "")
        if ident:
            ids.add(ident)
        tag = name.rsplit(" ", 1)[-1].lower()  # expat names are "namespace local-name"
        parent_anchor, counting = (stack[-1][1], stack[-1][2]) if stack else ("", True)
        # a formula or an image where the anchor's page begins: the marker goes before it
        if counting and not ident and (tag in SKIPPED_TAGS or tag == "img"):
            _take(parent_anchor, b)
        if ident and counting and targets.get(ident) and targets[ident][0][0] == 0:
            end = _tag_end(xhtml, b)
            inside = tag in INSIDE and xhtml[end - 2:end] != b"/>"
            _take(ident, end if inside else b)
        stack.append((tag, ident or parent_anchor, counting and tag not in SKIPPED_TAGS))

    def _take(anchor: str, position: int) -> None:
        """Place every break of ``anchor`` due by now (its offset reached) at ``position``."""
        pending = targets.get(anchor)
        while pending and pending[0][0] <= counts.get(anchor, 0):
            at[pending.pop(0)[1]] = position

    def end(name: str) -> None:
        tag, anchor, _counting = stack.pop()
        if not stack or anchor != stack[-1][1]:  # the anchor element itself closes
            for _offset, n in targets.pop(anchor, []):
                at[n] = parser.CurrentByteIndex
                lost.append(n)

    def chars(data: str) -> None:
        if not stack or not stack[-1][2]:
            return
        anchor = stack[-1][1]
        pending = targets.get(anchor)
        count = counts.get(anchor, 0)
        total = counted_length(data)
        if pending and pending[0][0] < count + total:  # a page begins in this text
            b = parser.CurrentByteIndex
            reference = xhtml[b:b + 1] == b"&"
            while pending and pending[0][0] < count + total:
                k = max(pending[0][0] - count, 0)
                i = nth_counted(data, k)
                counts[anchor] = count + k
                _take(anchor, b if reference else b + len(data[:i].encode("utf-8")))
        counts[anchor] = count + total

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    parser.Parse(xhtml, True)

    made: list[tuple[str, str]] = []
    inserts: list[tuple[int, int, str]] = []
    for n, (label, _anchor, _offset) in enumerate(breaks):
        if n not in at:  # an anchor the EPUB does not have
            lost.append(n)
            continue
        ident = _unique(f"page-{marker_id_part(label)}", ids)
        inserts.append((at[n], n, marker(label, ident)))
        made.append((label, ident))
    for n in sorted(set(lost)):
        label, anchor, offset = breaks[n]
        if reporter is not None:
            reporter.warn("E120", f"the start of print page {label} (character {offset} of '#{anchor}') "
                          "was not found in the EPUB's text; its marker is put at the end of that element"
                          if n in at else f"print page {label} begins in '#{anchor}', which the EPUB lacks; "
                          "it has no marker in the EPUB",
                          "report this with the manuscript: both editions should have the same text", source)
    out = bytearray(xhtml)
    for position, _n, span in sorted(inserts, reverse=True):
        out[position:position] = span.encode("utf-8")
    return bytes(out), made


def _tag_end(data: bytes, start: int) -> int:
    """The byte after the ``>`` that ends the start tag at ``start`` (quotes respected)."""
    quote = 0
    for i in range(start, len(data)):
        c = data[i]
        if quote:
            if c == quote:
                quote = 0
        elif c in b"\"'":
            quote = c
        elif c == 62:  # ">"
            return i + 1
    return len(data)


def marker_id_part(label: str) -> str:
    """A page label as it may stand in an id (``page-xii``, ``page-12``)."""
    return re.sub(r"[^A-Za-z0-9_.-]", "-", label)


def _unique(ident: str, taken: set[str]) -> str:
    name, n = ident, 1
    while name in taken:
        name, n = f"{ident}-{n}", n + 1
    taken.add(name)
    return name


def page_list_nav(entries: list[tuple[str, str]]) -> str:
    """The page-list ``<nav>`` for ``nav.xhtml``: ``entries`` are ``(href, label)`` in reading order."""
    items = "".join(f'<li><a href="{attr_value(href)}">{text(label)}</a></li>\n' for href, label in entries)
    return (f'<nav epub:type="page-list" role="doc-pagelist" hidden="">\n<h2>Pages</h2>\n<ol>\n{items}</ol>\n'
            "</nav>\n")


def add_page_list_nav(nav_xhtml: bytes, entries: list[tuple[str, str]]) -> bytes:
    """``nav.xhtml`` with the page-list nav after its other navs."""
    at = nav_xhtml.rindex(b"</body>")
    return nav_xhtml[:at] + page_list_nav(entries).encode("utf-8") + nav_xhtml[at:]


def page_source(meta: Any) -> str:
    """What ``pageBreakSource`` names: ``urn:isbn:…`` from ``print-isbn``, else the print edition's
    title and authors (a name unique enough, as the DAISY knowledge base suggests)."""
    if getattr(meta, "print_isbn", ""):
        return meta.print_isbn
    authors = ", ".join(c.name for c in meta.creators)
    return f"{meta.title}{' by ' + authors if authors else ''}, print edition (PDF built with this EPUB)"


def page_list_metadata(eb: Any, meta: Any) -> None:
    """The package metadata of an EPUB that has the print page numbers (an ebooklib book ``eb``)."""
    eb.add_metadata(None, "meta", page_source(meta), {"property": "pageBreakSource"})
    # its accessibilityFeature printPageNumbers and pageBreakMarkers: pipeline.accessibility declares them
