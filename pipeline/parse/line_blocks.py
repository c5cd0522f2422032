"""A markdown-it plugin for pandoc line blocks: verse and songs.

Takes: Markdown lines that start with ``|`` followed by a space (or alone),
continuation lines starting with a space.
Gives: tokens ``line_block_open``, one ``inline`` token per line (leading
spaces turned into no-break spaces, so indentation survives), ``line_block_close``.

    >>> from markdown_it import MarkdownIt
    >>> md = MarkdownIt("commonmark").use(line_block_plugin)
    >>> [t.type for t in md.parse("| one\\n|   two\\n")]
    ['line_block_open', 'inline', 'inline', 'line_block_close']
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock

NBSP = "\u00a0"


def _line(state: StateBlock, n: int) -> str:
    return state.src[state.bMarks[n] + state.tShift[n]: state.eMarks[n]]


def _is_start(text: str) -> bool:
    return text == "|" or text.startswith("| ")


def _line_block(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    if state.sCount[start] - state.blkIndent >= 4:
        return False
    if not _is_start(_line(state, start)):
        return False
    if silent:
        return True
    lines: list[tuple[str, int]] = []
    n = start
    while n < end:
        text = _line(state, n)
        if state.sCount[n] < state.blkIndent or not text:
            break
        if _is_start(text):
            body = text[2:] if len(text) > 1 else ""
            stripped = body.lstrip(" ")
            lines.append((NBSP * (len(body) - len(stripped)) + stripped, n))
        elif state.sCount[n] > state.blkIndent and lines:
            prev, ln = lines[-1]
            lines[-1] = (prev + " " + text.strip(), ln)
        else:
            break
        n += 1
    token = state.push("line_block_open", "div", 1)
    token.map = [start, n]
    for content, ln in lines:
        tok = state.push("inline", "", 0)
        tok.content = content
        tok.map = [ln, ln + 1]
        tok.children = []
    state.push("line_block_close", "div", -1)
    state.line = n
    return True


def line_block_plugin(md: MarkdownIt) -> None:
    """Add the line block rule after tables, so a real pipe table still wins."""
    md.block.ruler.after("table", "line_block", _line_block)
