"""Transform (a query): the table of contents.

Takes: a Book with ids assigned (and section numbers, if it has them).
Gives: a list of :class:`TocEntry`: every top-level heading of level 1 to
``depth`` (the book's ``toc-depth``, 3 unless it says otherwise, as pandoc's
``--toc-depth``), with its chapter and section number, in reading order. A
chapter without any heading (an introduction, say) is listed at level 1
under a title made from its file name (:func:`file_title`: ``00-introduction.md``
→ "Introduction"), pointing at the chapter's start (``target`` ""); headings
inside quotes or lists are not listed, nor are headings classed
``.unlisted`` (as in pandoc).

    >>> file_title("chapters/00-a_short-preface.md")
    'A short preface'

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


def file_title(source: str) -> str:
    """A chapter's title made from its file name, for a chapter without a heading."""
    stem = source.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    words = stem.lstrip("0123456789-_ ").replace("-", " ").replace("_", " ").strip()
    return words[:1].upper() + words[1:] if words else stem


def table_of_contents(book: ir.Book, depth: int = 2) -> list[TocEntry]:
    """Headings down to ``depth``, each with the chapter it lives in."""
    entries = []
    for ch in book.chapters:
        if ch.blocks and not ch.title:
            entries.append(TocEntry(1, (ir.Text(file_title(ch.source or ch.id)),), ch.id, ""))
        for node in ch.blocks:
            if isinstance(node, ir.Heading) and node.level <= depth and "unlisted" not in node.attr.classes:
                entries.append(TocEntry(node.level, node.inlines, ch.id, node.attr.id, section_number(node)))
    return entries
