"""Pandoc's smart quotes where markdown-it's differ: the quotes markdown-it leaves straight.

Takes: markdown-it's token stream after its ``smartquotes`` rule, which pairs
quotes and leaves any quote it cannot pair straight.
Gives: the same stream with those leftovers curled as pandoc 3.9 curls them:
a lone ``'`` is an apostrophe ’ ("the '90s", "'Tis", "rock 'n' roll" is
already paired), a lone ``"`` opens (“) before a word at the start of one
and closes (”) anywhere else ("5'10\\"" → 5’10”). Code spans, code blocks and
autolinks are never touched; nor is anything but text.

    >>> from markdown_it import MarkdownIt
    >>> md = MarkdownIt("commonmark", {"typographer": True}).enable("smartquotes")
    >>> md.core.ruler.after("smartquotes", "pandoc_quotes", pandoc_quotes)
    >>> print(md.renderInline("the '90s, 'Tis, 5'10\\" and \\"open `'x'`"))
    the ’90s, ’Tis, 5’10” and “open <code>'x'</code>
"""

from __future__ import annotations

from typing import Any

_OPENERS = " \t\n([{\u2014\u2013\u201c\u2018"


def _curl_double(text: str, before: str) -> str:
    out = []
    for i, c in enumerate(text):
        if c == '"':
            prev = text[i - 1] if i else before
            nxt = text[i + 1] if i + 1 < len(text) else ""
            opening = (not prev or prev in _OPENERS) and nxt != "" and not nxt.isspace()
            c = "\u201c" if opening else "\u201d"
        out.append(c)
    return "".join(out)


def pandoc_quotes(state: Any) -> None:
    """Core rule, after ``smartquotes``: curl the quotes it left straight, as pandoc does."""
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        in_autolink = False
        before = ""  # the last character of the text so far, across tokens
        for token in block.children:
            if token.type == "link_open" and token.info == "auto":
                in_autolink = True
            elif token.type == "link_close" and token.info == "auto":
                in_autolink = False
            elif token.type == "text" and not in_autolink:
                if "'" in token.content:
                    token.content = token.content.replace("'", "\u2019")
                if '"' in token.content:
                    token.content = _curl_double(token.content, before)
            if token.type in ("softbreak", "hardbreak"):
                before = "\n"
            elif token.content and token.type != "html_inline":
                before = token.content[-1]
