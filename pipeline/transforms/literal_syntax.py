"""Transform (a check): pandoc or Quarto syntax that would print as literal text.

Takes: the Book after every other transform.
Gives: the same Book, and a warning (P107) for each block whose text still
holds markup that pandoc or Quarto would have read: a ``:::`` fence, an
attribute block ``{#id .class}``, a shortcode ``{{< … >}}``, TeX commands or
``$$`` math, a grid table's ``+---+`` border. Text in code is never checked.
Loss is never silent: the warning names the construct and the line.

    >>> from pipeline.diagnostics import Reporter
    >>> r = Reporter(echo=False)
    >>> book = ir.Book(ir.Meta("T", "en", "x"), (ir.Chapter("c", "c.md", (
    ...     ir.Para((ir.Text("::: note"),), line=3),)),))
    >>> _ = warn_literal_syntax(book, r)
    >>> [(d.code, d.line, d.message) for d in r.warnings]
    [('P107', 3, "a fenced div ':::' printed as text")]
"""

from __future__ import annotations

import re

from .. import ir
from ..diagnostics import Reporter

PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("a fenced div ':::'", re.compile(r"(?:^|\s):::")),
    ("a Quarto shortcode '{{< >}}'", re.compile(r"\{\{<")),
    ("an attribute block '{#id .class}'", re.compile(r"\{\s*[#.][A-Za-z][\w:.-]*(?:\s+[^{}]*)?\}")),
    ("display math '$$'", re.compile(r"\$\$")),
    ("a TeX command", re.compile(r"\\(?:begin|end|frac|sqrt|sum|int|alpha|beta|mathbf|mathrm|textbf|emph|"
                                 r"cite|ref|label|eqref|section|chapter)\b")),
    ("a grid table border '+---+'", re.compile(r"\+[-=:]{3,}\+")),
)
_HINT = ("write it as this pipeline reads it (see README 'Coming from pandoc or Quarto'), "
         "or escape it with backslashes if it is meant as text")


def _texts(block: ir.Block) -> str:
    return "".join(t.text for t in ir.query(block, ir.Text))


_MARKS = ("::", "{", "$$", "\\", "+")  # one of these is in every match of PATTERNS


def warn_literal_syntax(book: ir.Book, reporter: Reporter) -> ir.Book:
    """Warn (P107) where pandoc or Quarto syntax was left as text; the book is unchanged."""
    for ch in book.chapters:
        for block in ir.query(ch, (ir.Para, ir.Heading)):
            text = _texts(block)
            if not any(mark in text for mark in _MARKS):  # most paragraphs: no pattern to try
                continue
            for what, pattern in PATTERNS:
                if pattern.search(text):
                    reporter.warn("P107", f"{what} printed as text", _HINT, ch.source, block.line)
    return book
