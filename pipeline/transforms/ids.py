"""Transform: give every block a stable id, unique in its chapter.

Takes: a parsed :class:`~pipeline.ir.Book`.
Gives: the same Book where every block has ``attr.id``:

- an explicit ``{#id}`` is kept (a second use in the same chapter gets ``-1``,
  ``-2``… and a warning);
- a heading without one gets pandoc's automatic identifier (``# The Long Take`` → ``the-long-take``);
- a figure gets ``fig-<image name>``;
- any other block gets ``<chapter id>-<n>``, counting the chapter's blocks in a fixed
  (innermost-first) order;
- ids inside raw HTML count as explicit ids: a second one is renamed the same way
  (:mod:`.raw_ids`).

Ids are unique per chapter and depend only on the chapter's own content and
id: a second ``## Intro`` in another chapter is ``intro`` there too. A link
names the chapter when it leaves its own (see :mod:`.links`), and the print
edition qualifies ids with the chapter (``ch-02/intro``) where the book is one
PDF. So each chapter can be rendered, cached and laid out alone.
"""

from __future__ import annotations

import dataclasses
import posixpath
from typing import Any

from .. import ir
from ..diagnostics import Reporter
from .raw_ids import raw_ids, rename_ids

KINDS = (*ir.BLOCK_TYPES, *ir.INLINE_TYPES)


def assign_ids(book: ir.Book, reporter: Reporter) -> ir.Book:
    """Give every block an id, unique in its chapter."""
    return dataclasses.replace(book, chapters=tuple(chapter_ids(ch, reporter) for ch in book.chapters))


def chapter_ids(ch: ir.Chapter, reporter: Reporter) -> ir.Chapter:
    """One chapter's ids; nothing outside the chapter is read."""
    # explicit ids are reserved first, so automatic ones never take them
    taken: set[str] = {n.attr.id for n in ir.query(ch, KINDS) if n.attr.id} | {ch.id}
    taken |= {i for raw in ir.query(ch, ir.RawBlock) for i in raw_ids(raw.html)}
    seen: set[str] = {ch.id}  # explicit ids met so far
    counter = [0]

    def fix(node: Any) -> Any:
        if not isinstance(node, KINDS):
            return node
        if isinstance(node, ir.RawBlock):
            node = _raw_block_ids(node, ch, seen, taken, reporter)
        attr = node.attr
        if attr.id:
            if attr.id not in seen:
                seen.add(attr.id)
                return node
            new = _unique(attr.id, taken)
            reporter.warn("L103", f"id '{attr.id}' is used twice in this chapter; this one becomes '{new}'",
                          "give each heading or anchor its own {#id}", ch.source, getattr(node, "line", 0))
        elif not isinstance(node, ir.BLOCK_TYPES):
            return node
        elif isinstance(node, ir.Heading):
            new = _unique(ir.slugify(ir.plain_text(node.inlines)), taken)
        elif isinstance(node, ir.Figure):
            stem = posixpath.splitext(posixpath.basename(node.image.src))[0]
            new = _unique("fig-" + ir.slugify(stem, "image"), taken)
        else:
            counter[0] += 1
            new = _unique(f"{ch.id}-{counter[0]}", taken)
        taken.add(new)
        return dataclasses.replace(node, attr=dataclasses.replace(attr, id=new))

    return ir.walk(ch, fix)


def _raw_block_ids(node: ir.RawBlock, ch: ir.Chapter, seen: set[str], taken: set[str],
                   reporter: Reporter) -> ir.RawBlock:
    """A raw block whose ids are unique with the ones met before it (the first keeps its id)."""
    def rename(ident: str, n: int) -> str:
        if ident not in seen:
            seen.add(ident)
            return ident
        new = _unique(ident, taken)
        taken.add(new)
        reporter.warn("L103", f"id '{ident}' inside raw HTML is used twice in this chapter; "
                      f"this one becomes '{new}'", "give each element its own id", ch.source, node.line)
        return new

    html = rename_ids(node.html, rename)
    return node if html == node.html else dataclasses.replace(node, html=html)


def _unique(base: str, taken: set[str]) -> str:
    if base not in taken:
        return base
    n = 1
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"
