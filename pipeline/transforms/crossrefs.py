"""Transform: Quarto's cross-references, ``@fig-x``, ``@tbl-x``, ``@eq-x`` and ``@sec-x``, as numbered links.

Takes: a Book with ids assigned.
Gives: the same Book where, if it cross-references anything at all, figures
with an id ``fig-…`` and tables with an id ``tbl-…`` are numbered through
the book (their captions begin "Figure 3: ", "Table 2: ", as in Quarto), and
each reference in the text is a link: ``@fig-x`` → "Figure 3", ``-@fig-x``
→ "3", ``@sec-x`` → the heading's own text. Displayed equations with an id
``eq-…`` are numbered (1), (2)… through the book whether or not they are
referenced, as in Quarto: each becomes a span ``.equation`` with the id that
holds the number (``.eq-number``) and the formula; ``@eq-x`` → "Equation 2".
The numbers live in the IR, so the EPUB and the PDF cannot disagree. A
reference to nothing stays as written, with a warning (L104). A book with no
reference and no numbered equation is left as it is.

    >>> from pipeline import ir
    >>> from pipeline.diagnostics import Reporter
    >>> fig = ir.Figure(ir.Image("a.png", "A."), (ir.Text("Dusk."),), attr=ir.Attr("fig-dusk"))
    >>> text = ir.Para((ir.Text("See @fig-dusk."),))
    >>> book = ir.Book(ir.Meta("T", "en", "u"), (ir.Chapter("c", "c.md", (fig, text)),))
    >>> out = number_crossrefs(book, Reporter(echo=False))
    >>> ir.plain_text(out.chapters[0].blocks[0].caption), ir.plain_text(out.chapters[0].blocks[1].inlines)
    ('Figure 1: Dusk.', 'See Figure 1.')
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from .. import ir
from ..diagnostics import Reporter

REF = re.compile(r"(?<![\w@])(-?)@((fig|tbl|sec|eq)-[\w-]*\w)")
NAMES = {"fig": "Figure", "tbl": "Table", "eq": "Equation"}


def _has_refs(book: ir.Book) -> bool:
    return any("@" in t.text and REF.search(t.text) for ch in book.chapters for t in ir.query(ch, ir.Text))


def _is_equation(node: Any) -> bool:
    return isinstance(node, ir.Math) and node.display and node.attr.id.startswith("eq-")


def _equation(node: ir.Math, n: int) -> ir.Span:
    """A numbered equation: its number (first, so that it floats right of the formula) and the formula."""
    number = ir.Span((ir.Text(f"({n})"),), ir.Attr(classes=("eq-number",)))
    formula = ir.Math(node.text, True, ir.Attr(classes=node.attr.classes))
    return ir.Span((number, formula), ir.Attr(node.attr.id, ("equation",)))


def number_crossrefs(book: ir.Book, reporter: Reporter) -> ir.Book:
    """Number the referenced kinds of block and turn references into links."""
    refs = _has_refs(book)
    if not refs and not any(_is_equation(m) for ch in book.chapters for m in ir.query(ch, ir.Math)):
        return book
    labels: dict[str, tuple[ir.Inline, ...]] = {}   # id → what a reference to it says
    counts = {"fig": 0, "tbl": 0} if refs else {}
    equations = [0]
    chapters = []
    for ch in book.chapters:
        def number(node: Any) -> Any:
            if _is_equation(node) and node.attr.id not in labels:
                equations[0] += 1
                labels[node.attr.id] = (ir.Text(f"{NAMES['eq']} {equations[0]}"),)
                return _equation(node, equations[0])
            kind = node.attr.id.split("-", 1)[0] if isinstance(node, (ir.Figure, ir.Table)) else ""
            if kind in counts and node.attr.id not in labels:
                counts[kind] += 1
                n = counts[kind]
                labels[node.attr.id] = (ir.Text(f"{NAMES[kind]} {n}"),)
                return dataclasses.replace(node, caption=(ir.Text(f"{NAMES[kind]} {n}: "), *node.caption))
            if isinstance(node, ir.Heading) and node.attr.id.startswith("sec-"):
                labels.setdefault(node.attr.id, node.inlines)
            return node

        chapters.append(ir.walk(ch, number))
    book = dataclasses.replace(book, chapters=tuple(chapters))

    out = []
    for ch in book.chapters:
        def link(node: Any, ch: ir.Chapter = ch) -> Any:
            if not isinstance(node, ir.Text) or "@" not in node.text:
                return node
            parts: list[ir.Inline] = []
            at = 0
            for m in REF.finditer(node.text):
                ident = m.group(2)
                if ident not in labels:  # as LaTeX prints it: "Figure ??"
                    reporter.warn("L104", f"cross-reference '@{ident}' in chapter '{ch.id}' names nothing; "
                                  "printed as '??'", "give the figure, table, equation or section the id {#"
                                  + ident + "}", ch.source)
                    kind = ident.split("-", 1)[0]
                    parts.append(ir.Text(node.text[at:m.start()]))
                    missing = "??" if m.group(1) or kind not in NAMES else f"{NAMES[kind]} ??"
                    parts.append(ir.Span((ir.Text(missing),), ir.Attr(classes=("crossref-missing",))))
                    at = m.end()
                    continue
                parts.append(ir.Text(node.text[at:m.start()]))
                label = labels[ident]
                if m.group(1) and ident.startswith(("fig-", "tbl-", "eq-")):
                    label = (ir.Text(ir.plain_text(label).split(" ", 1)[1]),)  # -@fig-x: the number alone
                parts.append(ir.Link(label, "#" + ident))
                at = m.end()
            if not parts:
                return node
            parts.append(ir.Text(node.text[at:]))
            return tuple(p for p in parts if not (isinstance(p, ir.Text) and not p.text))

        out.append(ir.walk(ch, link))
    return dataclasses.replace(book, chapters=tuple(out))
