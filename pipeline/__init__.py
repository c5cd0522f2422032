"""pipeline: Markdown manuscripts to a print PDF (WeasyPrint) and an EPUB 3 (ebooklib).

The public API is what this module exports:

- :func:`build` writes ``<out>/<slug>.pdf`` and ``.epub`` for a manuscript
  (:func:`pipeline.build.run_build` gives the whole :class:`~pipeline.build.BuildResult`);
- :func:`build_book` gives the transformed IR :class:`~pipeline.ir.Book`;
- :func:`render_pdf` / :func:`render_epub` turn a Book and its index into a
  :class:`~pipeline.render.RenderResult` (bytes, and the print page map).

Stages, one package or module each::

    load.py → parse/ → transforms/ → index.py → plan.py (units) → render/ → output.py
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"  # as in pyproject.toml

from .build import build, build_book  # noqa: E402

__all__ = ["build", "build_book", "render_pdf", "render_epub", "__version__"]


def __getattr__(name: str) -> Any:
    # The renderers import WeasyPrint, pikepdf and ebooklib; load them only when asked.
    if name == "render_pdf":
        from .render.pdf_units import render_pdf
        return render_pdf
    if name == "render_epub":
        from .render.epub import render_epub
        return render_epub
    raise AttributeError(name)
