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
image is checked again. A parse that found an error is not stored. A process also
keeps the parses it made or decoded, by key (:data:`KEPT` of them), so that its next
build (``watch``) decodes no unchanged source again; the disk is asked all the same.

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

import dataclasses
import json

from .. import ir
from ..cache import key
from ..diagnostics import BuildError, Reporter, from_dict, to_dict
from ..images import ImageFacts
from ..images import facts as image_facts
from ..load import Source
from ..plan import SHARED, Run, Unit
from .markdown import ParseContext, parse_source

KIND = "parse-source"


def context_key(ctx: ParseContext) -> str:
    """What every source's parse reads from the book: computed once per build."""
    return key(KIND, ctx.headings, ctx.shown_root, ctx.resource_paths)


def _key(source: Source, ctx: ParseContext, context: str) -> str:
    numbered = "@" in source.text  # only a source with '@' numbers or refers to examples
    examples = (ctx.examples.next, ctx.examples.labels) if numbered else None
    return key(KIND, context, source.path, source.first_line, source.text, examples)


def _entry(source: Source, ctx: ParseContext) -> tuple[tuple[ir.Block, ...], bytes]:
    """Parse ``source`` afresh: its blocks, and the cache entry that gives them back."""
    ctx.probes.clear()
    ctx.used_images.clear()
    warned = len(ctx.reporter.warnings)
    blocks = parse_source(source, ctx)  # an error raises: nothing is stored
    head = {"warnings": [to_dict(d) for d in ctx.reporter.warnings[warned:]],
            "probes": [[kind, path, answer] for (kind, path), answer in ctx.probes.items()],
            "images": ctx.used_images, "next": ctx.examples.next, "labels": ctx.examples.labels}
    return blocks, json.dumps(head, ensure_ascii=False).encode() + b"\n" + ir.to_json(blocks).encode()


def parse_cached(source: Source, ctx: ParseContext, context: str, ahead: Run | None = None) -> tuple[ir.Block, ...]:
    """:func:`~.markdown.parse_source`, or its result from the cache (``context``: :func:`context_key`;
    ``ahead``: the sources :func:`parse_ahead` gave to worker processes, waited for here)."""
    ctx.probes.clear()
    ctx.used_images.clear()
    cache = ctx.cache
    if cache is None or cache.root is None:
        return parse_source(source, ctx)
    k = _key(source, ctx, context)
    numbered = "@" in source.text
    kept = _KEPT.get(k)
    if kept is not None and _still_holds(kept[0], source, ctx, numbered):
        return kept[1]
    stored = _from_worker(ahead, source.path) or cache.get(KIND, k)
    decoded = _decoded(stored) if stored else None
    if decoded is not None and _still_holds(decoded[0], source, ctx, numbered):
        _keep(k, decoded)
        return decoded[1]
    blocks, entry = _entry(source, ctx)
    cache.put(KIND, k, entry)
    _keep(k, (json.loads(entry.split(b"\n", 1)[0]), blocks))
    return blocks


KEPT = 4096  # parses kept decoded in this process, by key: a watch save decodes no unchanged source again
_KEPT: dict[str, tuple[dict, tuple[ir.Block, ...]]] = {}


def _keep(k: str, decoded: tuple[dict, tuple[ir.Block, ...]]) -> None:
    _KEPT.pop(k, None)
    _KEPT[k] = decoded
    if len(_KEPT) > KEPT:
        del _KEPT[next(iter(_KEPT))]


def _from_worker(ahead: Run | None, path: str) -> bytes | None:
    if ahead is None or not ahead.has(path):
        return None
    try:
        return ahead.get(path)
    except Exception:  # noqa: BLE001 - a source that fails to parse is parsed here, which reports it in order
        return None


AHEAD_FROM = 300_000  # characters of Markdown from which a book's sources are parsed ahead, in parallel


def parse_ahead(sources: list[Source], ctx: ParseContext, context: str, jobs: int) -> Run | None:
    """Start parsing the last part of a long book in ``jobs - 1`` worker processes (:mod:`pipeline.plan`),
    while this process parses its first part; :func:`parse_cached` takes the workers' entries
    in order, so the book's warnings come in the order of its sources. The workers take the
    sources the cache does not hold, from the end of the book, until they have about
    ``(jobs - 1) / jobs`` of its text; sources with an ``@`` are left to this process (the
    example numbering runs through the book in order). None when the book is short or there
    is one job. The caller closes the :class:`~pipeline.plan.Run`."""
    cache = ctx.cache
    total = sum(len(s.text) for s in sources)
    if cache is None or cache.root is None or jobs < 2 or total < AHEAD_FROM:
        return None
    share = total * (jobs - 1) / jobs
    units: list[Unit] = []
    for n in range(len(sources) - 1, -1, -1):
        source = sources[n]
        if share <= 0:
            break
        share -= len(source.text)
        k = _key(source, ctx, context)
        if "@" not in source.text and not cache.has(KIND, k):
            units.append(Unit(KIND, source.path, k, _parse_unit, (n,), cost=len(source.text)))
    if not units:
        return None
    SHARED["parse"] = (sources, ctx)
    try:
        return Run(cache, jobs).add(units, background=True, workers=jobs - 1)  # the workers fork here
    finally:
        SHARED.pop("parse", None)


def _parse_unit(n: int) -> bytes:
    sources, ctx = SHARED["parse"]
    own = dataclasses.replace(ctx, reporter=Reporter(echo=False), images={}, probes={}, used_images=[], errors=[])
    return _entry(sources[n], own)[1]


def _decoded(stored: bytes) -> tuple[dict, tuple[ir.Block, ...]] | None:
    """A cache entry's header and blocks; None for a torn or foreign entry."""
    try:
        head_line, body = stored.split(b"\n", 1)
        return json.loads(head_line), ir.from_json(body.decode())
    except (ValueError, KeyError, TypeError):
        return None


def _still_holds(head: dict, source: Source, ctx: ParseContext, numbered: bool) -> bool:
    """Whether a stored parse (its header) still holds, for what it read from the disk; if so, the
    context is updated as the parse did (images, example numbering, warnings)."""
    try:
        for kind, path, answer in head["probes"]:
            if (ctx.is_file(path) if kind == "file" else ctx.inside(path)) != answer:
                return False
        gathered: dict[str, ImageFacts] = {}
        for path, shown, line in head["images"]:
            if path not in ctx.images and path not in gathered:
                gathered[path] = image_facts(ctx.root / path, shown, ctx.shown(source), line, ctx.cache)
    except BuildError:  # an image broken since: parsed afresh, which reports it where it is used
        return False
    except (ValueError, KeyError, TypeError):  # a torn or foreign entry
        return False
    ctx.images.update(gathered)
    if numbered:
        ctx.examples.next = head["next"]
        ctx.examples.labels = dict(head["labels"])
    ctx.reporter.replay([from_dict(d) for d in head["warnings"]])
    return True
