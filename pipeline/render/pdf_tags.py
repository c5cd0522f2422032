"""The structure tree of a tagged PDF: what WeasyPrint's tagger leaves for us to say.

Takes: WeasyPrint 70's tagger (``weasyprint.pdf.tags``), while the screen PDF is written.
Gives: :func:`adjusted`, a context in which the tree it writes has

- each ``<figure>`` as a ``Div`` holding its ``Figure`` (``/Alt``: the still's alt text) and then
  its ``Caption``. Assistive technology reads a Figure's ``/Alt`` *instead of* what is inside
  the Figure, so a caption inside it would never be read: the PDF Association's *Tagged PDF
  Best Practice Guide: Syntax* (2019) puts the Caption right after the Figure for PDF 1.7.
  When the caption *is* the alt text (the manuscript gave none; the figcaption is
  ``aria-hidden``), the Caption goes inside the Figure, so it is read once, as in the EPUB;
- a footnote as a ``Note`` with its id as ``/ID`` (PDF/UA-1 7.9), its call as a ``Reference``;
- each header cell with ``/Scope`` (``Column``, or ``Row`` for ``scope="row"``), besides the
  ``/Headers`` WeasyPrint gives data cells. A table without a header cell (a layout of
  names in columns, a dialogue) has nothing that names its columns, which PDF/UA's table
  rules need: it is read as what it is, rows of text (``Div`` for the table, its rows and
  cells; its caption a ``P``);
- a formula (the SVG in ``span.math``) as a ``Formula`` whose ``/Alt`` is its TeX;
- what is hidden from screen readers (``aria-hidden``: code line numbers) and images with no
  alt text left out of the tree. :mod:`pipeline.render.pdf_screen` then marks their content
  as artifacts, with the running heads and folios (which WeasyPrint tags but never attaches).

WeasyPrint builds the tree box by box in ``_build_box_tree``, a generator that calls itself
through the module; the context wraps it, so every box passes through :func:`_adjust`. This
relies on WeasyPrint's internals: ``pyproject.toml`` pins the version, and the screen PDF's
tests check the tree this gives.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pydyf
from weasyprint.formatting_structure import boxes
from weasyprint.layout.absolute import AbsolutePlaceholder
from weasyprint.pdf import tags as weasy_tags

SVG = "{http://www.w3.org/2000/svg}svg"


@dataclass
class _Tree:
    """What one write has seen: each figure group's Figure, each Note id given."""

    figures: dict[int, Any] = field(default_factory=dict)  # id(group element) → its Figure element
    notes: dict[int, list[tuple[int, Any]]] = field(default_factory=dict)  # id(note's HTML) → (page, Note)
    tables: list[list[Any]] = field(default_factory=list)  # the parts made so far of each table being built

    def note(self, element: pydyf.Dictionary, html: Any, page: int) -> None:
        """Make ``element`` a Note. WeasyPrint makes one element per box, and a note is several
        nested boxes: the outermost on a page (the last made) is the Note, the ones inside it
        become plain groups. A note that runs on to the next page is a Note there too; the
        first carries the ``/ID``, which must be unique."""
        made = self.notes.setdefault(id(html), [])
        for page_before, inner in made:
            if page_before == page:
                inner["S"] = "/NonStruct"
                inner.pop("ID", None)
        made[:] = [(n, e) for n, e in made if n != page] + [(page, element)]
        element["S"] = "/Note"
        if html.get("id") and made[0][1] is element:
            element["ID"] = pydyf.String(html.get("id"))


def _classes(element: Any) -> list[str]:
    return (element.get("class") or "").split()


def _adjust(element: pydyf.Dictionary, box: boxes.Box, parent: pydyf.Dictionary, page: int, tree: _Tree) -> bool:
    """Adjust ``element``, the structure element WeasyPrint made for ``box``; False drops it from
    the tree (its content then becomes an artifact)."""
    html = box.element
    tag = box.element_tag
    role = element["S"]
    if role == "/Figure" and tag == SVG:  # a formula's drawing (hidden in HTML, where its TeX speaks)
        tree.figures[id(parent)] = element
        return True
    if html.get("aria-hidden") == "true":
        figure = tree.figures.get(id(parent)) if tag == "figcaption" else None
        if figure is not None:  # a caption that is the alt text: inside the Figure, read once
            element["P"] = figure.reference
            figure["K"].append(element.reference)
        return False
    if role == "/Figure":
        if tag == "img" and not html.get("alt"):
            return False  # decorative: no alt text (the build warns R130)
        tree.figures[id(parent)] = element
    elif tag == "figure":
        element["S"] = "/Div"
    elif tag == "span" and "footnote" in _classes(html):
        tree.note(element, html, page)
    elif tag == "span::footnote-call":
        element["S"] = "/Reference"
    elif tag == "span" and "math" in _classes(html):
        formula = tree.figures.get(id(element))
        if formula is not None:
            formula["S"] = "/Formula"
            tex = html.get("data-tex")
            if tex:
                formula["Alt"] = pydyf.String(tex)
    elif role == "/TH":
        element["A"]["Scope"] = "/Row" if html.get("scope") == "row" else "/Column"
    if role in _TABLE_PARTS and tree.tables and (role != "/Caption" or tag == "caption"):
        tree.tables[-1].append(element)
    return True


_TABLE_PARTS = frozenset({"/THead", "/TBody", "/TFoot", "/TR", "/TH", "/TD", "/Caption"})


def _rows_of_text(table: pydyf.Dictionary, parts: list[pydyf.Dictionary]) -> None:
    """A table without a header cell, tagged as rows of text (see the module's docstring)."""
    if any(part["S"] == "/TH" for part in parts):
        return
    table["S"] = "/Div"
    for part in parts:
        part["S"] = "/P" if part["S"] == "/Caption" else "/Div"
        part.pop("A", None)


def _wrap(original: Any, tree: _Tree) -> Any:
    def build(box: Any, parent: pydyf.Dictionary, pdf: Any, page_number: int, nums: dict, annotations: list,
              tags: dict) -> Iterator[pydyf.Dictionary]:
        own = box._box if isinstance(box, AbsolutePlaceholder) else box
        mine = (own.element is not None and own.element_tag not in ("html", "body")
                and not isinstance(own, (boxes.PageBox, boxes.MarginBox)))
        table = mine and own.element_tag == "table"
        if table:
            tree.tables.append([])
        for element in original(box, parent, pdf, page_number, nums, annotations, tags):
            if table and element["S"] == "/Table":
                _rows_of_text(element, tree.tables.pop())
                table = False
            if not mine or _adjust(element, own, parent, page_number, tree):
                yield element
        if table:  # the table made no element of its own (no rows on this page)
            tree.tables.pop()
    return build


class _NoAltFilter(logging.Filter):
    """WeasyPrint's error for an image without alt text: the build's own warning (R130) says more."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "has no required alt description" not in record.getMessage()


@contextlib.contextmanager
def adjusted() -> Iterator[None]:
    """While a tagged PDF is written, WeasyPrint's structure tree is adjusted as the module says."""
    original = weasy_tags._build_box_tree
    weasy_tags._build_box_tree = _wrap(original, _Tree())
    log_filter = _NoAltFilter()
    logging.getLogger("weasyprint").addFilter(log_filter)
    try:
        yield
    finally:
        weasy_tags._build_box_tree = original
        logging.getLogger("weasyprint").removeFilter(log_filter)
