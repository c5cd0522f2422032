"""Transforms: pure functions from Book to Book, run once, in the order of :data:`TRANSFORMS`.

Takes: the Book the parser made.
Gives: a Book ready for any renderer: quotes follow the text's language, citations are formatted,
every block has an id, notes are numbered, internal links point at ids that exist.

| order | transform | module |
|---|---|---|
| 0 | :func:`drop_empty_headings` | ``empty_headings.py`` |
| 1 | :func:`localise_quotes` | ``quotes.py`` |
| 2 | :func:`process_citations` | ``citations.py`` |
| 3 | :func:`assign_ids` | ``ids.py`` (ids inside raw HTML too: ``raw_ids.py``) |
| 4 | :func:`number_sections` | ``numbering.py`` |
| 5 | :func:`number_notes` | ``footnotes.py`` |
| 6 | :func:`number_crossrefs` | ``crossrefs.py`` |
| 7 | :func:`resolve_links` | ``links.py`` |
| last | :func:`warn_literal_syntax` (a check) | ``literal_syntax.py`` |

:func:`table_of_contents` (``toc.py``) is a query renderers call on the result.
"""

from __future__ import annotations

from collections.abc import Callable

from .. import ir
from ..diagnostics import Reporter
from .citations import process_citations
from .crossrefs import number_crossrefs
from .empty_headings import drop_empty_headings
from .footnotes import number_notes
from .ids import assign_ids
from .links import chapter_ids, resolve_links
from .literal_syntax import warn_literal_syntax
from .numbering import number_sections
from .quotes import localise_quotes
from .toc import TocEntry, table_of_contents

TRANSFORMS: tuple[Callable[[ir.Book, Reporter], ir.Book], ...] = (
    drop_empty_headings,  # before ids: an empty heading gets none
    localise_quotes,  # first: the manuscript's quotes, before citeproc writes its own (in the style's locale)
    process_citations,
    assign_ids,
    number_sections,
    number_notes,
    number_crossrefs,
    resolve_links,
    warn_literal_syntax,
)

__all__ = ["TRANSFORMS", "run_transforms", "table_of_contents", "TocEntry", "chapter_ids"]


def run_transforms(book: ir.Book, reporter: Reporter) -> ir.Book:
    """Run every transform in order."""
    for transform in TRANSFORMS:
        book = transform(book, reporter)
    return book
