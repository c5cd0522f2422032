"""A markdown-it plugin for pandoc's ``native_divs``: Markdown inside ``<div>`` … ``</div>``.

Takes: Markdown where a line holding only an opening ``<div …>`` tag opens a
div that a line holding only ``</div>`` closes (divs nest). Pandoc reads what
is between as Markdown; CommonMark would keep it as raw HTML, so
``<div class="title">`` + ``![](cover.png)`` + ``</div>`` printed the image's
Markdown as text.
Gives: the tokens :mod:`.fenced_divs` gives (``fenced_div_open`` with the
tag's attributes in ``{#id .class key="value"}`` form, the blocks,
``fenced_div_close``), so the rest of the parser treats both alike. A
``<div>`` never closed is left to the raw HTML rule.

    >>> from markdown_it import MarkdownIt
    >>> md = MarkdownIt("commonmark").use(native_div_plugin)
    >>> tokens = md.parse('<div id="t" class="a b">\\n![](x.png)\\n</div>\\n')
    >>> [(t.type, t.info) for t in tokens if t.type.startswith("fenced_div")]
    [('fenced_div_open', '{#t .a .b}'), ('fenced_div_close', '')]
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock

from .fenced_divs import push_div

_OPEN = re.compile(r"^<div(?:\s[^<>]*)?>\s*$", re.I)
_CLOSE = re.compile(r"^</div\s*>\s*$", re.I)
_ANY_OPEN = re.compile(r"<div[\s>]", re.I)
_ANY_CLOSE = re.compile(r"</div\s*>", re.I)


class _Attrs(HTMLParser):
    attrs: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.attrs = attrs


def _info(tag: str) -> str:
    """The tag's attributes as pandoc's attribute text."""
    parser = _Attrs()
    parser.feed(tag)
    parts = []
    for name, value in parser.attrs:
        value = value or ""
        if name == "id" and re.fullmatch(r"[\w:.-]+", value):
            parts.append("#" + value)
        elif name == "class":
            parts += ["." + c for c in value.split() if re.fullmatch(r"[\w-]+", c)]
        elif re.fullmatch(r"[\w-]+", name) and not name.lower().startswith("on"):
            parts.append(f'{name}="{value.replace(chr(34), "")}"')
    return "{" + " ".join(parts) + "}"


def _line(state: StateBlock, n: int) -> str:
    return state.src[state.bMarks[n] + state.tShift[n]: state.eMarks[n]]


def _native_div(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    if state.sCount[start] - state.blkIndent >= 4:
        return False
    opening = _line(state, start)
    if not _OPEN.match(opening):
        return False
    depth, n = 1, start + 1
    while n < end:
        if state.sCount[n] < state.blkIndent and _line(state, n):
            return False  # the container ends first: not a div of ours
        text = _line(state, n)
        if _CLOSE.match(text):
            depth -= 1
            if depth == 0:
                break
        else:
            depth += len(_ANY_OPEN.findall(text)) - len(_ANY_CLOSE.findall(text))
        n += 1
    if n >= end:
        return False  # never closed: raw HTML, as CommonMark reads it
    if silent:
        return True
    push_div(state, _info(opening.strip()), start, n)
    state.line = n + 1
    return True


def native_div_plugin(md: MarkdownIt) -> None:
    """Add the rule before raw HTML blocks."""
    md.block.ruler.before("html_block", "native_div", _native_div, {"alt": ["paragraph", "reference",
                                                                             "blockquote"]})
