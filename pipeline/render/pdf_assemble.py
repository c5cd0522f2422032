"""Print PDF assembly: laid-out pieces become one book, with pikepdf.

Takes: the front matter and each chapter as :class:`~pipeline.render.pdf.LaidOut`
pieces, and a source of folio pages.
Gives: the book's PDF bytes and its :class:`~pipeline.render.pagemap.PageMap`.

This is the only module that imports pikepdf. What depends on where a
chapter lands is set here, so a chapter is never laid out again because an
earlier one grew:

- a blank left-hand page before a chapter that would open on the left;
- folios, stamped from a strip of pages that carry only their number
  (:func:`pipeline.render.pdf.layout_folios`, cached by number range);
- links into other chapters (``xref:`` URIs in the pieces) become links to
  named destinations, and one name tree holds every id of the book;
- the outline, rebuilt from every piece's bookmarks with WeasyPrint's nesting;
- page labels: i, ii… for the front matter, 1, 2… from the first chapter;
- font subsets: each piece embeds its own subset of the same font file; they
  are merged into one subset per file (:mod:`pipeline.render.pdf_fonts`).

    >>> body_positions([("a", 3), ("b", 2)])   # b opens on a recto: after a blank
    {'a': 0, 'b': 4}
"""

from __future__ import annotations

import io
from collections.abc import Callable
from urllib.parse import unquote

import pikepdf
from pikepdf import Array, Dictionary, Name, OutlineItem, String

from ..editions import Edition, to_pt
from .pagemap import PageMap
from .pdf import XREF_SCHEME, LaidOut

FOLIO_CHUNK = 100  # folio strips hold this many pages each


def body_positions(chapters: list[tuple[str, int]]) -> dict[str, int]:
    """Each chapter's first page in the body (0-based), every chapter on a recto."""
    positions: dict[str, int] = {}
    at = 0
    for cid, pages in chapters:
        at += at % 2
        positions[cid] = at
        at += pages
    return positions


def contents_numbers(targets: list[str], chapters: list[tuple[str, LaidOut]]) -> dict[str, str]:
    """The printed page number of each contents target (``chapter/id``), counted from the body's first page."""
    positions = body_positions([(cid, piece.pages) for cid, piece in chapters])
    pieces = dict(chapters)
    numbers = {}
    for target in targets:
        cid = target.split("/", 1)[0]
        page = pieces[cid].anchors.get(target, (0, 0.0, 0.0))[0]
        numbers[target] = str(positions[cid] + page + 1)
    return numbers


def set_page_labels(pdf: pikepdf.Pdf, front_pages: int) -> None:
    """Roman page labels for the front matter, arabic from 1 for the body."""
    nums = Array([0, Dictionary(S=Name.r)]) if front_pages else Array()
    nums.extend([front_pages, Dictionary(S=Name.D)])
    pdf.Root.PageLabels = Dictionary(Nums=nums)


def nest(bookmarks: list[tuple[int, str, int, float, float]]) -> list[tuple[tuple, list]]:
    """Bookmarks as a tree: each one is a child of the last before it with a lower level (WeasyPrint's rule)."""
    root: list[tuple[tuple, list]] = []
    stack: list[tuple[int, list]] = [(0, root)]
    for mark in bookmarks:
        while stack[-1][0] >= mark[0]:
            stack.pop()
        children: list[tuple[tuple, list]] = []
        stack[-1][1].append((mark, children))
        stack.append((mark[0], children))
    return root


def _outline_items(tree: list[tuple[tuple, list]]) -> list[OutlineItem]:
    items = []
    for (_level, label, page, x, y), children in tree:
        item = OutlineItem(label, page, "XYZ", left=x, top=y, zoom=0)
        item.children.extend(_outline_items(children))
        items.append(item)
    return items


def _links_to_names(page: pikepdf.Page) -> None:
    """Turn the piece's ``xref:`` URI links into links to the book's named destinations."""
    for annot in page.obj.get("/Annots", Array()):
        action = annot.get("/A")
        if action is None or action.get("/S") != Name.URI:
            continue
        uri = str(action.get("/URI", ""))
        if uri.startswith(XREF_SCHEME):
            del annot["/A"]
            annot.Dest = String(unquote(uri[len(XREF_SCHEME):]))


def _stamp(pdf: pikepdf.Pdf, page: pikepdf.Page, folio: pikepdf.Page) -> None:
    """Draw ``folio`` (a page of the same size) over ``page``, under a fixed resource name.

    The page gets its own resource dictionary (a piece's pages share one), so
    each page names only its own folio, and the bytes are the same every build.
    """
    form = pdf.copy_foreign(folio.as_form_xobject())
    resources = Dictionary({k: v for k, v in page.obj.Resources.items()})
    xobjects = Dictionary({k: v for k, v in resources.get("/XObject", Dictionary()).items()})
    xobjects[Name.Folio] = form
    resources.XObject = xobjects
    page.obj.Resources = resources
    page.contents_add(pikepdf.Stream(pdf, b"q\n"), prepend=True)
    page.contents_add(pikepdf.Stream(pdf, b"Q\nq /Folio Do Q\n"))


def assemble(front: LaidOut, chapters: list[tuple[str, LaidOut]], edition: Edition,
             folios: Callable[[int], bytes]) -> tuple[bytes, PageMap]:
    """Put the pieces together; ``folios(chunk)`` gives the strip of body pages
    ``chunk * FOLIO_CHUNK + 1`` onwards. Returns the PDF and its page map."""
    assert edition.trim
    size = (to_pt(edition.trim[0]), to_pt(edition.trim[1]))
    out = pikepdf.open(io.BytesIO(front.pdf))
    keep_open: list[pikepdf.Pdf] = []  # pikepdf reads copied streams from their source when saving
    if len(out.pages) % 2:
        out.add_blank_page(page_size=size)
    front_pages = len(out.pages)
    page_map = PageMap(front_pages, 0)
    bookmarks = list(front.bookmarks)
    page_map.ids.update({name: (page, y) for name, (page, _x, y) in front.anchors.items()})
    dests: dict[str, tuple[int, float, float]] = dict(front.anchors)
    body_pages: list[int] = []  # physical indexes of body pages that carry a folio
    for cid, piece in chapters:
        if (len(out.pages) - front_pages) % 2:
            out.add_blank_page(page_size=size)
        first = len(out.pages)
        src = pikepdf.open(io.BytesIO(piece.pdf))
        keep_open.append(src)
        out.pages.extend(src.pages)
        page_map.chapters[cid] = (first, piece.pages)
        body_pages.extend(range(first, first + piece.pages))
        for name, (page, x, y) in piece.anchors.items():
            dests.setdefault(name, (first + page, x, y))
            page_map.ids.setdefault(name, (first + page, y))
        bookmarks.extend((lv, label, first + page, x, y) for lv, label, page, x, y in piece.bookmarks)
    page_map.total_pages = len(out.pages)

    strips: dict[int, pikepdf.Pdf] = {}
    for physical in body_pages:
        number = physical - front_pages  # 0-based body page
        chunk, at = divmod(number, FOLIO_CHUNK)
        if chunk not in strips:
            strips[chunk] = pikepdf.open(io.BytesIO(folios(chunk)))
        _stamp(out, out.pages[physical], strips[chunk].pages[at])

    for page in out.pages:
        _links_to_names(page)
    names = pikepdf.NameTree.new(out)
    pages = out.pages
    for name in sorted(dests):
        page, x, y = dests[name]
        names[name] = Array([pages[page].obj, Name.XYZ, x, y, 0])
    out.Root.Names = Dictionary(Dests=names.obj)

    with out.open_outline() as outline:
        outline.root.clear()
        outline.root.extend(_outline_items(nest(bookmarks)))
    set_page_labels(out, front_pages)

    from .pdf_fonts import merge_fonts
    merge_fonts(out)
    buf = io.BytesIO()
    out.save(buf, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    for src in keep_open:
        src.close()
    for strip in strips.values():
        strip.close()
    return buf.getvalue(), page_map


def finish_one_pass(piece: LaidOut, first_chapter: str) -> tuple[bytes, PageMap]:
    """Page labels and a page map for the one-pass book, as :func:`assemble` gives the stitched one."""
    out = pikepdf.open(io.BytesIO(piece.pdf))
    front_pages = piece.anchors[f"{first_chapter}/{first_chapter}"][0] if first_chapter else len(out.pages)
    page_map = PageMap(front_pages, len(out.pages))
    page_map.ids = {name: (page, y) for name, (page, _x, y) in piece.anchors.items()}
    set_page_labels(out, front_pages)
    buf = io.BytesIO()
    out.save(buf, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return buf.getvalue(), page_map
