"""Build: run the stages in order and write the outputs.

Takes: a manuscript path, the formats wanted and an output folder.
Gives: ``<out>/<slug>.pdf`` and ``<out>/<slug>.epub``, written atomically.

The stages, each in its own module::

    load (load.py) → parse (parse/) → transforms (transforms/) → render (render/pdf.py, render/epub.py)

    >>> book = build_book("manuscripts/the-salt-lantern")   # doctest: +SKIP
    >>> build("manuscripts/the-salt-lantern", ["epub"])      # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from . import ir
from .diagnostics import Reporter, error
from .load import Manuscript, load
from .output import write_atomic
from .parse import parse_book
from .transforms import run_transforms

FORMATS = ("pdf", "epub")


def build_book(source: Path | str | Manuscript, reporter: Reporter | None = None) -> ir.Book:
    """Load, parse and transform a manuscript into a Book ready to render."""
    reporter = reporter or Reporter()
    manuscript = source if isinstance(source, Manuscript) else load(source)
    book = run_transforms(parse_book(manuscript, reporter), reporter)
    if book.meta.cover_image:
        _check_cover(book, manuscript.metadata_file)
    return book


def _check_cover(book: ir.Book, meta_file: str) -> None:
    from .images import inspect

    root = Path(book.root)
    path = (root / book.meta.cover_image).resolve()
    try:
        path.relative_to(root)
    except ValueError:
        raise error("M015", f"cover image '{book.meta.cover_image}' is outside the manuscript folder",
                    "copy it into the manuscript folder", meta_file) from None
    if not path.is_file():
        raise error("M015", f"cover image '{book.meta.cover_image}' not found",
                    "the path is relative to the manuscript folder", meta_file)
    inspect(path, book.meta.cover_image, meta_file)


def renderer(fmt: str) -> Callable[[ir.Book, Reporter], bytes]:
    """The render function for a format name; imported lazily so an EPUB build never loads WeasyPrint."""
    if fmt == "pdf":
        from .render.pdf import render_pdf
        return render_pdf
    if fmt == "epub":
        from .render.epub import render_epub
        return render_epub
    raise error("R002", f"unknown format '{fmt}'", "use --to pdf, --to epub or --to pdf,epub")


def build(source: Path | str, formats: list[str] | tuple[str, ...] = FORMATS,
          out_dir: Path | str = "build", reporter: Reporter | None = None) -> list[Path]:
    """Build ``source`` to each format; returns the paths written.

    Everything is rendered before anything is written, so a failure in any
    format leaves every previous output untouched.
    """
    reporter = reporter or Reporter()
    renders = [(fmt, renderer(fmt)) for fmt in formats]
    manuscript = load(source)
    book = build_book(manuscript, reporter)
    products = [(Path(out_dir) / f"{manuscript.slug}.{fmt}", render(book, reporter)) for fmt, render in renders]
    write_atomic(products)
    return [p for p, _ in products]
