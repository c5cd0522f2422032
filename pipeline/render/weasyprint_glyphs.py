"""Text drawn from the glyphs WeasyPrint shaped when it laid the text out, read in bulk; lines shaped less.

Takes: WeasyPrint's text boxes, while a document is laid out (:func:`lines_kept`)
and while it is drawn (:func:`glyphs_read_in_bulk`). Gives: the PDF operators
WeasyPrint would write, with less work. Both are patches of WeasyPrint 70's
internals, pinned like :mod:`pipeline.render.weasyprint_patches`'.

- **Lines kept.** WeasyPrint shapes a line's text with Pango while it looks
  for the line's break, throws the Pango layout away, and shapes the text
  again to draw it. With :func:`lines_kept`, the layout of the line's final
  shaping is kept, and drawing reads it. A justified line is shaped again by
  WeasyPrint with a Pango letter-spacing attribute on each space; Pango then
  shapes each word on its own and widens each space. :func:`widened` applies
  that widening to the kept glyphs instead, and splits the runs where Pango
  would. The result is WeasyPrint's, byte for byte, but where a glyph's form
  depends on the space beside it: EB Garamond's italic "f" before a space
  takes a short form. WeasyPrint's second shaping loses it in justified lines
  only, so the line drifts from its measured width by the difference, and
  the same word differs between a paragraph's justified lines and its last
  line. Drawn from the layout, the word keeps the form it was measured with.
  (In *Worst Journey*, 12 of 20,032 justified lines; in *War and Peace*'s
  first 120 chapters, 1 of 16,369.)
- **Glyphs read in bulk.** WeasyPrint reads each glyph's id, width and offsets
  as cffi objects, one field at a time; here a run's glyphs are read as one
  block of int32s, and written from per-font fragments of the TJ string
  (:class:`_Fragments`), one lookup per glyph.
- **Next words measured** (:func:`next_words_measured`). WeasyPrint shapes
  each line three times: a draft, the draft's first line with the next word
  added, and the line as it is kept. When the draft's second line shows that
  the word cannot fit, the second shaping is skipped.

Lines with an ellipsis, an emoji font, a missing glyph, a tab, letter- or
word-spacing of their own, or a single justified space are left to
WeasyPrint's own code, and so are justified lines with right-to-left text or
more than one font.
"""

from __future__ import annotations

import contextlib
import re
from array import array
from bisect import bisect_left
from collections.abc import Iterator, Sequence
from typing import Any, NamedTuple

_GLYPH_EMPTY, _GLYPH_UNKNOWN = 0x0FFFFFFF, 0x10000000  # Pango's PANGO_GLYPH_EMPTY and _UNKNOWN_FLAG
_FIELDS = 5  # PangoGlyphInfo: glyph, then geometry's width, x_offset, y_offset, then attr; int32 each
_SPACES = re.compile(" |\u00a0".encode())  # what WeasyPrint widens to justify a line
PANGO_SCALE = 1024


class Run(NamedTuple):
    """One Pango glyph item of a line: its font, its glyphs' fields, and where its text is.

    A run of a justified line (:func:`widened`) stands for several of Pango's items: ``cuts`` are the
    glyphs where the next one starts. WeasyPrint writes each item as a string of its own."""

    font: Any  # PangoFont *, alive while the layout it came from is
    fields: Sequence[int]  # _FIELDS int32s per glyph
    clusters: Sequence[int]  # each glyph's first byte, from ``offset``
    offset: int  # the item's first byte in the line's UTF-8 text
    length: int  # its length in bytes
    rtl: bool
    cuts: tuple[int, ...] = ()


class _Fallback(Exception):
    """A line left to WeasyPrint's own ``draw_first_line``."""


def line_runs(pango_layout: Any, line: int = 0) -> list[Run]:
    """The runs of a line (the first by default) of ``pango_layout`` (a ``PangoLayout *``), read in bulk."""
    from weasyprint.text.ffi import ffi, pango

    runs = []
    run = pango.pango_layout_get_line_readonly(pango_layout, line).runs
    while run != ffi.NULL:
        item, glyphs = run.data.item, run.data.glyphs
        count = glyphs.num_glyphs
        runs.append(Run(item.analysis.font, memoryview(ffi.buffer(glyphs.glyphs, count * _FIELDS * 4)).cast("i"),
                        glyphs.log_clusters, item.offset, item.length, bool(item.analysis.level % 2)))
        run = run.next
    return runs


def _spacing_split(spacing: int) -> tuple[int, int]:
    """How Pango 1.50 shares a letter-spacing between a glyph's two sides (``distribute_letter_spacing``)."""
    left = int(spacing / 2)  # C's division, towards zero
    if spacing & (PANGO_SCALE - 1) == 0:
        left = (left + PANGO_SCALE // 2) & ~(PANGO_SCALE - 1)  # PANGO_UNITS_ROUND
    return left, spacing - left


def widened(runs: list[Run], text: bytes, spacing: int) -> list[Run] | None:
    """``runs``, shaped from ``text`` without justification, as Pango gives them when WeasyPrint widens
    each space by ``spacing`` Pango units (doubled on the text's first and last byte): a letter-spacing
    attribute per space, equal neighbours merged; Pango splits its items where the attribute changes (a
    run's ``cuts`` here) and widens each glyph under one by the spacing, half of it before the glyph. None
    for a line with right-to-left runs or more than one font."""
    from weasyprint.text.ffi import ffi

    if any(run.rtl for run in runs) or len({run.font for run in runs}) > 1:
        return None  # a space among fallback glyphs: Pango picks its font anew once it is an item alone
    last = len(text) - 1
    ranges: list[list[int]] = []  # [start, end, spacing] of each attribute, as pango_attr_list_change merges
    for match in _SPACES.finditer(text):
        value = spacing * (1 + (match.start() in (0, last)))
        if ranges and ranges[-1][1] == match.start() and ranges[-1][2] == value:
            ranges[-1][1] = match.end()
        else:
            ranges.append([match.start(), match.end(), value])
    out: list[Run] = []
    items: list[tuple[array, int, int, int]] = []  # each of Pango's items: fields, first and end glyph, attribute
    for run in runs:
        count = len(run.fields) // _FIELDS
        clusters = ffi.unpack(run.clusters, count)  # each glyph's first byte from the run's, rising
        fields = array("i", run.fields)
        cuts: list[tuple[int, int, int]] = []  # (first glyph, end glyph, attribute or -1)
        first = 0
        for k, (start, end, _) in enumerate(ranges):
            if end <= run.offset or start >= run.offset + run.length:
                continue
            low, high = bisect_left(clusters, start - run.offset), bisect_left(clusters, end - run.offset)
            if low > first:
                cuts.append((first, low, -1))
            if high > low:
                cuts.append((low, high, k))
            first = max(first, high)
        if first < count:
            cuts.append((first, count, -1))
        if not cuts:
            continue
        for first, end, k in cuts:
            if k >= 0:
                left, right = _spacing_split(ranges[k][2])
                for j in range(_FIELDS * first, _FIELDS * end, _FIELDS):
                    fields[j + 1] += left + right
                    fields[j + 2] += left
            items.append((fields, first, end, k))
        out.append(Run(run.font, memoryview(fields), clusters, run.offset, run.length, False,
                       tuple(first for first, _, _ in cuts[1:])))
    # Pango takes the spacing off the line's ends (adjust_line_letter_spacing): the half before the first
    # glyph of a widened first item, and the half after the last of a widened last item, skipping empty glyphs
    if items and items[0][3] >= 0:
        fields, first, end, k = items[0]
        j = next((j for j in range(first, end) if fields[_FIELDS * j + 1]), None)
        if j is not None:
            left, _ = _spacing_split(ranges[k][2])
            fields[_FIELDS * j + 1] -= left
            fields[_FIELDS * j + 2] -= left
    if items and items[-1][3] >= 0:
        fields, first, end, k = items[-1]
        j = next((j for j in reversed(range(first, end)) if fields[_FIELDS * j + 1]), None)
        if j is not None:
            _, right = _spacing_split(ranges[k][2])
            fields[_FIELDS * j + 1] -= right
    return out


class _Fragments(dict):
    """What each glyph adds to a TJ string, keyed by ``(glyph, width, x_offset)``, for one font at one size
    (WeasyPrint's per-glyph arithmetic, made once per key). Fills the font's widths as WeasyPrint does."""

    def __init__(self, stream, font, font_size: float) -> None:  # noqa: ANN001
        super().__init__()
        self.stream, self.font, self.font_size = stream, font, font_size
        self.pango_font: Any = None  # the run's, set by _operators before each lookup

    def __missing__(self, key: tuple[int, int, int]) -> str:
        glyph_id, width, x_offset = key
        if glyph_id == _GLYPH_EMPTY:
            fragment = f">{-width / self.font_size}<"
        else:
            if glyph_id & _GLYPH_UNKNOWN:
                raise _Fallback
            offset = x_offset / self.font_size
            fragment = f">{-offset}<" if offset else ""
            fragment += f"{glyph_id:02x}" if self.font.bitmap else f"{glyph_id:04x}"
            fragment += self.kerning(glyph_id, width, offset)
        self[key] = fragment
        return fragment

    def kerning(self, glyph_id: int, width: int, offset: float) -> str:
        """What follows a glyph drawn ``width`` wide: the difference from its width in the font."""
        from weasyprint.text.ffi import FROM_UNITS, pango

        font, font_size = self.font, self.font_size
        logical_width = font.widths.get(glyph_id)
        if logical_width is None:
            stream = self.stream
            pango.pango_font_get_glyph_extents(self.pango_font, glyph_id, stream.ink_rect, stream.logical_rect)
            logical_width = font.widths[glyph_id] = round(stream.logical_rect.width * 1000 * FROM_UNITS / font_size)
        kerning = logical_width + offset - width * 1000 * FROM_UNITS / font_size
        return f">{int(kerning)}<" if kerning else ""


def _closed(string: str) -> str:
    """A TJ string's last glyph string closed (or its empty opening dropped)."""
    return string[:-1] if string[-1] == "<" else string + ">"


def _fragments(stream, font, font_size: float) -> _Fragments:  # noqa: ANN001
    """The glyph fragments of ``font`` at ``font_size``, kept on the font (one PDF's) while it is drawn."""
    table = font.__dict__.setdefault("_fragments", {})
    fragments = table.get(font_size)
    if fragments is None:
        fragments = table[font_size] = _Fragments(stream, font, font_size)
    return fragments


def _operators(stream, textbox, runs: list[Run], text: str) -> list[tuple]:  # noqa: ANN001
    """The text operators WeasyPrint's ``draw_first_line`` writes for ``runs`` (without the text
    matrix), as ``(name, argument)`` pairs. Raises :class:`_Fallback` before changing anything but
    the font's caches, which it fills as WeasyPrint would.

    Each glyph is written from the font's :class:`_Fragments`, one lookup per glyph, once its text
    is in the font's ``to_unicode``; a glyph raised or lowered is written with its own rise."""
    from weasyprint.text.ffi import pango

    ops: list[tuple] = []
    previous_pango_font = None
    string = ""
    utf8_text = None
    for run in runs:
        fields = run.fields
        count = len(fields) // _FIELDS
        if run.font != previous_pango_font:
            previous_pango_font = run.font
            font, font_size = stream.add_font(run.font)
            if font.png or font.svg or font.colr:
                raise _Fallback
            if pango.pango_version() < 14802:
                font_size = textbox.style["font_size"]
            if string:
                ops.append(("show", string))
            string = ""
            ops.append(("font", font.hash, 1 if font.bitmap else font_size))
            to_unicode, bitmap = font.to_unicode, font.bitmap
            fragments = _fragments(stream, font, font_size)
        fragments.pango_font = run.font
        glyph_ids = fields[0::_FIELDS]
        for i, glyph_id in enumerate(glyph_ids):  # each glyph's text, up to one no font has (drawn by WeasyPrint)
            if glyph_id == _GLYPH_EMPTY or glyph_id in to_unicode:
                continue
            if glyph_id & _GLYPH_UNKNOWN:
                break
            t1 = run.clusters[i]
            if run.rtl:
                t2 = run.length if i == 0 else run.clusters[i - 1]
            else:
                t2 = run.length if i == count - 1 else run.clusters[i + 1]
            utf8_text = utf8_text or text.encode()
            to_unicode[glyph_id] = utf8_text[run.offset + t1:run.offset + t2].decode()
        if not any(fields[3::_FIELDS]):
            pieces = list(map(fragments.__getitem__, zip(glyph_ids, fields[1::_FIELDS], fields[2::_FIELDS])))
            start = 0
            for end in (*run.cuts, count):
                string += _closed("<" + "".join(pieces[start:end]))
                start = end
            continue
        string += "<"
        cuts = set(run.cuts)
        glyphs = iter(fields)
        for i, (glyph_id, width, x_offset, y_offset, _) in enumerate(zip(*[glyphs] * _FIELDS)):
            if i in cuts:
                string = _closed(string) + "<"
            if not y_offset or glyph_id == _GLYPH_EMPTY:
                string += fragments[glyph_id, width, x_offset]
                continue
            if glyph_id & _GLYPH_UNKNOWN:
                raise _Fallback
            offset = x_offset / font_size
            string = _closed(string)
            if string:
                ops.append(("show", string))
            ops.append(("rise", -y_offset / 1000))
            string = f"{-offset}" if offset else ""
            string += f"<{glyph_id:02x}>" if bitmap else f"<{glyph_id:04x}>"
            ops.append(("show", string))
            ops.append(("rise", 0))
            string = "<" + fragments.kerning(glyph_id, width, offset)
        string = _closed(string)
    ops.append(("show", string))
    return ops


def _write(stream, matrix, ops: list[tuple]) -> None:  # noqa: ANN001
    stream.set_text_matrix(*matrix.values)
    for name, *args in ops:
        if name == "show":
            stream.show_text(*args)
        elif name == "font":
            stream.set_font_size(*args)
        else:
            stream.set_text_rise(*args)


def kept_runs(layout: Any) -> list[Run] | None:
    """The runs to draw ``layout`` (WeasyPrint's ``Layout``, set to draw) from its kept shaping; None when
    it has none it can be drawn from."""
    kept = layout.__dict__.get("_kept")
    if kept is None or not layout.__dict__.get("_pending"):
        return None
    runs = line_runs(kept)
    spacing = layout.justification_spacing + layout.style["word_spacing"]
    if not spacing:
        return runs
    return widened(runs, layout.text.encode(), int(spacing * PANGO_SCALE))


def _drawable(layout: Any, style: Any) -> bool:
    """Whether ``layout``'s kept shaping draws it as WeasyPrint's new shaping for ``style`` would."""
    text = layout.text
    return (layout.__dict__.get("_kept") is not None and style["letter_spacing"] in ("normal", 0)
            and not style["word_spacing"] and "\t" not in text and "\n" not in text
            and not (layout.justification_spacing and text == " "))


@contextlib.contextmanager
def lines_kept() -> Iterator[None]:
    """While a document is laid out, each line keeps the Pango layout of its final shaping, when that
    shaping holds the line's whole text on one line (see the module's docstring)."""
    from weasyprint.layout import inline
    from weasyprint.text import line_break
    from weasyprint.text.ffi import ffi, pango

    Layout = line_break.Layout  # noqa: N806
    get_first_line, deactivate, add_word_spacing = Layout.get_first_line, Layout.deactivate, inline.add_word_spacing

    def shaped(self):  # noqa: ANN001, ANN202
        line = get_first_line(self)
        self._shaped = self.text
        return line

    def kept(self) -> None:  # noqa: ANN001
        text = self.text
        if self.__dict__.get("_shaped") is text and "\n" not in text:
            line = pango.pango_layout_get_line_readonly(self.layout, 0)
            if line.length == len(text.encode()) and pango.pango_layout_get_line_readonly(self.layout, 1) == ffi.NULL:
                self._kept = self.layout
        deactivate(self)

    def spaced(context, box, justification_spacing, x_advance):  # noqa: ANN001, ANN202
        # WeasyPrint's add_word_spacing for a text box with spaces: its new Pango layout, made only to be
        # shaped again when drawn, is here a copy of the kept one's Python side, with the justification
        old = getattr(box, "pango_layout", None)
        if old is None or old.__dict__.get("_kept") is None or old.text != box.text:
            return add_word_spacing(context, box, justification_spacing, x_advance)
        spaces = inline.count_expandable_spaces(box)
        if not spaces:
            return add_word_spacing(context, box, justification_spacing, x_advance)
        box.justification_spacing = justification_spacing
        box.position_x += x_advance
        layout = Layout.__new__(Layout)
        layout.__dict__.update(old.__dict__)
        layout.justification_spacing, layout.max_width, layout.first_line_direction = justification_spacing, None, 0
        extra_space = justification_spacing * spaces
        x_advance += extra_space
        box.width += extra_space
        box.pango_layout = layout
        return x_advance

    Layout.get_first_line, Layout.deactivate = shaped, kept
    inline.add_word_spacing = spaced
    try:
        yield
    finally:
        Layout.get_first_line, Layout.deactivate = get_first_line, deactivate
        inline.add_word_spacing = add_word_spacing


def _width_from(runs: list[Run], start: int, end: int) -> int:
    """The advance, in Pango units, of the glyphs of ``runs`` whose text starts in bytes ``start`` to
    ``end`` of the layout's text."""
    from weasyprint.text.ffi import ffi

    return sum(run.fields[_FIELDS * i + 1] for run in runs
               for i, cluster in enumerate(ffi.unpack(run.clusters, len(run.fields) // _FIELDS))
               if start <= run.offset + cluster < end)


@contextlib.contextmanager
def next_words_measured() -> Iterator[None]:
    """While a document is laid out, a line's next word that its draft shows cannot fit is not shaped.

    WeasyPrint finds a line by shaping a draft of the paragraph's next hundred
    characters or so, then shapes the draft's first line again with the next
    word added, in case Pango broke the line too early. That word is at the
    start of the draft's second line, already shaped: when the first line's
    width plus the word's, less a third of an em for kerning across the
    space, is still wider than the line, the line with the word would break
    where the draft did, and WeasyPrint goes on as if it had shaped it. The
    draft's first line is the same text shaped in the same context, so what
    follows sees the same line. Lines right to left are shaped as before."""
    from weasyprint.text import line_break
    from weasyprint.text.ffi import FROM_UNITS, ffi, pango

    Layout = line_break.Layout  # noqa: N806
    get_first_line, set_text = Layout.get_first_line, Layout.set_text

    def drafted(self):  # noqa: ANN001, ANN202
        draft = self.__dict__.pop("_draft_line", None)
        if draft is not None:  # set_text found the next word too long: the draft's first line stands
            line, index = draft
            self.first_line_direction = line.resolved_dir
            return line, index
        line, index = get_first_line(self)
        self._draft = (self.text, index) if index is not None else None
        return line, index

    def text_set(self, text: str, justify: bool = False) -> None:  # noqa: ANN001
        draft = self.__dict__.pop("_draft", None)
        self.__dict__.pop("_draft_line", None)
        if draft is not None and not justify and self.max_width is not None and "\n" not in text:
            line = _too_long(self, draft, text)
            if line is not None:
                self.text = text
                self._draft_line = (line, draft[1])
                return
        set_text(self, text, justify)

    def _too_long(self, draft: tuple[str, int], text: str) -> Any:  # noqa: ANN001, ANN401
        drafted_text, index = draft
        new, old = text.encode(), drafted_text.encode()
        if not (len(new) > index and old.startswith(new) and old[len(new):len(new) + 1] == b" "
                and b" " not in new[index:]):
            return None
        style = self.style
        if style["letter_spacing"] not in ("normal", 0) or style["word_spacing"]:
            return None
        first = pango.pango_layout_get_line_readonly(self.layout, 0)
        second = pango.pango_layout_get_line_readonly(self.layout, 1)
        if second == ffi.NULL or first.resolved_dir != 0 or second.resolved_dir != 0:  # PANGO_DIRECTION_LTR
            return None
        first_width, _ = line_break.line_size(first, style)
        word = _width_from(line_runs(self.layout, 1), index, len(new)) * FROM_UNITS
        if first_width + word - style["font_size"] / 3 <= self.max_width:
            return None
        return first

    Layout.get_first_line, Layout.set_text = drafted, text_set
    try:
        yield
    finally:
        Layout.get_first_line, Layout.set_text = get_first_line, set_text


@contextlib.contextmanager
def glyphs_read_in_bulk() -> Iterator[None]:
    """While a PDF is drawn, each line is drawn from the shaping :func:`lines_kept` kept, or else
    WeasyPrint shapes it again; either way its glyphs are read in bulk (see the module's docstring).
    Lines this module does not draw are drawn by WeasyPrint's code."""
    from weasyprint.draw import text as draw_text
    from weasyprint.text import line_break
    from weasyprint.text.ffi import ffi, pango

    original = draw_text.draw_first_line
    if ffi.sizeof("PangoGlyphInfo") != _FIELDS * 4 or pango.pango_version() // 100 != 150:
        yield  # not the Pango these were written for: leave WeasyPrint be
        return
    Layout = line_break.Layout  # noqa: N806
    reactivate, deactivate = Layout.reactivate, Layout.deactivate

    def pending(self, style) -> None:  # noqa: ANN001
        if _drawable(self, style):
            self.style, self._pending = style, True
        else:
            reactivate(self, style)

    def realised(self, name: str):  # noqa: ANN202
        if name in ("layout", "language") and self.__dict__.get("_pending"):
            self._pending = False
            reactivate(self, self.style)
            return getattr(self, name)
        raise AttributeError(name)

    def done(self) -> None:  # noqa: ANN001
        if self.__dict__.get("_pending"):
            self._pending = False
            del self.style
        else:
            deactivate(self)

    def draw_first_line(stream, textbox, text_overflow, block_ellipsis, matrix):  # noqa: ANN001, ANN202
        layout = textbox.pango_layout
        if text_overflow == "ellipsis" or block_ellipsis != "none" or not textbox.text.strip() \
                or textbox.style["font_size"] < 1e-6:
            return original(stream, textbox, text_overflow, block_ellipsis, matrix)
        try:
            runs = kept_runs(layout)
            if runs is None:
                pango.pango_layout_set_single_paragraph_mode(layout.layout, True)
                runs = line_runs(layout.layout)
            _write(stream, matrix, _operators(stream, textbox, runs, layout.text))
            return []
        except _Fallback:
            return original(stream, textbox, text_overflow, block_ellipsis, matrix)

    draw_text.draw_first_line = draw_first_line
    Layout.reactivate, Layout.deactivate, Layout.__getattr__ = pending, done, realised
    try:
        yield
    finally:
        draw_text.draw_first_line = original
        Layout.reactivate, Layout.deactivate = reactivate, deactivate
        del Layout.__getattr__
