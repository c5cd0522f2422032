"""Print PDF assembly: laid-out pieces become one book, with pikepdf.

Takes: the front matter and each chapter as :class:`~pipeline.render.pdf.LaidOut`
pieces, and a source of folio pages.
Gives: the book's PDF bytes and its :class:`~pipeline.render.pagemap.PageMap`.

This is the only module that imports pikepdf. What depends on where a
chapter lands is set here, so a chapter is never laid out again because an
earlier one grew:

- a blank left-hand page before a chapter that would open on the left;
- folios, drawn as WeasyPrint draws them (:mod:`pipeline.render.pdf_folios`,
  which learns how from a few sample folios laid out once per edition), on
  every body page but a chapter's first, a {.bleed} still's and the blank pages; the front
  matter's (roman, on the contents' later pages) are laid out with it;
- links into other chapters (``xref:`` URIs in the pieces) become links to
  named destinations, and one name tree holds every id of the book;
- the outline, rebuilt from every piece's bookmarks with WeasyPrint's nesting;
- page labels: i, ii… for the front matter, 1, 2… from the first chapter;
- font subsets: each piece embeds its own subset of the same font file; they
  are merged into one subset per file (:mod:`pipeline.render.pdf_fonts`);
- blank pages at the end, without folios, up to the print service's page
  multiple (:func:`pad_pages`), so a book never ends on an odd page count.
- PDF/X-4 (:mod:`pipeline.render.pdf_x`), last, on the whole book.

    >>> body_positions([("a", 3), ("b", 2)])   # b opens on a recto: after a blank
    {'a': 0, 'b': 4}
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Callable
from urllib.parse import unquote

import pikepdf
from pikepdf import Array, Dictionary, Name, OutlineItem, String

from ..editions import Edition, to_pt
from .pagemap import PageMap
from .pdf import XREF_SCHEME, LaidOut
from .pdf_folios import Folios
from .pdf_x import Press, make_press_ready


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


def pad_pages(pdf: pikepdf.Pdf, multiple: int, size: tuple[float, float]) -> int:
    """Blank pages added at the end of ``pdf`` up to a multiple of ``multiple`` pages; returns how many."""
    added = -len(pdf.pages) % multiple if multiple > 1 else 0
    for _ in range(added):
        pdf.add_blank_page(page_size=size)
    return added


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


def assemble(front: Callable[[], LaidOut], chapters: list[tuple[str, LaidOut]], edition: Edition,
             folio_samples: bytes, page_multiple: int = 1, press: Press | None = None) -> tuple[bytes, PageMap]:
    """Put the pieces together. The body is assembled first; ``front()`` is asked for
    the front matter only then (it may still be being laid out). ``folio_samples``
    is the PDF :class:`~pipeline.render.pdf_folios.Folios` learns folios from; the
    page count is padded to ``page_multiple`` (the print service's).
    With ``press``, the book is made PDF/X-4 (:mod:`pipeline.render.pdf_x`).
    Returns the PDF and its page map."""
    assert edition.trim
    size = (to_pt(edition.trim[0]), to_pt(edition.trim[1]))
    out = pikepdf.new()
    keep_open: list[pikepdf.Pdf] = []  # pikepdf reads copied streams from their source when saving
    body_at: dict[str, int] = {}       # chapter → first body page (0-based)
    for cid, piece in chapters:
        if len(out.pages) % 2:
            out.add_blank_page(page_size=size)
        body_at[cid] = len(out.pages)
        src = pikepdf.open(io.BytesIO(piece.pdf))
        keep_open.append(src)
        with warnings.catch_warnings():  # the named destinations are rebuilt below, for the whole book
            warnings.simplefilter("ignore", pikepdf.exceptions.PageCopyWarning if hasattr(
                pikepdf.exceptions, "PageCopyWarning") else UserWarning)
            out.pages.extend(src.pages)
    for page in out.pages:
        _links_to_names(page)
    folios = Folios(out, folio_samples)
    for cid, piece in chapters:
        bleed = {body_at[cid] + page for page in piece.bleed}  # none on a {.bleed} still's page either
        for number in range(body_at[cid] + 1, body_at[cid] + piece.pages):  # none on the opening page
            if number not in bleed:
                folios.stamp(out.pages[number], number + 1)

    first = front()  # the front matter: it may have been laid out meanwhile
    head = pikepdf.open(io.BytesIO(first.pdf))
    keep_open.append(head)
    front_pages = first.pages + first.pages % 2
    out.pages[0:0] = head.pages  # type: ignore[index]
    if first.pages % 2:
        out.pages.insert(first.pages, pikepdf.Page(Dictionary(
            Type=Name.Page, MediaBox=Array([0, 0, *size]), Resources=Dictionary())))
    if "/Lang" in head.Root:
        out.Root.Lang = head.Root.Lang
    out.trailer.Info = out.copy_foreign(head.trailer.Info)
    for page in out.pages[:front_pages]:
        _links_to_names(page)
    pad_pages(out, page_multiple, size)

    page_map = PageMap(front_pages, len(out.pages))
    dests = {name: (page, x, y) for name, (page, x, y) in first.anchors.items()}
    bookmarks = list(first.bookmarks)
    for cid, piece in chapters:
        at = front_pages + body_at[cid]
        page_map.chapters[cid] = (at, piece.pages)
        for name, (page, x, y) in piece.anchors.items():
            dests.setdefault(name, (at + page, x, y))
        bookmarks.extend((lv, label, at + page, x, y) for lv, label, page, x, y in piece.bookmarks)
        page_map.breaks.extend((at + page, cid, anchor.split("/", 1)[1], offset)
                               for page, anchor, offset in piece.starts if "/" in anchor)
        page_map.bleed.extend(at + page for page in piece.bleed)
        page_map.stills.extend((at + page, cid, src, w, h) for page, src, w, h in piece.stills)
    page_map.ids = {name: (page, y) for name, (page, _x, y) in dests.items()}

    pages = [p.obj for p in out.pages]
    out.Root.Names = Dictionary(Dests=_name_tree(out, {n: Array([pages[p], Name.XYZ, x, y, 0])
                                                       for n, (p, x, y) in dests.items()}))
    with out.open_outline() as outline:
        outline.root.extend(_outline_items(nest(bookmarks)))
    set_page_labels(out, front_pages)

    from .pdf_fonts import merge_fonts
    merge_fonts(out)
    if press is not None:
        make_press_ready(out, press.with_bleed(page_map.bleed), black_done=True)  # pieces drew black as K
    buf = io.BytesIO()
    out.save(buf, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate, min_version="1.7")
    for pdf in keep_open:
        pdf.close()
    folios.close()
    return buf.getvalue(), page_map


NAME_TREE_LEAF = 128


def _name_tree(pdf: pikepdf.Pdf, entries: dict[str, pikepdf.Object]) -> pikepdf.Object:
    """A name tree of ``entries``: sorted leaves of :data:`NAME_TREE_LEAF` under one root."""
    names = sorted(entries, key=lambda n: bytes(String(n)))  # by the bytes written, as the format asks
    leaves = []
    for start in range(0, len(names), NAME_TREE_LEAF):
        chunk = names[start:start + NAME_TREE_LEAF]
        flat: list = []
        for n in chunk:
            flat += [String(n), entries[n]]
        leaves.append(pdf.make_indirect(Dictionary(Names=Array(flat), Limits=Array([String(chunk[0]),
                                                                                    String(chunk[-1])]))))
    return pdf.make_indirect(Dictionary(Kids=Array(leaves)))


def finish_one_pass(piece: LaidOut, first_chapter: str, page_multiple: int = 1,
                    press: Press | None = None) -> tuple[bytes, PageMap]:
    """Page labels, padding, a page map and PDF/X-4 for the one-pass book, as :func:`assemble` gives the
    stitched one."""
    out = pikepdf.open(io.BytesIO(piece.pdf))
    front_pages = piece.anchors[f"{first_chapter}/{first_chapter}"][0] if first_chapter else len(out.pages)
    box = [float(v) for v in out.pages[0].mediabox] if len(out.pages) else [0.0, 0.0, 0.0, 0.0]
    pad_pages(out, page_multiple, (box[2] - box[0], box[3] - box[1]))
    page_map = PageMap(front_pages, len(out.pages))
    page_map.ids = {name: (page, y) for name, (page, _x, y) in piece.anchors.items()}
    page_map.breaks = [(page, *anchor.split("/", 1), offset) for page, anchor, offset in piece.starts
                       if page >= front_pages and "/" in anchor]  # type: ignore[misc]
    page_map.bleed = list(piece.bleed)
    firsts = sorted((page, name.split("/", 1)[0]) for name, (page, _x, _y) in piece.anchors.items()
                    if name.count("/") == 1 and name.split("/")[0] == name.split("/")[1])
    page_map.stills = [(page, next((c for p, c in reversed(firsts) if p <= page), ""), src, w, h)
                       for page, src, w, h in piece.stills]
    set_page_labels(out, front_pages)
    if press is not None:
        make_press_ready(out, press.with_bleed(page_map.bleed))
    buf = io.BytesIO()
    out.save(buf, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate,
             min_version="1.6")
    return buf.getvalue(), page_map
