"""Transform: quotation marks follow the language of the text they stand in.

Takes: a Book as the parser makes it, its quotes curled the English way (markdown-it's
``smartquotes`` and :mod:`pipeline.parse.smart`): “…” for double quotes, ‘…’ for
single ones, ’ for apostrophes.
Gives: the same Book with each pair of quotes written as the language of the text
around it writes them: the nearest enclosing ``lang`` attribute (a Span, a Div or any
block), else the book's ``lang``. Double quotes take the language's primary pair,
single quotes (the quote inside a quote) its secondary pair; French puts a narrow
no-break space (U+202F) inside its guillemets. Apostrophes stay ’ in every language.
Code, code blocks, math and raw HTML are never touched, nor are quotes typed as
the author wanted them (German „…“ or French «…» written directly stay as written). The book's title,
subtitle and description and each image's alt text follow the same rules.

A closing ’ and an apostrophe are the same character in the English form, so the
pairs are found again as markdown-it found them: an opening ‘ is closed by the
next ’ that can close a quote (not between two letters, as in *don’t*) at the
same level of inline markup. A closing mark takes the language of its opening
one. A language without a table (:data:`QUOTES`) keeps the English marks, with
warning P150.

    >>> from pipeline.diagnostics import Reporter
    >>> book = ir.Book(ir.Meta("T", "de", "x"), (ir.Chapter("c", "c.md", (
    ...     ir.Para((ir.Text("“Er sagte ‘nein’ und ging’s an.”"),)),)),))
    >>> ir.plain_text(localise_quotes(book, Reporter(echo=False)).chapters[0].blocks[0].inlines)
    '„Er sagte ‚nein‘ und ging’s an.“'
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any, NamedTuple

from markdown_it.common.utils import isMdAsciiPunct, isPunctChar, isWhiteSpace

from .. import ir
from ..diagnostics import Reporter

NNBSP = "\u202f"  # narrow no-break space, inside French guillemets


class Quotes(NamedTuple):
    """A language's quotation marks: the primary pair, then the secondary (nested) pair."""

    open1: str
    close1: str
    open2: str
    close2: str


ENGLISH = Quotes("“", "”", "‘", "’")
_GUILLEMETS = Quotes("«", "»", "“", "”")  # Spanish, Italian, Portuguese, Catalan, Greek

#: Quotation marks by BCP 47 tag (lower case), looked up from the most specific
#: subtags down to the language alone: ``de-CH`` before ``de``.
QUOTES: dict[str, Quotes] = {
    "en": ENGLISH,
    "nl": ENGLISH,                                   # modern Dutch
    "de": Quotes("„", "“", "‚", "‘"),
    "de-ch": Quotes("«", "»", "‹", "›"),             # Swiss German
    "fr": Quotes("«" + NNBSP, NNBSP + "»", "‹" + NNBSP, NNBSP + "›"),
    "es": _GUILLEMETS,
    "it": _GUILLEMETS,
    "pt": _GUILLEMETS,
    "pt-br": ENGLISH,                                # Brazilian Portuguese
    "ca": _GUILLEMETS,
    "el": _GUILLEMETS,
    "sv": Quotes("”", "”", "’", "’"),
    "fi": Quotes("”", "”", "’", "’"),
    "da": Quotes("»", "«", "›", "‹"),                # the common book usage; „…“ is also correct
    "nb": Quotes("«", "»", "‘", "’"),
    "nn": Quotes("«", "»", "‘", "’"),
    "no": Quotes("«", "»", "‘", "’"),
    "is": Quotes("„", "“", "‚", "‘"),
    "ru": Quotes("«", "»", "„", "“"),
    "uk": Quotes("«", "»", "„", "“"),
    "pl": Quotes("„", "”", "«", "»"),
    "cs": Quotes("„", "“", "‚", "‘"),
    "sk": Quotes("„", "“", "‚", "‘"),
    "hu": Quotes("„", "”", "»", "«"),
    "ja": Quotes("「", "」", "『", "』"),
    "zh": ENGLISH,                                   # Simplified Chinese
    "zh-hant": Quotes("「", "」", "『", "』"),
    "zh-tw": Quotes("「", "」", "『", "』"),
    "zh-hk": Quotes("「", "」", "『", "』"),
}

_MARKS = "“”‘’"


def quotes_for(lang: str) -> Quotes | None:
    """The marks of language ``lang`` (a BCP 47 tag), or None when there is no table for it.

    >>> quotes_for("de-AT").open1, quotes_for("de-CH-1996").open1, quotes_for("xx")
    ('„', '«', None)
    """
    parts = lang.lower().replace("_", "-").split("-")
    for n in range(len(parts), 0, -1):
        found = QUOTES.get("-".join(parts[:n]))
        if found:
            return found
    return None


class _Langs:
    """Looks up tables and warns (P150) once for each language that has none."""

    def __init__(self, reporter: Reporter) -> None:
        self.reporter = reporter
        self.warned: set[str] = set()
        self.where: tuple[str, int] = ("", 0)

    def table(self, lang: str) -> Quotes:
        found = quotes_for(lang)
        if found is None:
            found = ENGLISH
            if lang.lower() not in self.warned:
                self.warned.add(lang.lower())
                self.reporter.warn(
                    "P150", f"no quotation marks known for language '{lang}'; English “…” ‘…’ are used",
                    "type the marks the language uses directly in the text (they are kept as written), "
                    "or mark the passage with another 'lang'", *self.where)
        return found


def _lang(node: Any, lang: str) -> str:
    attr = getattr(node, "attr", None)
    return (attr.get("lang") if isinstance(attr, ir.Attr) else None) or lang


# ---------------------------------------------------------------- one run of text


class _Piece(NamedTuple):
    text: str
    level: int
    lang: str
    own: bool  # a Text node's text (rewritten); else code, math or a break (only read)


def _flatten(inlines: tuple[ir.Inline, ...], level: int, lang: str, out: list[_Piece]) -> None:
    for n in inlines:
        if isinstance(n, ir.Text):
            out.append(_Piece(n.text, level, lang, True))
        elif isinstance(n, (ir.Code, ir.Math)):
            out.append(_Piece(n.text, level, lang, False))
        elif isinstance(n, ir.LineBreak):
            out.append(_Piece("\n", level, lang, False))
        elif isinstance(n, ir.Image):
            out.append(_Piece(n.alt, level, lang, False))
        elif isinstance(n, (ir.Note, ir.Cite)):
            continue  # a note is a run of its own; a citation is formatted by its style's locale
        else:
            _flatten(n.inlines, level + 1, _lang(n, lang), out)


def _curl(pieces: list[_Piece], langs: _Langs) -> list[str]:
    """The new text of each piece, its quotes in its language (markdown-it's pairing, replayed)."""
    whole = "".join(p.text for p in pieces)
    out = [p.text for p in pieces]
    if not any(m in whole for m in _MARKS):
        return out
    stack: list[tuple[bool, int, str]] = []  # open quotes: (single, level, lang)
    at = 0
    for k, piece in enumerate(pieces):
        start, at = at, at + len(piece.text)
        if not piece.own or not any(m in piece.text for m in _MARKS):
            continue
        chars = list(piece.text)
        for i, c in enumerate(chars):
            if c not in _MARKS:
                continue
            while stack and stack[-1][1] > piece.level:
                stack.pop()
            pos = start + i
            can_open, can_close = _flanking(whole[pos - 1] if pos else " ",
                                            whole[pos + 1] if pos + 1 < len(whole) else " ")
            if c in "“‘":
                if not can_open:
                    continue  # a closing mark the author typed, as German „so“ and ‚so‘
                single = c == "‘"
                stack.append((single, piece.level, piece.lang))
                q = langs.table(piece.lang)
                chars[i] = q.open2 if single else q.open1
                continue
            single = c == "’"
            if single and not can_close:
                continue  # an apostrophe
            match = None
            for j in range(len(stack) - 1, -1, -1):
                if stack[j][1] < piece.level:
                    break
                if stack[j][0] == single and stack[j][1] == piece.level:
                    match = j
                    break
            if match is None:
                if single or (pos and whole[pos - 1].isdigit()):
                    continue  # an apostrophe after all (the dogs’ bones), or inches (5’10”)
                lang = piece.lang
            else:
                lang = stack[match][2]
                del stack[match:]
            q = langs.table(lang)
            chars[i] = q.close2 if single else q.close1
        out[k] = "".join(chars)
    return out


def _flanking(last: str, nxt: str) -> tuple[bool, bool]:
    """markdown-it's test of a quote between ``last`` and ``nxt``: whether it can open, and close."""
    last_space, next_space = isWhiteSpace(ord(last)), isWhiteSpace(ord(nxt))
    last_punct = isMdAsciiPunct(ord(last)) or isPunctChar(last)
    next_punct = isMdAsciiPunct(ord(nxt)) or isPunctChar(nxt)
    can_open = not next_space and (not next_punct or last_space or last_punct)
    can_close = not last_space and (not last_punct or next_space or next_punct)
    if can_open and can_close:
        return last_punct, next_punct
    return can_open, can_close


def _rebuild(inlines: tuple[ir.Inline, ...], lang: str, texts: Iterator[str], langs: _Langs) -> tuple[ir.Inline, ...]:
    """``inlines`` with each Text's new text taken from ``texts`` (in :func:`_flatten`'s order)."""
    out = []
    for n in inlines:
        if isinstance(n, ir.Text):
            new = next(texts)
            n = n if new == n.text else dataclasses.replace(n, text=new)
        elif isinstance(n, ir.Note):
            n = _same_or(n, "blocks", _blocks(n.blocks, lang, langs))
        elif isinstance(n, ir.Image):
            n = _same_or(n, "alt", localise_text(n.alt, lang, langs))
        elif isinstance(n, (ir.Code, ir.Math, ir.LineBreak, ir.Cite)):
            pass
        else:
            n = _same_or(n, "inlines", _rebuild(n.inlines, _lang(n, lang), texts, langs))
        out.append(n)
    return inlines if all(a is b for a, b in zip(out, inlines)) else tuple(out)


def _same_or(node: Any, name: str, value: Any) -> Any:
    """``node`` itself when its field ``name`` is unchanged, else a copy with ``value``."""
    old = getattr(node, name)
    same = value is old or (isinstance(value, str) and value == old)
    return node if same else dataclasses.replace(node, **{name: value})


def _inlines(inlines: tuple[ir.Inline, ...], lang: str, langs: _Langs) -> tuple[ir.Inline, ...]:
    pieces: list[_Piece] = []
    _flatten(inlines, 0, lang, pieces)
    texts = [t for t, p in zip(_curl(pieces, langs), pieces) if p.own]
    return _rebuild(inlines, lang, iter(texts), langs)


def localise_text(text: str, lang: str, langs: _Langs) -> str:
    """A plain string (a title, an alt text) with its quotes in ``lang``."""
    return _curl([_Piece(text, 0, lang, True)], langs)[0] if text else text


# ---------------------------------------------------------------- blocks


def _is_inlines(value: tuple) -> bool:
    return bool(value) and all(isinstance(v, ir.INLINE_TYPES) for v in value)


def _value(value: Any, lang: str, langs: _Langs) -> Any:
    if isinstance(value, tuple):
        if _is_inlines(value):
            return _inlines(value, lang, langs)
        new = tuple(_value(v, lang, langs) for v in value)
        return value if all(a is b for a, b in zip(new, value)) else new
    if isinstance(value, ir.Image):  # a Figure's still
        return _same_or(value, "alt", localise_text(value.alt, lang, langs))
    if isinstance(value, (ir.CodeBlock, ir.RawBlock)):
        return value
    if dataclasses.is_dataclass(value) and not isinstance(value, ir.Attr):
        lang = _lang(value, lang)
        line = getattr(value, "line", 0)
        if line:
            langs.where = (langs.where[0], line)
        changes = {f.name: _value(getattr(value, f.name), lang, langs)
                   for f in dataclasses.fields(value) if f.name not in ("attr", "line")}
        changes = {k: v for k, v in changes.items() if v is not getattr(value, k)}
        return dataclasses.replace(value, **changes) if changes else value
    return value


def _blocks(blocks: tuple[ir.Block, ...], lang: str, langs: _Langs) -> tuple[ir.Block, ...]:
    return _value(blocks, lang, langs) if blocks else blocks


def localise_quotes(book: ir.Book, reporter: Reporter) -> ir.Book:
    """Write every quotation mark as the language of its text writes it."""
    langs = _Langs(reporter)
    lang = book.meta.lang
    chapters = []
    for ch in book.chapters:
        langs.where = (ch.source, 0)
        if quotes_for(lang) == ENGLISH and not any(
                _lang(n, "") for n in ir.query(ch, ir.BLOCK_TYPES + ir.INLINE_TYPES)):
            chapters.append(ch)  # English throughout: nothing to change
            continue
        chapters.append(dataclasses.replace(ch, blocks=_blocks(ch.blocks, lang, langs)))
    langs.where = ("", 0)
    meta = dataclasses.replace(book.meta, **{k: localise_text(getattr(book.meta, k), lang, langs)
                                             for k in ("title", "subtitle", "description")})
    return dataclasses.replace(book, meta=meta, chapters=tuple(chapters))
