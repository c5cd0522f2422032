"""Every change this project makes to WeasyPrint's (and pydyf's) behaviour, in one place.

Takes: nothing; each patch is a context manager that changes a WeasyPrint
internal while a document is laid out or written, and puts it back after.
Gives: the patches, and :func:`check_version`, which refuses a WeasyPrint
other than the one they were written for (:data:`WRITTEN_FOR`, pinned in
``pyproject.toml``): they reach into internals that any release may change.

- :func:`fonts_named_not_subset`: a print piece names each shipped font
  instead of embedding a subset; assembly subsets once for the whole book.
- :func:`hyphen_ladders_limited`: at most :data:`MAX_HYPHENATED_LINES`
  hyphenated lines in a row (CSS ``hyphenate-limit-lines``, which WeasyPrint
  does not implement), counted across a page turn within a paragraph.
- :func:`notes_kept_with_their_calls`: a page that must break early for
  widows and orphans does, instead of pushing its last footnote on.
- :func:`compress_level_6`: pydyf compresses at zlib level 6, not 9.
- :func:`black_drawn_as_k`: exactly-black colour written as CMYK black.
- Text is drawn from the glyphs shaped when it was laid out, read in bulk:
  :func:`pipeline.render.weasyprint_glyphs.lines_kept` and
  :func:`~pipeline.render.weasyprint_glyphs.glyphs_read_in_bulk` (a module of their own).
- Computed styles are shared between the chapters a process lays out:
  :func:`pipeline.render.weasyprint_styles.styles_shared` (a module of its own).
- The tagged PDF's structure tree is adjusted by
  :func:`pipeline.render.pdf_tags.adjusted` (it belongs with that module's rules).

    >>> WRITTEN_FOR
    '70.0'
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import weasyprint
from weasyprint.formatting_structure.boxes import ParentBox, TextBox

from ..diagnostics import error
from .html import STYLES
from .pdf_x import CMYK_LINE

WRITTEN_FOR = "70.0"


def check_version(installed: str = weasyprint.__version__) -> None:
    """Raise R004 unless ``installed`` is the WeasyPrint these patches were written for."""
    if installed != WRITTEN_FOR:
        raise error("R004", f"WeasyPrint {installed} is installed; the print layout is made for WeasyPrint "
                    f"{WRITTEN_FOR}", f"install the pinned version: pip install weasyprint=={WRITTEN_FOR} "
                    "(make does it in .venv)")


@functools.cache
def shipped_by_size() -> dict[int, list[Path]]:
    """The shipped font files, by their size in bytes."""
    found: dict[int, list[Path]] = {}
    for path in sorted((STYLES / "fonts").glob("*.[ot]tf")):
        found.setdefault(path.stat().st_size, []).append(path)
    return found


@functools.cache
def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def shipped_name(content: bytes) -> str | None:
    """The file name of the shipped font whose bytes are ``content`` (None: not a shipped font).
    Only a file of the same size is read and hashed (the CJK face alone is 24 MB)."""
    candidates = shipped_by_size().get(len(content), [])
    if not candidates:
        return None
    digest = hashlib.sha256(content).hexdigest()
    return next((path.name for path in candidates if _digest(path) == digest), None)


SHIPPED_FONT = b"pipeline-shipped-font:"  # a piece's stand-in for a shipped font, replaced at assembly


@contextlib.contextmanager
def fonts_named_not_subset() -> Iterator[None]:
    """While a piece is written, embed each shipped font as a name only.

    Assembly subsets every font once for the whole book
    (:mod:`pipeline.render.pdf_fonts`), so subsetting it in every piece
    would be work thrown away; the piece keeps the glyphs' widths and
    Unicode map, and names the shipped file. A font that is not shipped
    (a system fallback) is subset as usual.
    """
    from weasyprint.pdf.fonts import Font

    original = Font.subset

    def name_only(font: Font, to_unicode: dict, hinting: bool) -> None:
        shipped = shipped_name(font.file_content)
        if shipped is None:
            original(font, to_unicode, hinting)
        else:
            font.file_content = SHIPPED_FONT + shipped.encode()

    Font.subset = name_only  # type: ignore[method-assign]
    try:
        yield
    finally:
        Font.subset = original  # type: ignore[method-assign]


MAX_HYPHENATED_LINES = 2  # at most two hyphenated lines in a row (a ladder of three is a fault)


def _frozen(skip_stack: dict | None) -> tuple | None:
    """A WeasyPrint skip stack (nested dicts: child index → the skip stack inside it) as a key.

    >>> _frozen({0: {3: None, 1: {2: None}}})
    ((0, ((1, ((2, None),)), (3, None))),)
    """
    if skip_stack is None:
        return None
    return tuple(sorted((i, _frozen(inner)) for i, inner in skip_stack.items()))


def _last_text(box: Any) -> Any:
    """The last text box of ``box.descendants()`` (None: there is none), found from the end."""
    for child in reversed(box.children):
        if isinstance(child, TextBox):
            return child
        if isinstance(child, ParentBox):  # as descendants() goes into a child
            found = _last_text(child)
            if found is not None:
                return found
    return None


class _LadderLimit:
    """Hyphenation off for the line after :data:`MAX_HYPHENATED_LINES` hyphenated ones.

    CSS has ``hyphenate-limit-lines`` for this; WeasyPrint 70 does not
    implement it. Its lines are made one at a time by ``iter_line_boxes``
    (a paragraph's lines, from the top or from a page break), each fitted by
    ``split_first_line``: the first is wrapped to count the hyphenated lines
    just made, the second to fit the next one without hyphenating when the
    count is reached. Nested layouts (an inline-block inside a line) keep their
    own count.

    A paragraph that a page break splits is laid out again from where its
    last line on the page ended (the same line box, resumed at that line's
    ``resume_at``): the count made up to each line is kept in :attr:`runs`,
    by the line box and where its next line resumes, and a resumed paragraph
    starts from it, so no ladder of three hangs across a page turn. The
    latest layout of a position wins: WeasyPrint may lay a page out more than
    once, and the page after it resumes from the last.
    """

    def __init__(self) -> None:
        self.ban = False
        # (line box, where its next line resumes) → hyphenated lines in a row up to there
        self.runs: dict[tuple[object, tuple | None], int] = {}

    def lines(self, original, context, box, position_y, bottom_space, skip_stack,  # noqa: ANN001, ANN201
              *args, **kwargs):
        made = original(context, box, position_y, bottom_space, skip_stack, *args, **kwargs)
        run = 0 if skip_stack is None else self.runs.get((box, _frozen(skip_stack)), 0)
        while True:
            outer, self.ban = self.ban, run >= MAX_HYPHENATED_LINES
            try:
                item = next(made)
            except StopIteration:
                return
            finally:
                self.ban = outer
            last = _last_text(item[0]) if item[0] is not None else None
            ends_hyphenated = last is not None and last.text.endswith(last.style["hyphenate_character"])
            run = run + 1 if ends_hyphenated else 0
            if item[1] is not None:
                self.runs[(box, _frozen(item[1]))] = run
            yield item

    def split_first_line(self, original, text, style, *args, **kwargs):  # noqa: ANN001, ANN201
        if not (self.ban and style["hyphens"] == "auto"):
            return original(text, style, *args, **kwargs)
        style["hyphens"] = "manual"
        try:
            return original(text, style, *args, **kwargs)
        finally:
            style["hyphens"] = "auto"


@contextlib.contextmanager
def hyphen_ladders_limited() -> Iterator[None]:
    """While a document is laid out, no more than :data:`MAX_HYPHENATED_LINES` hyphenated lines in a row."""
    from weasyprint.layout import block, inline

    limit = _LadderLimit()
    lines, split = block.iter_line_boxes, inline.split_first_line
    block.iter_line_boxes = functools.partial(limit.lines, lines)
    inline.split_first_line = functools.partial(limit.split_first_line, split)
    try:
        yield
    finally:
        block.iter_line_boxes, inline.split_first_line = lines, split


@contextlib.contextmanager
def notes_kept_with_their_calls() -> Iterator[None]:
    """While a document is laid out, a page that must break early (for widows and orphans)
    breaks early, rather than send its last footnote to the next page.

    WeasyPrint 70, when a paragraph cannot break before its line at the foot of
    the page without leaving a widow or an orphan, moves the page's last
    footnotes to the next page to make room, whatever ``footnote-policy`` says;
    a note moved there can be moved again at that page's foot. Measured on *The
    Worst Journey in the World*: all of its 27 notes printed after their call's
    page went there this way. That path is taken only where the layout is not
    in columns, so the line layout is told it is in one (``in_column``, read
    there for nothing else); it then breaks the page as widows and orphans ask.
    """
    from weasyprint.layout import LayoutContext, block

    lines_code = block._linebox_layout.__code__

    def in_column(context: LayoutContext) -> bool:
        return context.__dict__.get("_in_column", False) or sys._getframe(1).f_code is lines_code

    def set_in_column(context: LayoutContext, value: bool) -> None:
        context.__dict__["_in_column"] = value

    LayoutContext.in_column = property(in_column, set_in_column)  # type: ignore[attr-defined]
    try:
        yield
    finally:
        del LayoutContext.in_column  # type: ignore[attr-defined]


class _Zlib:
    """zlib, as pydyf sees it, with its level 9 lowered to 6: 3.5× faster on page content,
    1.8% larger (measured on War and Peace's chapters)."""

    def __init__(self, module):  # noqa: ANN001
        self.module = module

    def compressobj(self, level: int = 6):  # noqa: ANN201
        return self.module.compressobj(min(level, 6))

    def __getattr__(self, name: str):  # noqa: ANN204
        return getattr(self.module, name)


@contextlib.contextmanager
def compress_level_6() -> Iterator[None]:
    """While a PDF is written, compress its streams at zlib's default level, not pydyf's 9."""
    import pydyf

    original = pydyf.zlib
    pydyf.zlib = _Zlib(original)
    try:
        yield
    finally:
        pydyf.zlib = original



@contextlib.contextmanager
def black_drawn_as_k() -> Iterator[None]:
    """While WeasyPrint draws, exactly-black colour is written as ``0 0 0 1 k`` / ``K``: the
    bytes :func:`k_black` would write, without reading every page of the book again at
    assembly (the print pieces are drawn this way; :func:`make_press_ready` is then told so).
    WeasyPrint sets every colour through ``set_color_rgb`` (``pydyf``'s ``rg`` / ``RG``)."""
    from weasyprint.pdf.stream import Stream

    own = Stream.__dict__.get("set_color_rgb")
    inherited = Stream.set_color_rgb

    def set_color_rgb(self, r: float, g: float, b: float, stroke: bool = False) -> None:  # noqa: ANN001
        if r == g == b == 0:
            self.stream.append(CMYK_LINE[b"RG" if stroke else b"rg"])
        else:
            inherited(self, r, g, b, stroke)

    Stream.set_color_rgb = set_color_rgb  # type: ignore[method-assign]
    try:
        yield
    finally:
        if own is None:
            del Stream.set_color_rgb
        else:
            Stream.set_color_rgb = own  # type: ignore[method-assign]
