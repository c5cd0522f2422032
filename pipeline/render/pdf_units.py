"""The print edition as build units: each chapter, sample folios, the front matter; then assembly.

Takes: a transformed Book, its :class:`~pipeline.index.BookIndex`, the print
:class:`~pipeline.editions.Edition`, a :class:`~pipeline.cache.Cache` and a
number of worker processes.
Gives: :func:`start_pdf`, which starts laying out every chapter, the front
matter and the sample folios that the cache does not hold, and
:func:`finish_pdf`, which waits for them, sets the contents' page numbers in
the front matter (:mod:`pipeline.render.pdf_contents`; when it cannot, the
front matter is laid out again with them) and assembles the book: a
:class:`~pipeline.render.RenderResult` with the PDF and its
:class:`~pipeline.render.pagemap.PageMap`.

A chapter unit's key covers everything its layout reads: the chapter's IR
(its text, ids, resolved links and note numbers), the content hashes of its
images, the number of notes before it, the edition row, the stylesheets and
fonts, the book's title (the running heads), language (hyphenation) and
contents depth (the outline), its kind (``matter``: a colophon is styled as
one), and the pipeline's code. The front matter's unit holds the chapters
printed before the contents (dedication, epigraph), keyed by their IR too,
and the contents' entries, but not their page numbers. Nothing about where a
chapter will land is in any key, so a chapter that grows moves the ones after
it, and the contents' numbers, without laying anything else out again.

    >>> from pipeline import build_book  # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import functools
import json
import time
from pathlib import Path

from .. import ir
from ..cache import Cache, key
from ..diagnostics import Reporter
from ..editions import Edition, styles_fingerprint
from ..index import BookIndex
from ..matter import front_count
from ..plan import SHARED, Run, Unit, start_units
from ..print_services import SERVICES
from ..progress import Progress, quiet
from . import RenderResult
from .pdf import (
    LaidOut,
    layout_chapter,
    layout_folios,
    layout_front,
    load_styles,
    qualify,
    render_pdf_one_pass,
    scripts_in,
)
from .pdf_assemble import assemble, contents_numbers, finish_one_pass
from .pdf_contents import PLACEHOLDER, stamp
from .pdf_folios import sample_numbers
from .pdf_x import Press


def page_multiple(meta: ir.Meta) -> int:
    """The page multiple the book's print service asks for (the PDF is padded to it)."""
    return SERVICES[meta.print_service].page_multiple


def pack(piece: LaidOut) -> bytes:
    """A laid-out piece as bytes for the cache: a JSON header, then the PDF."""
    head = json.dumps(piece.to_json(), ensure_ascii=False, sort_keys=True).encode()
    return len(head).to_bytes(8, "big") + head + piece.pdf


def unpack(data: bytes) -> LaidOut:
    """The piece :func:`pack` stored."""
    n = int.from_bytes(data[:8], "big")
    return LaidOut.from_json(data[8 + n:], json.loads(data[8:8 + n]))


def _edition_key(edition: Edition) -> dict:
    return {"edition": repr(edition), "styles": styles_fingerprint()}


def _chapter_unit(chapter_id: str) -> bytes:
    book: ir.Book = SHARED["book"]
    ch = SHARED["chapters"][chapter_id]
    return pack(layout_chapter(ch, SHARED["index"], book.meta, SHARED["pdf"], Path(book.root), SHARED["scripts"]))


def _folio_unit() -> bytes:
    return layout_folios(SHARED["pdf"], sample_numbers())


def _front_unit(numbers: dict[str, str]) -> bytes:
    book: ir.Book = SHARED["book"]
    return pack(layout_front(book.meta, SHARED["index"], SHARED["pdf"], Path(book.root), numbers,
                             SHARED["scripts"], book.chapters[:front_count(book)]))


def folio_unit(edition: Edition) -> Unit:
    """Sample folios: they depend on the edition alone, so any book's build can reuse them."""
    return Unit("pdf-folios", "folios", key("pdf-folios", _edition_key(edition), sample_numbers()), _folio_unit)


def warm() -> None:
    """Make this process ready to lay out the last book's next edit (``watch``: it is laid out
    here): load its stylesheets and fonts, and lay its shortest chapter out once, unkept, so
    that the fonts' shaping data, the hyphenation dictionary and WeasyPrint's caches are loaded
    before the author saves (the first edit took 1.3 s instead of 0.5 s without it)."""
    if "pdf" not in SHARED:
        return
    book: ir.Book = SHARED["book"]
    load_styles(SHARED["pdf"], SHARED["scripts"], Path(book.root))
    body = book.chapters[front_count(book):]
    if body:
        shortest = min(body, key=lambda ch: len(ir.to_json(ch)))
        layout_chapter(shortest, SHARED["index"], book.meta, SHARED["pdf"], Path(book.root), SHARED["scripts"])


def chapter_units(book: ir.Book, index: BookIndex, edition: Edition) -> tuple[list[Unit], tuple[str, ...]]:
    """One unit per chapter, keyed by everything its layout reads; and the scripts the book uses."""
    texts = {ch.id: ir.to_json(ch) for ch in book.chapters}
    scripts = scripts_in("".join(texts.values()) + ir.to_json(book.meta))
    units = []
    for ch in book.chapters[front_count(book):]:  # the front matter's chapters are laid out with it
        facts = index.chapter(ch.id)
        k = key("pdf-chapter", texts[ch.id], facts.first_note,
                [index.images[src].sha256 for src in facts.images if src in index.images],
                _edition_key(edition), book.meta.title, book.meta.lang, book.meta.toc_depth, book.meta.level_spreads,
                scripts)
        units.append(Unit("pdf-chapter", ch.id, k, _chapter_unit, (ch.id,), cost=len(texts[ch.id])))
    return units, scripts


def _front_key(book: ir.Book, index: BookIndex, edition: Edition, numbers: dict[str, str]) -> str:
    front = book.chapters[:front_count(book)]
    toc = index.printed_toc(front)
    images = [index.images[src].sha256 for ch in front for src in index.chapter(ch.id).images
              if src in index.images]
    meta = dataclasses.replace(book.meta, modified="")  # the front matter does not print it; an edit changes it
    return key("pdf-front", ir.to_json(meta), ir.to_json(tuple(e.title for e in toc)),
               numbers, [(e.level, e.number) for e in toc], _edition_key(edition),
               SHARED["scripts"], ir.to_json(front), images, [index.chapter(ch.id).first_note for ch in front])


def _contents_targets(book: ir.Book, index: BookIndex) -> list[str]:
    return [qualify(e.chapter, e.target or e.chapter) for e in index.printed_toc(book.chapters[:front_count(book)])]


def start_pdf(book: ir.Book, index: BookIndex, edition: Edition, cache: Cache, jobs: int = 0,
              progress: Progress = quiet) -> Run:
    """Start laying out the chapters, the front matter (its contents' numbers a placeholder:
    :mod:`pipeline.render.pdf_contents`) and the sample folios, in worker processes;
    returns the run to finish."""
    units, scripts = chapter_units(book, index, edition)
    SHARED.update(book=book, index=index, pdf=edition, chapters={c.id: c for c in book.chapters}, scripts=scripts)
    placeholders = {t: PLACEHOLDER for t in _contents_targets(book, index)}
    units.append(Unit("pdf-front", "front", _front_key(book, index, edition, placeholders), _front_unit,
                      (placeholders,), cost=1 << 40))
    units.append(folio_unit(edition))
    progress.stage("pdf-chapter", len(units))
    return start_units(units, cache, jobs, progress)


def finish_pdf(run: Run, book: ir.Book, index: BookIndex, edition: Edition, reporter: Reporter,
               progress: Progress = quiet) -> RenderResult:
    """Wait for the chapters; set the contents' numbers in the front matter, or lay it out
    again with them (in a worker, while the body is assembled) when they cannot be set;
    put the front matter in. Chapter warnings are replayed."""
    started = time.perf_counter()
    try:
        body = book.chapters[front_count(book):]
        pieces = [(ch.id, unpack(run.get(ch.id))) for ch in body]
        run.timings["pdf.chapters"] = time.perf_counter() - started
        for _, piece in pieces:
            reporter.replay(piece.diagnostics)
        targets = _contents_targets(book, index)
        numbers = contents_numbers(targets, pieces)
        samples = run.get("folios")
        front_piece = _stamped(run.get("front"), tuple((f"toc-e{n}", numbers[t]) for n, t in enumerate(targets, 1)),
                               samples)
        if front_piece is None:  # in a worker even when it is the only unit to run: the body is assembled meanwhile
            run.add([Unit("pdf-front", "front-numbered", _front_key(book, index, edition, numbers), _front_unit,
                          (numbers,))], background=True)
        progress.stage("pdf-assemble", 1)

        def front() -> LaidOut:
            piece = front_piece or unpack(run.get("front-numbered"))
            reporter.replay(piece.diagnostics)
            return piece

        pdf, page_map = assemble(front, pieces, edition, samples, page_multiple(book.meta),
                                 Press.for_book(book.meta))
        run.timings["pdf.assemble"] = time.perf_counter() - started - run.timings["pdf.chapters"]
        progress.advance("pdf-assemble")
    finally:
        run.close()
    return RenderResult(pdf, page_map)


@functools.lru_cache(maxsize=4)
def _stamped(front: bytes, numbers: tuple[tuple[str, str], ...], samples: bytes) -> LaidOut | None:
    """The front matter (as the cache holds it) with the contents' numbers set (:func:`stamp`), or None;
    kept for this process's next builds, so that a ``watch`` save that moves no contents entry does
    not stamp them again."""
    return stamp(unpack(front), dict(numbers), samples)


def render_pdf(book: ir.Book, index: BookIndex, edition: Edition, cache: Cache | None = None, jobs: int = 0,
               reporter: Reporter | None = None, one_pass: bool = False) -> RenderResult:
    """The print PDF: stitched from chapter units (cached, parallel), or ``one_pass``."""
    reporter = reporter or Reporter()
    if one_pass:
        piece = render_pdf_one_pass(book, index, edition)
        reporter.replay(piece.diagnostics)
        body = book.chapters[front_count(book):]
        pdf, page_map = finish_one_pass(piece, body[0].id if body else "", page_multiple(book.meta),
                                        Press.for_book(book.meta))
        return RenderResult(pdf, page_map)
    return finish_pdf(start_pdf(book, index, edition, cache or Cache(None), jobs), book, index, edition, reporter)

