"""Transform: section numbers, as pandoc's ``-N``/``--number-sections`` gives them.

Takes: a Book; it acts only when the metadata says ``number-sections: true``.
Gives: the same Book where each numbered heading carries its number in its
attributes, ``number`` → ``'1.2'`` (pandoc's ``number`` attribute, which its
HTML writer shows as ``data-number`` and a ``header-section-number`` span).
Renderers read :func:`section_number`; none of them counts headings itself.

The numbers run through the whole book as pandoc numbers the chapter files it
joins: the top level (the smallest heading level in the book, normally the
chapters' level-1 headings) is 1, 2, 3…, the next 1.1, 1.2… A level skipped
counts as 0 (``1.0.1``), a heading before the first top-level one gets
``0.1``, and a heading with ``{-}`` or ``.unnumbered`` gets no number and
leaves the count as it was, as do front and back matter (a dedication, a
colophon: :mod:`pipeline.matter`). Headings at a chapter's top level and inside
fenced divs are numbered; headings inside quotes, lists, notes or callouts
are not (pandoc's sections).

    >>> from pipeline import ir
    >>> from pipeline.diagnostics import Reporter
    >>> h = lambda level, text, *classes: ir.Heading(level, (ir.Text(text),), ir.Attr(classes=classes))
    >>> book = ir.Book(ir.Meta("T", "en", "u", number_sections=True), (
    ...     ir.Chapter("a", "a.md", (h(1, "A"), h(2, "B"), h(2, "Aside", "unnumbered"), h(3, "C"))),
    ...     ir.Chapter("b", "b.md", (h(1, "D"), h(3, "E")))))
    >>> [section_number(x) for ch in number_sections(book, Reporter(echo=False)).chapters for x in ch.blocks]
    ['1', '1.1', '', '1.1.1', '2', '2.0.1']
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from .. import ir
from ..diagnostics import Reporter

UNNUMBERED = "unnumbered"


def section_number(heading: ir.Heading) -> str:
    """The number the transform gave ``heading``, or ``''``."""
    return heading.attr.get("number") or ""


def numbered_label(heading: ir.Heading) -> str:
    """The heading's plain text with its number in front (``'1.2 Sound'``), as the
    contents, the nav and the running heads show it."""
    label = ir.plain_text(heading.inlines).strip()
    number = section_number(heading)
    return f"{number} {label}" if number and label else number or label


def _sections(blocks: tuple[ir.Block, ...]) -> Iterator[ir.Heading]:
    """The headings that are sections, in reading order: top level and inside plain divs."""
    for b in blocks:
        if isinstance(b, ir.Heading):
            yield b
        elif isinstance(b, ir.Div) and "callout" not in b.attr.classes:
            yield from _sections(b.blocks)


def _numbers(book: ir.Book) -> dict[int, str]:
    """id() of each numbered heading → its number."""
    headings = [h for ch in book.chapters if not ch.matter for h in _sections(ch.blocks)]  # matter: none
    if not headings:
        return {}
    top = min(h.level for h in headings)
    last: list[int] = []
    out: dict[int, str] = {}
    for h in headings:
        if UNNUMBERED in h.attr.classes:
            continue
        level = h.level - top + 1
        kept = last[:level]
        if len(kept) >= level:
            last = kept[:-1] + [kept[-1] + 1]
        else:
            last = last + [0] * (level - len(last) - 1) + [1]
        out[id(h)] = ".".join(map(str, last))
    return out


def _numbered(blocks: tuple[ir.Block, ...], numbers: dict[int, str]) -> tuple[ir.Block, ...]:
    out: list[ir.Block] = []
    for b in blocks:
        if isinstance(b, ir.Heading) and id(b) in numbers:
            kv = tuple((k, v) for k, v in b.attr.kv if k != "number") + (("number", numbers[id(b)]),)
            b = dataclasses.replace(b, attr=dataclasses.replace(b.attr, kv=kv))
        elif isinstance(b, ir.Div) and "callout" not in b.attr.classes:
            b = dataclasses.replace(b, blocks=_numbered(b.blocks, numbers))
        out.append(b)
    return tuple(out)


def number_sections(book: ir.Book, reporter: Reporter) -> ir.Book:
    """Number the book's sections when its metadata asks for it (``number-sections: true``)."""
    if not book.meta.number_sections:
        return book
    numbers = _numbers(book)
    chapters = tuple(dataclasses.replace(ch, blocks=_numbered(ch.blocks, numbers)) for ch in book.chapters)
    return dataclasses.replace(book, chapters=chapters)
