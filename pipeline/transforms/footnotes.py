"""Transform: number the footnotes, through the whole book or from 1 in each chapter.

Takes: a Book whose :class:`~pipeline.ir.Note` nodes have number 0.
Gives: the same Book with notes numbered 1, 2, 3… in reading order, each with
the id ``fn-<n>`` (the reference mark gets ``fnref-<n>`` from the renderers).
With ``footnotes-restart: chapter`` in the metadata, each chapter's notes
start again at 1 (ids stay unique: each chapter is its own EPUB document, and
print qualifies ids with their chapter).
"""

from __future__ import annotations

import dataclasses
import itertools
from typing import Any

from .. import ir
from ..diagnostics import Reporter


class _Numberer:
    """Gives each note it is shown the next number of ``counter``."""

    def __init__(self, counter: itertools.count):
        self.counter = counter

    def number(self, node: Any) -> Any:
        if isinstance(node, ir.Note):
            n = next(self.counter)
            return dataclasses.replace(node, number=n, attr=dataclasses.replace(node.attr, id=f"fn-{n}"))
        return node


def number_notes(book: ir.Book, reporter: Reporter) -> ir.Book:
    """Number every note in reading order, restarting in each chapter when the metadata says so."""
    restart = book.meta.footnotes_restart == "chapter"
    numberer = _Numberer(itertools.count(1))
    chapters = []
    for ch in book.chapters:
        if restart:
            numberer.counter = itertools.count(1)
        # walk() is bottom-up; notes are never nested (the parser refuses that),
        # so numbering on the way up is reading order.
        chapters.append(ir.walk(ch, numberer.number))
    return dataclasses.replace(book, chapters=tuple(chapters))
