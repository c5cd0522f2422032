"""The intermediate representation (IR): the one document model every stage shares.

Takes: nothing; this module only defines types.
Gives: a small, closed set of frozen dataclasses, plus JSON encoding and tree walking.

The parser (``pipeline.parse``) builds a :class:`Book`; transforms
(``pipeline.transforms``) rewrite it; renderers (``pipeline.render``) read it.
Nobody downstream of the parser sees Markdown.

Shape::

    Book(meta: Meta, chapters: [Chapter])
    Meta(title, lang, identifier, creators: [Contributor(name, role, file_as)],
         subjects: [Subject(text, authority, term)], series, accessibility, …)
    Chapter(id, source, blocks: [Block])   .title: its first heading (derived)

Block nodes (each has ``attr`` and ``line``, the 1-based source line or 0)::

    Para(inlines)                  a paragraph
    Heading(level, inlines)        a section heading, level 1-6; with ``number-sections``
                                   its number is ``attr.get("number")`` ('1.2', set by
                                   transforms/numbering.py, as pandoc's ``number`` attribute)
    BlockQuote(blocks)             a quotation
    BulletList(items)              items: [[Block]]; a task list (``- [x]``) as pandoc reads it:
                                   each item opens with '☐ ' or '☒ ', class 'task-list'
    OrderedList(start, items, style, delim)  items: [[Block]]; style: decimal, lower-alpha,
                                   upper-alpha, lower-roman, upper-roman; delim: period
                                   ("1."), one-paren ("1)"), two-parens ("(1)"), as pandoc's
                                   ListAttributes; an example list ``(@)`` has class 'example'
    DefinitionList(items)          items: [DefItem(term: [Inline], defs: [[Block]])]
    CodeBlock(text, language)      preformatted text
    LineBlock(lines)               verse: lines: [[Inline]], leading spaces kept
    Table(caption, aligns, head, body, widths, foot)
                                   head, body, foot: rows [[Cell]]; caption: [Inline];
                                   aligns, widths: one per column
    Cell(blocks, colspan, rowspan) a table cell (not a block itself)
    Figure(image, caption)         a still: image: Image, caption: [Inline]
    HorizontalRule()               a section break
    Div(blocks)                    a generic container carrying attributes
    RawBlock(html)                 sanitised, well-formed XHTML from the manuscript

Inline nodes::

    Text(text)  Emph(inlines)  Strong(inlines)  Strikeout(inlines)
    Superscript(inlines)  Subscript(inlines)  Code(text)
    Link(inlines, target, title)   a URL, '#id' (this chapter) or 'chapter#id'
    Image(src, alt, title)         src: a path relative to the manuscript root
    Note(number, blocks)           a footnote, numbered through the whole book
    Span(inlines)                  attributes only, e.g. '[]{#anchor}'
    LineBreak()                    a hard line break
    Cite(citations, inlines, line) citations: [Citation(key, mode, prefix, suffix)],
                                   inlines: the citation as written; the citations
                                   transform replaces every Cite (renderers never see one)
    Math(text, display)            a TeX formula: inline ($x$) or displayed ($$x$$ {#eq-x})

Every node carries an :class:`Attr` (``id``, ``classes``, ``kv``) like pandoc's.
The JSON form (:func:`to_json` / :func:`from_json`) carries :data:`IR_VERSION`
and round-trips exactly::

    >>> p = Para((Text("Hello"),))
    >>> from_json(to_json(p)) == p
    True
"""

from __future__ import annotations

import dataclasses
import json
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Union

IR_VERSION = (2, 2)  # 2.1: list styles and delimiters, Math; 2.2: Chapter.matter (front and back matter)


@dataclass(frozen=True, slots=True)
class Attr:
    """Identifier, classes and key-value pairs, as in ``{#id .class key=value}``."""

    id: str = ""
    classes: tuple[str, ...] = ()
    kv: tuple[tuple[str, str], ...] = ()

    def get(self, key: str, default: str | None = None) -> str | None:
        """The value of attribute ``key``, or ``default``."""
        for k, v in self.kv:
            if k == key:
                return v
        return default


NO_ATTR = Attr()


# ---------------------------------------------------------------- inlines


@dataclass(frozen=True, slots=True)
class Text:
    """Plain text, already with curly quotes and dashes."""

    text: str
    attr: Attr = NO_ATTR


@dataclass(frozen=True, slots=True)
class Emph:
    """Emphasis, usually italic; also titles of works."""

    inlines: tuple[Inline, ...]
    attr: Attr = NO_ATTR


@dataclass(frozen=True, slots=True)
class Strong:
    """Strong importance, usually bold."""

    inlines: tuple[Inline, ...]
    attr: Attr = NO_ATTR


@dataclass(frozen=True, slots=True)
class Strikeout:
    """Struck-through text (``~~x~~``)."""

    inlines: tuple[Inline, ...]
    attr: Attr = NO_ATTR


@dataclass(frozen=True, slots=True)
class Superscript:
    """Superscript (``^x^``)."""

    inlines: tuple[Inline, ...]
    attr: Attr = NO_ATTR


@dataclass(frozen=True, slots=True)
class Subscript:
    """Subscript (``~x~``)."""

    inlines: tuple[Inline, ...]
    attr: Attr = NO_ATTR


@dataclass(frozen=True, slots=True)
class Code:
    """Inline code, set in a monospaced face."""

    text: str
    attr: Attr = NO_ATTR


@dataclass(frozen=True, slots=True)
class Link:
    """A hyperlink. ``target`` is an absolute URL or a place in the book.

    After the links transform a place in the book is ``#id`` when the id is in
    the link's own chapter and ``<chapter id>#id`` when it is in another
    (ids are unique per chapter only); :func:`book_target` splits it.
    """

    inlines: tuple[Inline, ...]
    target: str
    title: str = ""
    attr: Attr = NO_ATTR


@dataclass(frozen=True, slots=True)
class Image:
    """An image. ``src`` is a POSIX path relative to the manuscript root."""

    src: str
    alt: str
    title: str = ""
    attr: Attr = NO_ATTR


@dataclass(frozen=True, slots=True)
class Note:
    """A footnote. ``number`` is assigned by the footnotes transform (0 before)."""

    number: int
    blocks: tuple[Block, ...]
    attr: Attr = NO_ATTR


@dataclass(frozen=True, slots=True)
class Span:
    """A generic inline container that only carries attributes."""

    inlines: tuple[Inline, ...]
    attr: Attr = NO_ATTR


@dataclass(frozen=True, slots=True)
class LineBreak:
    """A hard line break."""

    attr: Attr = NO_ATTR


@dataclass(frozen=True, slots=True)
class Citation:
    """One cited work inside a :class:`Cite` (not an inline itself), as in pandoc's AST.

    ``mode`` is ``normal`` (``[@doe]``), ``author-in-text`` (``@doe``) or
    ``suppress-author`` (``[-@doe]``); ``prefix`` and ``suffix`` are the text
    around the key (``[see @doe, p. 3]``), the locator still in the suffix.
    """

    key: str
    mode: str = "normal"
    prefix: tuple[Inline, ...] = ()
    suffix: tuple[Inline, ...] = ()


@dataclass(frozen=True, slots=True)
class Cite:
    """Citations (``[see @doe, p. 3; @roe]``) before they are formatted.

    ``inlines`` is the citation as written, shown when the book has no
    bibliography; ``line`` is its source line (0 when unknown). The citations
    transform (:mod:`pipeline.transforms.citations`) replaces each Cite with
    formatted text linked to the bibliography.
    """

    citations: tuple[Citation, ...]
    inlines: tuple[Inline, ...]
    line: int = 0


@dataclass(frozen=True, slots=True)
class Math:
    """A TeX formula, as pandoc's ``Math InlineMath|DisplayMath``: ``text`` is the TeX as written.

    A displayed formula with an id ``eq-…`` is numbered by the cross-references transform.
    """

    text: str
    display: bool = False
    attr: Attr = NO_ATTR


Inline = Union[
    Text, Emph, Strong, Strikeout, Superscript, Subscript, Code, Link, Image, Note, Span, LineBreak, Cite, Math
]

# ---------------------------------------------------------------- blocks


@dataclass(frozen=True, slots=True)
class Para:
    """A paragraph."""

    inlines: tuple[Inline, ...]
    attr: Attr = NO_ATTR
    line: int = 0


@dataclass(frozen=True, slots=True)
class Heading:
    """A heading; level 1 opens a chapter."""

    level: int
    inlines: tuple[Inline, ...]
    attr: Attr = NO_ATTR
    line: int = 0


@dataclass(frozen=True, slots=True)
class BlockQuote:
    """A block quotation: letters, diaries, epigraphs."""

    blocks: tuple[Block, ...]
    attr: Attr = NO_ATTR
    line: int = 0


@dataclass(frozen=True, slots=True)
class BulletList:
    """An unordered list; each item is a sequence of blocks."""

    items: tuple[tuple[Block, ...], ...]
    attr: Attr = NO_ATTR
    line: int = 0


@dataclass(frozen=True, slots=True)
class OrderedList:
    """A numbered list starting at ``start``, numbered in ``style`` with marker ``delim``.

    ``style`` is one of :data:`LIST_STYLES` and ``delim`` one of :data:`LIST_DELIMS`, as
    pandoc's ``ListAttributes`` (``(iv)`` is lower-roman, two-parens, start 4). Pandoc's
    example lists ``(@)`` are decimal, two-parens, with the class ``example`` and a
    ``start`` that continues the numbering of the book's earlier examples.
    """

    start: int
    items: tuple[tuple[Block, ...], ...]
    attr: Attr = NO_ATTR
    line: int = 0
    style: str = "decimal"
    delim: str = "period"


LIST_STYLES = ("decimal", "lower-alpha", "upper-alpha", "lower-roman", "upper-roman")
LIST_DELIMS = ("period", "one-paren", "two-parens")


@dataclass(frozen=True, slots=True)
class DefItem:
    """One term of a definition list with its definitions (not a block itself)."""

    term: tuple[Inline, ...]
    defs: tuple[tuple[Block, ...], ...]


@dataclass(frozen=True, slots=True)
class DefinitionList:
    """A definition list, such as a glossary."""

    items: tuple[DefItem, ...]
    attr: Attr = NO_ATTR
    line: int = 0


@dataclass(frozen=True, slots=True)
class CodeBlock:
    """Preformatted text; ``language`` from a fenced block's info string."""

    text: str
    language: str = ""
    attr: Attr = NO_ATTR
    line: int = 0


@dataclass(frozen=True, slots=True)
class LineBlock:
    """Verse or a song: each line kept, leading spaces kept as no-break spaces."""

    lines: tuple[tuple[Inline, ...], ...]
    attr: Attr = NO_ATTR
    line: int = 0


@dataclass(frozen=True, slots=True)
class Cell:
    """A table cell (not a block itself): blocks, as in pandoc, since a grid table's cells
    hold lists and paragraphs. A cell of one line of text is one :class:`Para`; an empty
    cell has no blocks. ``colspan`` and ``rowspan`` count the columns and rows it covers
    (grid tables); the rows it spans into have no cell of their own in its place.
    """

    blocks: tuple[Block, ...]
    colspan: int = 1
    rowspan: int = 1


@dataclass(frozen=True, slots=True)
class Table:
    """A table, of any of pandoc's four kinds (pipe, simple, multiline, grid).

    ``aligns`` holds 'left', 'right', 'center' or '' (the default) per column.
    ``widths`` is empty (columns sized by their content) or holds each column's
    share of the text width (fractions; their sum is at most 1), as pandoc gives
    for multiline and grid tables and for wide pipe tables.
    ``head`` is empty when the table has no header row (or only empty header
    cells); ``foot`` holds a grid table's foot rows.
    """

    caption: tuple[Inline, ...]
    aligns: tuple[str, ...]
    head: tuple[tuple[Cell, ...], ...]
    body: tuple[tuple[Cell, ...], ...]
    widths: tuple[float, ...] = ()
    foot: tuple[tuple[Cell, ...], ...] = ()
    attr: Attr = NO_ATTR
    line: int = 0


@dataclass(frozen=True, slots=True)
class Figure:
    """A still with its caption. The image's ``alt`` is its accessible text.

    ``caption`` may be empty: then there is no figcaption.
    ``alt_from_caption`` is true when the manuscript gave no alt text and the
    caption's plain text stands in for it, so the figcaption is hidden from
    screen readers (it would be read twice).
    """

    image: Image
    caption: tuple[Inline, ...]
    alt_from_caption: bool = False
    attr: Attr = NO_ATTR
    line: int = 0


@dataclass(frozen=True, slots=True)
class HorizontalRule:
    """A section break (``---``)."""

    attr: Attr = NO_ATTR
    line: int = 0


@dataclass(frozen=True, slots=True)
class Div:
    """A generic block container carrying attributes."""

    blocks: tuple[Block, ...]
    attr: Attr = NO_ATTR
    line: int = 0


@dataclass(frozen=True, slots=True)
class RawBlock:
    """Raw HTML from the manuscript, already sanitised to well-formed XHTML."""

    html: str
    attr: Attr = NO_ATTR
    line: int = 0


Block = Union[
    Para,
    Heading,
    BlockQuote,
    BulletList,
    OrderedList,
    DefinitionList,
    CodeBlock,
    LineBlock,
    Table,
    Figure,
    HorizontalRule,
    Div,
    RawBlock,
]

# ---------------------------------------------------------------- document


@dataclass(frozen=True, slots=True)
class Contributor:
    """A person credited in the metadata. ``role`` is a MARC relator code (aut, trl, ill…)."""

    name: str
    role: str = "aut"
    file_as: str = ""  # the sort form, e.g. 'Roe, Jane' (the EPUB's ``file-as``); "" when not given


@dataclass(frozen=True, slots=True)
class Subject:
    """A subject of the book: its text, and optionally a code from a scheme (``authority``: BISAC, Thema…)."""

    text: str
    authority: str = ""
    term: str = ""


@dataclass(frozen=True, slots=True)
class Meta:
    """Book metadata, normalised from pandoc's key names by ``pipeline.load.metadata``."""

    title: str
    lang: str
    identifier: str
    subtitle: str = ""
    creators: tuple[Contributor, ...] = ()
    contributors: tuple[Contributor, ...] = ()
    publisher: str = ""
    date: str = ""
    rights: str = ""
    edition: str = ""  # "Second edition": printed on the copyright page
    description: str = ""
    subjects: tuple[Subject, ...] = ()
    cover_image: str = ""
    source: str = ""
    print_isbn: str = ""  # the print edition's ISBN, urn:isbn:… (the EPUB's pageBreakSource)
    toc_title: str = "Contents"
    trim_size: tuple[str, ...] = ()  # the author's (width, height) for print, or () for the edition's own
    css: tuple[str, ...] = ()  # the author's stylesheets for the EPUB (pandoc's --css), root-relative
    number_sections: bool = False  # pandoc's -N: headings numbered 1, 1.1, 1.1.1 through the book
    toc_depth: int = 3  # the deepest heading level the contents list (pandoc's --toc-depth)
    modified: str = "2000-01-01T00:00:00Z"  # SOURCE_DATE_EPOCH, else the last commit or file time (parse stage)
    series: str = ""           # the series the book belongs to (EPUB ``belongs-to-collection``)
    series_position: str = ""  # its number in the series (``group-position``)
    # the author's accessibility claims, added to or overriding the derived ones (render/accessibility.py):
    # (schema.org or a11y property, its values), e.g. ("schema:accessibilitySummary", ("…",))
    accessibility: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # citations (pipeline.transforms.citations): processed when bibliography or references is set
    bibliography: tuple[str, ...] = ()  # BibTeX, CSL-JSON or CSL-YAML files, relative to the manuscript root
    csl: str = ""                       # a CSL style file, relative to the root; "" is Chicago author-date
    references: str = ""                # inline references (pandoc's 'references:'), as CSL-JSON text
    link_citations: bool = True         # each citation links to its bibliography entry
    reference_section_title: str = ""   # the heading of a bibliography placed at the end of the book
    epub_image_megapixels: float = 4.0  # the most pixels of an EPUB still (pipeline.stills); print keeps all
    print_service: str = "kdp"  # the print-on-demand service (pipeline.print_services): limits, spine, padding
    paper: str = "white"        # white | cream | colour: the paper, for the cover's spine width
    crop_marks: bool = False    # print: crop marks outside the trim (pipeline.render.pdf_x)
    level_spreads: str = "stretch"  # stretch | cut | off: how print's facing pages end level (render/spreads.py)
    footnotes_restart: str = "book"  # book | chapter: notes numbered through the book, or from 1 in each chapter


@dataclass(frozen=True, slots=True)
class Chapter:
    """One unit of the book: a chapter, or front or back matter.

    ``id`` is unique in the book and names the output file (``<id>.xhtml``).
    ``source`` is the Markdown file, relative to the manuscript root.
    Ids inside a chapter are unique in that chapter and depend on nothing
    else, so each chapter can be rendered (and cached) on its own.
    """

    id: str
    source: str
    blocks: tuple[Block, ...]
    # "" for a chapter of the body; else what it is (pipeline.matter.KINDS): dedication, epigraph,
    # acknowledgments, about-author, colophon
    matter: str = ""

    @property
    def title(self) -> tuple[Inline, ...]:
        """The inlines of the chapter's first heading, or ``()``: derived, never stored."""
        for b in self.blocks:
            if isinstance(b, Heading):
                return b.inlines
        return ()


@dataclass(frozen=True, slots=True)
class Book:
    """The whole book: metadata and chapters in reading order.

    ``root`` is the manuscript folder (absolute path) that image ``src`` values
    are relative to.
    """

    meta: Meta
    chapters: tuple[Chapter, ...]
    root: str = ""


NODE_TYPES: dict[str, type] = {
    cls.__name__: cls
    for cls in (
        Attr, Text, Emph, Strong, Strikeout, Superscript, Subscript, Code, Link, Image, Note,
        Span, LineBreak, Citation, Cite, Math, Para, Heading, BlockQuote, BulletList, OrderedList, DefItem,
        DefinitionList, CodeBlock, LineBlock, Cell, Table, Figure, HorizontalRule, Div, RawBlock,
        Contributor, Subject, Meta, Chapter, Book,
    )
}
INLINE_TYPES: tuple[type, ...] = (
    Text, Emph, Strong, Strikeout, Superscript, Subscript, Code, Link, Image, Note, Span, LineBreak, Cite, Math
)
BLOCK_TYPES: tuple[type, ...] = (
    Para, Heading, BlockQuote, BulletList, OrderedList, DefinitionList, CodeBlock, LineBlock,
    Table, Figure, HorizontalRule, Div, RawBlock,
)

# ---------------------------------------------------------------- JSON


def _encode(value: Any) -> Any:
    cls = type(value)
    if cls is tuple:
        return [_encode(v) for v in value]
    names = _FIELD_NAMES.get(cls)
    if names is None:
        if not _is_node(value):
            return value
        names = _FIELD_NAMES[cls] = tuple(f.name for f in dataclasses.fields(cls))
    out: dict[str, Any] = {"t": cls.__name__}
    for name in names:
        v = getattr(value, name)
        if name == "attr" and v == NO_ATTR:
            continue
        out[name] = v if type(v) is str else _encode(v)
    return out


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}  # every field of a node type, in order


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        cls = NODE_TYPES[value["t"]]
        kwargs = {k: _decode(v) for k, v in value.items() if k != "t"}
        return cls(**kwargs)
    if isinstance(value, list):
        return tuple(_decode(v) for v in value)
    return value


def to_json(node: Any, indent: int | None = None) -> str:
    """Encode any IR node, or a whole :class:`Book`, as JSON with the IR version."""
    doc = {"pipeline-ir-version": list(IR_VERSION), "ir": _encode(node)}
    return json.dumps(doc, ensure_ascii=False, indent=indent)


def from_json(text: str) -> Any:
    """Decode what :func:`to_json` wrote. Raises ValueError on another major version."""
    doc = json.loads(text)
    version = tuple(doc.get("pipeline-ir-version", ()))
    if not version or version[0] != IR_VERSION[0]:
        raise ValueError(f"IR version {version} is not supported (expected {IR_VERSION[0]}.x)")
    return _decode(doc["ir"])


# ---------------------------------------------------------------- walking


_LEAF_FIELDS = frozenset({"str", "int", "bool", "float", "Attr", "tuple[str, ...]", "tuple[float, ...]",
                          "tuple[tuple[str, str], ...]"})  # annotations that never hold a node


def _node_fields(cls: type) -> tuple[str, ...]:
    """The fields of a node type that may hold nodes: all but ``attr`` and those whose annotation
    says they hold text or numbers only; looked up once per type."""
    names = _NODE_FIELDS.get(cls)
    if names is None:
        names = _NODE_FIELDS[cls] = tuple(f.name for f in dataclasses.fields(cls) if f.name != "attr"
                                          and str(f.type) not in _LEAF_FIELDS)
    return names


_NODE_FIELDS: dict[type, tuple[str, ...]] = {}
_IS_NODE: dict[type, bool] = {}


def _is_node(value: Any) -> bool:
    cls = type(value)
    known = _IS_NODE.get(cls)
    if known is None:
        known = _IS_NODE[cls] = hasattr(cls, "__dataclass_fields__")
    return known


def children(node: Any) -> list[Any]:
    """The direct child nodes of ``node`` (blocks, inlines, items, cells…)."""
    out: list[Any] = []
    for name in _node_fields(type(node)):
        _collect(getattr(node, name), out)
    return out


def _collect(value: Any, out: list[Any]) -> None:
    if type(value) is tuple:
        for v in value:
            if type(v) is tuple:
                _collect(v, out)
            elif _is_node(v):
                out.append(v)
    elif _is_node(value):
        out.append(value)


def query(node: Any, kind: type | tuple[type, ...]) -> Iterator[Any]:
    """Every node of type ``kind`` under ``node`` (itself included), in document order."""
    stack = [node]
    pop, extend = stack.pop, stack.extend
    while stack:
        n = pop()
        if isinstance(n, kind):
            yield n
        kids = children(n)
        if kids:
            kids.reverse()
            extend(kids)


def walk(node: Any, fn: Callable[[Any], Any]) -> Any:
    """Rebuild ``node`` bottom-up, replacing each node ``n`` with ``fn(n)``.

    ``fn`` returns the node unchanged, a replacement node, or for a block or
    inline inside a sequence, a tuple of nodes to splice in its place.
    """
    return _walk(node, fn)


def _walk_value(value: Any, fn: Callable[[Any], Any]) -> Any:
    if isinstance(value, tuple):
        out: list[Any] = []
        changed = False
        for v in value:
            new = _walk_value(v, fn)
            if new is not v:
                changed = True
            if isinstance(new, tuple) and _is_node(v):
                out.extend(new)
            else:
                out.append(new)
        return tuple(out) if changed else value
    if _is_node(value) and not isinstance(value, Attr):
        return _walk(value, fn)
    return value


def _walk(node: Any, fn: Callable[[Any], Any]) -> Any:
    changes = {}
    for name in _node_fields(type(node)):
        old = getattr(node, name)
        if isinstance(old, (str, int, float, bool)):
            continue
        new = _walk_value(old, fn)
        if new is not old:
            changes[name] = new
    if changes:
        node = dataclasses.replace(node, **changes)
    return fn(node)


def slugify(text: str, fallback: str = "section") -> str:
    """A pandoc-style identifier: lower case, letters, digits, '-', '_' and '.'.

    >>> slugify("Chapter V: The Depot Journey")
    'chapter-v-the-depot-journey'
    """
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"[^\w\s.-]", "", text, flags=re.ASCII)
    text = re.sub(r"\s+", "-", text.strip())
    text = text.lstrip("0123456789.-_")
    return text or fallback


def book_target(target: str, here: str) -> tuple[str, str] | None:
    """``(chapter id, id)`` for a link target inside the book, None for a URL.

    >>> book_target("#intro", "ch-1"), book_target("ch-2#intro", "ch-1"), book_target("https://x.org/#a", "c")
    (('ch-1', 'intro'), ('ch-2', 'intro'), None)
    """
    if target.startswith("#"):
        return here, target[1:]
    chapter, sep, ident = target.partition("#")
    if not sep or "/" in chapter or ":" in chapter:
        return None
    return chapter, ident


def plain_text(inlines: tuple[Inline, ...] | Any) -> str:
    """The plain text of inlines (notes left out), as for alt text or a nav label."""
    parts: list[str] = []
    for node in inlines if isinstance(inlines, tuple) else (inlines,):
        if isinstance(node, Text):
            parts.append(node.text)
        elif isinstance(node, Code):
            parts.append(node.text)
        elif isinstance(node, Math):
            parts.append(node.text.strip())
        elif isinstance(node, LineBreak):
            parts.append(" ")
        elif isinstance(node, Image):
            parts.append(node.alt)
        elif isinstance(node, Note):
            continue
        else:
            parts.append(plain_text(getattr(node, "inlines", ())))
    return "".join(parts)


__all__ = [name for name in NODE_TYPES] + [
    "Inline", "Block", "IR_VERSION", "LIST_STYLES", "LIST_DELIMS", "NO_ATTR", "INLINE_TYPES", "BLOCK_TYPES",
    "to_json", "from_json", "children", "query", "walk", "plain_text", "book_target", "slugify",
]
