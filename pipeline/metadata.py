"""Metadata: pandoc's YAML keys, checked and normalised into :class:`pipeline.ir.Meta`.

Takes: the raw mapping from ``book.yaml`` or front matter.
Gives: a :class:`~pipeline.ir.Meta`, warnings for unknown keys, errors for wrong types.

Keys (pandoc's names): ``title``, ``subtitle``, ``author`` (a string, a list,
or a list of ``{name, role, file-as}``), ``lang`` or ``language``, ``identifier`` (ISBN,
UUID or URI; a string or pandoc's ``[{scheme, text}]``), ``publisher``,
``date``, ``rights``, ``description``, ``subject`` (a string or list, each
entry text or ``{text, authority, term}`` with a BISAC or Thema code),
``cover-image`` (a file path relative to the manuscript), ``source``, ``css``
(stylesheets added after the EPUB's own, as pandoc's ``--css``), ``toc`` (a
contents page is always made), ``print-isbn`` (the print edition's ISBN: the
EPUB built with the PDF names it as the source of its page numbers), ``edition``
("Second edition", printed on the copyright page).
Contributor keys ``translator``, ``illustrator``, ``editor``, ``contributor``
become contributors. ``trim-size`` (or pandoc's ``papersize``) asks for a
print trim; the print edition (:mod:`pipeline.editions`) has 6×9 in otherwise.
Citations (pandoc's and Quarto's keys, read by :mod:`pipeline.transforms.citations`):
``bibliography`` (a file or a list of files: ``.bib``, ``.json``, ``.yaml``),
``references`` (entries inline, CSL-YAML), ``csl`` (a style file),
``link-citations`` (default true) and ``reference-section-title``.

``number-sections`` (true/false, pandoc's ``-N``), ``toc-depth`` (1-6, default 3)
and ``shift-heading-level-by`` (an integer, read by the parser through
:func:`heading_level_shift`) shape the headings and the contents.
``epub-image-megapixels`` (a number, default 4) is the most pixels an EPUB
still may have (:mod:`pipeline.stills`); a bad value warns ``I110``.

``series`` (a name, or ``{name, position}``; pandoc's ``belongs-to-collection``
and ``group-position`` also work) and ``accessibility`` (claims added to or
overriding the derived ones, checked by :mod:`pipeline.accessibility`).
``modified`` is ``SOURCE_DATE_EPOCH``, else set by the parse stage from the
manuscript's last commit or file time (:func:`modified_time`), never the ``date``.

Defaults when a key is missing, each with a warning: ``lang`` is ``en``;
``title`` is the first chapter heading, else the manuscript's slug;
``identifier`` is a UUID derived from the title and authors, so rebuilds agree.

    >>> m = normalise({"title": "T", "lang": "fr", "author": ["A", {"name": "B", "role": "editor"}]}, "b.yaml")
    >>> [(c.name, c.role) for c in m.creators], [(c.name, c.role) for c in m.contributors]
    ([('A', 'aut')], [('B', 'edt')])
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import uuid
from pathlib import Path
from typing import Any

from .accessibility import read_block
from .diagnostics import BuildError, Reporter, error
from .ir import Contributor, Meta, Subject
from .print_services import PAPERS, SERVICES

ROLE_CODES = {
    "author": "aut", "aut": "aut", "translator": "trl", "trl": "trl", "illustrator": "ill",
    "ill": "ill", "editor": "edt", "edt": "edt", "photographer": "pht", "pht": "pht",
    "contributor": "ctb", "ctb": "ctb", "introduction": "aui", "aui": "aui",
    "foreword": "aui", "narrator": "nrt", "designer": "bkd", "cover-designer": "cov",
}
CONTRIBUTOR_KEYS = {"translator": "trl", "illustrator": "ill", "editor": "edt",
                    "photographer": "pht", "contributor": "ctb"}
# Keys pandoc or this pipeline understands, which never warn.
KNOWN_KEYS = {
    "title", "subtitle", "author", "lang", "language", "identifier", "publisher", "date",
    "rights", "description", "subject", "cover-image", "source", "chapters", "trim-size",
    "papersize", "toc-title", "abstract", "keywords", "toc", "css", *CONTRIBUTOR_KEYS,
    "bibliography", "references", "csl", "link-citations", "reference-section-title",
    "number-sections", "toc-depth", "shift-heading-level-by", "print-isbn",
    "accessibility", "series", "belongs-to-collection", "group-position",
    "epub-image-megapixels", "print-service", "paper", "crop-marks", "level-spreads", "edition", "footnotes-restart",
}
# subject schemes the EPUB names by code (EPUB 3.3, ``authority``); any other must be a URL
AUTHORITIES = {a.lower(): a for a in ("AAT", "BIC", "BISAC", "CLC", "DDC", "CLIL", "EuroVoc", "MEDTOP",
                                      "LCSH", "NDC", "Thema", "UDC", "WGS")}
# trim presets, (width, height): the print-on-demand services' common trims in inches, and the
# British names, whose sizes are given height × width (B-format 198 × 129 mm)
PAPER_SIZES = {"5x8": ("5in", "8in"), "5.25x8": ("5.25in", "8in"), "5.5x8.5": ("5.5in", "8.5in"),
               "6x9": ("6in", "9in"), "7x10": ("7in", "10in"), "8.5x11": ("8.5in", "11in"),
               "a4": ("210mm", "297mm"), "a5": ("148mm", "210mm"), "letter": ("8.5in", "11in"),
               "b5": ("176mm", "250mm"), "b-format": ("129mm", "198mm"), "royal": ("156mm", "234mm"),
               "demy": ("138mm", "216mm")}
_LENGTH = r"\d+(?:\.\d+)?(?:in|mm|cm|pt)"
_LANG = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")
DEFAULT_LANG = "en"


def _text(raw: dict[str, Any], key: str, file: str) -> str:
    value = raw.get(key)
    if value is None:
        return ""
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return str(value).strip()
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    raise _error("M011", f"'{key}' must be text, not {_kind(value)}",
                 f"write it as one line, e.g. '{key}: Some text'", file, key)


def _kind(value: Any) -> str:
    return {list: "a list", dict: "a mapping", bool: "true/false"}.get(type(value), type(value).__name__)


def _people(value: Any, default_role: str, key: str, file: str) -> list[Contributor]:
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        if isinstance(item, str):
            out.append(Contributor(item.strip(), default_role))
        elif isinstance(item, dict) and isinstance(item.get("name"), str):
            role = str(item.get("role", default_role)).strip().lower()
            file_as = item.get("file-as", item.get("file_as", ""))
            if not isinstance(file_as, str):
                raise _error("M012", f"'{key}' entry '{item['name']}': 'file-as' must be text",
                             f"write e.g. '{key}: [{{name: Jane Roe, file-as: \"Roe, Jane\"}}]'", file, key)
            out.append(Contributor(item["name"].strip(), ROLE_CODES.get(role, role[:3] or default_role),
                                   file_as.strip()))
        else:
            raise _error("M012", f"'{key}' entries must be names or {{name, role}} mappings",
                         f"write e.g. '{key}: Jane Doe' or '{key}: [{{name: Jane Doe, role: editor}}]'", file, key)
    return [c for c in out if c.name]


def _identifier(raw: dict[str, Any], file: str) -> str:
    value = raw.get("identifier")
    if isinstance(value, list) and value:
        value = value[0]
    if isinstance(value, dict):
        value = value.get("text")
    if value is None:
        return ""
    if not isinstance(value, (str, int)):
        raise _error("M011", "'identifier' must be text (an ISBN, a UUID or a URI)",
                     "write e.g. 'identifier: urn:isbn:9780000000000'", file, "identifier")
    value = str(value).strip()
    digits = value.replace("-", "")
    if re.fullmatch(r"97[89]\d{10}|\d{9}[\dX]", digits):
        return "urn:isbn:" + digits
    if re.fullmatch(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}", value):
        return "urn:uuid:" + value.lower()
    return value


def _print_isbn(raw: dict[str, Any], file: str, reporter: Reporter) -> str:
    """``print-isbn``: the print edition's ISBN, which the EPUB names as the source of its page numbers."""
    value = _text(raw, "print-isbn", file)
    digits = value.removeprefix("urn:isbn:").replace("-", "").replace(" ", "")
    if re.fullmatch(r"97[89]\d{10}|\d{9}[\dX]", digits):
        return "urn:isbn:" + digits
    if value:
        reporter.warn("E121", f"'print-isbn' is '{value}', not an ISBN; "
                      "the EPUB names it as the source of its page numbers as written",
                      "write the print edition's ISBN-13, e.g. 'print-isbn: 978-0-00-000000-2'", file)
    return value


def _trim(raw: dict[str, Any], file: str) -> tuple[str, str] | tuple[()]:
    value = raw.get("trim-size", raw.get("papersize"))
    if value is None:
        return ()
    text = str(value).strip().lower()
    preset = re.sub(r"\s+", "", text.replace("×", "x")).removesuffix("in").replace("bformat", "b-format")
    if preset in PAPER_SIZES:  # "6x9", "6 × 9 in", "B-format", "b format"
        return PAPER_SIZES[preset]
    m = re.fullmatch(rf"({_LENGTH})\s*(?:x|×|\s)\s*({_LENGTH})", text)
    if not m:
        raise _error("M013", f"trim size '{value}' is not understood",
                     "write e.g. 'trim-size: 6in 9in', '148mm 210mm' or a name: "
                     + ", ".join(sorted(PAPER_SIZES)), file, "trim-size" if "trim-size" in raw else "papersize")
    return m.group(1), m.group(2)


def _choice(raw: dict[str, Any], key: str, file: str, allowed: tuple[str, ...], default: str) -> str:
    value = _text(raw, key, file).lower()
    if value == "color":
        value = "colour"
    if not value:
        return default
    if value not in allowed:
        raise _error("M020", f"'{key}: {value}' is not one of {', '.join(allowed)}",
                     f"write e.g. '{key}: {default}'", file, key)
    return value


def _paths(raw: dict[str, Any], key: str, file: str) -> tuple[str, ...]:
    value = raw.get(key) or []
    value = [value] if isinstance(value, str) else value
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _error("M011", f"'{key}' must be a file path or a list of them", f"write e.g. '{key}: [a.css]'", file,
                     key)
    return tuple(value)


def _citations(raw: dict[str, Any], file: str) -> dict[str, Any]:
    """The citation keys, checked: file paths, inline references as JSON text, a flag, a title."""
    files = raw.get("bibliography")
    if files is None:
        files = []
    elif isinstance(files, str):
        files = [files]
    if not isinstance(files, list) or not all(isinstance(f, str) and f.strip() for f in files):
        raise _error("M011", "'bibliography' must be a file path or a list of file paths",
                     "write e.g. 'bibliography: refs.bib' or 'bibliography: [refs.bib, more.json]'", file,
                     "bibliography")
    references = raw.get("references")
    if references is not None and not (isinstance(references, list)
                                       and all(isinstance(r, dict) for r in references)):
        raise _error("M011", "'references' must be a list of entries",
                     "write e.g. 'references: [{id: doe2020, type: book, title: …}]'", file, "references")
    link = raw.get("link-citations", True)
    if not isinstance(link, bool):
        raise _error("M011", "'link-citations' must be true or false", "write 'link-citations: false'", file,
                     "link-citations")
    return {
        "bibliography": tuple(f.strip() for f in files),
        "csl": _text(raw, "csl", file),
        "references": json.dumps(references, ensure_ascii=False, sort_keys=True, default=str) if references else "",
        "link_citations": link,
        "reference_section_title": _text(raw, "reference-section-title", file),
    }


def _flag(raw: dict[str, Any], key: str, file: str) -> bool:
    value = raw.get(key, False)
    if isinstance(value, bool):
        return value
    raise _error("M011", f"'{key}' must be true or false, not {_kind(value)} '{value}'",
                 f"write '{key}: true' or '{key}: false'", file, key)


def _level_spreads(raw: dict[str, Any], file: str) -> str:
    """``level-spreads``: ``true`` or ``stretch`` (the default), ``cut``, or ``false`` (``off``)."""
    value = raw.get("level-spreads", True)
    if isinstance(value, bool):
        return "stretch" if value else "off"
    return _choice(raw, "level-spreads", file, ("stretch", "cut", "off"), "stretch")


def _integer(raw: dict[str, Any], key: str, file: str, default: int, low: int, high: int) -> int:
    value = raw.get(key, default)
    if isinstance(value, str) and value.strip().lstrip("+-").isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _error("M011", f"'{key}' must be a whole number from {low} to {high}, not '{value}'",
                     f"write e.g. '{key}: {default}'", file, key)
    return value


def heading_level_shift(raw: dict[str, Any], file: str) -> int:
    """``shift-heading-level-by`` (pandoc's ``--shift-heading-level-by``): -5 to 5, default 0.

    >>> heading_level_shift({"shift-heading-level-by": -1}, "b.yaml"), heading_level_shift({}, "b.yaml")
    (-1, 0)
    """
    return _integer(raw, "shift-heading-level-by", file, 0, -5, 5)


def _megapixels(raw: dict[str, Any], file: str, reporter: Reporter) -> float:
    """``epub-image-megapixels``: 0.1 to 80, default 4; anything else warns I110 and is 4."""
    value = raw.get("epub-image-megapixels", 4)
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            pass
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.1 <= value <= 80:
        reporter.warn("I110", f"'epub-image-megapixels' must be a number from 0.1 to 80, not '{value}'; "
                      "4 is used", "write e.g. 'epub-image-megapixels: 4'", file)
        return 4.0
    return float(value)


def _stamp(seconds: int) -> str:
    return dt.datetime.fromtimestamp(seconds, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _modified() -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return _stamp(int(epoch)) if epoch.isdigit() else "2000-01-01T00:00:00Z"


def modified_time(root: Path, files: list[Path]) -> str:
    """``dcterms:modified``: ``SOURCE_DATE_EPOCH``, else the last git commit touching ``root``
    (when it is in a git work tree), else the newest of ``files``' modification times. Never
    the publication date: a book first published in 1922 was not last modified then.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return _stamp(int(epoch))
    if _in_git(root):
        try:
            done = subprocess.run(["git", "log", "-1", "--format=%ct", "--", "."], cwd=root, capture_output=True,
                                  text=True, timeout=10, check=False)
            if done.returncode == 0 and done.stdout.strip().isdigit():
                return _stamp(int(done.stdout.strip()))
        except (OSError, subprocess.SubprocessError):
            pass
    times = [int(f.stat().st_mtime) for f in files if f.is_file()]
    return _stamp(max(times)) if times else _modified()


def _in_git(root: Path) -> bool:
    """Whether ``root`` may be in a git work tree (a ``.git`` in it or above, or ``GIT_DIR`` set), so
    that a book outside one spawns no ``git`` on every build."""
    if os.environ.get("GIT_DIR"):
        return True
    folder = root.absolute()
    return any((d / ".git").exists() for d in (folder, *folder.parents))


def _series(raw: dict[str, Any], file: str, reporter: Reporter) -> tuple[str, str]:
    value = raw.get("series", raw.get("belongs-to-collection"))
    position = raw.get("group-position")
    if isinstance(value, dict):
        position = value.get("position", value.get("group-position", position))
        value = value.get("name", value.get("title"))
    if value is None:
        return "", ""
    if not isinstance(value, str) or not value.strip() or (
            position is not None and (isinstance(position, bool) or not isinstance(position, (str, int, float)))):
        reporter.warn("M122", "the series must be a name, with an optional number; it is ignored",
                      "write e.g. 'series: {name: Harbour Books, position: 2}' "
                      "or 'belongs-to-collection: Harbour Books' and 'group-position: 2'", file)
        return "", ""
    return value.strip(), "" if position is None else str(position).strip()


def _subjects(raw: dict[str, Any], file: str, reporter: Reporter) -> tuple[Subject, ...]:
    subjects = raw.get("subject", raw.get("keywords")) or []
    if isinstance(subjects, (str, dict)):
        subjects = [subjects]
    if not isinstance(subjects, list):
        raise _error("M011", "'subject' must be text or a list of texts",
                     "write e.g. 'subject: [Film, Criticism]'", file, "subject")
    out = []
    for s in subjects:
        if isinstance(s, (str, int)) and not isinstance(s, bool):
            out.append(Subject(str(s)))
            continue
        if not isinstance(s, dict) or not isinstance(s.get("text"), (str, int)):
            raise _error("M011", "'subject' entries must be text or {text, authority, term}",
                         "write e.g. 'subject: [{text: Film, authority: BISAC, term: PER004000}]'", file, "subject")
        authority, term = str(s.get("authority") or "").strip(), str(s.get("term") or "").strip()
        known = AUTHORITIES.get(authority.lower()) or (authority if re.match(r"^https?://", authority) else "")
        if (authority or term) and not (known and term):
            reporter.warn("M123", f"subject '{s['text']}': "
                          + ("an authority and a term go together" if known or not authority
                             else f"unknown authority '{authority}'") + "; its code is ignored",
                          "write e.g. '{text: Film, authority: BISAC, term: PER004000}'; authorities: "
                          + ", ".join(AUTHORITIES.values()) + ", or a URL", file)
            known = term = ""
        out.append(Subject(str(s["text"]).strip(), known, term))
    return tuple(x for x in out if x.text)


def key_line(file: str, key: str) -> int:
    """The line of the metadata file ``file`` (as messages show it) that sets ``key``; 0 when the
    file cannot be read or does not set it (the key came from elsewhere: the command line, defaults).

    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "book.yaml"
    >>> _ = f.write_text("title: T\\npaper: glossy\\n", encoding="utf-8")
    >>> key_line(str(f), "paper"), key_line(str(f), "trim-size")
    (2, 0)
    """
    try:
        text = Path(file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError, ValueError):
        return 0
    m = re.search(rf"^[ \t]*['\"]?{re.escape(key)}['\"]?[ \t]*:", text, re.MULTILINE)
    return text.count("\n", 0, m.start()) + 1 if m else 0


def _error(code: str, message: str, hint: str, file: str, key: str) -> BuildError:
    """A metadata error about ``key``, at the line of ``file`` that sets it."""
    return error(code, message, hint, file, key_line(file, key))


def normalise(raw: dict[str, Any], file: str, reporter: Reporter | None = None,
              fallback_title: str = "", slug: str = "") -> Meta:
    """Check ``raw`` and build :class:`Meta`; ``file`` names the metadata source in messages, and an
    error about a key gives the line of ``file`` that sets it (:func:`key_line`)."""
    reporter = reporter or Reporter()
    for key in sorted(k for k in raw if isinstance(k, str) and k not in KNOWN_KEYS):
        reporter.warn("M101", f"unknown metadata key '{key}' is ignored",
                      "check its spelling; pandoc's key names are listed in the README", file, key_line(file, key))
    title = _text(raw, "title", file)
    if not title:
        title = fallback_title or slug or "Untitled"
        reporter.warn("M102", f"no 'title' in the metadata; using '{title}'",
                      "add 'title: …' to the metadata", file)
    lang = _text(raw, "lang", file) or _text(raw, "language", file)
    if not lang:
        lang = DEFAULT_LANG
        reporter.warn("M103", f"no 'lang' in the metadata; using '{DEFAULT_LANG}'",
                      "add e.g. 'lang: en-GB' (a BCP 47 tag) to the metadata", file)
    if not _LANG.match(lang):
        raise _error("M014", f"language '{lang}' is not a BCP 47 tag",
                     "write e.g. 'lang: en', 'lang: en-GB' or 'lang: ru'", file,
                     "lang" if raw.get("lang") else "language")
    creators = _people(raw["author"], "aut", "author", file) if raw.get("author") else []
    contributors: list[Contributor] = []
    for key, role in CONTRIBUTOR_KEYS.items():
        if raw.get(key):
            contributors += _people(raw[key], role, key, file)
    # an 'author' entry with another role is a contributor
    contributors = [c for c in creators if c.role != "aut"] + contributors
    creators = [c for c in creators if c.role == "aut"]
    identifier = _identifier(raw, file)
    if not identifier:
        seed = title + "|" + "|".join(c.name for c in creators)
        identifier = "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, seed))
    series, series_position = _series(raw, file, reporter)
    date = _text(raw, "date", file)
    return Meta(
        title=title,
        lang=lang,
        identifier=identifier,
        subtitle=_text(raw, "subtitle", file),
        creators=tuple(creators),
        contributors=tuple(contributors),
        publisher=_text(raw, "publisher", file),
        date=date,
        rights=_text(raw, "rights", file),
        edition=_text(raw, "edition", file),
        description=_text(raw, "description", file) or _text(raw, "abstract", file),
        subjects=_subjects(raw, file, reporter),
        cover_image=_text(raw, "cover-image", file),
        source=_text(raw, "source", file),
        print_isbn=_print_isbn(raw, file, reporter),
        toc_title=_text(raw, "toc-title", file) or "Contents",
        trim_size=_trim(raw, file),
        css=_paths(raw, "css", file),
        number_sections=_flag(raw, "number-sections", file),
        toc_depth=_integer(raw, "toc-depth", file, 3, 1, 6),
        modified=_modified(),
        series=series,
        series_position=series_position,
        accessibility=read_block(raw.get("accessibility"), file, reporter),
        epub_image_megapixels=_megapixels(raw, file, reporter),
        print_service=_choice(raw, "print-service", file, tuple(SERVICES), "kdp"),
        paper=_choice(raw, "paper", file, PAPERS, "white"),
        crop_marks=_flag(raw, "crop-marks", file),
        level_spreads=_level_spreads(raw, file),
        footnotes_restart=_choice(raw, "footnotes-restart", file, ("book", "chapter"), "book"),
        **_citations(raw, file),
    )
