"""Transform (a query): the table of contents.

Takes: a Book with ids assigned.
Gives: a list of :class:`TocEntry`: every top-level heading of level 1 to
``depth``, with its chapter, in reading order. A chapter without a heading
(a frontispiece, say) has no entry; headings inside quotes or lists are not
listed.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import ir


@dataclass(frozen=True, slots=True)
class TocEntry:
    """One line of the contents: heading level, label, chapter id and target id."""

    level: int
    title: tuple[ir.Inline, ...]
    chapter: str
    target: str


def table_of_contents(book: ir.Book, depth: int = 2) -> list[TocEntry]:
    """Headings down to ``depth``, each with the chapter it lives in."""
    entries = []
    for ch in book.chapters:
        for node in ch.blocks:
            if isinstance(node, ir.Heading) and node.level <= depth:
                entries.append(TocEntry(node.level, node.inlines, ch.id, node.attr.id))
    return entries
