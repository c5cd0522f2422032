"""Print-on-demand services as data: page-count limits, paper thickness, bleed.

Takes: the book's ``print-service`` and ``paper`` metadata keys.
Gives: :data:`SERVICES`, one :class:`PrintService` row per service, and
:func:`spine_width_in`, the spine of a paperback of a given page count.

The figures are the services' published ones for a black-and-white
paperback (perfect bound); each row names its source. They are what the
cover (its spine), the preflight (page-count limits) and the print edition
(padding the page count) read; nothing else in the pipeline knows them.
Confirm a final cover against the service's own template generator.

    >>> round(spine_width_in(300, "kdp", "white"), 4)
    0.6756
    >>> SERVICES["kdp"].max_pages, SERVICES["ingramspark"].page_multiple
    (828, 2)
"""

from __future__ import annotations

from dataclasses import dataclass

PAPERS = ("white", "cream", "colour")
BLEED_IN = 0.125  # every service asks 0.125 in (3.175 mm) of bleed beyond the trim, on each side


@dataclass(frozen=True, slots=True)
class PrintService:
    """One print-on-demand service: its page-count limits and the thickness of a page of each paper."""

    name: str
    label: str
    min_pages: int
    max_pages: int
    page_multiple: int                 # the page count is padded with blank pages to a multiple of this
    inch_per_page: dict[str, float]    # paper → the spine's growth per page, in inches
    source: str


SERVICES: dict[str, PrintService] = {
    "kdp": PrintService(
        "kdp", "Amazon KDP", 24, 828, 2,
        {"white": 0.002252, "cream": 0.0025, "colour": 0.002347},
        "KDP Help, 'Paperback cover' and 'Set trim size, bleed and margins' (2025)"),
    "ingramspark": PrintService(
        "ingramspark", "IngramSpark", 18, 1200, 2,
        {"white": 0.002252, "cream": 0.0025, "colour": 0.00225},
        "IngramSpark File Creation Guide, B&W and standard colour 50# stock (444 and 400 pages per inch)"),
    "lulu": PrintService(
        "lulu", "Lulu", 32, 800, 2,
        {"white": 0.002252, "cream": 0.0025, "colour": 0.002347},
        "Lulu Book Creation Guide, paperback perfect bound, 60# stock"),
}


def spine_width_in(pages: int, service: str = "kdp", paper: str = "white") -> float:
    """The spine width in inches of a paperback of ``pages`` pages on ``paper``.

    >>> round(spine_width_in(100, "kdp", "cream"), 3)
    0.25
    """
    return pages * SERVICES[service].inch_per_page[paper]


def padded_pages(pages: int, service: str = "kdp") -> int:
    """``pages`` rounded up to the service's page multiple.

    >>> padded_pages(21), padded_pages(22)
    (22, 22)
    """
    multiple = SERVICES[service].page_multiple
    return -(-pages // multiple) * multiple
