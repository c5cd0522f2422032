"""Transform (a query): the table of contents.

Takes: a Book with ids assigned (and section numbers, if it has them).
Gives: a list of :class:`TocEntry`: every top-level heading of level 1 to
``depth`` (the book's ``toc-depth``, 3 unless it says otherwise, as pandoc's
``--toc-depth``), with its chapter and section number, in reading order. A
chapter without a heading (a frontispiece, say) has no entry; headings
inside quotes or lists are not listed, nor are headings classed
``.unlisted`` (as in pandoc).
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import ir
from .numbering import section_number


@dataclass(frozen=True, slots=True)
class TocEntry:
    """One line of the contents: heading level, label, chapter id, target id and section number."""

    level: int
    title: tuple[ir.Inline, ...]
    chapter: str
    target: str
    number: str = ""


def table_of_contents(book: ir.Book, depth: int = 2) -> list[TocEntry]:
    """Headings down to ``depth``, each with the chapter it lives in."""
    entries = []
    for ch in book.chapters:
        for node in ch.blocks:
            if isinstance(node, ir.Heading) and node.level <= depth and "unlisted" not in node.attr.classes:
                entries.append(TocEntry(node.level, node.inlines, ch.id, node.attr.id, section_number(node)))
    return entries
