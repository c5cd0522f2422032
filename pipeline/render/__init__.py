"""Renderers: IR to products. ``html.py`` is shared; ``pdf*.py`` make the print edition, ``epub.py`` the EPUB.

Every renderer returns a :class:`RenderResult`: the product's bytes and, for
print, the :class:`~pipeline.render.pagemap.PageMap` of where everything landed.
"""

from __future__ import annotations

from dataclasses import dataclass

from .pagemap import PageMap


@dataclass
class RenderResult:
    """A rendered product: its bytes and, for print, its page map."""

    data: bytes
    page_map: PageMap | None = None
