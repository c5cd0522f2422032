"""Where the pipeline's own files (stylesheets and fonts) lie, installed or not.

Gives: :data:`STYLES`, the folder (a real :class:`~pathlib.Path`) holding the CSS
of both editions (``book.css``, ``epub.css``, ``fonts.css``, ``print.css``) and
their fonts under ``fonts/``.

An installed wheel ships the folder inside the package as ``pipeline/styles/``
(pyproject.toml maps the package ``pipeline.styles`` onto the repo's ``styles/``),
found here through :func:`importlib.resources.files`. A source checkout, run with
``PYTHONPATH`` at the repo root or installed editable, keeps it at the repo's top
level, beside the package.

    >>> (STYLES / "book.css").is_file() and (STYLES / "fonts").is_dir()
    True
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

__all__ = ["STYLES"]


def _styles() -> Path:
    packaged = files(__package__) / "styles"  # an installed wheel
    checkout = Path(__file__).resolve().parent.parent / "styles"  # the repo: styles/ beside pipeline/
    for folder in (packaged, checkout):
        if isinstance(folder, Path) and (folder / "book.css").is_file():
            return folder
    raise FileNotFoundError(f"pipeline: no stylesheets found at {packaged} or {checkout}")


STYLES: Path = _styles()
