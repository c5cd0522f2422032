"""Ids inside raw HTML: found, made unique with the chapter's other ids, and mapped by renderers.

Takes: the sanitised XHTML of a :class:`~pipeline.ir.RawBlock` (``{=html}``
blocks and raw HTML; see :mod:`pipeline.parse.raw_html`, which writes every
attribute quoted and escaped, so a tag never holds a bare ``>``).
Gives: :func:`raw_ids`, the ids it declares; :func:`rename_ids`, the same
XHTML with some ids renamed; :func:`map_links`, with its links into the book
rewritten (the links transform resolves them as it resolves ``[x](#id)``); and
:func:`map_raw`, which rewrites its ids and links as a renderer writes them
(print qualifies ids with the chapter).

The ids transform (:mod:`.ids`) counts these ids with every other id of the
chapter: a second ``id="x"`` becomes ``x-1`` with warning L103, as a second
``{#x}`` does, and links to ``#x`` lead to the first, as for any other id.

    >>> raw_ids('<div id="a"><p id=\\'b"q\\'>x id="no"</p></div>')
    ['a', 'b"q']
    >>> rename_ids('<div id="a"><span id="a">x</span></div>', lambda i, n: i + "-1" if n == 1 else i)
    '<div id="a"><span id="a-1">x</span></div>'
"""

from __future__ import annotations

import re
from collections.abc import Callable
from xml.sax.saxutils import quoteattr, unescape

from .. import ir

_TAG = re.compile(r"<[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")
_ATTR = re.compile(r"""(?<=\s)(id|href)=("[^"]*"|'[^']*')""")
_ENTITIES = {"&quot;": '"', "&#10;": "\n", "&#9;": "\t", "&#13;": "\r"}


def _value(quoted: str) -> str:
    return unescape(quoted[1:-1], _ENTITIES)


def _quoted(value: str) -> str:
    return quoteattr(value, {"\n": "&#10;", "\t": "&#9;", "\r": "&#13;"})


def raw_ids(html: str) -> list[str]:
    """The ids the elements of ``html`` declare, in document order."""
    return [_value(m.group(2)) for tag in _TAG.finditer(html) for m in _ATTR.finditer(tag.group(0))
            if m.group(1) == "id"]


def _rewrite(html: str, fn: Callable[[str, str, int], str | None]) -> str:
    """``html`` with each id or href value replaced by ``fn(name, value, n)`` (None drops the
    attribute); ``n`` counts ids."""
    count = [0]

    def attr(m: re.Match[str]) -> str:
        name, value = m.group(1), _value(m.group(2))
        new = fn(name, value, count[0])
        if name == "id":
            count[0] += 1
        if new is None:
            return ""
        return m.group(0) if new == value else f"{name}={_quoted(new)}"

    return _TAG.sub(lambda t: _ATTR.sub(attr, t.group(0)), html)


def rename_ids(html: str, rename: Callable[[str, int], str]) -> str:
    """``html`` with its ``n``-th id (0-based) renamed to ``rename(id, n)``."""
    return _rewrite(html, lambda name, value, n: rename(value, n) if name == "id" else value)


def map_links(html: str, fn: Callable[[str], str | None]) -> str:
    """``html`` with each link into the book (``#id``, or ``chapter#id`` once resolved) replaced
    by ``fn(target)``; None removes the link's ``href``, keeping its text.

    >>> map_links('<a href="#a">x</a><a href="https://e.org/#a">y</a>', lambda t: None)
    '<a >x</a><a href="https://e.org/#a">y</a>'
    """
    return _rewrite(html, lambda name, value, n: fn(value) if name == "href" and _in_book(value) else value)


def _in_book(href: str) -> bool:
    return ir.book_target(href, "") is not None


def map_raw(html: str, anchor: Callable[[str], str], href: Callable[[str], str]) -> str:
    """``html`` as a renderer writes it: each id through ``anchor``, each link into the book through ``href``.

    >>> map_raw('<p id="x"><a href="#x">a</a> <a href="https://e.org/#x">b</a></p>',
    ...         lambda i: "ch/" + i, lambda t: "#ch/" + t[1:])
    '<p id="ch/x"><a href="#ch/x">a</a> <a href="https://e.org/#x">b</a></p>'
    """
    def fn(name: str, value: str, n: int) -> str:
        if name == "id":
            return anchor(value)
        return href(value) if _in_book(value) else value

    return _rewrite(html, fn)

