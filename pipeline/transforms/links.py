"""Transform: check and resolve links inside the book.

Takes: a Book with ids assigned.
Gives: the same Book where every internal link names an element that exists:
``#id`` when the id is in the link's own chapter, ``<chapter id>#id`` when it
is in another (the first chapter, in reading order, that has it). A link to
another chapter's file (``02-x.md``, ``02-x.md#id``) becomes
``<chapter id>#<chapter id>`` or ``<chapter id>#id``. A link to a missing id
gets a warning and becomes plain text, since a dangling link makes an
invalid EPUB. Links inside raw HTML (``<a href="#id">``) are resolved the
same way. :func:`chapter_ids` lists the ids each chapter holds.
"""

from __future__ import annotations

import dataclasses
import posixpath
from typing import Any
from urllib.parse import unquote

from .. import ir
from ..diagnostics import Reporter
from .raw_ids import map_links, raw_ids

KINDS = (*ir.BLOCK_TYPES, *ir.INLINE_TYPES)


def chapter_ids(ch: ir.Chapter) -> frozenset[str]:
    """Every id in a chapter, its own id and those inside raw HTML included."""
    return frozenset({ch.id, *(n.attr.id for n in ir.query(ch, KINDS) if n.attr.id),
                      *(i for raw in ir.query(ch, ir.RawBlock) for i in raw_ids(raw.html))})


def resolve_links(book: ir.Book, reporter: Reporter) -> ir.Book:
    """Point internal links at real ids; unwrap the ones that point nowhere."""
    ids = {ch.id: chapter_ids(ch) for ch in book.chapters}
    first_holder: dict[str, str] = {}
    for ch in book.chapters:
        for i in ids[ch.id]:
            first_holder.setdefault(i, ch.id)
    by_source = {c.source: c.id for c in book.chapters}
    chapters = []
    for ch in book.chapters:
        base = posixpath.dirname(ch.source)

        def fix(node: Any, ch: ir.Chapter = ch, base: str = base) -> Any:
            if isinstance(node, ir.RawBlock):
                return _raw_links(node, ch, ids[ch.id], first_holder, reporter)
            if not isinstance(node, ir.Link) or "://" in node.target or node.target.startswith("mailto:"):
                return node
            path, _, frag = unquote(node.target).partition("#")
            if path:
                holder = _chapter_file(by_source, base, path)
                if holder is None:
                    return _unlink(node, ch, reporter, f"file '{path}' is not a chapter of this book")
                frag = frag or holder
                if frag not in ids[holder]:
                    return _unlink(node, ch, reporter, f"no element in '{path}' has the id '{frag}'")
            elif frag in ids[ch.id]:
                holder = ch.id
            elif frag in first_holder:
                holder = first_holder[frag]
            else:
                return _unlink(node, ch, reporter, f"no element has the id '{frag}'")
            target = f"#{frag}" if holder == ch.id else f"{holder}#{frag}"
            return node if node.target == target else dataclasses.replace(node, target=target)

        chapters.append(ir.walk(ch, fix))
    return dataclasses.replace(book, chapters=tuple(chapters))


def _chapter_file(by_source: dict[str, str], base: str, path: str) -> str | None:
    """The chapter a link's file path names: relative to the linking file, or to the book's
    root when it starts with '/' (Quarto); ``x.html`` also finds ``x.qmd`` or ``x.md``."""
    full = posixpath.normpath(path.lstrip("/") if path.startswith("/") else posixpath.join(base, path))
    stem, ext = posixpath.splitext(full)
    for candidate in (full, *((stem + ".qmd", stem + ".md") if ext in (".html", ".qmd", ".md") else ())):
        if candidate in by_source:
            return by_source[candidate]
    return None


def _raw_links(node: ir.RawBlock, ch: ir.Chapter, here: frozenset[str], first_holder: dict[str, str],
               reporter: Reporter) -> ir.RawBlock:
    """A raw block's ``<a href="#id">`` resolved as a Markdown link is; one to no id loses its href."""
    def fix(target: str) -> str | None:
        frag = unquote(target.partition("#")[2])
        if frag in here:
            return target
        if frag in first_holder:
            return f"{first_holder[frag]}#{frag}"
        reporter.warn("L101", f"link '{target}' in raw HTML in chapter '{ch.id}' leads nowhere: no element has "
                      f"the id '{frag}'; kept as text", "add id=\"…\" to the target element", ch.source, node.line)
        return None

    html = map_links(node.html, fix)
    return node if html == node.html else dataclasses.replace(node, html=html)


def _unlink(node: ir.Link, ch: ir.Chapter, reporter: Reporter, why: str) -> Any:
    reporter.warn("L101", f"link '{node.target}' in chapter '{ch.id}' leads nowhere: {why}; kept as text",
                  "add {#id} to the target heading or []{#id} before the target text", ch.source)
    return ir.Span(node.inlines, node.attr) if node.attr != ir.NO_ATTR else node.inlines
