"""Transform: give every block a stable, book-unique id.

Takes: a parsed :class:`~pipeline.ir.Book`.
Gives: the same Book where every block has ``attr.id``:

- an explicit ``{#id}`` is kept (a duplicate gets ``-2``, ``-3``… and a warning);
- a heading without one gets pandoc's automatic identifier (``# The Long Take`` → ``the-long-take``);
- a figure gets ``fig-<image name>``;
- any other block gets ``<chapter id>-<n>``, counting the chapter's blocks in a fixed
  (innermost-first) order.

Ids depend only on the chapter's own content, so each chapter can be rendered
alone, and the print edition's page numbers can later be mapped onto them.
"""

from __future__ import annotations

import dataclasses
import posixpath
from typing import Any

from .. import ir
from ..diagnostics import Reporter
from ..parse import slugify


def assign_ids(book: ir.Book, reporter: Reporter) -> ir.Book:
    """Give every block an id, unique across the book."""
    kinds = (*ir.BLOCK_TYPES, *ir.INLINE_TYPES)
    # explicit ids are reserved first, so automatic ones never take them
    reserved = {n.attr.id for ch in book.chapters for n in ir.query(ch, kinds) if n.attr.id}
    taken: set[str] = reserved | {c.id for c in book.chapters}
    seen: set[str] = {c.id for c in book.chapters}  # explicit ids met so far
    chapters = []
    for ch in book.chapters:
        counter = [0]

        def fix(node: Any, ch: ir.Chapter = ch, counter: list[int] = counter) -> Any:
            if not isinstance(node, kinds):
                return node
            attr = node.attr
            if attr.id:
                if attr.id not in seen:
                    seen.add(attr.id)
                    return node
                new = _unique(attr.id, taken)
                reporter.warn("L103", f"id '{attr.id}' is used twice; this one becomes '{new}'",
                              "give each heading or anchor its own {#id}", ch.source,
                              getattr(node, "line", 0))
            elif not isinstance(node, ir.BLOCK_TYPES):
                return node
            elif isinstance(node, ir.Heading):
                new = _unique(slugify(ir.plain_text(node.inlines)), taken)
            elif isinstance(node, ir.Figure):
                stem = posixpath.splitext(posixpath.basename(node.image.src))[0]
                new = _unique("fig-" + slugify(stem, "image"), taken)
            else:
                counter[0] += 1
                new = _unique(f"{ch.id}-{counter[0]}", taken)
            taken.add(new)
            return dataclasses.replace(node, attr=dataclasses.replace(attr, id=new))

        chapters.append(ir.walk(ch, fix))
    return dataclasses.replace(book, chapters=tuple(chapters))


def _unique(base: str, taken: set[str]) -> str:
    if base not in taken:
        return base
    n = 1
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"
