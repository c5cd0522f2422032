"""Front and back matter: which chapter files are a dedication, an epigraph, acknowledgements…

Takes: each chapter's marking, as its author wrote it: ``type:`` in the
file's own front matter, a class on its first level-1 heading
(``# Dedication {.dedication}``) or pandoc's ``{epub:type=dedication}`` on it.
Gives: :func:`kind_of` (the kind a chapter is marked as, or ""), :func:`place`
(the chapters in book order: front matter first, then the body, then back
matter), and each kind's facts (:data:`KINDS`): front or back, its EPUB
``epub:type`` and DPUB-ARIA role, its print title.

Front matter (dedication, epigraph) prints before the contents, on pages
numbered in roman; back matter (acknowledgements, about the author, a
colophon) prints after the body, in the contents, each with its own style.

    >>> kind_of("", ir.Attr(classes=("unnumbered", "dedication")))
    'dedication'
    >>> kind_of("", ir.Attr(kv=(("epub:type", "colophon"),)))
    'colophon'
    >>> kind_of("Acknowledgements", ir.NO_ATTR)
    'acknowledgments'
"""

from __future__ import annotations

from dataclasses import dataclass

from . import ir
from .diagnostics import Diagnostic


@dataclass(frozen=True, slots=True)
class Kind:
    """One kind of front or back matter."""

    name: str
    front: bool          # printed before the contents (roman pages), else after the body
    epub_type: str       # EPUB 3 Structural Semantics; "" when the vocabulary has none
    role: str            # its DPUB-ARIA role; "" when none


KINDS: dict[str, Kind] = {k.name: k for k in (
    Kind("dedication", True, "dedication", "doc-dedication"),
    Kind("epigraph", True, "epigraph", "doc-epigraph"),
    Kind("acknowledgments", False, "acknowledgments", "doc-acknowledgments"),
    Kind("about-author", False, "", ""),  # EPUB's vocabulary has no "about the author": backmatter only
    Kind("colophon", False, "colophon", "doc-colophon"),
)}
ALIASES = {"acknowledgements": "acknowledgments", "about-the-author": "about-author", "about": "about-author",
           "author-bio": "about-author"}


def _normal(word: str) -> str:
    word = word.strip().lower().replace(" ", "-").replace("_", "-")
    return ALIASES.get(word, word)


def kind_of(declared: str, heading: ir.Attr) -> str:
    """The kind a chapter is: ``declared`` (its front matter's ``type``), else its first heading's class
    or ``epub:type``; "" for a chapter of the body (an unknown ``declared`` is checked by :func:`check`)."""
    if declared:
        return _normal(declared) if _normal(declared) in KINDS else ""
    for word in (*heading.classes, *(heading.get("epub:type") or "").split()):
        if _normal(word) in KINDS:
            return _normal(word)
    return ""


def check(declared: str, source: str) -> Diagnostic | None:
    """M135 when a chapter's ``type`` names no kind."""
    if not declared or _normal(declared) in KINDS:
        return None
    return Diagnostic("M135", "warning", f"'type: {declared}' is not a kind of front or back matter; "
                      "the file stays a chapter", f"write one of: {', '.join(KINDS)} (or remove 'type')", source)


def place(chapters: list[ir.Chapter]) -> tuple[list[ir.Chapter], list[Diagnostic]]:
    """The chapters in book order: front matter, body, back matter, each in manuscript order.
    A file that had to move is named in a warning (M136): the author's list should say the same."""
    def rank(ch: ir.Chapter) -> int:
        return 1 if not ch.matter else 0 if KINDS[ch.matter].front else 2

    ordered = sorted(chapters, key=rank)  # stable: manuscript order within each part
    notes = []
    if ordered != chapters:
        for ch in chapters:
            if ch.matter and ordered.index(ch) != chapters.index(ch):
                where = "before the contents" if KINDS[ch.matter].front else "after the last chapter"
                notes.append(Diagnostic("M136", "warning", f"the {ch.matter} is moved {where}",
                                        f"put it {'before' if rank(ch) == 0 else 'after'} every chapter of "
                                        "the body (in 'chapters:' or in the file), where it is printed",
                                        ch.source))
    return ordered, notes


def front_count(book: ir.Book) -> int:
    """How many chapters open the book as front matter (they are first, see :func:`place`)."""
    n = 0
    while n < len(book.chapters) and book.chapters[n].matter and KINDS[book.chapters[n].matter].front:
        n += 1
    return n
