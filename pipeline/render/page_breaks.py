"""Where each printed page begins, in terms both editions share: a block's id and a character count.

Takes: the pages WeasyPrint laid out (``document.pages``) for a chapter or a
whole book.
Gives: :func:`page_starts`, one :data:`PageStart` ``(page, anchor, offset)``
per page that has body text or an image: ``anchor`` is the id (as print
writes it, ``ch-02/intro``) of the element the page's first text belongs to,
``offset`` how many of that element's *counted characters* come before it.
The EPUB writer (:mod:`pipeline.render.page_list`) puts the print page's
marker at the same place in the same element of its own XHTML.

The rule both sides apply, :func:`own_text`: an element's text is its own
text in document order, without the text of descendants that have their own
id (they are anchors themselves: a footnote in print, a note reference in the
EPUB, a span with an id), without formulas (SVG in print, MathML in the
EPUB) and without CSS-generated content; only non-space characters count.
So the count means the same thing in print and in the EPUB, though the two
write notes and formulas differently.

What is not the page's text is skipped: running heads (margin boxes), the
footnote area, generated content (``::before``, list markers, footnote
calls) and a table's header or footer row repeated on a continuation page.

A still that :mod:`pipeline.render.floats` moved (``data-float="moved"``) is
not where its page begins: the page's text is, which the EPUB, in the
manuscript's order, has at the same place; a page that holds only such a
still begins at it.

A page that begins in the middle of a word hyphenated across the break
starts, for the EPUB, at the start of that word: the marker never splits a
word (the word is read whole on the page it begins, as the DAISY guidance
asks).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import Any

PageStart = tuple[int, str, int]  # (0-based page in the laid-out document, anchor id, counted offset)

# Elements whose text is never counted: formulas and what a browser does not show.
SKIPPED_TAGS = frozenset({"svg", "math", "script", "style", "template"})
# What WeasyPrint may add at a hyphenated line end (``hyphenate-character``), not in the source.
HYPHENS = frozenset("\u2010-\u00ad")
_NOT_COUNTED = frozenset("\u00ad\u200b\u200c\u200d\u2060\ufeff")
_UNCOUNTED = re.compile(r"[\s\u00ad\u200b\u200c\u200d\u2060\ufeff]+")
_COUNTED = re.compile(r"[^\s\u00ad\u200b\u200c\u200d\u2060\ufeff]")


def counted(c: str) -> bool:
    """Whether ``c`` counts in an offset: any character but white space and invisible ones."""
    return not c.isspace() and c not in _NOT_COUNTED


def counted_length(text: str) -> int:
    """How many of ``text``'s characters count (:func:`counted`). In a printable text only the
    spaces do not: every other white space, and the invisible characters, are not printable.

    >>> counted_length("a b\u00adc"), counted_length("one two")
    (3, 6)
    """
    if text.isprintable():
        return len(text) - text.count(" ")
    return 0 if text.isspace() else len(_UNCOUNTED.sub("", text))


def nth_counted(text: str, k: int) -> int:
    """The index in ``text`` of its ``k``-th counted character (0-based; it has more than ``k``).

    >>> nth_counted("a b\u00adc", 2)
    4
    """
    pos = done = 0
    for m in _UNCOUNTED.finditer(text):
        if done + m.start() - pos > k:
            break
        done += m.start() - pos
        pos = m.end()
    return pos + k - done


def local_name(tag: Any) -> str:
    """An element's tag without its namespace (``{http://www.w3.org/1998/Math/MathML}math`` → ``math``)."""
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def own_text(element: Any) -> str:
    """The text of an ElementTree or lxml ``element`` that counts for its own id (see the module)."""
    out: list[str] = []

    def walk(e: Any) -> None:
        if e.text:
            out.append(e.text)
        for child in e:
            if isinstance(child.tag, str) and not child.get("id") and local_name(child.tag) not in SKIPPED_TAGS:
                walk(child)
            if child.tail:
                out.append(child.tail)

    walk(element)
    return "".join(out)


class _Anchor:
    """An anchor's counted characters, and how many of them print has laid out so far."""

    def __init__(self, element: Any):
        text = own_text(element)
        self.text = text
        self.chars = _UNCOUNTED.sub("", text)  # the counted characters
        self.at = 0

    @functools.cached_property
    def index(self) -> list[int]:
        """Counted character → its position in the text (only a page that begins inside a word needs it)."""
        return [m.start() for m in _COUNTED.finditer(self.text)]

    def consume(self, laid_out: str) -> bool:
        """Advance over a text box's text; True if it ended with a hyphen that is not in the source."""
        laid = _UNCOUNTED.sub("", laid_out)
        if self.chars.startswith(laid, self.at):  # the common case: the source's own characters
            self.at += len(laid)
            return False
        inserted = False
        for c in laid:
            expected = self.chars[self.at] if self.at < len(self.chars) else ""
            if c == expected or c.lower() == expected.lower():
                self.at += 1
                inserted = False
            elif c in HYPHENS:
                inserted = True  # the hyphenate-character of a line broken inside a word
            else:  # text-transform changed it, or a character we cannot match: keep in step
                self.at += 1
                inserted = False
        return inserted

    def word_start(self, offset: int) -> int:
        """The counted offset where the word holding counted character ``offset`` begins."""
        while 0 < offset < len(self.index) and not self.text[self.index[offset] - 1].isspace() \
                and self.index[offset] - 1 == self.index[offset - 1]:
            offset -= 1
        return offset


def _flow(box: Any, anchor: Any, seen_headers: set[int], page_headers: set[int]) -> Iterator[tuple[Any, Any]]:
    """The page's boxes of body content, in order, each with its anchor element (or None)."""
    kind = type(box).__name__
    if kind in ("MarginBox", "FootnoteAreaBox") or "::" in (box.element_tag or ""):
        return
    element = box.element
    if element is not None and local_name(element.tag) in SKIPPED_TAGS:
        yield box, anchor  # a formula: a thing on the page, but no text of its own
        return
    if getattr(box, "is_header", False) or getattr(box, "is_footer", False):
        if id(element) in seen_headers:
            return  # a table's header or footer row repeated on a continuation page
        page_headers.add(id(element))
    if element is not None and element.get("id"):
        anchor = element
    if kind == "TextBox" or "Replaced" in kind:
        yield box, anchor
        return
    for child in getattr(box, "children", ()):
        yield from _flow(child, anchor, seen_headers, page_headers)


def page_starts(pages: list[Any]) -> list[PageStart]:
    """Where each of WeasyPrint's ``pages`` begins (see the module); pages with no body content have none."""
    anchors: dict[int, _Anchor] = {}
    starts: list[PageStart] = []
    seen_headers: set[int] = set()
    hyphenated: _Anchor | None = None  # the anchor whose last text box ended with an inserted hyphen
    for number, page in enumerate(pages):
        first = True
        moved: str | None = None  # a still moved later by pipeline.render.floats, first on the page
        page_headers: set[int] = set()
        for box, owner in _flow(page._page_box, None, seen_headers, page_headers):
            if owner is None:
                continue
            if owner.get("data-float") == "moved":  # not where the text of the page begins
                moved = moved or owner.get("id")
                continue
            state = anchors.get(id(owner))
            if state is None:
                state = anchors[id(owner)] = _Anchor(owner)
            if first:
                offset = state.word_start(state.at) if hyphenated is state else state.at
                starts.append((number, owner.get("id"), offset))
                first = False
            if type(box).__name__ == "TextBox":
                hyphenated = state if state.consume(box.text) else None
        if first and moved:
            starts.append((number, moved, 0))  # a page that holds nothing but a moved still
        seen_headers |= page_headers
    return starts
