"""Project files authors already have: pandoc's options and metadata files, and Quarto's ``_quarto.yml``.

Takes: a folder (:func:`find_project`), or pandoc's options as :class:`BookOptions`
(from a defaults file, :func:`read_defaults`, or from the command line, see
:mod:`pipeline.cli`).
Gives: a :class:`~pipeline.load.Manuscript`, as :mod:`pipeline.load` gives for
a folder with ``book.yaml``.

A folder without ``book.yaml`` is a book when it holds, in this order:

- ``_quarto.yml`` with ``project: {type: book}``: ``book:`` gives the title,
  author, date and the ``chapters:`` (with ``part:`` entries and ``appendices:``);
  a path starting with ``/`` starts at the project's root;
- a pandoc defaults file (``defaults.yaml``, or any ``*.yaml`` with ``input-files``);
- pandoc's ``metadata.yaml`` / ``metadata.yml`` (fenced or bare), with
  ``chapters/*.md`` or the folder's own ``*.md`` (not ``README.md``).

Precedence, as in pandoc: metadata files < the documents' own front matter
< ``-M``/``metadata:``. Options that change the book become metadata keys
(:data:`OPTION_KEYS`): ``--toc-depth`` is ``toc-depth``, ``-N`` is
``number-sections``, ``--epub-cover-image`` is ``cover-image``.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "metadata.yml").write_text("title: Notes\\nlang: en\\n")
    >>> _ = (d / "one.md").write_text("# One\\n")
    >>> m = find_project(d)
    >>> m.metadata["title"], [s.path for s in m.sources]
    ('Notes', ['one.md'])
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .diagnostics import Diagnostic, error
from .load import (
    MARKDOWN_SUFFIXES,
    Manuscript,
    Source,
    book_slug,
    display_path,
    front_matter,
    parse_yaml,
    read_sources,
    read_text,
)

# pandoc option (its defaults-file key) → the metadata key it sets here
OPTION_KEYS = {
    "toc": "toc", "table-of-contents": "toc", "toc-depth": "toc-depth", "number-sections": "number-sections",
    "shift-heading-level-by": "shift-heading-level-by", "bibliography": "bibliography", "csl": "csl",
    "css": "css", "epub-cover-image": "cover-image",
}
PATH_KEYS = ("cover-image", "bibliography", "csl", "css")  # metadata whose values are paths
# pandoc options that are accepted and change nothing: what they ask for is always so here
SILENT = {"standalone", "citeproc", "mathml", "cite-method", "quiet", "verbose", "from", "reader", "epub-title-page",
          "section-divs", "html-math-method", "fail-if-warnings", "output-file", "to", "writer", "input-files",
          "input-file", "metadata", "metadata-files", "metadata-file", "resource-path", "epub-metadata",
          "verbosity", "log-file", "wrap", "columns", "eol", "dpi", "tab-stop", "preserve-tabs", "data-dir"}
# pandoc options with no effect here; each gets a warning, and the ones that would add content say so
IGNORED = {
    "template": "the page design comes from the editions' stylesheets",
    "pdf-engine": "print is typeset by WeasyPrint", "pdf-engine-opt": "print is typeset by WeasyPrint",
    "pdf-engine-opts": "print is typeset by WeasyPrint",
    "webtex": "math is MathML in the EPUB and vector in print", "mathjax": "math is MathML in the EPUB",
    "katex": "math is MathML in the EPUB", "gladtex": "math is MathML in the EPUB",
    "variable": "template variables have no template to fill", "variables": "template variables have no template",
    "highlight-style": "code uses the shipped code.css", "syntax-highlighting": "code uses the shipped code.css",
    "syntax-definition": "code uses Pygments' lexers", "syntax-definitions": "code uses Pygments' lexers",
    "epub-chapter-level": "each level-1 heading opens a chapter", "split-level": "each level-1 heading opens a chapter",
    "epub-embed-font": "the shipped fonts are embedded", "epub-fonts": "the shipped fonts are embedded",
    "epub-subdirectory": "the EPUB's layout is fixed", "top-level-division": "level-1 headings are chapters",
    "self-contained": "outputs are always self-contained", "embed-resources": "outputs are always self-contained",
    "number-offset": "numbering starts at 1", "reference-location": "notes are endnotes of each chapter",
    "file-scope": "ids are chapter-local already", "strip-comments": "HTML comments are always dropped",
    "extract-media": "images are read in place", "ascii": "output is UTF-8", "reference-links": "not a Markdown writer",
    "request-header": "remote images are never fetched", "no-check-certificate": "remote images are never fetched",
    "filter": "filters are not run: what they would change is missing",
    "filters": "filters are not run: what they would change is missing",
    "lua-filter": "filters are not run: what they would change is missing",
    "include-in-header": "its content is NOT included", "include-before-body": "its content is NOT included",
    "include-after-body": "its content is NOT included", "abbreviations": "the built-in list is used",
    "indented-code-classes": "indented code has no language", "default-image-extension": "give image extensions",
    "sandbox": "nothing outside the book's root is ever read", "track-changes": "not a Word document",
    "trace": "no trace output", "ipynb-output": "not a notebook", "incremental": "not slides",
    "slide-level": "not slides", "id-prefix": "ids are chapter-local", "title-prefix": "the title is the book's",
}
QUARTO_WEBSITE_KEYS = {  # a Quarto book's website settings: nothing in an EPUB or print book uses them
    "repo-url", "repo-actions", "repo-branch", "repo-subdir", "site-url", "site-path", "sidebar", "navbar",
    "page-navigation", "search", "favicon", "twitter-card", "open-graph", "google-analytics", "cookie-consent",
    "downloads", "sharing", "page-footer", "reader-mode", "output-file", "body-header", "body-footer",
    "margin-header", "margin-footer", "comments", "bread-crumbs", "back-to-top-navigation", "announcement",
    "cover-image-alt", "image", "image-alt", "doi", "issued", "license", "tools", "date-format", "site-social",
    "google-scholar", "language", "output-dir",
}
NOT_CHAPTERS = re.compile(r"^(readme|license|licence|changelog|contributing|code_of_conduct|authors)\b", re.I)


@dataclass
class BookOptions:
    """pandoc's book options, from its command line or a defaults file. Paths are relative to ``base``."""

    base: Path
    inputs: list[str] = field(default_factory=list)
    output: str = ""
    to: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)   # -M, a defaults file's metadata: wins over all
    metadata_files: list[str] = field(default_factory=list)
    epub_metadata: str = ""
    resource_path: list[str] = field(default_factory=list)
    notes: list[Diagnostic] = field(default_factory=list)      # warnings about the options themselves
    shown: str = "command line"                                # where the options came from, for messages


def ignored_note(option: str, where: str, line: int = 0) -> Diagnostic:
    """The warning for a pandoc option that has no effect here (M107)."""
    return Diagnostic("M107", "warning", f"pandoc option '--{option}' is ignored: {IGNORED[option]}",
                      "remove it, or see README 'Coming from pandoc or Quarto'", where, line)


# ---------------------------------------------------------------- pandoc: options → a book


def manuscript_from_options(opts: BookOptions) -> Manuscript:
    """Join ``opts.inputs`` into one book, as pandoc does: a :class:`Manuscript`.

    The book's root is the base folder (the working directory) when every input
    is under it, else the inputs' common folder; nothing outside it is read.
    """
    base = opts.base.resolve()
    if not opts.inputs:
        raise error("M006", "no input files", "name the Markdown files, e.g. `chapters/*.md`", opts.shown)
    inputs = [(base / f).resolve() for f in opts.inputs]
    for name, path in zip(opts.inputs, inputs):
        if not path.is_file():
            raise error("M008", f"input file '{name}' not found", "check the path; it is relative to "
                        f"{'the working directory' if opts.shown == 'command line' else opts.shown}", opts.shown)
    root = base if all(p.is_relative_to(base) for p in inputs) else Path(os.path.commonpath(
        [p.parent for p in inputs]))
    meta = _files_metadata(opts, base)
    shown_meta = display_path((base / opts.metadata_files[-1]).resolve()) if opts.metadata_files else opts.shown
    chapters = []
    for path in inputs:
        if path.suffix.lower() in (".yaml", ".yml"):
            if path.name == "_quarto.yml":
                raise error("M016", f"'{display_path(path)}' is a Quarto project file, not a chapter",
                            "build the project's folder instead: python -m pipeline build FOLDER",
                            display_path(path))
            meta.update(read_metadata_file(path, opts.shown))  # a metadata block given as an input file
            shown_meta = display_path(path)
        else:
            chapters.append(path)
    sources, notes = read_sources(chapters, root, meta, shown_meta, first_is_metadata=True)
    meta.update(_rebase(opts.metadata, base, root))
    resource = tuple(_resource(p, base, root, opts.shown) for p in opts.resource_path)
    slug = book_slug(Path(opts.output).stem if opts.output else root.name)
    return Manuscript(root, slug, meta, shown_meta, sources, tuple(opts.notes) + notes, resource, split_at_h1=True)


def apply_options(m: Manuscript, opts: BookOptions) -> Manuscript:
    """A loaded book with pandoc's options on top: metadata files under its own metadata, ``-M`` over it."""
    import dataclasses

    base = opts.base.resolve()
    meta = _files_metadata(opts, base)
    meta.update(m.metadata)
    meta.update(_rebase(opts.metadata, base, m.root))
    resource = m.resource_paths + tuple(_resource(p, base, m.root, opts.shown) for p in opts.resource_path)
    return dataclasses.replace(m, metadata=meta, notes=m.notes + tuple(opts.notes), resource_paths=resource)


def _files_metadata(opts: BookOptions, base: Path) -> dict[str, Any]:
    """The metadata of ``--epub-metadata`` and the ``--metadata-file``s, later ones winning."""
    meta: dict[str, Any] = {}
    if opts.epub_metadata:
        meta.update(read_epub_metadata((base / opts.epub_metadata).resolve(), opts.shown))
    for name in opts.metadata_files:
        meta.update(read_metadata_file((base / name).resolve(), opts.shown))
    return meta


def _rebase(meta: dict[str, Any], base: Path, root: Path) -> dict[str, Any]:
    """Path-valued keys given relative to ``base`` made relative to the book's ``root``."""
    if base == root:
        return dict(meta)

    def one(v: Any) -> Any:
        if not isinstance(v, str):
            return v
        p = (base / v).resolve()
        return p.relative_to(root).as_posix() if p.is_relative_to(root) else v

    return {k: ([one(x) for x in v] if isinstance(v, list) else one(v)) if k in PATH_KEYS else v
            for k, v in meta.items()}


def _resource(path: str, base: Path, root: Path, shown: str) -> str:
    full = (base / path).resolve()
    if not full.is_relative_to(root):
        raise error("M017", f"resource path '{path}' is outside the book's folder ({display_path(root)})",
                    "keep the book's images inside its folder; nothing outside it is read", shown)
    rel = full.relative_to(root).as_posix()
    return "" if rel == "." else rel


def read_metadata_file(path: Path, shown_in: str) -> dict[str, Any]:
    """A pandoc metadata file: YAML, with or without ``---`` fences."""
    shown = display_path(path)
    if not path.is_file():
        raise error("M008", f"metadata file '{shown}' not found", "check the path given to --metadata-file",
                    shown_in)
    text = read_text(path, shown)
    fenced, _, _ = front_matter(text, shown)
    if fenced is not None:
        return fenced
    return parse_yaml(text, shown)


_DC = {"title": "title", "creator": "author", "contributor": "contributor", "language": "lang",
       "identifier": "identifier", "date": "date", "publisher": "publisher", "rights": "rights",
       "description": "description", "subject": "subject", "source": "source"}
_LISTS = {"author", "contributor", "subject"}


def read_epub_metadata(path: Path, shown_in: str) -> dict[str, Any]:
    """pandoc's ``--epub-metadata`` file: Dublin Core elements (``<dc:title>`` …), without a root element."""
    from defusedxml import ElementTree
    from defusedxml.common import DefusedXmlException

    shown = display_path(path)
    if not path.is_file():
        raise error("M008", f"EPUB metadata file '{shown}' not found", "check the path given to --epub-metadata",
                    shown_in)
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", read_text(path, shown))
    try:
        root = ElementTree.fromstring(f'<metadata xmlns:dc="http://purl.org/dc/elements/1.1/" '
                                      f'xmlns:opf="http://www.idpf.org/2007/opf">{text}</metadata>')
    except (ElementTree.ParseError, DefusedXmlException) as exc:
        raise error("M003", f"'{shown}' is not well-formed Dublin Core XML: {exc}",
                    "write one element per line, e.g. <dc:rights>CC BY 4.0</dc:rights>", shown) from None
    meta: dict[str, Any] = {}
    for el in root:
        name = el.tag.rsplit("}", 1)[-1]
        key = _DC.get(name)
        value = "".join(el.itertext()).strip()
        if key is None or not value:
            continue
        if key in _LISTS:
            meta.setdefault(key, []).append(value)
        else:
            meta.setdefault(key, value)
    return meta


_DEFAULTS_LIST = {"input-files", "metadata-files", "css", "bibliography"}


def read_defaults(path: Path, base: Path | None = None, opts: BookOptions | None = None) -> BookOptions:
    """A pandoc defaults file (``-d FILE``), added to ``opts`` (new options when None).

    Relative paths start at ``base`` (the working directory, as in pandoc);
    ``${.}`` is the defaults file's folder.
    """
    shown = display_path(path)
    if not path.is_file() and path.suffix == "":
        path = path.with_suffix(".yaml")  # pandoc adds .yaml to a name without an extension
    if not path.is_file():
        raise error("M008", f"defaults file '{shown}' not found", "check the path given to -d/--defaults")
    here = str(path.resolve().parent)
    text = read_text(path, shown).replace("${.}", here)
    raw = parse_yaml(text, shown)
    opts = opts or BookOptions(base or path.resolve().parent, shown=shown)
    lines = {m.group(1): text[: m.start()].count("\n") + 1 for m in re.finditer(r"^([\w-]+)\s*:", text, re.M)}
    for key, value in raw.items():
        line = lines.get(key, 0)
        if key in _DEFAULTS_LIST | {"resource-path"} and isinstance(value, str):
            value = [value]
        if key in ("input-files", "input-file"):
            opts.inputs += [str(v) for v in (value if isinstance(value, list) else [value])]
        elif key in ("output-file",):
            opts.output = opts.output or str(value)
        elif key in ("to", "writer"):
            opts.to = opts.to or str(value)
        elif key in ("metadata-files", "metadata-file"):
            opts.metadata_files += [str(v) for v in (value if isinstance(value, list) else [value])]
        elif key == "metadata":
            if not isinstance(value, dict):
                raise error("M004", "'metadata' in a defaults file must be a mapping",
                            "write 'metadata:' then indented 'key: value' lines", shown, line)
            opts.metadata = {**value, **opts.metadata}
        elif key == "resource-path":
            opts.resource_path += [str(v) for v in value]
        elif key == "epub-metadata":
            opts.epub_metadata = opts.epub_metadata or str(value)
        elif key in OPTION_KEYS:
            opts.metadata.setdefault(OPTION_KEYS[key], value)
        elif key in IGNORED:
            opts.notes.append(ignored_note(key, shown, line))
        elif key not in SILENT:
            opts.notes.append(Diagnostic("M108", "warning", f"unknown pandoc defaults key '{key}' ignored",
                                         "check its spelling against pandoc's manual (Defaults files)", shown, line))
    return opts


# ---------------------------------------------------------------- folders


def find_project(folder: Path) -> Manuscript | None:
    """The book a folder without ``book.yaml`` holds, from its project files; None when it has none."""
    quarto = folder / "_quarto.yml"
    if not quarto.is_file():
        quarto = folder / "_quarto.yaml"
    if quarto.is_file():
        return quarto_book(quarto)
    for path in _defaults_candidates(folder):
        opts = read_defaults(path, folder.resolve())
        if opts.inputs:
            return manuscript_from_options(opts)
    for name in ("metadata.yaml", "metadata.yml"):
        meta_path = folder / name
        if meta_path.is_file():
            return _metadata_book(folder, meta_path)
    return None


def _defaults_candidates(folder: Path) -> list[Path]:
    named = [folder / n for n in ("defaults.yaml", "defaults.yml") if (folder / n).is_file()]
    others = [p for p in sorted(folder.glob("*.y*ml")) if p not in named and p.name not in
              ("metadata.yaml", "metadata.yml", "_quarto.yml", "_quarto.yaml", "book.yaml")
              and p.suffix in (".yaml", ".yml") and p.stat().st_size < 1_000_000
              and re.search(r"^input-files?\s*:", p.read_text("utf-8", errors="replace"), re.M)]
    return named + others


def _metadata_book(folder: Path, meta_path: Path) -> Manuscript:
    meta = read_metadata_file(meta_path, display_path(meta_path))
    listed = meta.get("chapters")
    if isinstance(listed, list) and all(isinstance(x, str) for x in listed):
        inputs = [str(x) for x in listed]
    else:
        sub = folder / "chapters"
        found = sorted(p for p in (sub if sub.is_dir() else folder).glob("*")
                       if p.suffix.lower() in (".md", ".markdown") and p.is_file())
        inputs = [p.relative_to(folder).as_posix() for p in found if not NOT_CHAPTERS.match(p.name)] or \
                 [p.relative_to(folder).as_posix() for p in found]
    if not inputs:
        raise error("M006", f"no chapters found in '{display_path(folder)}'",
                    "add chapters/*.md next to the metadata file", display_path(meta_path))
    opts = BookOptions(folder.resolve(), inputs, metadata_files=[meta_path.name], shown=display_path(meta_path))
    m = manuscript_from_options(opts)
    return Manuscript(m.root, book_slug(folder.resolve().name), m.metadata, m.metadata_file, m.sources, m.notes,
                      m.resource_paths, m.split_at_h1)


# ---------------------------------------------------------------- Quarto

_EXECUTABLE = re.compile(r"^[ \t]*(`{3,}|~{3,})[ \t]*\{(r|python|julia|ojs|bash|sql|mermaid|dot)\b", re.M | re.I)
_BOOK_KEYS = ("title", "subtitle", "author", "date", "description", "publisher", "cover-image", "rights",
              "abstract", "keywords", "subject", "identifier", "isbn", "editor", "translator")


def quarto_book(config: Path) -> Manuscript:
    """A Quarto book project: ``_quarto.yml``'s ``book:`` and the chapters it lists."""
    shown = display_path(config)
    folder = config.parent.resolve()
    text = read_text(config, shown)
    raw = parse_yaml(text, shown)
    project = raw.get("project") or {}
    kind = project.get("type", "default") if isinstance(project, dict) else "default"
    book = raw.get("book")
    if kind != "book" or not isinstance(book, dict):
        raise error("M018", f"'{shown}' is a Quarto {kind!s} project, not a book",
                    "a book has 'project: {type: book}' and a 'book:' section listing its chapters", shown)
    notes: list[Diagnostic] = []
    meta: dict[str, Any] = {}
    shared = folder / "_metadata.yml"  # Quarto's metadata for every file: the book's keys, and shortcodes'
    values = read_metadata_file(shared, shown) if shared.is_file() else {}
    from .metadata import KNOWN_KEYS  # with the IR's types: not needed to find a build up to date
    meta.update({k: v for k, v in values.items() if k in KNOWN_KEYS})
    for key in ("lang", "bibliography", "csl", "toc-depth", "number-sections", "toc-title", "subtitle",
                "description", "date", "author", "title", "rights"):
        if key in raw:
            meta[key] = raw[key]
    formats = raw.get("format") if isinstance(raw.get("format"), dict) else {}
    epub = formats.get("epub") if isinstance(formats.get("epub"), dict) else {}
    for key, value in epub.items():
        if key in OPTION_KEYS:
            meta[OPTION_KEYS[key]] = value
        elif key in ("lang", "toc-title", "cover-image", "number-depth"):
            meta[key] = value
    for key in _BOOK_KEYS:
        if key in book:
            meta[key] = book[key]
    if "author" in meta:
        meta["author"] = _quarto_authors(meta["author"])
    if "isbn" in meta:
        meta.setdefault("identifier", meta.pop("isbn"))
    meta.setdefault("number-sections", True)  # Quarto numbers a book's chapters unless told not to
    for key in sorted(k for k in book if k not in _BOOK_KEYS and k not in ("chapters", "appendices")
                      and k not in QUARTO_WEBSITE_KEYS):
        notes.append(Diagnostic("M101", "warning", f"Quarto 'book: {key}' is not used", "remove it, or see "
                                "README 'Coming from pandoc or Quarto'", shown, _line_of(text, key)))
    entries: list[Path | tuple[str, int]] = []

    def walk(items: Any, where: str) -> None:
        if not isinstance(items, list):
            raise error("M007", f"'{where}' in {shown} is not a list", "write one '- file.qmd' line per chapter",
                        shown, _line_of(text, where.rsplit(".", 1)[-1]))
        for item in items:
            if isinstance(item, str):
                entries.append(_quarto_path(folder, item, shown, text))
            elif isinstance(item, dict) and "part" in item:
                part = str(item["part"])
                if part.lower().endswith((".qmd", ".md")):
                    entries.append(_quarto_path(folder, part, shown, text))
                else:
                    entries.append((part, _line_of(text, "part", part)))
                walk(item.get("chapters") or [], f"{where}.chapters")
            elif isinstance(item, dict) and "href" in item:
                entries.append(_quarto_path(folder, str(item["href"]), shown, text))
            else:
                raise error("M007", f"a chapter entry in {shown} is not understood: {item!r}",
                            "write a file path, or 'part: Title' with 'chapters:' under it", shown)

    walk(book.get("chapters") or [], "book.chapters")
    if book.get("appendices"):
        entries.append(("Appendices", _line_of(text, "appendices")))
        walk(book["appendices"], "book.appendices")
    files = [e for e in entries if isinstance(e, Path)]
    if not files:
        raise error("M006", f"no chapters listed in {shown}", "list them under 'book: chapters:'", shown)
    sources, more = read_sources(files, folder, meta, shown, chapter_keys_to_book=False)
    notes += more
    by_path = {s.path: s for s in sources}
    ordered: list[Source] = []
    parts = 0
    for e in entries:
        if isinstance(e, Path):
            source = by_path[e.relative_to(folder).as_posix()]
            for m in _EXECUTABLE.finditer(source.text):
                line = source.first_line + source.text[: m.start()].count("\n")
                notes.append(Diagnostic("M106", "warning", f"executable {m.group(2)} cell shown as code, not run",
                                        "render it with Quarto first, or make it a plain code block "
                                        f"(```{m.group(2)})", source.path, line))
            ordered.append(_shortcodes(source, folder, {**values, **meta}, notes))
        else:
            parts += 1
            ordered.append(Source(f"part-{parts}", f"# {_escape(e[0])} {{.part .unnumbered}}\n", 1))
    return Manuscript(folder, book_slug(folder.name), meta, shown, tuple(ordered), tuple(notes), (),
                      split_at_h1=False)


_SHORTCODE = re.compile(r"\{\{<\s*([\w-]+)\s*(.*?)\s*>\}\}")


def _shortcodes(source: Source, folder: Path, meta: dict[str, Any], notes: list[Diagnostic],
                depth: int = 0) -> Source:
    """Quarto's shortcodes: ``include`` (the file's text), ``pagebreak``, ``meta`` and ``var``
    (their value), ``kbd`` (as code); any other is removed with a warning naming it (P108)."""
    if "{{<" not in source.text:
        return source
    variables: dict[str, Any] = {}
    var_file = folder / "_variables.yml"
    if var_file.is_file():
        variables = parse_yaml(read_text(var_file), display_path(var_file))

    def lookup(data: dict[str, Any], dotted: str) -> Any:
        for part in dotted.split("."):
            data = data.get(part) if isinstance(data, dict) else None
        return data

    def replace(m: re.Match) -> str:
        name, arg = m.group(1), m.group(2).strip().strip('"')
        line = source.first_line + source.text[: m.start()].count("\n")
        if name == "include" and depth < 8:
            path = (folder / source.path).parent / arg if not arg.startswith("/") else folder / arg.lstrip("/")
            path = path.resolve()
            if path.is_relative_to(folder) and path.is_file():
                included = Source(source.path, read_text(path, display_path(path)), line)
                return _shortcodes(included, folder, meta, notes, depth + 1).text
        elif name == "pagebreak":
            return '\n\n```{=html}\n<div class="page-break"></div>\n```\n\n'
        elif name in ("meta", "var"):
            value = lookup(meta if name == "meta" else variables, arg)
            if isinstance(value, (str, int, float)):
                return str(value)
        elif name == "kbd":
            return "`" + arg.replace("`", "") + "`"
        notes.append(Diagnostic("P108", "warning", f"Quarto shortcode '{{{{< {name} {arg} >}}}}' removed: "
                                "it is not supported here, or what it names was not found",
                                "replace it with its Markdown", source.path, line))
        return ""

    return Source(source.path, _SHORTCODE.sub(replace, source.text), source.first_line, source.title)


def _escape(title: str) -> str:
    return re.sub(r"([\\`*_{}\[\]<>#])", r"\\\1", title)


def _quarto_authors(value: Any) -> Any:
    def one(a: Any) -> Any:
        if isinstance(a, dict):
            name = a.get("name", "")
            if isinstance(name, dict):
                name = name.get("literal") or " ".join(str(name[k]) for k in ("given", "family") if name.get(k))
            return {"name": str(name), **({"role": a["role"]} if isinstance(a.get("role"), str) else {})}
        return a

    return [one(a) for a in value] if isinstance(value, list) else one(value)


def _quarto_path(folder: Path, name: str, shown: str, text: str) -> Path:
    path = (folder / name.lstrip("/")).resolve()  # '/x.qmd' starts at the project's root
    if not path.is_relative_to(folder):
        raise error("M009", f"chapter '{name}' is outside the project folder", "keep every chapter inside it",
                    shown, _line_of(text, name))
    if not path.is_file():
        raise error("M008", f"chapter file '{name}' not found", "fix the path under 'chapters:' in "
                    "_quarto.yml; paths are relative to the project folder", shown, _line_of(text, name))
    if path.suffix.lower() not in MARKDOWN_SUFFIXES:
        raise error("M016", f"chapter '{name}' is not a Markdown or .qmd file",
                    "Quarto notebooks (.ipynb) and R Markdown must be rendered to Markdown first",
                    shown, _line_of(text, name))
    return path


def _line_of(text: str, *words: str) -> int:
    """The first line of ``text`` holding every word, for messages; 0 if none does."""
    for n, line in enumerate(text.splitlines(), 1):
        if all(w in line for w in words):
            return n
    return 0
