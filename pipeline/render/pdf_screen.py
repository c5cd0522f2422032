"""The screen PDF: the whole book laid out in one pass, as a tagged PDF/UA-1, in RGB.

Takes: a transformed :class:`~pipeline.ir.Book`, its :class:`~pipeline.index.BookIndex`, the
``screen-pdf`` :class:`~pipeline.editions.Edition` row, a :class:`~pipeline.diagnostics.Reporter`
and a :class:`~pipeline.cache.Cache`.
Gives: :func:`render_screen_pdf`, a :class:`~pipeline.render.RenderResult` with the PDF.

The book is the print book's HTML (:func:`~pipeline.render.pdf.render_pdf_one_pass`, one
WeasyPrint pass: a structure tree cannot be stitched from chapter pieces), laid out with the
edition's stylesheets (``screen.css`` after ``print.css``: no blank pages, visible links) and
written as WeasyPrint's ``pdf/ua-1``: a structure tree (headings, paragraphs, lists, tables,
links with their annotations, notes, figures with their alt text and captions, adjusted by
:mod:`pipeline.render.pdf_tags`), ``/Lang``, ``/MarkInfo``, the title shown in the window,
``pdfuaid:part 1`` in the XMP, the outline, tab order by structure, every font embedded.
Then, with pikepdf:

- what is on the pages but not in the tree (running heads, folios, line numbers hidden
  from screen readers) becomes an artifact: WeasyPrint tags it, and leaves it out;
- each footnote's ``Note`` moves from the foot of its page to right after its call (a
  ``Reference``), so a screen reader reads it there, not in the middle of a sentence that
  runs on to the next page;
- page labels as in print: i, ii… for the front matter, 1, 2… from the first chapter.

The result is cached by everything it reads (the book, its stills, the edition, the
stylesheets and fonts, the code), like the print edition's units.

    >>> from pipeline.build import run_build
    >>> run_build("manuscripts/the-salt-lantern", ["screen-pdf"], "build")  # doctest: +SKIP
"""

from __future__ import annotations

import io
import re

import pikepdf

from .. import ir
from ..cache import Cache, key
from ..diagnostics import Reporter
from ..editions import Edition, styles_fingerprint
from ..index import BookIndex
from ..matter import front_count
from . import RenderResult
from .pdf import LaidOut, render_pdf_one_pass
from .pdf_assemble import set_page_labels
from .pdf_units import pack, unpack

VARIANT = "pdf/ua-1"
_MARKED = re.compile(rb"/[A-Za-z0-9]+\s*<<\s*/MCID (\d+)\s*>>\s*BDC")


# what the print edition reports too, from the same text and formulas: said once when both are built
SHARED_WITH_PRINT = frozenset({"R101", "R110"})


def render_screen_pdf(book: ir.Book, index: BookIndex, edition: Edition, reporter: Reporter,
                      cache: Cache | None = None, with_print: bool = False) -> RenderResult:
    """The screen PDF of ``book``, from the cache when nothing it reads has changed. Built
    ``with_print``, the warnings the print edition gives as well are left to it."""
    cache = cache or Cache(None)
    k = key("screen-pdf", ir.to_json(book), sorted(f.sha256 for f in index.images.values()),
            repr(edition), styles_fingerprint())
    stored = cache.get("screen-pdf", k)
    if stored is not None:
        piece = unpack(stored)
    else:
        own = Reporter(echo=False)
        no_alt_warnings(book, own)
        laid = render_pdf_one_pass(book, index, edition, variant=VARIANT)
        piece = LaidOut(finish(laid, book), laid.pages, diagnostics=own.warnings + laid.diagnostics)
        cache.put("screen-pdf", k, pack(piece))
    reporter.replay([d for d in piece.diagnostics if not (with_print and d.code in SHARED_WITH_PRINT)])
    return RenderResult(piece.pdf)


def no_alt_warnings(book: ir.Book, reporter: Reporter) -> None:
    """Warn (R130) about each still with neither alt text nor caption: the screen PDF can only
    mark it decorative."""
    for ch in book.chapters:
        for fig in ir.query(ch, ir.Figure):
            if not fig.image.alt.strip():
                reporter.warn("R130", f"still '{fig.image.src}' has no alt text and no caption: the screen PDF "
                              "marks it decorative (an artifact), which a screen reader skips",
                              'describe it: ![Caption](still.jpg){alt="What it shows"}', ch.source, fig.line)


def finish(laid: LaidOut, book: ir.Book) -> bytes:
    """WeasyPrint's tagged PDF made whole: artifacts, page labels; saved reproducibly."""
    pdf = pikepdf.open(io.BytesIO(laid.pdf))
    mark_artifacts(pdf)
    notes_after_calls(pdf)
    body = book.chapters[front_count(book):]  # the dedication and epigraph are front matter
    first = body[0].id if body else ""
    front_pages = laid.anchors[f"{first}/{first}"][0] if first else len(pdf.pages)
    set_page_labels(pdf, front_pages)
    out = io.BytesIO()
    pdf.save(out, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return out.getvalue()


def reached(pdf: pikepdf.Pdf) -> set[tuple[int, int]]:
    """The structure elements the tree reaches from its root (object numbers)."""
    seen: set[tuple[int, int]] = set()
    todo = list(_kids(pdf.Root.StructTreeRoot))
    while todo:
        node = todo.pop()
        if isinstance(node, pikepdf.Dictionary) and "/S" in node and node.objgen not in seen:
            seen.add(node.objgen)
            todo.extend(_kids(node))
    return seen


def _kids(node: pikepdf.Dictionary) -> list:
    kids = node.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, pikepdf.Array) else [kids]


def mark_artifacts(pdf: pikepdf.Pdf) -> int:
    """Turn every marked-content sequence whose structure element the tree does not reach into an
    artifact, and drop it from the parent tree; returns how many there were.

    WeasyPrint tags the running heads and folios (margin boxes) like text but attaches them to
    nothing (PDF 1.7 has no artifact element); :mod:`pipeline.render.pdf_tags` leaves content
    hidden from screen readers out of the tree. PDF/UA-1 wants each of them an artifact.
    """
    tree = reached(pdf)
    pages = {int(p.obj.StructParents): p for p in pdf.pages if "/StructParents" in p.obj}
    nums = pdf.Root.StructTreeRoot.ParentTree.Nums
    count = 0
    for i in range(0, len(nums), 2):
        page, elements = pages.get(int(nums[i])), nums[i + 1]
        if page is None or not isinstance(elements, pikepdf.Array):
            continue
        loose = {mcid for mcid, e in enumerate(elements)
                 if isinstance(e, pikepdf.Dictionary) and e.objgen not in tree}
        if not loose:
            continue
        for mcid in loose:
            elements[mcid] = pikepdf.Object.parse(b"null")
        content = page.obj.Contents
        streams = list(content) if isinstance(content, pikepdf.Array) else [content]
        data = b"\n".join(s.read_bytes() for s in streams)
        page.obj.Contents = pdf.make_stream(_as_artifacts(data, loose))
        count += len(loose)
    return count


def _as_artifacts(content: bytes, mcids: set[int]) -> bytes:
    r"""``content`` with the marked-content sequences ``mcids`` opened as artifacts instead
    (their ``EMC`` closes them as before).

    >>> _as_artifacts(b"/Span\n<</MCID 0>>\nBDC\nBT ET\nEMC\n/P <</MCID 1>> BDC EMC", {0})
    b'/Artifact BMC\nBT ET\nEMC\n/P <</MCID 1>> BDC EMC'
    """
    return _MARKED.sub(lambda m: b"/Artifact BMC" if int(m[1]) in mcids else m[0], content)


def notes_after_calls(pdf: pikepdf.Pdf) -> int:
    """Move each footnote (``Note``, and its continuations on later pages) to right after its
    call (``Reference``) in the tree; returns how many moved.

    Calls and notes pair in order: :mod:`pipeline.render.pdf_tags` makes a Reference of each
    call and gives the first Note of each note its ``/ID``. When the counts differ, the tree is
    left as it is.
    """
    elements = _in_order(pdf.Root.StructTreeRoot)
    calls = [e for e in elements if e.S == "/Reference"]
    notes: list[list[pikepdf.Dictionary]] = []
    for e in elements:
        if e.S == "/Note":
            if "/ID" in e:
                notes.append([e])
            elif notes:
                notes[-1].append(e)  # the same note, run on to the next page
    if len(calls) != len(notes):
        return 0
    for call, parts in zip(calls, notes):
        for part in parts:
            _detach(part)
        siblings = call.P.K
        at = next(i for i, k in enumerate(siblings) if isinstance(k, pikepdf.Dictionary) and k.objgen == call.objgen)
        for offset, part in enumerate(parts, start=1):
            part.P = call.P
            siblings.insert(at + offset, part)
    return len(calls)


def _in_order(node: pikepdf.Dictionary) -> list[pikepdf.Dictionary]:
    out = []
    for kid in _kids(node):
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            out.append(kid)
            out.extend(_in_order(kid))
    return out


def _detach(element: pikepdf.Dictionary) -> None:
    """Take ``element`` out of its parent's kids; a group left empty goes too."""
    parent = element.P
    kids = parent.K if isinstance(parent.K, pikepdf.Array) else pikepdf.Array([parent.K])
    parent.K = pikepdf.Array([k for k in kids
                              if not (isinstance(k, pikepdf.Dictionary) and k.objgen == element.objgen)])
    if not len(parent.K) and parent.get("/S") in ("/NonStruct", "/Div") and "/P" in parent:
        _detach(parent)
