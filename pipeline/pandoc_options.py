"""pandoc's command-line options on ``pipeline build``, so a Makefile can swap ``pandoc`` for it.

Takes: the ``build`` argument parser (:func:`add_options`), then its parsed
arguments (:func:`book_options`).
Gives: :class:`~pipeline.projects.BookOptions`: the files to join, the output
file and format, metadata set by options, and a warning for each option that
changes nothing here.

    pandoc -o book.epub metadata.yml chapters/*.md --toc -N
    python -m pipeline build -o book.epub metadata.yml chapters/*.md --toc -N

An unknown option is a usage error (exit status 2) that names it.

    >>> import argparse
    >>> p = argparse.ArgumentParser(); _ = p.add_argument("sources", nargs="*"); add_options(p)
    >>> opts = book_options(p.parse_args(["a.md", "-o", "x.epub", "-M", "lang=fr", "--template", "t.html"]))
    >>> opts.output, opts.metadata, [d.code for d in opts.notes]
    ('x.epub', {'lang': 'fr'}, ['M107'])
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from .projects import IGNORED, BookOptions, ignored_note, read_defaults

# pandoc's aliases for the formats written here
WRITERS = {"epub": "epub", "epub3": "epub", "epub2": "epub", "pdf": "pdf", "cover": "cover", "screen-pdf": "screen-pdf"}
# options that take a value (the others are flags); short forms as pandoc's
_WITH_VALUE = {"template", "pdf-engine", "pdf-engine-opt", "variable", "highlight-style", "syntax-highlighting",
               "syntax-definition", "epub-chapter-level", "split-level", "epub-embed-font", "epub-subdirectory",
               "top-level-division", "number-offset", "reference-location", "extract-media", "request-header",
               "filter", "lua-filter", "include-in-header", "include-before-body", "include-after-body",
               "abbreviations", "indented-code-classes", "default-image-extension", "track-changes",
               "ipynb-output", "slide-level", "id-prefix", "title-prefix"}
_OPTIONAL_VALUE = {"webtex", "mathjax", "katex"}
_SHORT = {"variable": "-V", "filter": "-F", "lua-filter": "-L", "include-in-header": "-H",
          "include-before-body": "-B", "include-after-body": "-A", "title-prefix": "-T", "incremental": "-i"}
_NO_EFFECT_VALUE = ("from", "wrap", "columns", "eol", "dpi", "tab-stop", "data-dir", "log", "epub-title-page",
                    "html-q-tags", "markdown-headings", "email-obfuscation")
_NO_EFFECT_FLAG = ("standalone", "citeproc", "mathml", "preserve-tabs", "section-divs", "list-tables",
                   "no-highlight", "self-contained-images")


def add_options(p: argparse.ArgumentParser) -> None:
    """Add pandoc's book options to the ``build`` parser."""
    g = p.add_argument_group("pandoc's options", "a book written for pandoc builds with its own command line; "
                             "see README 'Coming from pandoc or Quarto'")
    g.add_argument("-o", "--output", metavar="FILE",
                   help="join the SOURCE files into one book and write it to FILE (.epub or .pdf)")
    g.add_argument("-d", "--defaults", action="append", default=[], metavar="FILE", help="a pandoc defaults file")
    g.add_argument("--metadata-file", action="append", default=[], metavar="FILE",
                   help="YAML metadata (with or without --- fences); repeatable, later files win")
    g.add_argument("-M", "--metadata", action="append", default=[], metavar="KEY[=VALUE]",
                   help="set a metadata key; wins over every file")
    g.add_argument("--epub-metadata", metavar="FILE", help="Dublin Core XML (<dc:title>…) for the metadata")
    g.add_argument("--epub-cover-image", metavar="FILE", help="the cover image")
    g.add_argument("--resource-path", action="append", default=[], metavar="DIRS",
                   help="folders (':'-separated) where images are also looked for, inside the book's folder")
    g.add_argument("--css", action="append", default=[], metavar="FILE", help="a stylesheet added to the EPUB's")
    g.add_argument("--toc", "--table-of-contents", action="store_true", help="a contents page (always made here)")
    g.add_argument("--toc-depth", type=int, metavar="N", help="heading levels in the contents")
    g.add_argument("-N", "--number-sections", action="store_true", help="number the headings 1, 1.1, …")
    g.add_argument("--shift-heading-level-by", type=int, metavar="N", help="shift every heading by N levels")
    g.add_argument("--bibliography", action="append", default=[], metavar="FILE",
                   help="BibTeX, CSL-JSON or CSL-YAML references (citations are processed when given)")
    g.add_argument("--csl", metavar="FILE", help="a CSL style (default: Chicago author-date)")
    g.add_argument("--fail-if-warnings", action="store_true", help="the same as --strict")
    for name in _NO_EFFECT_VALUE:
        g.add_argument(f"--{name}", *(("-f", "-r", "--read") if name == "from" else ()), dest=f"silent_{name}",
                       metavar="X", help=argparse.SUPPRESS)
    for name in _NO_EFFECT_FLAG:
        short = {"standalone": ("-s",), "citeproc": ("-C",)}.get(name, ())
        g.add_argument(f"--{name}", *short, dest=f"silent_{name}", action="store_true", help=argparse.SUPPRESS)
    for name in sorted(IGNORED):
        flags = [f"--{name}", *([_SHORT[name]] if name in _SHORT else [])]
        if name in _WITH_VALUE:
            g.add_argument(*flags, dest=f"ignored_{name}", action="append", metavar="X", help=argparse.SUPPRESS)
        elif name in _OPTIONAL_VALUE:
            g.add_argument(*flags, dest=f"ignored_{name}", nargs="?", const=True, metavar="X",
                           help=argparse.SUPPRESS)
        else:
            g.add_argument(*flags, dest=f"ignored_{name}", action="store_true", help=argparse.SUPPRESS)


def metadata_value(text: str) -> tuple[str, Any]:
    """One ``-M KEY[=VALUE]`` (or ``KEY:VALUE``), as pandoc reads it: no value is true.

    >>> metadata_value("lang=fr"), metadata_value("draft"), metadata_value("toc:false")
    (('lang', 'fr'), ('draft', True), ('toc', False))
    """
    cut = min((i for i in (text.find("="), text.find(":")) if i > 0), default=-1)
    if cut < 0:
        return text.strip(), True
    key, value = text[:cut].strip(), text[cut + 1:]
    return key, {"true": True, "false": False}.get(value.strip().lower(), value)


def book_options(args: argparse.Namespace, cwd: Path | None = None) -> BookOptions:
    """The parsed ``build`` arguments as pandoc's book options, relative to ``cwd``."""
    base = (cwd or Path.cwd()).resolve()
    opts = BookOptions(base, list(getattr(args, "sources", []) or []), args.output or "")
    for d in args.defaults:
        read_defaults(Path(d), base, opts)
    meta: dict[str, Any] = {}
    for item in args.metadata:
        key, value = metadata_value(item)
        if key in meta:  # a key given twice makes a list, as in pandoc
            meta[key] = (meta[key] if isinstance(meta[key], list) else [meta[key]]) + [value]
        else:
            meta[key] = value
    if args.toc:
        meta["toc"] = True
    if args.toc_depth is not None:
        meta["toc-depth"] = args.toc_depth
    if args.number_sections:
        meta["number-sections"] = True
    if args.shift_heading_level_by is not None:
        meta["shift-heading-level-by"] = args.shift_heading_level_by
    if args.bibliography:
        meta["bibliography"] = args.bibliography if len(args.bibliography) > 1 else args.bibliography[0]
    if args.csl:
        meta["csl"] = args.csl
    if args.css:
        meta["css"] = args.css
    if args.epub_cover_image:
        meta["cover-image"] = args.epub_cover_image
    opts.metadata = {**opts.metadata, **meta}
    opts.metadata_files += args.metadata_file
    opts.epub_metadata = args.epub_metadata or opts.epub_metadata
    opts.resource_path += [p for arg in args.resource_path for p in arg.split(os.pathsep) if p]
    for name in sorted(IGNORED):
        if getattr(args, f"ignored_{name}", None):
            opts.notes.append(ignored_note(name, "command line"))
    return opts
