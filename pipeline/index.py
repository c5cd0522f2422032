"""The book index: book-wide facts, computed once per build, read by every renderer.

Takes: a transformed :class:`~pipeline.ir.Book` and the facts of the images
its parse checked.
Gives: a :class:`BookIndex`: each chapter's ids, title and note numbers, the
table of contents, and every image's content hash, format and size.

Renderers read the index, never the transforms or the parser. It is also
where a build unit finds what it depends on outside its own chapter: the
notes numbered before it, the images it shows (by content hash).

    >>> from pipeline import ir
    >>> book = ir.Book(ir.Meta("T", "en", "urn:x"), (ir.Chapter("a", "a.md", (
    ...     ir.Heading(1, (ir.Text("One"),), ir.Attr("one")),)),))
    >>> index = build_index(book)
    >>> index.chapter("a").title, index.toc[0].target, index.where("#one", "a")
    ('One', 'one', ('a', 'one'))
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import ir
from .images import ImageFacts
from .transforms.links import chapter_ids
from .transforms.toc import TocEntry, file_title, table_of_contents


@dataclass(frozen=True, slots=True)
class ChapterFacts:
    """One chapter as the rest of the book sees it.

    ``title`` is the plain text of its first heading, or, for a chapter
    without one, a title made from its file name. ``first_note`` is the number
    of its first footnote; ``notes`` how many it has. ``images`` are the
    root-relative paths of the images it shows.
    """

    id: str
    source: str
    title: str
    ids: frozenset[str]
    first_note: int
    notes: int
    images: tuple[str, ...]


@dataclass(frozen=True)
class BookIndex:
    """Book-wide facts. Look a chapter up with :meth:`chapter`, a link with :meth:`where`."""

    chapters: tuple[ChapterFacts, ...]
    toc: tuple[TocEntry, ...]
    images: dict[str, ImageFacts] = field(default_factory=dict)
    _by_id: dict[str, ChapterFacts] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._by_id.update({c.id: c for c in self.chapters})

    def chapter(self, chapter_id: str) -> ChapterFacts:
        """The facts of the chapter called ``chapter_id``."""
        return self._by_id[chapter_id]

    def where(self, target: str, here: str) -> tuple[str, str] | None:
        """``(chapter id, id)`` a link target in chapter ``here`` leads to; None for a URL."""
        return ir.book_target(target, here)

    def printed_toc(self, front: tuple[ir.Chapter, ...] = ()) -> list[TocEntry]:
        """The contents as print lists them (and the EPUB's page-list maps them): without the
        ``front`` matter chapters (dedication, epigraph) printed before the contents."""
        before = {ch.id for ch in front}
        return [e for e in self.toc if e.chapter not in before]


def build_index(book: ir.Book, images: dict[str, ImageFacts] | None = None) -> BookIndex:
    """Compute the index of ``book`` in one pass over its chapters."""
    chapters = []
    for ch in book.chapters:
        notes = [n.number for n in ir.query(ch, ir.Note)]
        srcs = tuple(dict.fromkeys(i.src for i in ir.query(ch, ir.Image)))
        title = ir.plain_text(ch.title).strip() or file_title(ch.source)
        chapters.append(ChapterFacts(ch.id, ch.source, title, chapter_ids(ch),
                                     notes[0] if notes else 0, len(notes), srcs))
    return BookIndex(tuple(chapters), tuple(table_of_contents(book, book.meta.toc_depth)), dict(images or {}))
