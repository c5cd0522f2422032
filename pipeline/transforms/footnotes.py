"""Transform: number the footnotes through the whole book.

Takes: a Book whose :class:`~pipeline.ir.Note` nodes have number 0.
Gives: the same Book with notes numbered 1, 2, 3… in reading order, each with
the id ``fn-<n>`` (the reference mark gets ``fnref-<n>`` from the renderers).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from .. import ir
from ..diagnostics import Reporter


def number_notes(book: ir.Book, reporter: Reporter) -> ir.Book:
    """Number every note in reading order."""
    count = [0]
    chapters = []
    for ch in book.chapters:
        # walk() is bottom-up; notes are never nested (the parser refuses that),
        # so numbering on the way up is reading order.
        def fix(node: Any) -> Any:
            if isinstance(node, ir.Note):
                count[0] += 1
                attr = dataclasses.replace(node.attr, id=f"fn-{count[0]}")
                return dataclasses.replace(node, number=count[0], attr=attr)
            return node

        chapters.append(ir.walk(ch, fix))
    return dataclasses.replace(book, chapters=tuple(chapters))
