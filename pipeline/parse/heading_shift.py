"""Heading levels shifted, as pandoc's ``--shift-heading-level-by=N`` (metadata ``shift-heading-level-by``).

Takes: one chapter's parsed IR blocks, the shift, and whether they open the book.
Gives: the blocks with every heading's level moved by N (inside quotes, lists
and divs too), and the title the shift took from them, if any.

As in pandoc: a heading that would rise above level 1 becomes a paragraph
(warning P141), except that with a shift of -N a level-N heading that opens
the book replaces the metadata title. A heading pushed below level 6 stays at
level 6. This runs before a single-file manuscript is split into chapters,
so with ``shift-heading-level-by: -1`` its level-2 headings open the chapters.

    >>> from pipeline import ir
    >>> from pipeline.diagnostics import Reporter
    >>> h = lambda level, text: ir.Heading(level, (ir.Text(text),))
    >>> quiet = Reporter(echo=False)
    >>> blocks, title = shift_headings((h(1, "Book"), h(2, "One"), h(1, "Part")), -1, True, quiet, "a.md")
    >>> ir.plain_text(title), [(type(b).__name__, getattr(b, "level", 0)) for b in blocks]
    ('Book', [('Heading', 1), ('Para', 0)])
"""

from __future__ import annotations

import dataclasses
from typing import Any

from .. import ir
from ..diagnostics import Reporter


def shift_headings(blocks: tuple[ir.Block, ...], by: int, opens_book: bool, reporter: Reporter,
                   file: str) -> tuple[tuple[ir.Block, ...], tuple[ir.Inline, ...] | None]:
    """``blocks`` with heading levels moved by ``by``; and the title taken from the first, or None."""
    if not by:
        return blocks, None
    title = None
    first = blocks[0] if blocks else None
    if opens_book and by < 0 and isinstance(first, ir.Heading) and first.level == -by:
        title, blocks = first.inlines, blocks[1:]

    def shift(node: Any) -> Any:
        if not isinstance(node, ir.Heading):
            return node
        level = node.level + by
        if level < 1:
            reporter.warn("P141", f"heading '{ir.plain_text(node.inlines)[:60]}' would be level {level} with "
                          f"shift-heading-level-by: {by}; it becomes a paragraph",
                          "as in pandoc, only a heading that opens the book becomes its title; "
                          "change the shift or the heading's level", file, node.line)
            return ir.Para(node.inlines, line=node.line)
        return dataclasses.replace(node, level=min(level, 6))

    return tuple(ir.walk(ir.Div(blocks), shift).blocks), title
