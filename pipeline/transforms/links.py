"""Transform: check and resolve links inside the book.

Takes: a Book with ids assigned.
Gives: the same Book where every internal link is ``#id`` of an element that
exists. A link to another chapter's file (``02-x.md``, ``02-x.md#id``) becomes
``#<chapter id>`` or ``#id``. A link to a missing id gets a warning and
becomes plain text, since a dangling link makes an invalid EPUB.
Also gives :func:`id_index`, the chapter that holds each id.
"""

from __future__ import annotations

import dataclasses
import posixpath
from typing import Any
from urllib.parse import unquote

from .. import ir
from ..diagnostics import Reporter


def id_index(book: ir.Book) -> dict[str, str]:
    """Map every id in the book to the id of the chapter that holds it."""
    index: dict[str, str] = {}
    kinds = (*ir.BLOCK_TYPES, *ir.INLINE_TYPES)
    for ch in book.chapters:
        index[ch.id] = ch.id
        for node in ir.query(ch, kinds):
            if node.attr.id:
                index.setdefault(node.attr.id, ch.id)
    return index


def resolve_links(book: ir.Book, reporter: Reporter) -> ir.Book:
    """Point internal links at real ids; unwrap the ones that point nowhere."""
    index = id_index(book)
    by_source = {c.source: c.id for c in book.chapters}
    chapters = []
    for ch in book.chapters:
        base = posixpath.dirname(ch.source)

        def fix(node: Any, ch: ir.Chapter = ch, base: str = base) -> Any:
            if not isinstance(node, ir.Link) or "://" in node.target or node.target.startswith("mailto:"):
                return node
            path, _, frag = unquote(node.target).partition("#")
            if path:
                target_ch = by_source.get(posixpath.normpath(posixpath.join(base, path)))
                if target_ch is None:
                    return _unlink(node, ch, reporter, f"file '{path}' is not a chapter of this book")
                frag = frag or target_ch
            if frag in index:
                return node if node.target == "#" + frag else dataclasses.replace(node, target="#" + frag)
            return _unlink(node, ch, reporter, f"no element has the id '{frag}'")

        chapters.append(ir.walk(ch, fix))
    return dataclasses.replace(book, chapters=tuple(chapters))


def _unlink(node: ir.Link, ch: ir.Chapter, reporter: Reporter, why: str) -> Any:
    reporter.warn("L101", f"link '{node.target}' in chapter '{ch.id}' leads nowhere: {why}; kept as text",
                  "add {#id} to the target heading or []{#id} before the target text", ch.source)
    return ir.Span(node.inlines, node.attr) if node.attr != ir.NO_ATTR else node.inlines
