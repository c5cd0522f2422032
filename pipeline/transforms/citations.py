"""Transform: citations formatted with a CSL style, linked to a bibliography the book gains.

Takes: a Book whose paragraphs hold :class:`ir.Cite` nodes (from the parser)
and whose metadata may name ``bibliography`` files, inline ``references``, a
``csl`` style, ``link-citations`` and ``reference-section-title``.
Gives: the same Book without any Cite. When ``bibliography`` or
``references`` is set (as Quarto runs citeproc then), each citation becomes
its formatted text in a ``Span.citation``: ``[@doe, p. 3]`` → "(Doe 2020,
3)", ``@doe`` → "Doe (2020)", ``[-@doe]`` → "(2020)", each work linked to its
entry (``#ref-doe``, as pandoc names them) unless ``link-citations: false``.
The entries (``Div#ref-<key>.csl-entry``, sorted by the style) fill the
``::: {#refs}`` div, or else a last chapter titled ``reference-section-title``
("References"). A key the bibliography lacks prints as pandoc prints it, in
bold with a question mark (**doe?**), with warning C101. Without a
bibliography, citations stay as written (warning C102 for bracketed ones).

Formatting is citeproc-py's, with the shipped Chicago author-date style
(``styles/csl/chicago-author-date.csl``) unless ``csl:`` names another file;
the style's locale follows the book's ``lang``. Each cited work is rendered
alone, so its prefix, suffix and link are the manuscript's own inlines, and
the author is found by marking the first ``<names>`` the style renders (for
``@doe`` and ``[-@doe]``, which citeproc-py does not know).

    >>> from pipeline.diagnostics import Reporter
    >>> refs = '[{"id": "doe", "type": "book", "title": "T", "author": [{"family": "Doe", "given": "J"}],'
    >>> refs += ' "issued": {"date-parts": [[2020]]}}]'
    >>> cite = ir.Cite((ir.Citation("doe", suffix=(ir.Text(", p. 3"),)),), (ir.Text("[@doe, p. 3]"),))
    >>> book = ir.Book(ir.Meta("T", "en", "u", references=refs), (ir.Chapter("c", "c.md", (ir.Para((cite,)),)),))
    >>> out = process_citations(book, Reporter(echo=False))
    >>> ir.plain_text(out.chapters[0].blocks), [c.id for c in out.chapters]
    ('(Doe 2020, 3)', ['c', 'references'])
"""

from __future__ import annotations

import contextvars
import dataclasses
import html.parser
import re
from pathlib import Path
from typing import Any

from .. import ir
from ..bibliography import Item, check_file, load_items
from ..diagnostics import Reporter, error
from ..resources import STYLES

DEFAULT_STYLE = STYLES / "csl" / "chicago-author-date.csl"
DEFAULT_SECTION_TITLE = "References"
REFS_ID = "refs"
# pandoc's locator labels (English terms and their abbreviations) → CSL locator types
LOCATORS = {
    "p": "page", "pp": "page", "page": "page", "pages": "page",
    "chap": "chapter", "chaps": "chapter", "ch": "chapter", "chapter": "chapter", "chapters": "chapter",
    "sec": "section", "secs": "section", "section": "section", "sections": "section", "§": "section",
    "§§": "section", "para": "paragraph", "paras": "paragraph", "paragraph": "paragraph", "¶": "paragraph",
    "l": "line", "ll": "line", "line": "line", "lines": "line", "n": "note", "nn": "note", "note": "note",
    "notes": "note", "vol": "volume", "vols": "volume", "volume": "volume", "volumes": "volume",
    "fig": "figure", "figs": "figure", "figure": "figure", "figures": "figure", "bk": "book", "bks": "book",
    "book": "book", "col": "column", "cols": "column", "column": "column", "fol": "folio", "fols": "folio",
    "folio": "folio", "no": "number", "nos": "number", "number": "number", "op": "opus", "opp": "opus",
    "pt": "part", "pts": "part", "part": "part", "v": "verse", "vv": "verse", "verse": "verse",
    "s.v": "sub-verbo", "s.vv": "sub-verbo", "art": "article", "arts": "article",
}
_LOCATOR = re.compile(
    r"^\s*,?\s*(?:(?P<label>[^\W\d_]+(?:\.[^\W\d_]+)*|§§?|¶)\.?\s*)?"
    r"(?P<value>[\dIVXLCDMivxlcdm]+(?:\s*(?:[-\u2013\u2014]|,\s*)\s*[\dIVXLCDMivxlcdm]+)*)(?P<rest>.*)$", re.S)
# the author's part of a rendered citation is marked with two private-use characters
_OPEN, _CLOSE = "\ue000", "\ue001"
_MARKING: contextvars.ContextVar[dict[str, int] | None] = contextvars.ContextVar("cite_marking", default=None)


def _install_author_marker() -> None:
    """Make citeproc-py's ``<names>`` mark its first top-level output while :data:`_MARKING` is set,
    and let its ``is-numeric="locator"`` test read the locator (citeproc-py looks it up in the
    entry, where there is none, so "chap. 2" lost its label)."""
    from citeproc.model import If, Names

    if getattr(Names, "_pipeline_marked", False):
        return

    def is_numeric(self: Any, item: Any) -> list[bool]:
        out = []
        for var in self.get("is-numeric").split():
            if var == "locator":
                value = str(item.locator.identifier) if item.has_locator else ""
            else:
                value = str(item.reference[var.replace("-", "_")])
            out.append(bool(self.re_numeric.match(value)))
        return out

    If._is_numeric = is_numeric
    plain = Names.render

    def render(self: Any, *args: Any, **kwargs: Any) -> Any:
        state = _MARKING.get()
        if state is None:
            return plain(self, *args, **kwargs)
        state["depth"] += 1
        try:
            out = plain(self, *args, **kwargs)
        finally:
            state["depth"] -= 1
        if out is not None and str(out) and state["depth"] == 0 and not state["done"]:
            state["done"] = 1
            return _OPEN + out + _CLOSE
        return out

    Names.render = render
    Names._pipeline_marked = True


def process_citations(book: ir.Book, reporter: Reporter) -> ir.Book:
    """Format every citation and insert the bibliography (see the module's docstring)."""
    cites = [c for ch in book.chapters for c in ir.query(ch, ir.Cite)]
    meta = book.meta
    if not (meta.bibliography or meta.references):
        if not cites:
            return book
        bracketed = [(ch, c) for ch in book.chapters for c in ir.query(ch, ir.Cite)
                     if ir.plain_text(c.inlines).startswith("[")]
        if bracketed:
            ch, c = bracketed[0]
            reporter.warn("C102", f"{len(bracketed)} citation(s) such as '{ir.plain_text(c.inlines)}' but the "
                          "book names no bibliography; printed as written",
                          "add 'bibliography: refs.bib' (or .json, .yaml) to the metadata", ch.source, c.line)
        return _replace_cites(book, lambda ch, c: c.inlines)
    root = Path(book.root or ".")
    items = load_items(root, meta.bibliography, meta.references)
    style_path = check_file(root, meta.csl, "csl", "the metadata") if meta.csl else DEFAULT_STYLE
    engine = Engine(items, style_path, meta.lang)
    by_id = {item.id: item for item in items}
    cited: list[str] = []
    for c in cites:
        for citation in c.citations:
            if citation.key in by_id and citation.key not in cited:
                cited.append(citation.key)
    engine.register(cited)
    link = meta.link_citations

    def format_cite(ch: ir.Chapter, c: ir.Cite) -> tuple[ir.Inline, ...]:
        inner: list[ir.Inline] = []
        in_text: tuple[ir.Inline, ...] = ()
        last_author = ""  # the author of the previous work, while its years may collapse (Doe 2020, 2021)
        for n, citation in enumerate(c.citations):
            delimiter = engine.delimiter if n else ""
            if citation.key not in by_id:
                reporter.warn("C101", f"citation key '{citation.key}' is not in the bibliography; "
                              f"printed as {citation.key}?",
                              "check the key's spelling, or add the entry to the bibliography file",
                              ch.source, c.line)
                unknown = dataclasses.replace(citation, suffix=split_locator(citation.suffix)[1])  # as pandoc
                inner += [ir.Text(delimiter), *_around(unknown, (ir.Strong((ir.Text(citation.key + "?"),)),))]
                last_author = ""
                continue
            locator, suffix = split_locator(citation.suffix)
            author, rest, full = engine.cite(citation.key, locator)
            shown = full if citation.mode == "normal" else rest
            name = ir.plain_text(author)
            if (engine.collapse and citation.mode == "normal" and name and name == last_author
                    and not citation.prefix):
                shown, delimiter = rest, engine.collapse_delimiter
            last_author = name if citation.mode == "normal" and not suffix else ""
            body: tuple[ir.Inline, ...] = shown
            if link and shown:
                body = (ir.Link(shown, "#" + entry_id(citation.key)),)
            if citation.mode == "author-in-text" and len(c.citations) == 1:
                in_text = author
            inner += [ir.Text(delimiter), *_around(dataclasses.replace(citation, suffix=suffix), body)]
        out: list[ir.Inline] = []
        inner = list(_merge(inner))
        if in_text:
            out.extend(in_text)
            if inner:
                out.append(ir.Text(" "))
        if inner:
            out += [ir.Text(engine.prefix), *inner, ir.Text(engine.suffix)]
        return (ir.Span(_merge(out), ir.Attr(classes=("citation",))),)

    book = _replace_cites(book, format_cite)
    if not cited:
        return book
    entries = tuple(ir.Div((ir.Para(inlines),), ir.Attr(entry_id(key), ("csl-entry",)))
                    for key, inlines in engine.bibliography())
    return _place_bibliography(book, entries)


def entry_id(key: str) -> str:
    """The id of a key's bibliography entry, as pandoc writes it: ``ref-<key>`` (spaces become '-')."""
    return "ref-" + re.sub(r"[\s\"'<>&#]", "-", key)


def split_locator(suffix: tuple[ir.Inline, ...]) -> tuple[tuple[str, str] | None, tuple[ir.Inline, ...]]:
    """Pandoc's locator at the start of a citation's suffix (``, p. 3``, ``chap. 2``, ``33-35``).

    >>> split_locator((ir.Text(", pp. 33-35, 38 and passim"),))
    (('page', '33-35, 38'), (Text(text=' and passim', attr=Attr(id='', classes=(), kv=())),))
    >>> split_locator((ir.Text(", cf. below"),))[0] is None
    True
    """
    if not suffix or not isinstance(suffix[0], ir.Text):
        return None, suffix
    m = _LOCATOR.match(suffix[0].text)
    if m is None:
        return None, suffix
    label = (m.group("label") or "").lower()
    if label:
        kind = LOCATORS.get(label)
        if kind is None:
            return None, suffix
    elif not m.group("value")[0].isdigit():
        return None, suffix
    else:
        kind = "page"
    rest = m.group("rest")
    return (kind, m.group("value")), ((ir.Text(rest),) if rest else ()) + suffix[1:]


def _around(citation: ir.Citation, body: tuple[ir.Inline, ...]) -> tuple[ir.Inline, ...]:
    """A cited work's prefix, its formatted text and its suffix, spaced as pandoc spaces them."""
    out: list[ir.Inline] = []
    if citation.prefix:
        out.extend(citation.prefix)
        if not ir.plain_text(citation.prefix).endswith((" ", "\u00a0")):
            out.append(ir.Text(" "))
    out.extend(body)
    if citation.suffix:
        text = ir.plain_text(citation.suffix)
        if text and text[0].isalnum():
            out.append(ir.Text(" "))
        out.extend(citation.suffix)
    return tuple(out)


def _merge(items: list[ir.Inline]) -> tuple[ir.Inline, ...]:
    out: list[ir.Inline] = []
    for node in items:
        if isinstance(node, ir.Text) and out and isinstance(out[-1], ir.Text) and node.attr == out[-1].attr:
            out[-1] = ir.Text(out[-1].text + node.text)
        elif not (isinstance(node, ir.Text) and not node.text):
            out.append(node)
    return tuple(out)


def _replace_cites(book: ir.Book, fn: Any) -> ir.Book:
    """Replace each Cite with ``fn(chapter, cite)``; a link inside a link is unwrapped (XHTML forbids it)."""
    chapters = []
    for ch in book.chapters:
        def fix(node: Any, ch: ir.Chapter = ch) -> Any:
            if isinstance(node, ir.Cite):
                return fn(ch, node)
            if isinstance(node, ir.Link) and any(True for _ in _inner_links(node.inlines)):
                return dataclasses.replace(node, inlines=_unlink(node.inlines))
            return node
        chapters.append(ir.walk(ch, fix))
    return dataclasses.replace(book, chapters=tuple(chapters))


def _inner_links(inlines: tuple[ir.Inline, ...]) -> Any:
    for node in inlines:
        yield from ir.query(node, ir.Link)


def _unlink(inlines: tuple[ir.Inline, ...]) -> tuple[ir.Inline, ...]:
    return ir.walk(ir.Span(inlines), lambda n: n.inlines if isinstance(n, ir.Link) else n).inlines


def _place_bibliography(book: ir.Book, entries: tuple[ir.Block, ...]) -> ir.Book:
    """Fill the ``::: {#refs}`` div with the entries, or add a last chapter holding them."""
    classes = ("references", "csl-bib-body", "hanging-indent")
    found = [False]

    def fill(node: Any) -> Any:
        if isinstance(node, ir.Div) and node.attr.id == REFS_ID and not found[0]:
            found[0] = True
            kept = tuple(c for c in node.attr.classes if c not in classes)
            return dataclasses.replace(node, blocks=node.blocks + entries,
                                       attr=dataclasses.replace(node.attr, classes=classes + kept))
        return node

    chapters = [ir.walk(ch, fill) for ch in book.chapters]
    if not found[0]:
        ids = {ch.id for ch in chapters}
        cid, n = "references", 2
        while cid in ids:
            cid, n = f"references-{n}", n + 1
        title = book.meta.reference_section_title or DEFAULT_SECTION_TITLE
        refs = ir.Div(entries, ir.Attr(REFS_ID, classes))
        chapters.append(ir.Chapter(cid, "", (ir.Heading(1, (ir.Text(title),)), refs)))
    return dataclasses.replace(book, chapters=tuple(chapters))


# ---------------------------------------------------------------- citeproc-py


class Engine:
    """citeproc-py with one style, one locale and the book's bibliography."""

    def __init__(self, items: list[Item], style_path: Path, lang: str):
        from citeproc import CitationStylesBibliography, CitationStylesStyle, formatter
        from citeproc.source.json import CiteProcJSON

        _install_author_marker()
        locale = _locale(lang)
        try:
            self.style = CitationStylesStyle(str(style_path), locale=locale, validate=False)
        except Exception as exc:  # lxml or citeproc-py: the file is not a CSL style
            raise error("C003", f"'{style_path.name}' is not a CSL style citeproc-py can read: {exc}",
                        "name a .csl file from the CSL styles repository in 'csl:'", str(style_path)) from None
        self.ids = {item.id.lower(): item.id for item in items}
        self.source = CiteProcJSON([item.data for item in items])
        self.bib = CitationStylesBibliography(self.style, self.source, formatter.html)
        layout = self.style.root.citation.layout
        self.prefix = layout.get("prefix", "")
        self.suffix = layout.get("suffix", "")
        self.delimiter = layout.get("delimiter", "")
        options = self.style.root.citation
        self.collapse = options.get("collapse") in ("year", "year-suffix", "year-suffix-ranged")
        self.collapse_delimiter = options.get("cite-group-delimiter", ", ")
        self.quote_punct = _punctuation_in_quote(locale)

    def register(self, keys: list[str]) -> None:
        """Register the cited keys (in the order first cited) and sort the bibliography."""
        from citeproc import Citation, CitationItem

        for key in keys:
            self.bib.register(Citation([CitationItem(key)]))  # no locator: the entry is the work itself
        self.bib.sort()
        if self.style.root.citation.get("disambiguate-add-year-suffix") == "true":
            self._year_suffixes()

    def _year_suffixes(self) -> None:
        """Works whose citations read the same (Doe 2020) get 2020a, 2020b… in bibliography order,
        as CSL's disambiguate-add-year-suffix asks (citeproc-py does not do it)."""
        groups: dict[str, list[str]] = {}
        for item in self.bib.items:
            groups.setdefault(ir.plain_text(self.cite(item.key, None)[2]), []).append(item.key)
        for keys in groups.values():
            if len(keys) > 1:
                for n, key in enumerate(keys):
                    self.source[key]["year_suffix"] = chr(ord("a") + n % 26) * (1 + n // 26)
        del self.bib._cites[:]  # these renderings were not citations: positions (ibid.) start afresh

    def cite(self, key: str, locator: tuple[str, str] | None
             ) -> tuple[tuple[ir.Inline, ...], tuple[ir.Inline, ...], tuple[ir.Inline, ...]]:
        """One work cited, as inlines: ``(author, the rest, the whole)``; the author is ``()`` when the
        style names nobody (the whole is then the rest)."""
        from citeproc import Citation, CitationItem
        from citeproc.source import Locator

        item = CitationItem(key, locator=Locator(*locator)) if locator else CitationItem(key)
        citation = Citation([item])
        citation.bibliography = self.bib
        token = _MARKING.set({"depth": 0, "done": 0})
        try:
            text = str(self.bib.cite(citation, lambda i: None))
        finally:
            _MARKING.reset(token)
        if text.startswith(self.prefix) and text.endswith(self.suffix):
            text = text[len(self.prefix):len(text) - len(self.suffix) if self.suffix else None]
        author, rest = "", text
        m = re.search(f"{_OPEN}(.*?){_CLOSE}", text, re.S)
        if m:
            author = m.group(1)
            rest = text[:m.start()] + re.sub(r"^[\s,;:]+", "", text[m.end():])
        whole = text.replace(_OPEN, "").replace(_CLOSE, "")
        return tuple(html_to_inlines(self._punct(t)) for t in (author, rest, whole))  # type: ignore[return-value]

    def bibliography(self) -> list[tuple[str, tuple[ir.Inline, ...]]]:
        """``(key, inlines)`` of every cited work, in the style's order."""
        rendered = self.bib.bibliography()
        return [(self.ids.get(item.key, item.key), html_to_inlines(self._punct(str(text))))
                for item, text in zip(self.bib.items, rendered)]

    def _punct(self, text: str) -> str:
        # American English puts a period or comma inside the closing quote (CSL's punctuation-in-quote)
        return re.sub(r"([\u201d\u2019])([.,])", r"\2\1", text) if self.quote_punct else text


def _locale(lang: str) -> str:
    """The citeproc-py locale for a BCP 47 language tag (``en`` → ``en-US``, ``fr`` → ``fr-FR``)."""
    from citeproc import LOCALES_PATH

    available = sorted(p.name[8:-4] for p in Path(LOCALES_PATH).glob("locales-*.xml"))
    parts = lang.split("-")
    exact = "-".join([parts[0].lower()] + [p.upper() if len(p) == 2 else p for p in parts[1:]])
    if exact in available:
        return exact
    preferred = {"en": "en-US", "de": "de-DE", "fr": "fr-FR", "pt": "pt-PT", "es": "es-ES", "zh": "zh-CN"}
    base = parts[0].lower()
    if preferred.get(base) in available:
        return preferred[base]
    return next((a for a in available if a.split("-")[0] == base), "en-US")


def _punctuation_in_quote(locale: str) -> bool:
    from citeproc import LOCALES_PATH

    text = (Path(LOCALES_PATH) / f"locales-{locale}.xml").read_text(encoding="utf-8")
    return 'punctuation-in-quote="true"' in text


class _ToInlines(html.parser.HTMLParser):
    """citeproc-py's HTML (``<i>``, ``<b>``, ``<sup>``, ``<sub>``, small caps) as IR inlines."""

    TAGS = {"i": ir.Emph, "em": ir.Emph, "b": ir.Strong, "strong": ir.Strong, "sup": ir.Superscript,
            "sub": ir.Subscript}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, list[ir.Inline]]] = [("", [])]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack.append((tag, []))

    def handle_endtag(self, tag: str) -> None:
        if len(self.stack) < 2 or self.stack[-1][0] != tag:
            return
        _, items = self.stack.pop()
        inlines = _merge(items)
        if tag in self.TAGS:
            node: ir.Inline = self.TAGS[tag](inlines)
        elif tag == "span":
            node = ir.Span(inlines, ir.Attr(classes=("smallcaps",)))
        else:
            node = ir.Span(inlines)
        self.stack[-1][1].append(node)

    def handle_data(self, data: str) -> None:
        self.stack[-1][1].append(ir.Text(data))


def html_to_inlines(text: str) -> tuple[ir.Inline, ...]:
    """Inlines from citeproc-py's HTML output.

    >>> html_to_inlines("Doe. <i>The &amp; Road</i>.")[1]
    Emph(inlines=(Text(text='The & Road', attr=Attr(id='', classes=(), kv=())),), attr=Attr(id='', classes=(), kv=()))
    """
    parser = _ToInlines()
    parser.feed(text)
    parser.close()
    while len(parser.stack) > 1:
        parser.handle_endtag(parser.stack[-1][0])
    return _merge(parser.stack[0][1])
