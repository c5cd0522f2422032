"""The page map: where every part of the print edition landed.

Takes: the laid-out pieces' page counts and anchors (see :mod:`pipeline.render.pdf_assemble`).
Gives: :class:`PageMap`, part of a PDF build's result: the front matter's
length, each chapter's first page and page count, the page and height of
every id, each page's label (``iii``, ``12``) and where each body page
begins (``breaks``, see :mod:`pipeline.render.page_breaks`), and where each still
landed and at what size (``stills``). The EPUB page-list, print
preflight and the cover's spine read it; ``pipeline build --report`` prints it.

Pages are 0-based physical indexes into the PDF; labels are what the page
prints: roman in the front matter, arabic from 1 at the first chapter.

    >>> m = PageMap(front_pages=4, total_pages=10, chapters={"a": (4, 5)}, ids={"a/x": (6, 400.0)})
    >>> m.label(2), m.label(4), m.page_label("a", "x")
    ('iii', '1', '3')
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


def roman(n: int) -> str:
    """Lower-case roman numerals.

    >>> roman(4), roman(14), roman(1999)
    ('iv', 'xiv', 'mcmxcix')
    """
    out = []
    for value, letters in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
                           (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
        while n >= value:
            out.append(letters)
            n -= value
    return "".join(out)


@dataclass
class PageMap:
    """Where things landed in the print PDF (0-based physical page indexes)."""

    front_pages: int
    total_pages: int
    chapters: dict[str, tuple[int, int]] = field(default_factory=dict)  # id → (first page, page count)
    ids: dict[str, tuple[int, float]] = field(default_factory=dict)     # "chapter/id" → (page, y in pt)
    # where each body page begins: (page, chapter, id in the chapter, counted characters before)
    breaks: list[tuple[int, str, str, int]] = field(default_factory=list)
    bleed: list[int] = field(default_factory=list)  # pages holding a {.bleed} still (edge to edge)
    # each still as printed: (page, chapter, source path, placed width, placed height in pt)
    stills: list[tuple[int, str, str, float, float]] = field(default_factory=list)

    def label(self, page: int) -> str:
        """The page's printed number: roman in the front matter, arabic after."""
        return roman(page + 1) if page < self.front_pages else str(page - self.front_pages + 1)

    def page_label(self, chapter: str, ident: str) -> str:
        """The label of the page where ``ident`` of ``chapter`` landed."""
        return self.label(self.ids[f"{chapter}/{ident}"][0])

    def to_json(self) -> dict:
        """Plain data for JSON."""
        return asdict(self)
