"""Parse stage: Markdown chapters to IR blocks, with markdown-it-py.

Takes: a :class:`pipeline.load.Source` (one chapter's Markdown text).
Gives: a tuple of IR blocks (:mod:`pipeline.ir`), each with its source line.

This is the only module that imports markdown-it. It turns on CommonMark plus
pandoc's four kinds of table (pipe, simple, multiline, grid: :mod:`.tables`),
strikethrough, footnotes, definition lists, attributes
(``{#id .class key=value}`` on headings, images, links and spans), sub- and
superscript, pandoc line blocks, table captions (a ``: caption`` paragraph
next to a table), TeX math (:mod:`.math`), pandoc's list kinds (fancy, example and task
lists, see :mod:`.lists`) and smart punctuation (pandoc's set; see :mod:`.smart`).

Token conversion is a table keyed by token type (:data:`BLOCK_RULES`,
:data:`INLINE_OPEN`), as in markdown-it's own renderer. An unknown token type
raises, so a new construct is never dropped silently.

    >>> from pipeline.load import Source
    >>> blocks = parse_source(Source("a.md", '# Hi {#top}\\n\\n"Quoted" -- text.\\n'), ParseContext.default())
    >>> blocks[0].attr.id, blocks[1].inlines[0].text
    ('top', '“Quoted” – text.')
"""

from __future__ import annotations

import dataclasses
import functools
import posixpath
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.attrs import attrs_plugin
from mdit_py_plugins.attrs import parse as _attrs_parse
from mdit_py_plugins.attrs.parse import ParseError
from mdit_py_plugins.attrs.parse import parse as parse_attrs
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.subscript import sub_plugin
from mdit_py_plugins.superscript import superscript_plugin

from .. import ir
from ..cache import Cache
from ..diagnostics import BuildError, Diagnostic, Reporter, error
from ..images import ImageFacts
from ..images import facts as image_facts
from ..load import Source
from .citations import citation_plugin, cite_token
from .fenced_divs import fenced_div_plugin
from .line_blocks import line_block_plugin
from .lists import Examples, pandoc_lists_plugin, task_glyph
from .math import math_inline, math_plugin
from .native_divs import native_div_plugin
from .raw_html import parse_tag, safe_href, sanitise
from .smart import pandoc_quotes
from .tables import convert_malformed, convert_table, make_table, pandoc_tables_plugin

# Quarto's callouts: a fenced div with one of these classes is a titled aside
CALLOUTS = {"callout-note": "Note", "callout-tip": "Tip", "callout-warning": "Warning",
            "callout-important": "Important", "callout-caution": "Caution"}
# a raw HTML block that is one image: <img>, <p><img></p>, <figure><img><figcaption>…</figcaption></figure>
_RAW_FIGURE = re.compile(
    r"^\s*(?:<(?:p|div|center|figure)\b[^>]*>\s*)?(?P<img><img\b[^>]*>)\s*"
    r"(?:<figcaption\b[^>]*>(?P<caption>.*?)</figcaption>\s*)?(?:</(?:p|div|center|figure)>\s*)?$", re.S | re.I)
_RAW_FORMAT = re.compile(r"^\{=([\w-]+)\}$")  # pandoc's raw attribute on a fenced block: ```{=html}
_RAW_TEX_PARA = re.compile(r"\s*(?:\\[A-Za-z]+\*?(?:\[[^\]\n]*\])?(?:\{[^{}\n]*\})*\s*)+")  # \newpage, \vspace{1em}
_CELL = re.compile(r"\{([A-Za-z][\w+-]*)\s*(?:[,}]|\s)")  # ```{python} or ```{r, echo=FALSE}
_DASHES = (("---", "\u2014"), ("--", "\u2013"), ("...", "\u2026"))
_UNNUMBERED_DASH = re.compile(r"(?<=[{\s])-(?=[\s}])")
_RAW_INLINE = re.compile(r"^\{=([\w-]+)\}")  # pandoc's raw inline: `<b>x</b>`{=html}
HTML_FORMATS = ("html", "html5", "epub", "epub3", "xhtml")


def pandoc_dashes(state: Any) -> None:
    """Pandoc's smart punctuation besides quotes: ``---`` em dash, ``--`` en dash, ``...`` ellipsis.

    Only these: markdown-it's own replacements also turn ``(c)`` into ©, ``+-``
    into ± and ``??????`` into ``???``, which pandoc never does ("items (a) (b) (c)").
    Code spans and autolinks are left alone.

    >>> make_parser().renderInline("1914--1918 --- (a) (b) (c) ... `a--b`")
    '1914–1918 — (a) (b) (c) … <code>a--b</code>'
    """
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        in_autolink = False
        for token in block.children:
            if token.type == "link_open" and token.info == "auto":
                in_autolink = True
            elif token.type == "link_close" and token.info == "auto":
                in_autolink = False
            elif token.type == "text" and not in_autolink and ("--" in token.content or "..." in token.content):
                for plain, smart in _DASHES:
                    token.content = token.content.replace(plain, smart)


# Pandoc reads an unquoted attribute value up to a space or the closing brace: {width=50%},
# {height=8.5cm}. mdit-py-plugins' attribute reader takes only letters, digits, '_', ':' and
# '-', and would drop the whole {…}; its two value states are widened to pandoc's.
_BARE_VALUE = re.compile(r"[^\s\"'{}=<>`]")


def _scanning_value(char: str, pos: int, tokens: Any) -> Any:
    if char == '"':
        tokens.set_start(pos)
        return _attrs_parse.State.SCANNING_QUOTED_VALUE
    if _BARE_VALUE.fullmatch(char):
        tokens.set_start(pos)
        return _attrs_parse.State.SCANNING_BARE_VALUE
    raise ParseError(f"Unexpected character whilst scanning value: {char}", pos)


def _scanning_bare_value(char: str, pos: int, tokens: Any) -> Any:
    if char == "}":
        tokens.append(tokens.start, pos, "value")
        return _attrs_parse.State.DONE
    if char.isspace():
        tokens.append(tokens.start, pos, "value")
        return _attrs_parse.State.SCANNING
    if _BARE_VALUE.fullmatch(char):
        return _attrs_parse.State.SCANNING_BARE_VALUE
    raise ParseError(f"Unexpected character whilst scanning bare value: {char}", pos)


_attrs_parse.HANDLERS[_attrs_parse.State.SCANNING_VALUE] = _scanning_value
_attrs_parse.HANDLERS[_attrs_parse.State.SCANNING_BARE_VALUE] = _scanning_bare_value


_ATX = re.compile(r"^ {0,3}#{1,6}[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$", re.M)
_UNDERLINE = re.compile(r"\n {0,3}(?:=+|-+)[ \t]*$", re.M)  # a setext heading's underline
_SETEXT_TEXT = re.compile(r" {0,3}(\S.*?)[ \t]*")           # the line above it, as a heading
_TRAILING_ATTRS = re.compile(r"\s*\{([^{}]*)\}\s*$")


def _setext(text: str) -> Iterator[tuple[int, str]]:
    r"""The setext headings of ``text``: (line start, heading text), found from their underlines
    (many times faster than trying a heading's pattern at every line). A line that underlines one
    heading is not a heading's text itself.

    >>> list(_setext("Sound\n-----\n===\n\nA\n==\n---\n"))
    [(0, 'Sound'), (17, 'A')]
    """
    done = 0
    for m in _UNDERLINE.finditer(text):
        start = text.rfind("\n", 0, m.start()) + 1
        heading = _SETEXT_TEXT.fullmatch(text, start, m.start())
        if start >= done and heading:
            done = m.end()
            yield start, heading.group(1)


def heading_references(texts: list[str]) -> dict[str, str]:
    r"""Pandoc's implicit heading references: each heading's text (as a reference label) → ``#id``.

    The first heading with a text wins, as in pandoc; an explicit ``[label]: url`` in a
    chapter still wins over it there.

    >>> heading_references(["# The *Long* Take {#long}\n\nText.\n\nSound\n-----\n"])
    {'THE *LONG* TAKE': '#long', 'SOUND': '#sound'}
    """
    refs: dict[str, str] = {}
    for text in texts:
        for label, href in _headings_in(text):
            refs.setdefault(label, href)
    return refs


@functools.lru_cache(maxsize=4096)  # by text: a watch save finds the headings of the edited source alone
def _headings_in(text: str) -> tuple[tuple[str, str], ...]:
    """One source's headings, in order: (reference label, ``#id``)."""
    from markdown_it.common.utils import normalizeReference

    found = sorted([(m.start(), m.group(1)) for m in _ATX.finditer(text)]
                   + [(start, heading) for start, heading in _setext(text)
                      if not heading.startswith(("#", ">", "-", "*", "|", ":"))])
    out = []
    for _, heading in found:
        ident = ""
        m = _TRAILING_ATTRS.search(heading)
        if m:
            heading = heading[:m.start()]
            ident = next((w[1:] for w in m.group(1).split() if w.startswith("#")), "")
        label = normalizeReference(heading.strip())
        if label:
            out.append((label, "#" + (ident or ir.slugify(markdown_to_plain(heading)))))
    return tuple(out)


def implicit_references(state: Any) -> None:
    """Core rule, after block parsing: heading labels not defined in the chapter become references."""
    refs = state.env.setdefault("references", {})
    for label, href in state.env.get("implicit_headings", {}).items():
        refs.setdefault(label, {"title": "", "href": href, "map": None})


def make_parser() -> MarkdownIt:
    """The configured markdown-it parser. Raw HTML is parsed, then sanitised by us."""
    md = MarkdownIt("commonmark", {"typographer": True, "html": True})
    md.enable(["table", "strikethrough", "smartquotes"])
    md.core.ruler.before("smartquotes", "pandoc_dashes", pandoc_dashes)
    md.core.ruler.after("smartquotes", "pandoc_quotes", pandoc_quotes)
    md.core.ruler.after("block", "implicit_references", implicit_references)
    md.use(footnote_plugin).use(deflist_plugin).use(attrs_plugin, spans=True)
    md.use(sub_plugin).use(superscript_plugin).use(line_block_plugin).use(fenced_div_plugin)
    md.use(native_div_plugin)  # <div> … </div> around Markdown, as pandoc's native_divs
    md.use(citation_plugin)
    md.use(math_plugin)  # $…$, $$…$$ {#eq-x}, \(…\), \[…\] (parse/math.py)
    md.use(pandoc_lists_plugin)
    md.use(pandoc_tables_plugin)
    return md


_MD = make_parser()
MAX_INLINE_DEPTH = 32  # deeper inline markup is flattened, so no stage recurses without bound
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_CAPTION = re.compile(r"^(?:[Tt]able)?:\s+")


@dataclass
class ParseContext:
    """What the parser needs besides the text: the manuscript root and a reporter."""

    root: Path
    reporter: Reporter = field(default_factory=Reporter)
    shown_root: str = ""
    images: dict[str, ImageFacts] = field(default_factory=dict)  # every image checked, by root-relative path
    cache: Cache | None = None
    headings: dict[str, str] = field(default_factory=dict)  # the book's implicit heading references
    resource_paths: tuple[str, ...] = ()  # root-relative folders where images are also looked for
    errors: list[Diagnostic] = field(default_factory=list)  # errors collected to report together
    examples: Examples = field(default_factory=Examples)  # pandoc's (@) lists, numbered through the book
    # what the source being parsed read from the disk (:mod:`.source_cache` checks it again on a hit)
    probes: dict[tuple[str, str], bool] = field(default_factory=dict)  # ("file" | "inside", path) → answer
    used_images: list[tuple[str, str, int]] = field(default_factory=list)  # (path, as written, line)

    def is_file(self, rel: str) -> bool:
        """Whether the root-relative ``rel`` is a file (remembered in :attr:`probes`)."""
        found = self.probes[("file", rel)] = (self.root / rel).is_file()
        return found

    def inside(self, rel: str) -> bool:
        """Whether ``rel``, links followed, is inside the root (remembered in :attr:`probes`)."""
        try:
            (self.root / rel).resolve().relative_to(self.root.resolve())
            found = True
        except ValueError:
            found = False
        self.probes[("inside", rel)] = found
        return found

    @property
    def heading_targets(self) -> set[str]:
        """The ``#id`` targets of the implicit heading references."""
        return set(self.headings.values())

    @classmethod
    def default(cls) -> ParseContext:
        """A context rooted at the working directory."""
        return cls(Path.cwd())

    def shown(self, source: Source) -> str:
        """The source path as messages show it."""
        return posixpath.join(self.shown_root, source.path) if self.shown_root else source.path


def parse_source(source: Source, ctx: ParseContext) -> tuple[ir.Block, ...]:
    """Parse one Markdown source into IR blocks.

    Raises a :class:`BuildError` carrying every error found in it (missing images,
    say), once the whole source has been read.
    """
    env: dict[str, Any] = {"implicit_headings": ctx.headings}
    tokens = _MD.parse(source.text, env)
    before = len(ctx.errors)
    blocks = _Converter(source, ctx, tokens, env).convert()
    if len(ctx.errors) > before:
        found = ctx.errors[before:]
        del ctx.errors[before:]
        raise BuildError(found[0], tuple(found[1:]))
    return blocks


def parse_inline(text: str, ctx: ParseContext) -> tuple[ir.Inline, ...]:
    """One line of Markdown (a title, say) as IR inlines."""
    return _Converter(Source("metadata", text), ctx, []).inline_text(text, 0)


def markdown_to_plain(text: str) -> str:
    """Metadata values are Markdown in pandoc; their plain text, with smart punctuation.

    >>> markdown_to_plain("A study of *The Salt Lantern* -- in 'brief'")
    'A study of The Salt Lantern – in ‘brief’'
    """
    if not text:
        return text
    return " ".join(ir.plain_text(parse_inline(text, ParseContext.default())).split())


# ---------------------------------------------------------------- attributes


def _unescape(value: str) -> str:
    return re.sub(r"\\(.)", r"\1", value)


def make_attr(attrs: dict[str, Any], skip: tuple[str, ...] = ()) -> ir.Attr:
    """An :class:`ir.Attr` from markdown-it token attributes."""
    ident = ""
    classes: tuple[str, ...] = ()
    kv = []
    for key, value in attrs.items():
        value = _unescape(str(value))
        if key == "id":
            ident = value
        elif key == "class":
            classes = tuple(value.split())
        elif key not in skip:
            kv.append((key, value))
    return ir.Attr(ident, classes, tuple(kv))


# ---------------------------------------------------------------- conversion


class _Converter:
    def __init__(self, source: Source, ctx: ParseContext, tokens: list[Token],
                 env: dict[str, Any] | None = None):
        self.source = source
        self.env = env if env is not None else {}
        self.ctx = ctx
        self.file = ctx.shown(source)
        self.tokens = tokens
        self.base = posixpath.dirname(source.path)
        self.note_bodies: dict[int, tuple[int, int]] = {}
        self.note_stack: list[int] = []
        self._index_notes()

    # -- helpers
    def line(self, token: Token) -> int:
        return (token.map[0] + self.source.first_line) if token.map else 0

    def warn(self, code: str, message: str, hint: str, line: int) -> None:
        self.ctx.reporter.warn(code, message, hint, self.file, line)

    def _index_notes(self) -> None:
        start = None
        for i, t in enumerate(self.tokens):
            if t.type == "footnote_open":
                start = i
            elif t.type == "footnote_close" and start is not None:
                self.note_bodies[self.tokens[start].meta["id"]] = (start + 1, i)

    # -- blocks
    def convert(self) -> tuple[ir.Block, ...]:
        blocks, _ = self.blocks(0, len(self.tokens), None)
        return blocks

    def blocks(self, i: int, end: int, stop: str | None) -> tuple[tuple[ir.Block, ...], int]:
        out: list[ir.Block] = []
        while i < end:
            t = self.tokens[i]
            if stop is not None and t.type == stop:
                break
            rule = BLOCK_RULES.get(t.type)
            if rule is None:
                raise AssertionError(f"no IR rule for markdown-it token '{t.type}'")
            made, i = rule(self, i)
            out.extend(made)
        return tuple(_attach_table_captions(out)), i

    def paragraph(self, i: int) -> tuple[list[ir.Block], int]:
        inline = self.tokens[i + 1]
        line = self.line(self.tokens[i])
        if _RAW_TEX_PARA.fullmatch(inline.content):  # pandoc's raw_tex: '\\pagebreak' alone is TeX
            self.warn("P106", f"raw TeX '{inline.content.strip()[:60]}' is dropped: this pipeline writes HTML",
                      "remove it; page breaks and spacing come from the stylesheets", line)
            return [], self.skip_until(i + 2, "paragraph_close")
        children = inline.children or []
        images = [c for c in children
                  if c.type != "softbreak" and not (c.type == "text" and not c.content.strip())]
        end = self.skip_until(i + 2, "paragraph_close")  # a footnote_anchor may stand before it
        if len(images) == 1 and images[0].type == "image" and not self.names_heading(images[0], line, warn=False):
            return [self.figure(images[0], inline, line)], end
        if len(images) == 1 and images[0].type == "html_inline":
            tag = parse_tag(images[0].content)
            if tag is not None and tag[1] == "img":
                image = self.raw_image(tag[2], line)
                return ([self.raw_figure(image, line)] if image else []), end
        inlines = self.inlines(children, inline, line)
        if not inlines:
            return [], end
        return [ir.Para(inlines, line=line)], end

    def raw_image(self, attrs: dict[str, str], line: int) -> ir.Image | None:
        """A raw ``<img>`` as an image: kept when its ``src`` is a file of the book (looked up
        as a Markdown image's is), else dropped with a warning that keeps its alt text."""
        src = attrs.get("src", "")
        if not src or _SCHEME.match(src) or src.startswith("/"):
            self.warn("P102", f"raw HTML <img src=\"{src[:60]}\"> removed: not a file of the book",
                      "copy the image into the book and give its path relative to the Markdown file", line)
            return None
        try:
            rel = self.resolve_image(src, line)
        except BuildError as exc:  # raw HTML is kept where it can be, dropped with a warning where not
            self.warn("P102", f"raw HTML <img> removed: {exc.diagnostic.message} [{exc.diagnostic.code}]",
                      exc.diagnostic.hint, line)
            return None
        kept = {k: v for k, v in attrs.items() if k in ("id", "class", "width", "height")}
        return ir.Image(rel, attrs.get("alt", "").strip(), attrs.get("title", ""), make_attr(kept))

    def raw_figure(self, image: ir.Image, line: int) -> ir.Figure:
        if not image.alt:
            self.warn("I101", f"still '{image.src}' has no alt text",
                      'add alt="what it shows" to the <img> tag', line)
        return ir.Figure(dataclasses.replace(image, attr=ir.NO_ATTR), (), False,
                         ir.Attr(image.attr.id, image.attr.classes, image.attr.kv), line)

    def remote(self, src: str, label: tuple[ir.Inline, ...], line: int) -> ir.Span | None:
        """A remote image (``https://…``) is never fetched: its caption or alt text stays, with
        a warning (I103) naming its address. None for any other image. (Not a link: a badge is
        often inside one already.)"""
        if not re.match(r"(?i)https?://", src):
            return None
        self.warn("I103", f"remote image '{src[:100]}' is not fetched; its text is kept",
                  "download it into the book's folder and use its path to have it in the book", line)
        return ir.Span(label, ir.Attr(classes=("remote-image",)))

    def figure(self, img: Token, inline: Token, line: int) -> ir.Block:
        line = self._line_of(img, inline, line)
        remote = self.remote(str(img.attrs.get("src", "")), self.caption(img, inline, line), line)
        if remote is not None:
            return ir.Para((remote,), line=line)
        src = self.image_path(str(img.attrs.get("src", "")), line)
        caption = self.caption(img, inline, line)
        alt = _unescape(str(img.attrs.get("fig-alt") or img.attrs.get("alt") or "")).strip()
        from_caption = not alt
        if from_caption:
            alt = ir.plain_text(caption).strip()
            self.warn("I101", f"still '{src}' has no alt text; its caption is used instead",
                      'describe what it shows: ![Caption](file.jpg){alt="What it shows"}', line)
        attr = make_attr(img.attrs, skip=("src", "alt", "fig-alt", "title"))
        image = ir.Image(src, alt, str(img.attrs.get("title", "")))
        return ir.Figure(image, caption, from_caption, attr, line)

    def heading(self, i: int) -> tuple[list[ir.Block], int]:
        t = self.tokens[i]
        inline = self.tokens[i + 1]
        line = self.line(t)
        children = list(inline.children or [])
        attr = ir.NO_ATTR
        m = re.search(r"\s*(\{[^{}]*\})\s*$", inline.content)
        if m and children and children[-1].type == "text":
            try:  # pandoc's {-} is short for {.unnumbered}
                _, parsed = parse_attrs(_UNNUMBERED_DASH.sub(".unnumbered", m.group(1)))
            except ParseError:
                parsed = None
            if parsed is not None:
                attr = make_attr(parsed)
                last = children[-1]
                cut = last.content.rfind("{")
                if cut >= 0:
                    new = Token("text", "", 0, content=last.content[:cut].rstrip())
                    children[-1] = new
        return [ir.Heading(int(t.tag[1]), self.inlines(children, inline, line), attr, line)], i + 3

    def fenced_div(self, i: int) -> tuple[list[ir.Block], int]:
        t = self.tokens[i]
        line = self.line(t)
        try:
            _, parsed = parse_attrs(t.info)
        except ParseError:
            parsed = {}
            self.warn("P105", f"the attributes of a fenced div ('{t.info[:60]}') cannot be read; kept without them",
                      "write e.g. '::: {.note #intro}' or '::: note'", line)
        inner, j = self.blocks(i + 1, len(self.tokens), "fenced_div_close")
        attr = make_attr(parsed)
        kind = next((c for c in attr.classes if c in CALLOUTS), "")
        if kind:
            inner, attr = self.callout(kind, inner, attr, line)
        return [ir.Div(inner, attr, line)], j + 1

    def callout(self, kind: str, blocks: tuple[ir.Block, ...], attr: ir.Attr,
                line: int) -> tuple[tuple[ir.Block, ...], ir.Attr]:
        """A Quarto callout: its title (``title=``, else a first heading, else the kind's name)
        becomes its first paragraph, classed ``callout-title``."""
        title_text = attr.get("title")
        if title_text is not None:
            title = self.inline_text(title_text, line)
        elif blocks and isinstance(blocks[0], ir.Heading):
            title, blocks = blocks[0].inlines, blocks[1:]
        else:
            title = (ir.Text(CALLOUTS[kind]),)
        kv = tuple((k, v) for k, v in attr.kv if k != "title")
        heading = ir.Para(title, ir.Attr(classes=("callout-title",)), line)
        return (heading, *blocks), ir.Attr(attr.id, ("callout", *attr.classes), kv)

    def blockquote(self, i: int) -> tuple[list[ir.Block], int]:
        line = self.line(self.tokens[i])
        inner, j = self.blocks(i + 1, len(self.tokens), "blockquote_close")
        return [ir.BlockQuote(inner, line=line)], j + 1

    def _items(self, i: int, close: str) -> tuple[tuple[tuple[ir.Block, ...], ...], ir.Attr, int]:
        """A list's items, and its attributes: class ``task-list`` when every item is a task."""
        items = []
        tasks = 0
        example = bool((self.tokens[i].meta or {}).get("example"))
        j = i + 1
        while self.tokens[j].type != close:
            meta = self.tokens[j].meta or {}
            if example:  # numbered before its content, as pandoc reads it
                label = meta.get("label", "")
                if not self.ctx.examples.number(label)[1]:
                    self.warn("P130", f"example label '(@{label})' is used twice; references go to the first",
                              "give each example its own label", self.line(self.tokens[j]))
            inner, j = self.blocks(j + 1, len(self.tokens), "list_item_close")
            if "checked" in meta:
                inner = task_glyph(inner, meta["checked"])
                tasks += 1
            items.append(inner)
            j += 1
        classes = ("example",) * example + ("task-list",) * bool(items and tasks == len(items))
        return tuple(items), ir.Attr(classes=classes), j + 1

    def bullet_list(self, i: int) -> tuple[list[ir.Block], int]:
        items, attr, j = self._items(i, "bullet_list_close")
        return [ir.BulletList(items, attr, line=self.line(self.tokens[i]))], j

    def ordered_list(self, i: int) -> tuple[list[ir.Block], int]:
        """An ordered list with pandoc's list attributes (read by :mod:`.lists`); an example
        list starts at the book's next example number."""
        t = self.tokens[i]
        meta = t.meta or {}
        start = self.ctx.examples.next if meta.get("example") else int(t.attrs.get("start", 1))
        items, attr, j = self._items(i, "ordered_list_close")
        return [ir.OrderedList(start, items, attr, self.line(t), meta.get("style", "decimal"),
                               meta.get("delim", "period"))], j

    def definition_list(self, i: int) -> tuple[list[ir.Block], int]:
        line = self.line(self.tokens[i])
        items: list[ir.DefItem] = []
        j = i + 1
        while self.tokens[j].type != "dl_close":
            inline = self.tokens[j + 1]
            term = self.inlines(inline.children or [], inline, self.line(inline))
            j += 3
            defs = []
            while self.tokens[j].type == "dd_open":
                inner, j = self.blocks(j + 1, len(self.tokens), "dd_close")
                defs.append(inner)
                j += 1
            items.append(ir.DefItem(term, tuple(defs)))
        return [ir.DefinitionList(tuple(items), line=line)], j + 1

    def code(self, i: int) -> tuple[list[ir.Block], int]:
        """A code block. Its language is the info string's first word, or, in pandoc's
        ``{.python .numberLines #id}`` form, the first class (the rest stay attributes)."""
        t = self.tokens[i]
        info = t.info.strip()
        raw = _RAW_FORMAT.match(info)
        if raw:
            return self.raw_block(raw.group(1).lower(), t.content, self.line(t)), i + 1
        lang, _, rest = info.partition(" ")
        if info.startswith("{"):
            lang, rest = "", info
        cell = _CELL.match(info)
        if cell:  # Quarto's or R Markdown's executable cell, shown as code: its '#|' options are not
            text = re.sub(r"\A(?:[ \t]*#\|[^\n]*\n)+", "", t.content)
            return [ir.CodeBlock(text, cell.group(1).lower(), ir.NO_ATTR, self.line(t))], i + 1
        attr = ir.NO_ATTR
        if rest.strip().startswith("{"):
            try:
                _, parsed = parse_attrs(rest.strip())
                attr = make_attr(parsed)
            except ParseError:
                pass
            if not lang and attr.classes:
                lang, attr = attr.classes[0], ir.Attr(attr.id, attr.classes[1:], attr.kv)
        return [ir.CodeBlock(t.content, lang, attr, self.line(t))], i + 1

    def raw_block(self, fmt: str, content: str, line: int) -> list[ir.Block]:
        """Pandoc's raw blocks: ``{=html}`` and ``{=epub}`` are kept, sanitised like any raw HTML;
        any other format (``{=latex}``, ``{=tex}``…) is dropped, with a warning."""
        if fmt not in HTML_FORMATS:
            self.warn("P106", f"a raw {{={fmt}}} block is dropped: this pipeline writes HTML",
                      "write it in Markdown, or as {=html} if it is HTML", line)
            return []
        return self.raw_html(content, line)

    def raw_html(self, content: str, line: int) -> list[ir.Block]:
        """Raw HTML as a block, sanitised; what is removed is reported (P101)."""
        html, dropped = sanitise(content)
        if dropped:
            self.warn("P101", "raw HTML: removed " + ", ".join(dropped),
                      "use Markdown instead; scripts, event handlers, embeds and unsafe links are never kept", line)
        return [ir.RawBlock(html, line=line)] if html else []

    def hr(self, i: int) -> tuple[list[ir.Block], int]:
        return [ir.HorizontalRule(line=self.line(self.tokens[i]))], i + 1

    def html_block(self, i: int) -> tuple[list[ir.Block], int]:
        t = self.tokens[i]
        m = _RAW_FIGURE.match(t.content)
        if m:
            tag = parse_tag(m.group("img"))
            if tag is not None and tag[1] == "img":
                image = self.raw_image(tag[2], self.line(t))
                if image is None:
                    return [], i + 1
                figure = self.raw_figure(image, self.line(t))
                caption = (m.group("caption") or "").strip()
                if caption:  # its inline HTML (<em>, <a>…) goes the way of any inline HTML
                    figure = dataclasses.replace(figure, caption=self.inline_text(caption, self.line(t)))
                return [figure], i + 1
        return self.raw_html(t.content, self.line(t)), i + 1

    def line_block(self, i: int) -> tuple[list[ir.Block], int]:
        line = self.line(self.tokens[i])
        lines = []
        j = i + 1
        while self.tokens[j].type == "inline":
            tok = self.tokens[j]
            lines.append(self.inlines(tok.children or [], tok, self.line(tok)))
            j += 1
        return [ir.LineBlock(tuple(lines), line=line)], j + 1

    def table(self, i: int) -> tuple[list[ir.Block], int]:
        line = self.line(self.tokens[i])
        head: list[tuple[ir.Cell, ...]] = []
        body: list[tuple[ir.Cell, ...]] = []
        aligns: list[str] = []
        section = head
        row: list[ir.Cell] = []
        j = i + 1
        while self.tokens[j].type != "table_close":
            t = self.tokens[j]
            if t.type == "tbody_open":
                section = body
            elif t.type == "tr_open":
                row = []
            elif t.type == "tr_close":
                section.append(tuple(row))
            elif t.type in ("th_open", "td_open"):
                if section is head:
                    style = str(t.attrs.get("style", ""))
                    aligns.append(style.split(":", 1)[1] if ":" in style else "")
                inline = self.tokens[j + 1]
                cell_line = self.line(inline) or line
                inlines = self.inlines(inline.children or [], inline, cell_line)
                row.append(ir.Cell((ir.Para(inlines, line=cell_line),) if inlines else ()))
                j += 2
            j += 1
        widths = self.tokens[i].meta.get("widths", []) if self.tokens[i].meta else []
        return [make_table(aligns, head, body, widths, line=line)], j + 1

    def skip_until(self, i: int, close: str) -> int:
        while self.tokens[i].type != close:
            i += 1
        return i + 1

    def footnote_block(self, i: int) -> tuple[list[ir.Block], int]:
        return [], self.skip_until(i, "footnote_block_close")

    # -- inlines
    def inlines(self, children: list[Token], inline: Token, line: int) -> tuple[ir.Inline, ...]:
        # each frame: (maker, collected inlines, closing token type or html tag)
        stack: list[tuple[Callable[[tuple[ir.Inline, ...]], ir.Inline | None], list[ir.Inline], str]] = [
            (lambda xs: None, [], "")]
        flattened = 0  # opening tokens past MAX_INLINE_DEPTH, whose closings are skipped too
        for t in children:
            kind = t.type
            if kind in INLINE_OPEN:
                if len(stack) > MAX_INLINE_DEPTH:
                    if not flattened:
                        self.warn("P104", f"inline markup nested more than {MAX_INLINE_DEPTH} deep is flattened",
                                  "simplify the emphasis, links or spans here", line)
                    flattened += 1
                    continue
                stack.append((INLINE_OPEN[kind](self, t, inline, line), [], kind[:-5] + "_close"))
            elif kind.endswith("_close") and kind in INLINE_CLOSE:
                if flattened:
                    flattened -= 1  # closings come innermost first
                elif len(stack) > 1 and stack[-1][2] == kind:
                    self._pop(stack)
            elif kind == "html_inline":
                self.html_inline(t, stack, line)
            elif kind == "code_inline" and raw_inline_format(t, children) is not None:
                self.raw_inline(t, children, stack, inline, line)
            else:
                rule = INLINE_RULES.get(kind)
                if rule is None:
                    raise AssertionError(f"no IR rule for markdown-it inline token '{kind}'")
                node = rule(self, t, inline, line)
                if isinstance(node, tuple):
                    stack[-1][1].extend(node)
                elif node is not None:
                    stack[-1][1].append(node)
        while len(stack) > 1:
            self._pop(stack)
        return _merge_text(stack[0][1])

    @staticmethod
    def _pop(stack: list) -> None:
        maker, items, _ = stack.pop()
        node = maker(_merge_text(items))
        if node is None:
            stack[-1][1].extend(items)
        elif isinstance(node, tuple):
            stack[-1][1].extend(node)
        else:
            stack[-1][1].append(node)

    def html_inline(self, t: Token, stack: list, line: int) -> None:
        tag = parse_tag(t.content)
        if tag is None:
            return  # a comment or a declaration: dropped
        kind, name, attrs = tag
        if name == "img" and kind != "close":
            kind = "void"
        if kind == "void":
            if name == "br":
                stack[-1][1].append(ir.LineBreak())
            elif name == "img":
                image = self.raw_image(attrs, line)
                if image is not None:
                    stack[-1][1].append(image)
                elif attrs.get("alt"):
                    stack[-1][1].append(ir.Text(attrs["alt"]))
            elif name != "wbr":
                self.warn("P102", f"raw HTML <{name}> removed", "use Markdown instead", line)
            return
        if kind == "close":
            for depth in range(len(stack) - 1, 0, -1):
                if stack[depth][2] == "</" + name:
                    while len(stack) > depth:
                        self._pop(stack)
                    break
            return
        maker = HTML_INLINE.get(name)
        if len(stack) > MAX_INLINE_DEPTH:
            return
        attr = make_attr({k: v for k, v in attrs.items() if k in ("id", "class", "lang", "title")})
        if name == "a":
            href = attrs.get("href", "")
            if href:
                stack.append((self._link_maker(href, attrs.get("title", ""), attr, line), [], "</a"))
            else:  # <a id="x"></a>: an anchor, as pandoc reads it
                stack.append((lambda xs, a=attr: ir.Span(tuple(xs), a), [], "</a"))
            return
        if maker is None:
            self.warn("P102", f"raw HTML <{name}> removed; its text is kept", "use Markdown instead", line)
            maker = _keep_children
        stack.append((lambda xs, m=maker, a=attr: m(xs, a), [], "</" + name))

    def raw_inline(self, t: Token, children: list[Token], stack: list, inline: Token, line: int) -> None:
        """Pandoc's raw inline, `` `<b>x</b>`{=html} ``: HTML is kept, sanitised as any inline HTML
        is; another format (`` `\\LaTeX`{=latex} ``) is dropped with a warning (P140). The ``{=…}``
        after it is taken out of the following text."""
        fmt = raw_inline_format(t, children) or ""
        nxt = children[children.index(t) + 1]
        nxt.content = _RAW_INLINE.sub("", nxt.content, count=1)
        line = self._line_of(Token("text", "", 0, content="`" + t.content + "`"), inline, line)
        if fmt.lower() not in HTML_FORMATS:
            self.warn("P140", f"a raw inline {{={fmt}}} (`{t.content[:40]}`) is dropped: this pipeline writes HTML",
                      "write it in Markdown, or as `…`{=html} if it is HTML", line)
            return
        for part in html_parts(t.content):
            if part.startswith("<"):
                self.html_inline(Token("html_inline", "", 0, content=part), stack, line)
            elif part:
                stack[-1][1].append(ir.Text(part))

    def _link_maker(self, href: str, title: str, attr: ir.Attr, line: int) -> Callable:
        if href and not safe_href(href) and _SCHEME.match(href):
            self.warn("L102", f"link to '{href[:60]}' removed; its text is kept",
                      "links may be http(s), mailto or #id inside the book", line)
            return lambda xs: ir.Span(xs, attr) if attr != ir.NO_ATTR else tuple(xs)
        return lambda xs: ir.Link(xs, href, title, attr)

    def caption(self, img: Token, inline: Token, line: int) -> tuple[ir.Inline, ...]:
        """An image's bracket text as inlines. markdown-it's typographer skips image
        children, so the raw text is parsed again to get curly quotes and dashes."""
        return self.inline_text(img.content, line, inline) if img.content else ()

    def inline_text(self, text: str, line: int, inline: Token | None = None) -> tuple[ir.Inline, ...]:
        """Markdown text outside the token stream (a caption, a title) as inlines, with this
        chapter's references; ``inline`` is the token whose lines locate it, if any."""
        tokens = _MD.parseInline(text, self.env)
        return self.inlines(tokens[0].children or [], inline or tokens[0], line) if tokens else ()

    def _line_of(self, t: Token, inline: Token, line: int) -> int:
        src = str(t.attrs.get("src", "")) or t.content
        for k, text in enumerate(inline.content.split("\n")):
            if src and (src in text or unquote(src) in text):
                return line + k
        return line

    def image_path(self, src: str, line: int) -> str:
        """:meth:`resolve_image`, but an error is collected (the build goes on to find the
        others, then stops) and the path is kept as written."""
        try:
            return self.resolve_image(src, line)
        except BuildError as exc:
            self.ctx.errors.append(exc.diagnostic)
            return src

    def resolve_image(self, src: str, line: int) -> str:
        """Turn an image URL into a path relative to the manuscript root, checking it."""
        shown = unquote(src)
        if _SCHEME.match(src):
            scheme = src.split(":", 1)[0].lower()
            if scheme in ("http", "https"):
                raise error("I003", f"remote image '{shown}' is not fetched",
                            "download it into the manuscript folder and use a relative path",
                            self.file, line)
            raise error("I004", f"image '{shown}' uses a '{scheme}:' URL",
                        "use a path relative to the Markdown file", self.file, line)
        path = shown.split("#", 1)[0].split("?", 1)[0]
        if not path:
            raise error("I001", f"image '{shown}' names no file",
                        "write the image file's path, relative to the Markdown file", self.file, line)
        # as pandoc: the Markdown file's folder, the book's root, then each resource path;
        # '/x.png' starts at the book's root (Quarto's project-relative path)
        if path.startswith("/"):
            tries = [posixpath.normpath(path.lstrip("/"))]
            if not self.ctx.is_file(tries[0]):
                raise error("I005", f"image '{shown}' is an absolute path, and '{tries[0]}' is not in the book",
                            "use a path relative to the Markdown file; a path starting with '/' starts at "
                            "the book's folder", self.file, line)
        else:
            tries = [posixpath.normpath(posixpath.join(self.base, path))]
            if self.base:
                tries.append(posixpath.normpath(path))
            tries += [posixpath.normpath(posixpath.join(r, path)) for r in self.ctx.resource_paths]
        inside = [rel for rel in tries if rel != ".." and not rel.startswith("../")]
        if not inside:
            raise error("I005", f"image '{shown}' is outside the manuscript folder",
                        "copy the image into the manuscript folder", self.file, line)
        rel = next((r for r in inside if self.ctx.is_file(r)), "")
        if not rel:
            where = " or ".join(f"'{r}'" for r in inside)
            raise error("I001", f"image '{shown}' not found (looked for {where} in the book)",
                        "check the file name; paths are relative to the Markdown file, the book's folder "
                        "or a --resource-path folder",
                        self.file, line)
        if not self.ctx.inside(rel):
            raise error("I005", f"image '{shown}' links outside the manuscript folder",
                        "copy the image into the manuscript folder", self.file, line)
        self.ctx.used_images.append((rel, shown, line))
        if rel not in self.ctx.images:
            self.ctx.images[rel] = image_facts(self.ctx.root / rel, shown, self.file, line, self.ctx.cache)
        return rel

    def note(self, t: Token, inline: Token, line: int) -> ir.Inline:
        note_id = t.meta["id"]
        label = str(t.meta.get("label", note_id + 1))
        if self.note_stack:
            self.warn("P103", f"footnote [^{label}] is referenced inside another footnote; shown as its label",
                      "move the reference into the main text", line)
            return ir.Superscript((ir.Text(label),))
        start, end = self.note_bodies[note_id]
        self.note_stack.append(note_id)
        try:
            blocks, _ = self.blocks(start, end, None)
        finally:
            self.note_stack.pop()
        return ir.Note(0, blocks, ir.Attr(kv=(("label", label),)))

    def names_heading(self, t: Token, line: int, warn: bool = True) -> bool:
        """True (with a warning) for ``![label]`` whose label is only a heading's implicit reference."""
        src = str(t.attrs.get("src", ""))
        if not (src.startswith("#") and src in self.ctx.heading_targets):
            return False
        if warn:
                self.warn("I102", f"image '![{t.content}]' names a heading, not a file; its text is kept",
                      "give the image's file: ![caption](stills/file.jpg)", line)
        return True

    def image_inline(self, t: Token, inline: Token, line: int) -> ir.Inline | tuple[ir.Inline, ...]:
        if self.names_heading(t, line):
            return self.caption(t, inline, line)
        line = self._line_of(t, inline, line)
        remote = self.remote(str(t.attrs.get("src", "")), self.caption(t, inline, line), line)
        if remote is not None:
            return remote
        src = self.image_path(str(t.attrs.get("src", "")), line)
        children = self.caption(t, inline, line)
        alt = _unescape(str(t.attrs.get("fig-alt") or t.attrs.get("alt") or "")) or ir.plain_text(children)
        attr = make_attr(t.attrs, skip=("src", "alt", "fig-alt", "title"))
        return ir.Image(src, alt, str(t.attrs.get("title", "")), attr)


def raw_inline_format(t: Token, children: list[Token]) -> str | None:
    """The format of a code span that is pandoc's raw inline (`` `x`{=html} ``), else None."""
    i = next((k for k, c in enumerate(children) if c is t), -1)
    nxt = children[i + 1] if 0 <= i < len(children) - 1 else None
    m = _RAW_INLINE.match(nxt.content) if nxt is not None and nxt.type == "text" else None
    return m.group(1) if m else None


def html_parts(html: str) -> list[str]:
    """Inline HTML split into tags and text (entities decoded); comments are dropped.

    >>> html_parts('a <b class="x">b &amp; c</b><!-- n -->')
    ['a ', '<b class="x">', 'b & c', '</b>']
    """
    from html import unescape

    parts = []
    for piece in re.split(r"(<!--.*?-->|<[^<>]*>)", html, flags=re.S):
        if piece.startswith("<!--"):
            continue
        parts.append(piece if piece.startswith("<") else unescape(piece))
    return [p for p in parts if p]


def _keep_children(xs: tuple[ir.Inline, ...], attr: ir.Attr) -> tuple[ir.Inline, ...]:
    return xs


def _merge_text(items: list[ir.Inline] | tuple[ir.Inline, ...]) -> tuple[ir.Inline, ...]:
    out: list[ir.Inline] = []
    for node in items:
        if isinstance(node, ir.Text) and out and isinstance(out[-1], ir.Text) and node.attr == out[-1].attr:
            out[-1] = ir.Text(out[-1].text + node.text)
        elif isinstance(node, ir.Text) and not node.text:
            continue
        else:
            out.append(node)
    return tuple(out)


def _attach_table_captions(blocks: list[ir.Block]) -> list[ir.Block]:
    """A ``: caption`` (or ``Table: caption``) paragraph right before or after a table becomes
    its caption; one before wins, as in pandoc."""
    out: list[ir.Block] = []
    i = 0
    while i < len(blocks):
        b = blocks[i]
        if isinstance(b, ir.Table) and not b.caption:
            nxt = blocks[i + 1] if i + 1 < len(blocks) else None
            prev = out[-1] if out else None
            if _is_caption(prev):
                out.pop()
                b = _captioned(b, prev)
            elif _is_caption(nxt):
                b = _captioned(b, nxt)
                i += 1
        out.append(b)
        i += 1
    return out


def _is_caption(b: Any) -> bool:
    return (isinstance(b, ir.Para) and bool(b.inlines) and isinstance(b.inlines[0], ir.Text)
            and bool(_CAPTION.match(b.inlines[0].text)))


def _captioned(table: ir.Table, para: ir.Para) -> ir.Table:
    first = para.inlines[0]
    assert isinstance(first, ir.Text)
    rest = _CAPTION.sub("", first.text, count=1)
    caption = _merge_text(((ir.Text(rest),) if rest else ()) + para.inlines[1:])
    attr = table.attr
    last = caption[-1] if caption else None
    m = _TRAILING_ATTRS.search(last.text) if isinstance(last, ir.Text) else None
    if m and isinstance(last, ir.Text):  # pandoc: ': Caption {#tbl-x .class}' gives the table its attributes
        try:
            _, parsed = parse_attrs("{" + m.group(1) + "}")
        except ParseError:
            parsed = None
        if parsed is not None:
            attr = make_attr(parsed)
            kept = last.text[:m.start()].rstrip()
            caption = (*caption[:-1], ir.Text(kept)) if kept else caption[:-1]
    return dataclasses.replace(table, caption=caption, attr=attr)


_Rule = Callable[[_Converter, int], tuple[list[ir.Block], int]]

BLOCK_RULES: dict[str, _Rule] = {
    "paragraph_open": _Converter.paragraph,
    "heading_open": _Converter.heading,
    "blockquote_open": _Converter.blockquote,
    "bullet_list_open": _Converter.bullet_list,
    "ordered_list_open": _Converter.ordered_list,
    "dl_open": _Converter.definition_list,
    "fence": _Converter.code,
    "code_block": _Converter.code,
    "hr": _Converter.hr,
    "html_block": _Converter.html_block,
    "line_block_open": _Converter.line_block,
    "fenced_div_open": _Converter.fenced_div,
    "table_open": _Converter.table,
    "ptable_open": convert_table,
    "ptable_malformed": convert_malformed,
    "footnote_block_open": _Converter.footnote_block,
    "footnote_anchor": lambda conv, i: ([], i + 1),
}


def _wrap(cls: type) -> Callable:
    return lambda conv, t, inline, line: (lambda xs: cls(xs, make_attr(t.attrs)))


def _link_open(conv: _Converter, t: Token, inline: Token, line: int) -> Callable:
    href = str(t.attrs.get("href", ""))
    return conv._link_maker(href, str(t.attrs.get("title", "")),
                            make_attr(t.attrs, skip=("href", "title")), line)


INLINE_OPEN: dict[str, Callable[..., Callable]] = {
    "em_open": _wrap(ir.Emph),
    "strong_open": _wrap(ir.Strong),
    "s_open": _wrap(ir.Strikeout),
    "sub_open": _wrap(ir.Subscript),
    "sup_open": _wrap(ir.Superscript),
    "span_open": _wrap(ir.Span),
    "link_open": _link_open,
}
INLINE_CLOSE = {k[:-5] + "_close" for k in INLINE_OPEN}

INLINE_RULES: dict[str, Callable[[_Converter, Token, Token, int], ir.Inline | None]] = {
    "text": lambda c, t, inline, line: ir.Text(t.content),
    "softbreak": lambda c, t, inline, line: ir.Text("\n"),
    "hardbreak": lambda c, t, inline, line: ir.LineBreak(),
    "code_inline": lambda c, t, inline, line: ir.Code(t.content, make_attr(t.attrs)),
    "image": _Converter.image_inline,
    "footnote_ref": _Converter.note,
    "footnote_anchor": lambda c, t, inline, line: None,
    "citation": cite_token,
    "math": lambda c, t, inline, line: math_inline(t, inline, line, c.warn),
}

HTML_INLINE: dict[str, Callable[[tuple[ir.Inline, ...], ir.Attr], Any]] = {
    "em": ir.Emph, "i": ir.Emph, "cite": ir.Emph, "dfn": ir.Emph, "var": ir.Emph,
    "strong": ir.Strong, "b": ir.Strong,
    "s": ir.Strikeout, "del": ir.Strikeout, "strike": ir.Strikeout,
    "sup": ir.Superscript, "sub": ir.Subscript,
    "span": ir.Span, "small": ir.Span, "u": ir.Span, "mark": ir.Span, "abbr": ir.Span,
    "q": ir.Span, "kbd": ir.Span, "samp": ir.Span, "ins": ir.Span, "time": ir.Span,
    "code": ir.Span,
}
