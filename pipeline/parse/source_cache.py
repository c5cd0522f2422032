"""A source's parse, cached by content, so that an edit to one chapter parses that chapter alone.

Takes: a :class:`~pipeline.load.Source` and the :class:`~.markdown.ParseContext` of its book
(whose :class:`~pipeline.cache.Cache` holds the parses).
Gives: the source's IR blocks, as :func:`~.markdown.parse_source` gives them, with the
context left as that parse leaves it: the warnings reported, the example-list numbering
moved on, the facts of the images it uses gathered.

A parse's key covers all it reads besides the disk: the source's path, first line and
text; what the book gives every source (:func:`context_key`: its implicit heading
references, the root as messages show it, the resource paths); and, for a source
with an ``@`` in it, the example numbering so far (pandoc's ``(@)`` lists are
numbered through the book). What it
reads from the disk, whether an image's file is there and inside the book, is asked
again on every hit, and a different answer is a miss. An image's facts are gathered
again from their own cache (by content, :func:`pipeline.images.facts`), so a changed
image is checked again. A parse that found an error is not stored.

    >>> import tempfile, pathlib
    >>> from pipeline.cache import Cache
    >>> from pipeline.load import Source
    >>> from pipeline.parse.markdown import ParseContext
    >>> ctx = ParseContext(pathlib.Path("."), cache=Cache(pathlib.Path(tempfile.mkdtemp())))
    >>> src = Source("a.md", "# Hi\\n\\n(@) One.\\n")
    >>> first = parse_cached(src, ctx, context_key(ctx))
    >>> ctx.examples.next = 1  # the same book built again: the numbering starts afresh
    >>> parse_cached(src, ctx, context_key(ctx)) == first, ctx.examples.next
    (True, 2)
"""

from __future__ import annotations

import json

from .. import ir
from ..cache import key
from ..diagnostics import BuildError, from_dict, to_dict
from ..images import ImageFacts
from ..images import facts as image_facts
from ..load import Source
from .markdown import ParseContext, parse_source

KIND = "parse-source"


def context_key(ctx: ParseContext) -> str:
    """What every source's parse reads from the book: computed once per build."""
    return key(KIND, ctx.headings, ctx.shown_root, ctx.resource_paths)


def parse_cached(source: Source, ctx: ParseContext, context: str) -> tuple[ir.Block, ...]:
    """:func:`~.markdown.parse_source`, or its result from the cache (``context``: :func:`context_key`)."""
    ctx.probes.clear()
    ctx.used_images.clear()
    cache = ctx.cache
    if cache is None or cache.root is None:
        return parse_source(source, ctx)
    numbered = "@" in source.text  # only a source with '@' numbers or refers to examples
    examples = (ctx.examples.next, ctx.examples.labels) if numbered else None
    k = key(KIND, context, source.path, source.first_line, source.text, examples)
    stored = cache.get(KIND, k)
    blocks = _reused(stored, source, ctx, numbered) if stored is not None else None
    if blocks is not None:
        return blocks
    ctx.probes.clear()
    warned = len(ctx.reporter.warnings)
    blocks = parse_source(source, ctx)  # an error raises: nothing is stored
    head = {"warnings": [to_dict(d) for d in ctx.reporter.warnings[warned:]],
            "probes": [[kind, path, answer] for (kind, path), answer in ctx.probes.items()],
            "images": ctx.used_images, "next": ctx.examples.next, "labels": ctx.examples.labels}
    cache.put(KIND, k, json.dumps(head, ensure_ascii=False).encode() + b"\n" + ir.to_json(blocks).encode())
    return blocks


def _reused(stored: bytes, source: Source, ctx: ParseContext, numbered: bool) -> tuple[ir.Block, ...] | None:
    """The stored parse, if what it read from the disk still holds; the context updated as the parse did."""
    try:
        head_line, body = stored.split(b"\n", 1)
        head = json.loads(head_line)
        for kind, path, answer in head["probes"]:
            if (ctx.is_file(path) if kind == "file" else ctx.inside(path)) != answer:
                return None
        gathered: dict[str, ImageFacts] = {}
        for path, shown, line in head["images"]:
            if path not in ctx.images and path not in gathered:
                gathered[path] = image_facts(ctx.root / path, shown, ctx.shown(source), line, ctx.cache)
        blocks = ir.from_json(body.decode())
    except BuildError:  # an image broken since: parsed afresh, which reports it where it is used
        return None
    except (ValueError, KeyError, TypeError):  # a torn or foreign entry
        return None
    ctx.images.update(gathered)
    if numbered:
        ctx.examples.next = head["next"]
        ctx.examples.labels = dict(head["labels"])
    ctx.reporter.replay([from_dict(d) for d in head["warnings"]])
    return blocks
