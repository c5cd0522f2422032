r"""Parse: TeX math in Markdown, by pandoc's rules, as markdown-it ``math`` tokens and IR :class:`~pipeline.ir.Math`.

Takes: Markdown text (through markdown-it, as a plugin: :func:`math_plugin`).
Gives: inline tokens of type ``math`` (``content`` the TeX, ``info`` ``"display"``
or ``"inline"``, ``attrs`` from a Quarto ``{#eq-x}``), and :func:`math_inline`,
which turns one into an IR node, or into code text with a warning (P120)
when the formula cannot be converted.

The rules are pandoc's (``tex_math_dollars`` and ``tex_math_single_backslash``),
checked against pandoc 3.9:

- ``$…$`` is inline math when the opening ``$`` is not followed by a space,
  no space stands before the closing ``$``, and the closing ``$`` is not followed
  by a digit: ``$5 and $10`` stays text. ``\$`` is a literal dollar; inside the
  formula a backslash escapes the next character (``$a\$b$``) and ``\text{…}``
  may hold dollars;
- ``$$…$$`` is display math, with any spacing inside; like pandoc, it is an
  inline element of its paragraph. Quarto's ``$$ E = mc^2 $$ {#eq-mass}`` gives it
  the id (only ids beginning ``eq-`` are taken; any other ``{…}`` stays text);
- ``\(…\)`` is inline and ``\[…\]`` display math.

A paragraph line starting with ``$$`` whose closing ``$$`` ends a line is read as
one piece (a block rule), so that lines of a long equation starting with ``-``,
``+``, ``#`` or ``=`` never become lists, headings or setext underlines; the
equation then stays in its paragraph, as in pandoc.

    >>> from markdown_it import MarkdownIt
    >>> md = MarkdownIt("commonmark").use(math_plugin)
    >>> [(t.type, t.info, t.content) for t in md.parseInline("$x^2$ costs $5 and $10")[0].children]
    [('math', 'inline', 'x^2'), ('text', '', ' costs $5 and $10')]
"""

from __future__ import annotations

import re
from collections.abc import Callable

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from mdit_py_plugins.attrs.parse import ParseError
from mdit_py_plugins.attrs.parse import parse as parse_attrs

from .. import ir
from ..render.math import problem, unknown_commands

_SPACE = " \t\n\r\f\v"


def _inline_end(src: str, start: int, n: int, close: str) -> int:
    """pandoc's ``mathInlineWith``: the index of the closing delimiter, or -1.

    The first character is always content; then, before each next one, the
    closing delimiter ends the formula; a backslash takes the next character
    (``\\text{…}`` its balanced braces); a run of spaces must not be followed by ``$``.
    """
    i, first = start, True
    while i < n:
        if not first and src.startswith(close, i):
            return i
        first = False
        c = src[i]
        if c == "\\":
            if src.startswith("text{", i + 1):
                j, depth = i + 5, 0
                while j < n:
                    if src[j] == "\\":
                        j += 2
                        continue
                    depth += (src[j] == "{") - (src[j] == "}")
                    j += 1
                    if depth == 0:
                        break
                if depth == 0:
                    i = j
                    continue
            i += 2
        elif c in _SPACE:
            while i < n and src[i] in _SPACE:
                i += 1
            if i < n and src[i] == "$":
                return -1
        else:
            i += 1
    return -1


def _display_end(src: str, start: int, n: int, close: str) -> int:
    """pandoc's ``mathDisplayWith``: any characters (at least one), up to the closing delimiter."""
    return src.find(close, start + 1, n) if start < n else -1


def _closes_after(state: StateInline, start: int, close: str) -> bool:
    """Whether ``close`` occurs after ``start`` at all: found once per paragraph, so that
    thousands of unclosed ``\\[`` never make a search each to the end (quadratic)."""
    last: dict[str, int] = state.__dict__.setdefault("_math_last", {})
    if close not in last:
        last[close] = state.src.rfind(close)
    return last[close] > start


def _eq_attrs(state: StateInline, pos: int) -> tuple[int, dict]:
    """A Quarto ``{#eq-…}`` after a displayed formula (spaces before it allowed): (end, attrs)."""
    src = state.src
    i = pos
    while i < state.posMax and src[i] in " \t":
        i += 1
    if i >= state.posMax or src[i] != "{":
        return pos, {}
    try:
        length, attrs = parse_attrs(src[i:state.posMax])
    except ParseError:
        return pos, {}
    if not str(attrs.get("id", "")).startswith("eq-"):
        return pos, {}
    return i + length + 1, attrs


_TEXISH = re.compile(r"[\\^_{}=+<>]")  # a backslash-delimited formula has some TeX in it
_FOOTNOTE_REF = re.compile(r"\[\^[^\]]*\]")


def math_inline_rule(state: StateInline, silent: bool) -> bool:
    """Inline rule: ``$…$``, ``$$…$$``, ``\\(…\\)``, ``\\[…\\]``."""
    src, pos = state.src, state.pos
    if src[pos] == "$":
        kinds = [("$$", "$$", True)] if src.startswith("$$", pos) else [("$", "$", False)]
    elif src.startswith("\\(", pos):
        kinds = [("\\(", "\\)", False)]
    elif src.startswith("\\[", pos):
        kinds = [("\\[", "\\]", True)]
    else:
        return False
    for op, close, display in kinds:
        start = pos + len(op)
        if not _closes_after(state, start, close):
            continue
        if display:
            end = _display_end(src, start, state.posMax, close)
        else:
            if op == "$" and (start >= state.posMax or src[start] in _SPACE):
                continue
            end = _inline_end(src, start, state.posMax, close)
            if end >= 0 and end + len(close) < state.posMax and src[end + len(close)].isdigit():
                end = -1  # pandoc: not followed by a digit ($5 and $10)
        if end < 0:
            continue
        body = _FOOTNOTE_REF.sub("", src[start:end])
        if op.startswith("\\") and not (_TEXISH.search(body) or re.fullmatch(r"\s*[A-Za-z]\s*", body)):
            return False  # '\\(1\\)', '\\[sic\\]': escaped brackets in prose, as pandoc's default reads them
        after = end + len(close)
        attrs: dict = {}
        if display:
            after, attrs = _eq_attrs(state, after)
        if not silent:
            token = state.push("math", "math", 0)
            token.content = src[start:end]
            token.markup = op
            token.info = "display" if display else "inline"
            token.meta = {"pos": pos}
            for k, v in attrs.items():
                token.attrSet(k, v)
        state.pos = after
        return True
    return False


def _display_block_end(state: StateBlock, line: int, end_line: int) -> int:
    """The line on which a ``$$`` opened at ``line`` closes, if the closing ``$$`` ends
    that line (a ``{#eq-…}`` may follow it); -1 otherwise."""
    start = state.bMarks[line] + state.tShift[line] + 2
    first = True
    while line < end_line:
        text = state.src[start:state.eMarks[line]]
        if not first and state.isEmpty(line):
            return -1  # pandoc: no blank line inside
        found = text.find("$$", 1 if first else 0)
        if found >= 0:
            rest = text[found + 2:].strip()
            if not rest:
                return line
            if rest.startswith("{") and rest.endswith("}"):
                try:
                    length, attrs = parse_attrs(rest)
                except ParseError:
                    return -1
                return line if length + 1 == len(rest) and str(attrs.get("id", "")).startswith("eq-") else -1
            return -1
        first = False
        line += 1
        if line < end_line:
            start = state.bMarks[line] + state.tShift[line]
    return -1


def math_block_rule(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """Block rule: lines from an opening ``$$`` to a closing one, kept as one piece of paragraph text."""
    if state.sCount[start_line] - state.blkIndent >= 4:
        return False
    begin = state.bMarks[start_line] + state.tShift[start_line]
    if not state.src.startswith("$$", begin):
        return False
    last = _display_block_end(state, start_line, end_line)
    if last < 0:
        return False
    if silent:
        return True
    token = state.push("math_block", "", 0)
    token.block = True
    token.content = state.getLines(start_line, last + 1, state.blkIndent, False).strip()
    token.map = [start_line, last + 1]
    state.line = last + 1
    return True


def math_paragraphs(state: StateCore) -> None:
    """Core rule: each ``math_block`` becomes paragraph text again, joined to a paragraph
    it touches (no blank line between), so the inline rule reads it as pandoc does."""
    out: list[Token] = []
    for t in state.tokens:
        if t.type == "math_block":
            prev = out[-3] if len(out) >= 3 else None
            if (prev is not None and prev.type == "paragraph_open" and prev.map and prev.map[1] == t.map[0]
                    and prev.level == t.level):
                out[-2].content += "\n" + t.content
                prev.map = [prev.map[0], t.map[1]]
                prev.meta["math"] = True
                continue
            opening = Token("paragraph_open", "p", 1, map=t.map, level=t.level, block=True, meta={"math": True})
            inline = Token("inline", "", 0, map=t.map, level=t.level + 1, content=t.content, children=[])
            out.extend((opening, inline, Token("paragraph_close", "p", -1, level=t.level, block=True)))
            continue
        if t.type == "paragraph_open" and len(out) >= 3:
            prev = out[-3]
            if (prev.type == "paragraph_open" and prev.meta.get("math") and prev.map and t.map
                    and prev.map[1] == t.map[0] and prev.level == t.level):
                prev.map = [prev.map[0], t.map[1]]
                out.pop()  # its paragraph_close: the next paragraph's text continues this one
                out.append(Token("math_join", "", 0))
                continue
        if t.type == "inline" and out and out[-1].type == "math_join":
            out.pop()
            out[-1].content += "\n" + t.content
            continue
        out.append(t)
    state.tokens = out


def math_plugin(md: MarkdownIt) -> None:
    """Read pandoc's TeX math: the inline rule, the ``$$`` block rule and the core rule that rejoins them."""
    md.inline.ruler.before("escape", "math", math_inline_rule)
    md.block.ruler.before("fence", "math_block", math_block_rule,
                          {"alt": ["paragraph", "reference", "blockquote", "list"]})
    md.core.ruler.after("block", "math_paragraphs", math_paragraphs)


def math_inline(token: Token, inline: Token, line: int,
                warn: Callable[[str, str, str, int], None]) -> ir.Inline:
    """The IR node for a ``math`` token: :class:`ir.Math`, or, with warning P120, its TeX as code."""
    display = token.info == "display"
    line += inline.content[:token.meta.get("pos", 0)].count("\n")
    why = problem(token.content, display)
    ident = str(token.attrs.get("id", ""))
    if why:
        mark = "$$" if display else "$"
        tex = token.content.strip()
        warn("P120", f"formula {mark}{tex[:80]}{mark} cannot be converted ({why}); its TeX is kept as code text",
             "check the TeX (braces, command names); supported commands are LaTeX's math commands "
             "that latex2mathml knows", line)
        return ir.Code(mark + tex + mark, ir.Attr(ident, ("math-tex",)))
    unknown = unknown_commands(token.content)
    if unknown:
        warn("P121", f"TeX command(s) {', '.join(unknown)} unknown: set as their names", "define them in the "
             "formula, or write them with known commands (a LaTeX template's macros are not read)", line)
    return ir.Math(token.content, display, ir.Attr(ident, tuple(str(token.attrs.get("class", "")).split())))
