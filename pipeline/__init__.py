"""pipeline: Markdown manuscripts to a print PDF (WeasyPrint) and an EPUB 3 (ebooklib).

The public API is what this module exports:

- :func:`build` writes ``<out>/<slug>.pdf`` and ``.epub`` for a manuscript;
- :func:`build_book` gives the transformed IR :class:`~pipeline.ir.Book`;
- :func:`render_pdf` / :func:`render_epub` turn a Book into bytes.

Stages, one package or module each::

    load.py  →  parse/  →  ir.py (the model)  →  transforms/  →  render/{pdf,epub}.py
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Any

try:
    __version__ = version("pipeline")
except PackageNotFoundError:  # run from a checkout without installing
    __version__ = "0.0.0"

from .build import build, build_book  # noqa: E402

__all__ = ["build", "build_book", "render_pdf", "render_epub"]


def __getattr__(name: str) -> Any:
    # The renderers import WeasyPrint and ebooklib; load them only when asked.
    if name == "render_pdf":
        from .render.pdf import render_pdf
        return render_pdf
    if name == "render_epub":
        from .render.epub import render_epub
        return render_epub
    raise AttributeError(name)
