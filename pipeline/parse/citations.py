"""Parse: pandoc's citation syntax as a markdown-it inline rule.

Takes: the inline text of a paragraph (markdown-it's inline state).
Gives: ``citation`` tokens whose ``meta`` holds the citations, each
``(prefix, mode, key, suffix)`` with prefix and suffix still Markdown, and
the line offset of the citation in its paragraph. The converter
(:mod:`pipeline.parse.markdown`) turns a token into an :class:`ir.Cite`.

The forms, as pandoc's ``citations`` extension reads them:

- ``[@doe, p. 3]``, ``[see @doe, chap. 2; @roe]``: a normal citation (``mode`` ``normal``);
- ``[-@doe]``: the author suppressed (``suppress-author``);
- ``@doe`` in the text, optionally followed by ``[p. 3]``: ``author-in-text``;
- ``-@doe`` in the text: ``suppress-author``.

A key starts with a letter, digit or ``_`` and may contain internal
punctuation (``:.#$%&-+?<>~/``); ``@{any key}`` takes anything but braces.
``@`` inside a word (``me@example.org``) is not a citation, and Quarto's
cross-references (``@fig-x``, ``@tbl-x``, ``@sec-x``, ``@eq-x``…) are left
as text for :mod:`pipeline.transforms.crossrefs`. A bracket followed by
``(``, ``[`` or ``{`` is a link or a span, not a citation.

    >>> from markdown_it import MarkdownIt

from .. import ir
    >>> md = MarkdownIt("commonmark").use(citation_plugin)
    >>> [t.meta["citations"] for t in md.parseInline("As [see @doe, p. 3; -@roe] and @poe.")[0].children
    ...  if t.type == "citation"]
    [[('see ', 'normal', 'doe', ', p. 3'), ('', 'suppress-author', 'roe', '')], [('', 'author-in-text', 'poe', '')]]
"""

from __future__ import annotations

import re
from typing import Any

from markdown_it import MarkdownIt

from .. import ir

# Quarto's cross-reference kinds: '@fig-x' is a cross-reference, never a citation
CROSSREF_PREFIXES = ("fig-", "tbl-", "sec-", "eq-", "lst-", "thm-", "lem-", "cor-", "prp-", "cnj-",
                     "def-", "exm-", "exr-", "sol-", "rem-")
_KEY = r"(?:\{(?P<braced>[^{}]+)\}|(?P<plain>\w(?:\w|[:.#$%&\-+?<>~/](?=\w))*))"
KEY = re.compile(_KEY)
# one citation in brackets: prefix, optional '-', '@key', suffix
_ITEM = re.compile(r"^(?P<prefix>.*?)(?:(?<=[^\w])|^)(?P<neg>-?)@" + _KEY + r"(?P<suffix>.*)$", re.S)
_AT_KEY = re.compile(r"(?:^|(?<=[^\w]))-?@" + _KEY)
MAX_BRACKET = 2000  # a citation bracket longer than this is not looked for


def is_crossref(key: str) -> bool:
    """True for a Quarto cross-reference key such as ``fig-harbour``."""
    return key.startswith(CROSSREF_PREFIXES)


def _key(m: re.Match[str]) -> str:
    return m.group("braced") if m.group("braced") is not None else m.group("plain")


def _closing_bracket(src: str, start: int, end: int) -> int:
    """The index of the ``]`` closing the ``[`` at ``start``, or -1 (code spans and escapes skipped)."""
    depth = 0
    i = start
    limit = min(end, start + MAX_BRACKET)
    while i < limit:
        c = src[i]
        if c == "\\":
            i += 2
            continue
        if c == "`":
            run = len(src[i:]) - len(src[i:].lstrip("`"))
            close = src.find("`" * run, i + run)
            if close < 0:
                return -1
            i = close + run
            continue
        if c == "[":
            depth += 1
        elif c == "]":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


def split_items(inner: str) -> list[tuple[str, str, str, str]] | None:
    """The citations of a bracket's text, or None when it is not a citation.

    >>> split_items("see @doe, p. 3; @{a b}")
    [('see ', 'normal', 'doe', ', p. 3'), ('', 'normal', 'a b', '')]
    >>> split_items("see @fig-one") is None, split_items("mail me@x.org") is None
    (True, True)
    """
    items = []
    for part in inner.split(";"):
        m = _ITEM.match(part.lstrip() if items else part)
        if m is None:
            return None
        key = _key(m)
        if is_crossref(key) or _AT_KEY.search(m.group("suffix")):
            return None
        mode = "suppress-author" if m.group("neg") else "normal"
        items.append((m.group("prefix"), mode, key, m.group("suffix")))
    return items


def _line_offset(state: Any, pos: int) -> int:
    return state.src.count("\n", 0, pos)


def bracketed_citation(state: Any, silent: bool) -> bool:
    """``[see @doe, p. 3; @roe]``."""
    start = state.pos
    if state.src[start] != "[":
        return False
    close = _closing_bracket(state.src, start, state.posMax)
    if close < 0 or state.src[close + 1:close + 2] in ("(", "[", "{"):
        return False
    items = split_items(state.src[start + 1:close])
    if items is None:
        return False
    if not silent:
        token = state.push("citation", "", 0)
        token.content = state.src[start:close + 1]
        token.meta = {"citations": items, "line": _line_offset(state, start)}
    state.pos = close + 1
    return True


def text_citation(state: Any, silent: bool) -> bool:
    """``@doe`` (``-@doe``) in the text, optionally followed by ``[p. 3]``."""
    start = state.pos
    src = state.src
    neg = src[start] == "-"
    at = start + 1 if neg else start
    if src[at:at + 1] != "@" or (start > 0 and (src[start - 1].isalnum() or src[start - 1] in "_@")):
        return False
    m = KEY.match(src, at + 1, state.posMax)
    if m is None or is_crossref(_key(m)):
        return False
    end = m.end()
    suffix = ""
    # '@doe [p. 33]': a locator or comment in brackets right after the key
    rest = src[end:state.posMax]
    gap = len(rest) - len(rest.lstrip(" "))
    if rest[gap:gap + 1] == "[" and gap <= 1:
        close = _closing_bracket(src, end + gap, state.posMax)
        if close > 0 and src[close + 1:close + 2] not in ("(", "[", "{"):
            inner = src[end + gap + 1:close]
            if "@" not in inner and not inner.startswith("^"):
                suffix = inner
                end = close + 1
    if not silent:
        token = state.push("citation", "", 0)
        token.content = src[start:end]
        mode = "suppress-author" if neg else "author-in-text"
        token.meta = {"citations": [("", mode, _key(m), suffix)], "line": _line_offset(state, start)}
    state.pos = end
    return True


def citation_plugin(md: MarkdownIt) -> None:
    """Add the two citation rules; bracketed citations are tried before links."""
    md.inline.ruler.before("link", "bracketed_citation", bracketed_citation)
    md.inline.ruler.before("link", "text_citation", text_citation)


def cite_token(conv: Any, t: Any, inline: Any, line: int) -> ir.Cite:
    """A ``citation`` token as an :class:`ir.Cite`; ``conv`` parses the prefixes and suffixes."""
    citations = []
    for prefix, mode, key, suffix in t.meta["citations"]:
        pre = conv.inline_text(prefix, line) if prefix.strip() else ()
        suf = conv.inline_text(suffix, line) if suffix.strip() else ()
        citations.append(ir.Citation(key, mode, pre, suf))
    cite_line = line + t.meta["line"] if line else 0
    return ir.Cite(tuple(citations), (ir.Text(t.content),), cite_line)
