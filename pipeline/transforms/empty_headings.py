"""Transform: a heading with no text is not a heading.

Takes: the Book the parser made.
Gives: the same Book where each heading whose text is empty (``#`` alone, or
one whose only content was dropped) is gone, and a warning (P142) for each.
A screen reader announces an empty heading as a heading with nothing in it,
and DAISY Ace reports it (``empty-heading``); pandoc keeps it as an empty
``<h1>``. One that carries an id (``# {#here}``) stays as an empty ``div``
with that id, so links to it still land.

    >>> from pipeline.diagnostics import Reporter
    >>> r = Reporter(echo=False)
    >>> book = ir.Book(ir.Meta("T", "en", "x"), (ir.Chapter("c", "c.md", (
    ...     ir.Heading(1, (), line=3), ir.Heading(2, (), ir.Attr("here"), line=5), ir.Para((ir.Text("x"),)))),))
    >>> [type(b).__name__ for b in drop_empty_headings(book, r).chapters[0].blocks]
    ['Div', 'Para']
    >>> [(d.code, d.line) for d in r.warnings]
    [('P142', 3), ('P142', 5)]
"""

from __future__ import annotations

import dataclasses
from typing import Any

from .. import ir
from ..diagnostics import Reporter


def _empty(heading: ir.Heading) -> bool:
    return not ir.plain_text(heading.inlines).strip() and not any(ir.query(heading, (ir.Image, ir.Math)))


def drop_empty_headings(book: ir.Book, reporter: Reporter) -> ir.Book:
    """Remove each heading with no text (keeping its id as an empty div), with warning P142."""
    chapters = []
    for ch in book.chapters:
        if not any(_empty(h) for h in ir.query(ch, ir.Heading)):
            chapters.append(ch)
            continue

        def fix(node: Any, source: str = ch.source) -> Any:
            if isinstance(node, ir.Heading) and _empty(node):
                reporter.warn("P142", "a heading with no text is left out (screen readers would announce an "
                              "empty heading)", "give the heading its text, or delete the line",
                              file=source, line=node.line)
                return ir.Div((), node.attr, node.line) if node.attr.id else ()
            return node

        chapters.append(ir.walk(ch, fix))
    return dataclasses.replace(book, chapters=tuple(chapters))
