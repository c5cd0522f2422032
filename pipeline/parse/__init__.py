"""Parse stage: a loaded :class:`~pipeline.load.Manuscript` becomes an IR :class:`~pipeline.ir.Book`.

Takes: the manuscript's sources and raw metadata.
Gives: a Book with one Chapter per source file; a single-file manuscript is
split into chapters at its level-1 headings, as pandoc's EPUB writer does.
Metadata is normalised by :mod:`pipeline.metadata`.
"""

from __future__ import annotations

import dataclasses
import re

from .. import ir
from ..cache import Cache
from ..diagnostics import Reporter
from ..images import ImageFacts
from ..ir import slugify
from ..load import Manuscript, Source, display_path
from ..metadata import normalise
from .lists import resolve_refs
from .markdown import ParseContext, heading_references, markdown_to_plain, parse_inline, parse_source

__all__ = ["parse_book", "parse_source", "ParseContext", "slugify"]


def parse_book(manuscript: Manuscript, reporter: Reporter | None = None, *, cache: Cache | None = None,
               images: dict[str, ImageFacts] | None = None) -> ir.Book:
    """Parse every source and normalise the metadata into a Book.

    Every image the book uses is checked; ``images``, when given, receives
    their facts (content hash, format, size) by root-relative path, and
    ``cache`` spares decoding an image whose content was checked before.
    """
    reporter = reporter or Reporter()
    root_shown = display_path(manuscript.root)
    ctx = ParseContext(manuscript.root, reporter, "" if root_shown == "." else root_shown,
                       images if images is not None else {}, cache)
    chapters: list[ir.Chapter] = []
    used: set[str] = set()

    def add(cid: str, source: str, blocks: tuple[ir.Block, ...]) -> None:
        base = cid
        n = 2
        while cid in used:
            cid = f"{base}-{n}"
            n += 1
        used.add(cid)
        chapters.append(ir.Chapter(cid, source, blocks))

    reporter.replay(manuscript.notes)
    ctx.headings = heading_references([source.text for source in manuscript.sources])
    single = len(manuscript.sources) == 1 and manuscript.metadata_file.endswith(".md")
    for source in manuscript.sources:
        blocks = parse_source(source, ctx)
        if source.title and not (blocks and isinstance(blocks[0], ir.Heading) and blocks[0].level == 1):
            # a chapter titled in its front matter (Quarto) opens with that title as its heading
            heading = ir.Heading(1, parse_inline(source.title, ctx), line=max(source.first_line - 1, 1))
            blocks = (heading, *blocks)
        if single:
            for part in _split_at_h1(blocks):
                title = ir.Chapter("", "", part).title
                add(slugify(ir.plain_text(title), "front") if title else "front", source.path, part)
        else:
            stem = source.path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
            cid = slugify(stem, "chapter")
            if stem[:1].isdigit():
                cid = "ch-" + re.sub(r"[^\w.-]", "-", stem.lower(), flags=re.ASCII)
            add(cid, source.path, blocks)
    if ctx.examples.labels or ctx.examples.next > 1:
        chapters = _number_example_refs(chapters, ctx, reporter)
    if not any(c.blocks for c in chapters):
        reporter.warn("M104", "the manuscript has no text; the book will be empty",
                      "write some Markdown after the metadata", manuscript.metadata_file)
    if not chapters:
        add("text", manuscript.sources[0].path if manuscript.sources else "", ())
    first_title = next((ir.plain_text(c.title) for c in chapters if c.title), "")
    meta = normalise(manuscript.metadata, manuscript.metadata_file, reporter,
                     fallback_title=first_title if single else "", slug=manuscript.slug)
    meta = dataclasses.replace(meta, **{k: markdown_to_plain(getattr(meta, k))
                                        for k in ("title", "subtitle", "description", "rights", "toc_title")})
    return ir.Book(meta, tuple(chapters), str(manuscript.root))


def _number_example_refs(chapters: list[ir.Chapter], ctx: ParseContext, reporter: Reporter) -> list[ir.Chapter]:
    """Pandoc's ``(@label)`` references, in any chapter, become their example's number."""
    out = []
    for ch in chapters:
        unknown: list[tuple[str, int]] = []
        out.append(dataclasses.replace(ch, blocks=resolve_refs(ch.blocks, ctx.examples.labels, unknown)))
        for label, line in unknown:
            reporter.warn("P131", f"'(@{label})' names no example; kept as text",
                          "label an example list item '(@" + label + ")', or check the spelling",
                          ctx.shown(Source(ch.source, "")), line)
    return out


def _split_at_h1(blocks: tuple[ir.Block, ...]) -> list[tuple[ir.Block, ...]]:
    parts: list[list[ir.Block]] = [[]]
    for b in blocks:
        if isinstance(b, ir.Heading) and b.level == 1 and parts[-1]:
            parts.append([])
        parts[-1].append(b)
    return [tuple(p) for p in parts if p]
