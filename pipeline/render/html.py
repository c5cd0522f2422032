"""The XHTML serialiser both renderers share: IR blocks and inlines to well-formed XHTML.

Takes: IR nodes and a :class:`Writer` configured for a target (how links,
images and notes come out).
Gives: XHTML text. The PDF renderer feeds it to WeasyPrint; the EPUB renderer
packs it. As pandoc's EPUB writer reuses its HTML writer, one serialiser
serves both, so the two editions cannot drift apart.

Dispatch is a table keyed by node type (:data:`BLOCK_WRITERS`,
:data:`INLINE_WRITERS`); a node type without an entry raises ``KeyError``.

    >>> from pipeline import ir
    >>> Writer().blocks((ir.Para((ir.Text("a < b"), ir.Emph((ir.Text("c"),)))),))
    '<p>a &lt; b<em>c</em></p>\\n'
"""

from __future__ import annotations

import re
from collections.abc import Callable
from xml.sax.saxutils import escape

from .. import ir
from ..resources import STYLES as STYLES  # CSS and fonts of both editions (re-exported for pdf.py, epub.py)
from ..transforms.raw_ids import map_raw
from . import math as math_html

_ATTR_ESCAPES = {'"': "&quot;", "\n": "&#10;", "\t": "&#9;"}
# XML 1.0 forbids most C0 controls, even as character references.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def text(s: str) -> str:
    """Escape text content for XHTML."""
    return escape(_INVALID_XML.sub("\ufffd", s))


def attr_value(s: str) -> str:
    """Escape an attribute value (without the quotes)."""
    return escape(_INVALID_XML.sub("\ufffd", s), _ATTR_ESCAPES)


def attrs(a: ir.Attr, extra_class: str = "", **more: str) -> str:
    """Serialise an :class:`ir.Attr` (plus extras) as ` id="…" class="…"`."""
    parts = []
    if a.id:
        parts.append(f' id="{attr_value(a.id)}"')
    classes = " ".join(c for c in (*a.classes, extra_class) if c)
    if classes:
        parts.append(f' class="{attr_value(classes)}"')
    for k, v in a.kv:
        if k in ("lang", "title", "dir"):
            parts.append(f' {k}="{attr_value(v)}"')
            if k == "lang":
                parts.append(f' xml:lang="{attr_value(v)}"')
    for k, v in more.items():
        if v:
            parts.append(f' {k.replace("_", "-")}="{attr_value(v)}"')
    return "".join(parts)


class Writer:
    """Serialise IR to XHTML. Subclass or pass hooks to adapt it to a target.

    ``href(target)`` maps ``#id`` links (the EPUB adds the chapter's file name).
    ``image_src(src)`` maps a manuscript image path to the URL to write;
    ``image_size(src)``, when given, the pixel size written as ``width``/``height`` (the EPUB).
    ``anchor(id)`` maps an element id as written (print qualifies it with the chapter).
    ``notes`` is ``"endnotes"`` (collect :attr:`pending_notes` for asides, the EPUB),
    ``"inline"`` (write the note where it is referenced, for CSS ``float: footnote``)
    or ``"none"`` (leave notes out, as in a table of contents).
    ``math(node, attrs)`` writes a formula (:mod:`pipeline.render.math`): MathML by
    default (the EPUB), SVG paths in print.
    """

    def __init__(self, href: Callable[[str], str] | None = None,
                 image_src: Callable[[str], str] | None = None, notes: str = "endnotes",
                 anchor: Callable[[str], str] | None = None,
                 math: Callable[[ir.Math, str], str] | None = None,
                 image_size: Callable[[str], tuple[int, int] | None] | None = None):
        self.href = href or (lambda t: t)
        self.image_size = image_size or (lambda s: None)
        self.image_src = image_src or (lambda s: s)
        self.anchor = anchor or (lambda i: i)
        self.math = math or math_html.epub_html
        self.notes = notes
        self.pending_notes: list[ir.Note] = []

    def attrs(self, a: ir.Attr, extra_class: str = "", **more: str) -> str:
        """:func:`attrs` with the element's id written as :attr:`anchor` maps it."""
        if a.id:
            a = ir.Attr(self.anchor(a.id), a.classes, a.kv)
        return attrs(a, extra_class, **more)

    def blocks(self, blocks: tuple[ir.Block, ...]) -> str:
        """XHTML for a sequence of blocks."""
        return "".join(BLOCK_WRITERS[type(b)](self, b) for b in blocks)

    def inlines(self, inlines: tuple[ir.Inline, ...]) -> str:
        """XHTML for a sequence of inlines."""
        return "".join(INLINE_WRITERS[type(n)](self, n) for n in inlines)

    # -- notes
    def note_ref(self, note: ir.Note) -> str:
        n = note.number
        if self.notes == "none":
            return ""
        if self.notes == "inline":
            body = _as_spans(self.blocks(note.blocks))
            # the empty span marks where the call stands (the note itself floats to the page foot)
            return (f'<span class="fnref" id="{attr_value(self.anchor(f"fnref-{n}"))}"></span>'
                    f'<span class="footnote" id="{attr_value(self.anchor(f"fn-{n}"))}">{body}</span>')
        self.pending_notes.append(note)
        # the pop-up convention of Apple Books, Kobo and Kindle: a noteref link, raised by <sup>
        # even where the publisher's CSS is off, to a footnote aside in the same document
        return (f'<sup><a class="noteref" epub:type="noteref" role="doc-noteref" id="fnref-{n}" '
                f'href="{attr_value(self.href("#fn-" + str(n)))}">{n}</a></sup>')

    def endnotes(self) -> str:
        """The asides for the notes referenced since the last call (EPUB footnotes), written after
        the chapter's last block (an aside never stands inside a paragraph). Each opens with its
        number, a link back to the reference (``doc-backlink``): a reader without pop-ups, or
        Kindle, which wants notes linked both ways, returns to the text through it."""
        out = []
        while self.pending_notes:
            note = self.pending_notes.pop(0)
            n = note.number
            back = f'<a href="#fnref-{n}" role="doc-backlink">{n}.</a> '
            body = self.blocks(note.blocks)
            if body.startswith("<p"):
                end = body.index(">") + 1
                body = body[:end] + back + body[end:]
            else:
                body = f"<p>{back}</p>" + body
            out.append(f'<aside class="footnote" epub:type="footnote" role="doc-footnote" id="fn-{n}">'
                       f"{body}</aside>\n")
        return "".join(out)


CREDITS = {"trl": "Translated by", "ill": "Illustrated by", "edt": "Edited by", "pht": "Photographs by"}


def title_page_lines(meta: ir.Meta) -> str:
    """The title page's lines, the same in both editions: title, subtitle, authors, credits, publisher."""
    out = [f'<h1 class="title" data-title="{attr_value(meta.title)}">{text(meta.title)}</h1>\n']
    if meta.subtitle:
        out.append(f'<p class="subtitle">{text(meta.subtitle)}</p>\n')
    if meta.creators:
        out.append(f'<p class="author">{text(", ".join(c.name for c in meta.creators))}</p>\n')
    for c in meta.contributors:
        if c.role in CREDITS:
            out.append(f'<p class="contributor">{CREDITS[c.role]} {text(c.name)}</p>\n')
    if meta.publisher:
        out.append(f'<p class="publisher">{text(meta.publisher)}</p>\n')
    return "".join(out)


# Tags a note's blocks may use. In print, notes live inside a paragraph, where
# HTML allows no block elements, so each becomes a span that CSS displays as
# the block it was (span[data-b=p] { display: block }).
_BLOCK_TAGS = re.compile(
    r"<(/?)(p|div|blockquote|ul|ol|li|dl|dt|dd|table|caption|thead|tbody|tr|th|td|figure|"
    r"figcaption|pre|h[1-6]|hr|aside|section)\b")


def _as_spans(html: str) -> str:
    return _BLOCK_TAGS.sub(lambda m: "</span" if m.group(1) else f'<span data-b="{m.group(2)}"', html)


# ---------------------------------------------------------------- blocks


def _para(w: Writer, b: ir.Para) -> str:
    return f"<p{w.attrs(b.attr)}>{w.inlines(b.inlines)}</p>\n"


def _heading(w: Writer, b: ir.Heading) -> str:
    number = b.attr.get("number")  # set by transforms/numbering.py; written as pandoc writes it
    if not number:
        return f"<h{b.level}{w.attrs(b.attr)}>{w.inlines(b.inlines)}</h{b.level}>\n"
    mark = f'<span class="header-section-number">{text(number)}</span> '
    return f"<h{b.level}{w.attrs(b.attr, data_number=number)}>{mark}{w.inlines(b.inlines)}</h{b.level}>\n"


def _blockquote(w: Writer, b: ir.BlockQuote) -> str:
    return f"<blockquote{w.attrs(b.attr)}>\n{w.blocks(b.blocks)}</blockquote>\n"


def _items(w: Writer, items: tuple[tuple[ir.Block, ...], ...]) -> str:
    out = []
    for item in items:
        # a tight item is a single paragraph: write its inlines only
        if len(item) == 1 and isinstance(item[0], ir.Para) and not item[0].attr.classes:
            out.append(f"<li{w.attrs(item[0].attr)}>{w.inlines(item[0].inlines)}</li>\n")
        else:
            out.append(f"<li>{w.blocks(item)}</li>\n")
    return "".join(out)


def _bullets(w: Writer, b: ir.BulletList) -> str:
    return f"<ul{w.attrs(b.attr)}>\n{_items(w, b.items)}</ul>\n"


_OL_TYPES = {"lower-alpha": "a", "upper-alpha": "A", "lower-roman": "i", "upper-roman": "I"}


def _ordered(w: Writer, b: ir.OrderedList) -> str:
    """``<ol type="a" start="3">`` as pandoc writes it; a delimiter other than a period is a
    class (``one-paren``, ``two-parens``) that book.css draws as "a)" or "(a)"."""
    kind = f' type="{_OL_TYPES[b.style]}"' if b.style in _OL_TYPES else ""
    start = f' start="{b.start}"' if b.start != 1 else ""
    delim = b.delim if b.delim != "period" else ""
    return f"<ol{w.attrs(b.attr, delim)}{kind}{start}>\n{_items(w, b.items)}</ol>\n"


def _deflist(w: Writer, b: ir.DefinitionList) -> str:
    out = [f"<dl{w.attrs(b.attr)}>\n"]
    for item in b.items:
        out.append(f"<dt>{w.inlines(item.term)}</dt>\n")
        for d in item.defs:
            out.append(f"<dd>{w.blocks(d)}</dd>\n")
    out.append("</dl>\n")
    return "".join(out)


def _code(w: Writer, b: ir.CodeBlock) -> str:
    lang = f"language-{b.language} hl" if b.language else ""
    body = code_lines(highlight(b.text, b.language, numbered="numberLines" in b.attr.classes))
    return f"<pre{w.attrs(b.attr)}><code{w.attrs(ir.NO_ATTR, lang)}>{body}</code></pre>\n"


def code_lines(html: str) -> str:
    """Each line of a code block in its own ``<span class="cl">``, its newline inside: print
    styles a line as a block that wraps with a hanging indent and a continuation mark
    (``styles/print.css``); elsewhere the spans change nothing. Pygments closes its spans
    at each line's end, so every line is well-formed on its own.

    >>> code_lines("a\\nb\\n")
    '<span class="cl">a\\n</span><span class="cl">b\\n</span>'
    """
    lines = html.split("\n")
    last = lines.pop()
    out = "".join(f'<span class="cl">{line}\n</span>' for line in lines)
    return out + (f'<span class="cl">{last}</span>' if last else "")


def highlight(code: str, language: str, numbered: bool = False) -> str:
    """``code`` as XHTML, highlighted with Pygments when ``language`` is one it knows:
    tokens become ``<span class="hl-…">`` styled by ``styles/code.css``, the same in both
    editions. Unknown or no language: the text, escaped.

    >>> highlight("x = 1", "python")
    '<span class="hl-n">x</span> <span class="hl-o">=</span> <span class="hl-mi">1</span>'
    """
    if not language:
        return text(code)
    from pygments import highlight as pygmentize
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound

    try:
        lexer = get_lexer_by_name(language, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return text(code)
    if numbered:  # pandoc's .numberLines: numbers a screen reader skips
        out = pygmentize(code, lexer, HtmlFormatter(classprefix="hl-", linenos="inline"))
        out = out.removeprefix('<div class="highlight"><pre><span></span>').removesuffix("</pre></div>\n")
        out = out.replace('<span class="linenos">', '<span class="linenos" aria-hidden="true">')
    else:
        out = pygmentize(code, lexer, HtmlFormatter(nowrap=True, classprefix="hl-"))
    if out.endswith("\n") and not code.endswith("\n"):
        out = out[:-1]  # Pygments ends every output with a newline
    return _INVALID_XML.sub("\ufffd", out)


def _lineblock(w: Writer, b: ir.LineBlock) -> str:
    lines = "".join(f'<span class="line">{w.inlines(line)}</span><br/>\n' for line in b.lines)
    return f"<div{w.attrs(b.attr, 'line-block')}>\n{lines}</div>\n"


def _cell(w: Writer, tag: str, cell: ir.Cell, align: str) -> str:
    if tag == "th" and not any(not isinstance(n, (ir.Text, ir.Code)) or n.text.strip()
                               for n in ir.query(cell, (ir.Text, ir.Code, ir.Image, ir.Math))):
        tag = "td"  # an empty header names nothing: a screen reader would announce a blank heading
    attrs = f' class="align-{align}"' if align else ""
    attrs += f' colspan="{cell.colspan}"' if cell.colspan > 1 else ""
    attrs += f' rowspan="{cell.rowspan}"' if cell.rowspan > 1 else ""
    only = cell.blocks[0] if len(cell.blocks) == 1 else None
    if isinstance(only, ir.Para) and not only.attr.classes:  # one paragraph: its inlines, its id on the cell
        return f"<{tag}{w.attrs(only.attr)}{attrs}>{w.inlines(only.inlines)}</{tag}>"
    return f"<{tag}{attrs}>{w.blocks(cell.blocks)}</{tag}>"


def _rows(w: Writer, rows: tuple[tuple[ir.Cell, ...], ...], tag: str, aligns: tuple[str, ...]) -> str:
    """Table rows; a cell takes the alignment of the column it starts in, found past the
    cells that span into its row from above."""
    out = []
    spanned: dict[int, int] = {}  # column → rows it is still covered by a cell from above
    for row in rows:
        col = 0
        cells = []
        below = {c: n - 1 for c, n in spanned.items() if n > 1}
        for cell in row:
            while spanned.get(col, 0) > 0:
                col += 1
            cells.append(_cell(w, tag, cell, aligns[col] if col < len(aligns) else ""))
            for c in range(col, col + cell.colspan):
                if cell.rowspan > 1:
                    below[c] = cell.rowspan - 1
            col += cell.colspan
        spanned = below
        out.append("<tr>" + "".join(cells) + "</tr>\n")
    return "".join(out)


def _percent(x: float) -> str:
    return f"{x * 100:.2f}".rstrip("0").rstrip(".") + "%"


def _table(w: Writer, b: ir.Table) -> str:
    total = sum(b.widths)
    style = f"width: {_percent(total)}" if b.widths and total < 0.995 else ""
    out = [f"<table{w.attrs(b.attr, style=style)}>\n"]
    if b.caption:
        out.append(f"<caption>{w.inlines(b.caption)}</caption>\n")
    if b.widths and total > 0:  # each column's share of the table, as pandoc's relative widths
        out.append("<colgroup>" + "".join(f'<col style="width: {_percent(x / total)}"/>' for x in b.widths)
                   + "</colgroup>\n")
    if b.head:
        out.append(f"<thead>\n{_rows(w, b.head, 'th', b.aligns)}</thead>\n")
    out.append(f"<tbody>\n{_rows(w, b.body, 'td', b.aligns)}</tbody>\n")
    if b.foot:
        out.append(f"<tfoot>\n{_rows(w, b.foot, 'td', b.aligns)}</tfoot>\n")
    out.append("</table>\n")
    return "".join(out)


_LENGTH = re.compile(r"^\d+(?:\.\d+)?(%|px|cm|mm|in|pt|em)?$")


def size_style(a: ir.Attr) -> str:
    """pandoc's ``width=`` and ``height=`` (``50%``, ``8cm``, ``300px``, ``300``) as a style attribute.

    >>> size_style(ir.Attr(kv=(("width", "50%"), ("height", "300"))))
    ' style="width: 50%; height: 300px"'
    """
    rules = []
    for key in ("width", "height"):
        value = (a.get(key) or "").strip()
        m = _LENGTH.match(value)
        if m:
            rules.append(f"{key}: {value if m.group(1) else value + 'px'}")
    return f' style="{"; ".join(rules)}"' if rules else ""


def image_size_attrs(size: tuple[int, int] | None, a: ir.Attr) -> str:
    """``width``/``height`` of the picture itself, so a reader reserves its space, then the author's size.

    An author who sized one side (``width=50%``) gets the other as ``auto``, so the picture
    keeps its proportions.

    >>> image_size_attrs((800, 600), ir.Attr(kv=(("width", "50%"),)))
    ' width="800" height="600" style="width: 50%; height: auto"'
    """
    style = size_style(a)
    if not size or not size[0] or not size[1]:
        return style
    given = [k for k in ("width", "height") if _LENGTH.match((a.get(k) or "").strip())]
    if len(given) == 1:
        style = style[:-1] + f'; {"height" if given[0] == "width" else "width"}: auto"'
    return f' width="{size[0]}" height="{size[1]}"{style}'


def _figure(w: Writer, b: ir.Figure) -> str:
    img = b.image
    size = image_size_attrs(w.image_size(img.src), b.attr)
    out = [f"<figure{w.attrs(b.attr)}>\n",
           f'<img src="{attr_value(w.image_src(img.src))}" alt="{attr_value(img.alt)}"{size}/>\n']
    if b.caption:
        hidden = ' aria-hidden="true"' if b.alt_from_caption else ""
        out.append(f"<figcaption{hidden}>{w.inlines(b.caption)}</figcaption>\n")
    out.append("</figure>\n")
    return "".join(out)


def _hr(w: Writer, b: ir.HorizontalRule) -> str:
    return f"<hr{w.attrs(b.attr)}/>\n"


def _div(w: Writer, b: ir.Div) -> str:
    if "callout" in b.attr.classes:  # a Quarto callout: an aside a screen reader announces as a note
        return f'<aside{w.attrs(b.attr)} role="note">\n{w.blocks(b.blocks)}</aside>\n'
    return f"<div{w.attrs(b.attr)}>\n{w.blocks(b.blocks)}</div>\n"


def _raw(w: Writer, b: ir.RawBlock) -> str:
    return f"<div{w.attrs(b.attr, 'raw')}>{map_raw(b.html, w.anchor, w.href)}</div>\n"


BLOCK_WRITERS: dict[type, Callable[[Writer, ir.Block], str]] = {
    ir.Para: _para, ir.Heading: _heading, ir.BlockQuote: _blockquote, ir.BulletList: _bullets,
    ir.OrderedList: _ordered, ir.DefinitionList: _deflist, ir.CodeBlock: _code,
    ir.LineBlock: _lineblock, ir.Table: _table, ir.Figure: _figure, ir.HorizontalRule: _hr,
    ir.Div: _div, ir.RawBlock: _raw,
}

# ---------------------------------------------------------------- inlines


def _wrap(tag: str) -> Callable[[Writer, ir.Inline], str]:
    def write(w: Writer, n: ir.Inline) -> str:
        return f"<{tag}{w.attrs(n.attr)}>{w.inlines(n.inlines)}</{tag}>"  # type: ignore[union-attr]
    return write


def _link(w: Writer, n: ir.Link) -> str:
    title = f' title="{attr_value(n.title)}"' if n.title else ""
    return f'<a{w.attrs(n.attr)} href="{attr_value(w.href(n.target))}"{title}>{w.inlines(n.inlines)}</a>'


def _image(w: Writer, n: ir.Image) -> str:
    return (f'<img{w.attrs(n.attr)} src="{attr_value(w.image_src(n.src))}" alt="{attr_value(n.alt)}"'
            f'{image_size_attrs(w.image_size(n.src), n.attr)}/>')


INLINE_WRITERS: dict[type, Callable[[Writer, ir.Inline], str]] = {
    ir.Text: lambda w, n: text(n.text),
    ir.Emph: _wrap("em"),
    ir.Strong: _wrap("strong"),
    ir.Strikeout: _wrap("del"),
    ir.Superscript: _wrap("sup"),
    ir.Subscript: _wrap("sub"),
    ir.Code: lambda w, n: f"<code{w.attrs(n.attr)}>{text(n.text)}</code>",
    ir.Link: _link,
    ir.Image: _image,
    ir.Note: lambda w, n: w.note_ref(n),
    ir.Span: _wrap("span"),
    ir.LineBreak: lambda w, n: "<br/>",
    ir.Cite: _wrap("span"),  # only when the citations transform did not run: the citation as written
    ir.Math: lambda w, n: w.math(n, w.attrs(ir.Attr(n.attr.id))),
}
