"""The contents' page numbers set at assembly (pipeline/render/pdf_contents.py).

A small book's front matter is laid out twice by WeasyPrint: once with the
placeholder for every number, once with the real numbers written in. The
placeholders are stamped with the numbers; :func:`stamp` must refuse, rather
than guess, when it cannot be exact. That the stamped digits land where
WeasyPrint draws them is checked on whole books in ``test_build_plan.py``.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from conftest import write_files

from pipeline.build import prepare
from pipeline.editions import for_book
from pipeline.render.pdf import layout_folios, layout_front, qualify
from pipeline.render.pdf_contents import PLACEHOLDER, stamp
from pipeline.render.pdf_folios import sample_numbers

NUMBERS = ("1", "9", "10", "47", "111", "208", "1999", "7")  # proportional figures of every width


@pytest.fixture(scope="module")
def front(tmp_path_factory: pytest.TempPathFactory) -> dict:
    files = {"book.yaml": "title: Numbers\nauthor: A. Writer\nlang: en\n"}
    for n in range(1, len(NUMBERS) + 1):
        files[f"chapters/{n:02}.md"] = f"# Chapter {n} of a book whose contents we number\n\nText {n}.\n"
    root = write_files(tmp_path_factory.mktemp("contents") / "book", files)
    book, index = prepare(root)
    edition = for_book(book.meta, "pdf")
    targets = [qualify(e.chapter, e.target or e.chapter) for e in index.printed_toc()]
    assert len(targets) == len(NUMBERS)

    def lay(numbers: dict[str, str]):  # noqa: ANN202
        return layout_front(book.meta, index, edition, Path(book.root), numbers, ())

    return {"placeholders": lay({t: PLACEHOLDER for t in targets}),
            "written": lay(dict(zip(targets, NUMBERS))),
            "entries": {f"toc-e{n}": num for n, num in enumerate(NUMBERS, 1)},
            "samples": layout_folios(edition, sample_numbers())}


def test_placeholders_become_the_numbers(front):
    stamped = stamp(front["placeholders"], front["entries"], front["samples"])
    assert stamped is not None
    assert stamped.pages == front["written"].pages and stamped.anchors == front["written"].anchors
    # the glyphs' text and widths come into the book's fonts at assembly (pdf_fonts merges the
    # folio samples' in): where they land is checked on whole books, in test_build_plan.py
    assert stamped.pdf != front["placeholders"].pdf


def test_numbers_that_cannot_be_set_exactly_are_refused(front):
    piece, entries = front["placeholders"], front["entries"]
    assert stamp(piece, {**entries, "toc-e1": "12345"}, front["samples"]) is None  # wider than the placeholder
    assert stamp(piece, {**entries, "toc-e1": "xii"}, front["samples"]) is None    # not arabic digits
    fewer = dict(list(entries.items())[:-1])
    assert stamp(piece, fewer, front["samples"]) is None                             # a placeholder left over
    moved = dataclasses.replace(piece, anchors={k: ((p + 1, x, y) if k == "toc-e1" else (p, x, y))
                                                for k, (p, x, y) in piece.anchors.items()})
    assert stamp(moved, entries, front["samples"]) is None                           # not where the anchors say
