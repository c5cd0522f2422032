"""A markdown-it plugin for pandoc's fenced divs: ``::: {.class #id key=value}`` … ``:::``.

Takes: Markdown where a line of three or more colons followed by attributes
(``{…}``, or a single class name, optionally followed by more colons) opens a
div, and a line of three or more colons alone closes the innermost open one.
Divs nest, whatever the number of colons, as in pandoc.
Gives: tokens ``fenced_div_open`` (``info``: the attribute text, ``{…}`` form),
the div's blocks, ``fenced_div_close``. A div never closed ends with its
container, as pandoc ends it at the end of the document.

    >>> from markdown_it import MarkdownIt
    >>> md = MarkdownIt("commonmark").use(fenced_div_plugin)
    >>> tokens = md.parse("::: note\\n::: {#x .y}\\nText.\\n:::\\n:::\\n")
    >>> [(t.type, t.info) for t in tokens if t.type.startswith("fenced_div")]
    [('fenced_div_open', '{.note}'), ('fenced_div_open', '{#x .y}'), ('fenced_div_close', ''), ('fenced_div_close', '')]
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock

_OPEN = re.compile(r"^:{3,}[ \t]*(\{[^{}\n]*\}|[\w.-]+)[ \t]*:*[ \t]*$")
_CLOSE = re.compile(r"^:{3,}[ \t]*$")


def _line(state: StateBlock, n: int) -> str:
    return state.src[state.bMarks[n] + state.tShift[n]: state.eMarks[n]]


def _fenced_div(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    if state.sCount[start] - state.blkIndent >= 4:
        return False
    opening = _OPEN.match(_line(state, start))
    if not opening:
        return False
    if silent:
        return True
    depth, n = 1, start + 1
    while n < end:
        if state.sCount[n] < state.blkIndent and _line(state, n):
            break  # the container ends (a list item, a quote): so does the div
        text = _line(state, n)
        if state.sCount[n] - state.blkIndent < 4:
            if _OPEN.match(text):
                depth += 1
            elif _CLOSE.match(text):
                depth -= 1
                if depth == 0:
                    break
        n += 1
    attrs = opening.group(1)
    push_div(state, attrs if attrs.startswith("{") else "{." + attrs + "}", start, n)
    state.line = min(n + 1, end)
    return True


def push_div(state: StateBlock, info: str, start: int, close: int) -> None:
    """Push ``fenced_div_open`` (``info``: its attributes), the blocks of lines ``start + 1``
    to ``close``, and ``fenced_div_close``; the native ``<div>`` rule makes the same tokens."""
    old_parent, old_max = state.parentType, state.lineMax
    state.parentType = "fenced_div"  # type: ignore[assignment]
    state.lineMax = close  # lazy continuations stop at the closing line
    token = state.push("fenced_div_open", "div", 1)
    token.info = info
    token.map = [start, close]
    token.block = True
    state.md.block.tokenize(state, start + 1, close)
    token = state.push("fenced_div_close", "div", -1)
    token.block = True
    state.parentType, state.lineMax = old_parent, old_max


def fenced_div_plugin(md: MarkdownIt) -> None:
    """Add the fenced div rule before fences, so ``:::`` is never read as anything else."""
    md.block.ruler.before("fence", "fenced_div", _fenced_div, {"alt": ["paragraph", "reference", "blockquote",
                                                                       "list"]})
