"""Parse stage: a loaded :class:`~pipeline.load.Manuscript` becomes an IR :class:`~pipeline.ir.Book`.

Takes: the manuscript's sources and raw metadata.
Gives: a Book with one Chapter per source file; a single-file manuscript is
split into chapters at its level-1 headings, as pandoc's EPUB writer does.
Metadata is normalised by :mod:`pipeline.metadata`; heading levels are shifted
first when it says ``shift-heading-level-by`` (:mod:`.heading_shift`).
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from .. import ir, matter
from ..bibliography import check_sources
from ..cache import Cache
from ..diagnostics import BuildError, Reporter
from ..images import ImageFacts
from ..ir import slugify
from ..load import Manuscript, Source, display_path
from ..metadata import heading_level_shift, modified_time, normalise
from ..plan import Run
from .heading_shift import shift_headings
from .lists import resolve_refs
from .markdown import ParseContext, heading_references, markdown_to_plain, parse_inline, parse_source
from .source_cache import context_key, parse_ahead, parse_cached

__all__ = ["parse_book", "parse_source", "ParseContext", "slugify"]


def parse_book(manuscript: Manuscript, reporter: Reporter | None = None, *, cache: Cache | None = None,
               images: dict[str, ImageFacts] | None = None, jobs: int = 1) -> ir.Book:
    """Parse every source and normalise the metadata into a Book.

    Every image the book uses is checked; ``images``, when given, receives
    their facts (content hash, format, size) by root-relative path, and
    ``cache`` spares decoding an image whose content was checked before, and parsing
    a source again whose text and context were parsed before (:mod:`.source_cache`); with
    ``jobs`` over 1, a long book's sources are parsed in that many worker processes.
    """
    reporter = reporter or Reporter()
    root_shown = display_path(manuscript.root)
    ctx = ParseContext(manuscript.root, reporter, "" if root_shown == "." else root_shown,
                       images if images is not None else {}, cache,
                       resource_paths=manuscript.resource_paths)
    reporter.replay(manuscript.notes)
    ctx.headings = heading_references([source.text for source in manuscript.sources])
    context = context_key(ctx)
    single = len(manuscript.sources) == 1 and manuscript.metadata_file.endswith(".md")  # split at its h1s
    ahead = parse_ahead(list(manuscript.sources), ctx, context, jobs)
    try:
        chapters, shifted_title = _chapters(manuscript, ctx, context, ahead, single)
    finally:
        if ahead is not None:
            ahead.close()
    if ctx.errors:
        raise BuildError(ctx.errors[0], tuple(ctx.errors[1:]))
    if ctx.examples.labels or ctx.examples.next > 1:
        chapters = _number_example_refs(chapters, ctx, reporter)
    if not any(c.blocks for c in chapters):
        reporter.warn("M104", "the manuscript has no text; the book will be empty",
                      "write some Markdown after the metadata", manuscript.metadata_file)
    if not chapters:
        source = manuscript.sources[0].path if manuscript.sources else ""
        chapters = [ir.Chapter("text", source, (), matter.kind_of("", ir.NO_ATTR))]
    chapters, moved = matter.place(chapters)
    reporter.replay(moved)
    first_title = next((ir.plain_text(c.title) for c in chapters if c.title), "")
    raw = manuscript.metadata
    if shifted_title:  # pandoc: with a shift of -N, a level-N heading opening the book is its title
        raw = {**raw, "title": ir.plain_text(shifted_title)}
    meta = normalise(raw, manuscript.metadata_file, reporter,
                     fallback_title=first_title if single else "", slug=manuscript.slug)
    meta = dataclasses.replace(meta, **{k: markdown_to_plain(getattr(meta, k))
                                        for k in ("title", "subtitle", "description", "rights", "toc_title",
                                                  "reference_section_title")})
    files = [manuscript.root / s.path for s in manuscript.sources]
    files.append(manuscript.root / Path(manuscript.metadata_file).name)
    meta = dataclasses.replace(meta, modified=modified_time(manuscript.root, files))
    check_sources(meta, manuscript.root, manuscript.metadata_file)
    return ir.Book(meta, tuple(chapters), str(manuscript.root))


def _chapters(manuscript: Manuscript, ctx: ParseContext, context: str, ahead: Run | None,
              single: bool) -> tuple[list[ir.Chapter], tuple[ir.Inline, ...] | None]:
    """The manuscript's chapters, source by source, in order; and the title a heading shift made."""
    reporter = ctx.reporter
    chapters: list[ir.Chapter] = []
    used: set[str] = set()

    def add(cid: str, source: str, blocks: tuple[ir.Block, ...], declared: str = "") -> None:
        base = cid
        n = 2
        while cid in used:
            cid = f"{base}-{n}"
            n += 1
        used.add(cid)
        first = next((b for b in blocks if isinstance(b, ir.Heading) and b.level == 1), None)
        chapters.append(ir.Chapter(cid, source, blocks, matter.kind_of(declared, first.attr if first else ir.NO_ATTR)))

    shift = heading_level_shift(manuscript.metadata, manuscript.metadata_file)
    shifted_title = None
    for n, source in enumerate(manuscript.sources):
        try:
            blocks = parse_cached(source, ctx, context, ahead)
        except BuildError as exc:  # go on to the next chapter, to report every error in one run
            ctx.errors.extend(exc.diagnostics)
            continue
        blocks, title_inlines = shift_headings(blocks, shift, n == 0, reporter, ctx.shown(source))
        shifted_title = shifted_title or title_inlines
        if source.title and not (blocks and isinstance(blocks[0], ir.Heading) and blocks[0].level == 1):
            # a chapter titled in its front matter (Quarto) opens with that title as its heading
            heading = ir.Heading(1, parse_inline(source.title, ctx), line=max(source.first_line - 1, 1))
            blocks = (heading, *blocks)
        if single:
            for part in _split_at_h1(blocks):
                title = ir.Chapter("", "", part).title
                add(slugify(ir.plain_text(title), "front") if title else "front", source.path, part)
            continue
        stem = source.path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        cid = slugify(stem, "chapter")
        if stem[:1].isdigit():
            cid = "ch-" + re.sub(r"[^\w.-]", "-", stem.lower(), flags=re.ASCII)
        problem = matter.check(source.matter, ctx.shown(source))
        if problem:
            reporter.replay([problem])
        if not manuscript.split_at_h1:
            add(cid, source.path, blocks, source.matter)
            continue
        for k, part in enumerate(_split_at_h1(blocks)):  # pandoc: a level-1 heading opens a chapter
            title = ir.Chapter("", "", part).title
            add(cid if k == 0 else slugify(ir.plain_text(title), cid), source.path, part)
    return chapters, shifted_title


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
