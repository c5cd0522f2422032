"""Bibliography sources: BibTeX, CSL-JSON and CSL-YAML files, and inline ``references:``, as CSL items.

Takes: the paths named by the metadata key ``bibliography`` (relative to the
manuscript root) and the inline ``references`` (pandoc's CSL-YAML in the
metadata, kept in :class:`~pipeline.ir.Meta` as JSON text).
Gives: :class:`Item` values: CSL-JSON mappings (``id``, ``type``, ``author``
as ``{family, given}``, dates as ``{"date-parts": [[y, m, d]]}``…) in file
order, each with the file it came from. A key given twice keeps its first
entry, as pandoc does.

The format follows the file's extension, as in pandoc: ``.bib`` (BibTeX,
read with pybtex, LaTeX accents decoded, braces dropped), ``.json``
(CSL-JSON), ``.yaml``/``.yml`` (CSL-YAML: a list, or a mapping with
``references:``). A missing file, a syntax error or an entry without an id is
an error naming the file (C001–C005).

    >>> items = csl_items([{"id": "doe", "type": "book", "title": "T", "author": "Jane Doe", "issued": 2020}], "x", "x")
    >>> items[0].data["author"], items[0].data["issued"]
    ([{'family': 'Doe', 'given': 'Jane'}], {'date-parts': [[2020]]})
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .diagnostics import error
from .load import check_file

FORMATS = {".bib": "BibTeX", ".bibtex": "BibTeX", ".json": "CSL-JSON", ".yaml": "CSL-YAML", ".yml": "CSL-YAML"}
NAME_VARIABLES = {
    "author", "editor", "translator", "collection-editor", "composer", "container-author", "director",
    "editorial-director", "illustrator", "interviewer", "original-author", "recipient", "reviewed-author",
}
DATE_VARIABLES = {"issued", "accessed", "event-date", "original-date", "submitted", "available-date"}
# BibTeX entry types → CSL types (pandoc's mapping, for the common ones)
BIBTEX_TYPES = {
    "article": "article-journal", "book": "book", "booklet": "pamphlet", "inbook": "chapter",
    "incollection": "chapter", "inproceedings": "paper-conference", "conference": "paper-conference",
    "manual": "book", "mastersthesis": "thesis", "phdthesis": "thesis", "thesis": "thesis",
    "techreport": "report", "report": "report", "unpublished": "manuscript", "online": "webpage",
    "www": "webpage", "misc": "document", "collection": "book", "proceedings": "book",
}
# BibTeX fields → CSL variables
BIBTEX_FIELDS = {
    "title": "title", "subtitle": "", "publisher": "publisher", "address": "publisher-place",
    "location": "publisher-place", "volume": "volume", "edition": "edition", "pages": "page",
    "doi": "DOI", "url": "URL", "isbn": "ISBN", "issn": "ISSN", "note": "note", "series": "collection-title",
    "chapter": "chapter-number", "abstract": "abstract", "language": "language",
    "organization": "publisher", "school": "publisher", "institution": "publisher",
}
MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}
_EDTF = re.compile(r"^(-?\d{1,4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?$")
_LATEX_MARKUP = re.compile(r"\\(?:emph|textit|textbf|textsc|textrm|textsf|texttt|mkbibquote|url)\s*(?=\{)")


@dataclass(frozen=True, slots=True)
class Item:
    """One bibliography entry as CSL-JSON, and the file (or 'references') it came from."""

    data: dict[str, Any]
    origin: str

    @property
    def id(self) -> str:
        return str(self.data["id"])


def load_items(root: Path, files: tuple[str, ...], references: str, meta_file: str = "") -> list[Item]:
    """Every entry of the bibliography files and of the inline references, first entry per key kept."""
    items: list[Item] = []
    for rel in files:
        items += read_file(root, rel, meta_file)
    if references:
        items += csl_items(json.loads(references), "references", meta_file or "the metadata")
    seen: set[str] = set()
    out = []
    for item in items:
        if item.id not in seen:
            seen.add(item.id)
            out.append(item)
    return out


def check_sources(meta: Any, root: Path, meta_file: str) -> None:
    """Every file the metadata names for citations (``bibliography``, ``csl``) exists in the book."""
    for rel in meta.bibliography:
        check_file(root, rel, "bibliography", meta_file)
        if Path(rel).suffix.lower() not in FORMATS:
            raise error("C004", f"bibliography '{rel}' has an unknown format",
                        "use a .bib (BibTeX), .json (CSL-JSON) or .yaml (CSL-YAML) file", meta_file)
    if meta.csl:
        check_file(root, meta.csl, "csl", meta_file)


def read_file(root: Path, rel: str, meta_file: str = "") -> list[Item]:
    """The entries of one bibliography file (BibTeX, CSL-JSON or CSL-YAML)."""
    path = check_file(root, rel, "bibliography", meta_file)
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        raise error("C004", f"bibliography '{rel}' has an unknown format",
                    "use a .bib (BibTeX), .json (CSL-JSON) or .yaml (CSL-YAML) file", meta_file)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise error("C002", f"cannot read bibliography '{rel}': {exc}", "save it as UTF-8 text", rel) from None
    if kind == "BibTeX":
        return bibtex_items(text, rel)
    if kind == "CSL-JSON":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise error("C002", f"bibliography '{rel}' is not valid JSON: {exc.msg}",
                        "check the file: CSL-JSON is a list of entries", rel, exc.lineno) from None
    else:
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            raise error("C002", f"bibliography '{rel}' is not valid YAML: {getattr(exc, 'problem', exc)}",
                        "check the file: CSL-YAML is a list of entries, or 'references:' and a list",
                        rel, mark.line + 1 if mark else 0) from None
        if isinstance(data, dict) and "references" in data:
            data = data["references"]
    return csl_items(data, rel, rel)


def csl_items(data: Any, origin: str, shown: str) -> list[Item]:
    """CSL-JSON (or CSL-YAML) entries, checked and normalised (names and dates in CSL-JSON form)."""
    if not isinstance(data, list):
        raise error("C005", f"the references in '{shown}' are not a list of entries",
                    "write a list of entries, each with 'id' and 'type'", shown)
    items = []
    for n, entry in enumerate(data, start=1):
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), (str, int)) or entry.get("id") == "":
            raise error("C005", f"entry {n} of the references in '{shown}' has no 'id'",
                        "give every entry an id, the key you cite it with: 'id: doe2020'", shown)
        out: dict[str, Any] = {}
        for key, value in entry.items():
            key = str(key)
            if key in NAME_VARIABLES:
                value = _names(value)
            elif key in DATE_VARIABLES:
                value = _date(value)
            elif key == "id":
                value = str(value)
            elif isinstance(value, (dt.date, dt.datetime)):
                value = value.isoformat()
            elif not isinstance(value, (str, int, float)):
                continue  # CSL variables are text or numbers; nested data is not used by styles
            if value not in (None, "", []):
                out[key] = value
        out.setdefault("type", "book")
        items.append(Item(out, origin))
    return items


def _names(value: Any) -> list[dict[str, str]]:
    people = value if isinstance(value, list) else [value]
    out = []
    for person in people:
        if isinstance(person, dict):
            out.append({str(k): str(v) for k, v in person.items() if isinstance(v, (str, int)) and str(v)})
        elif isinstance(person, str) and person.strip():
            out.append(_split_name(person.strip()))
    return [p for p in out if p]


def _split_name(name: str) -> dict[str, str]:
    """'Doe, Jane' or 'Jane Doe' as CSL's {family, given}."""
    if "," in name:
        family, given = (s.strip() for s in name.split(",", 1))
    else:
        given, _, family = name.rpartition(" ")
    return {"family": family, "given": given} if given else {"family": family}


def _date(value: Any) -> dict[str, Any] | None:
    """A CSL date from a year, an EDTF string (``2020-05``, ``2019/2020``), a date or CSL-JSON."""
    if isinstance(value, list) and value:  # pandoc's older CSL-YAML: [{year: 2020, month: 5}]
        parts = [_date(v) for v in value]
        return {"date-parts": [p["date-parts"][0] for p in parts if p and "date-parts" in p]}
    if isinstance(value, dict):
        if "date-parts" in value or "literal" in value:
            return value
        if "year" in value:
            return {"date-parts": [[int(value[k]) for k in ("year", "month", "day") if k in value]]}
        return None
    if isinstance(value, (dt.date, dt.datetime)):
        return {"date-parts": [[value.year, value.month, value.day]]}
    text = str(value).strip()
    ends = []
    for part in text.split("/"):
        m = _EDTF.match(part.strip())
        if not m:
            return {"literal": text}
        ends.append([int(g) for g in m.groups() if g])
    return {"date-parts": ends}


# ---------------------------------------------------------------- BibTeX


def bibtex_items(text: str, shown: str) -> list[Item]:
    """BibTeX entries as CSL items, read with pybtex."""
    from pybtex.database import parse_string
    from pybtex.scanner import PybtexSyntaxError

    try:
        db = parse_string(text, "bibtex")
    except PybtexSyntaxError as exc:
        raise error("C002", f"bibliography '{shown}' is not valid BibTeX: {exc.error_type}",
                    "check the entry near that line: braces must balance and fields need commas",
                    shown, getattr(exc, "lineno", 0) or 0) from None
    except Exception as exc:  # pybtex reports duplicate keys and bad macros with its own errors
        raise error("C002", f"bibliography '{shown}' cannot be read: {exc}",
                    "check the BibTeX entry the message names", shown) from None
    items = []
    for key, entry in db.entries.items():
        fields = {k.lower(): v for k, v in entry.fields.items()}
        data: dict[str, Any] = {"id": key, "type": BIBTEX_TYPES.get(entry.type.lower(), "book")}
        for role, people in entry.persons.items():
            variable = role.lower()
            if variable in ("author", "editor", "translator"):
                data[variable] = [_person(p) for p in people]
        for field, variable in BIBTEX_FIELDS.items():
            if field in fields and variable and variable not in data:
                data[variable] = latex_to_text(fields[field])
        if "subtitle" in fields and "title" in data:
            data["title"] += ": " + latex_to_text(fields["subtitle"])
        container = fields.get("journal") or fields.get("journaltitle") or fields.get("booktitle")
        if container:
            data["container-title"] = latex_to_text(container)
        if "number" in fields:
            data["issue" if data["type"] == "article-journal" else "number"] = latex_to_text(fields["number"])
        if entry.type.lower() == "phdthesis":
            data["genre"] = "PhD thesis"
        elif entry.type.lower() == "mastersthesis":
            data["genre"] = "Master’s thesis"
        date = _bibtex_date(fields)
        if date:
            data["issued"] = date
        if "urldate" in fields:
            data["accessed"] = _date(fields["urldate"])
        items.append(Item(data, shown))
    return items


def _person(person: Any) -> dict[str, str]:
    out = {"family": latex_to_text(" ".join(person.last_names)),
           "given": latex_to_text(" ".join(person.first_names + person.middle_names))}
    if person.prelast_names:
        out["non-dropping-particle"] = latex_to_text(" ".join(person.prelast_names))
    if person.lineage_names:
        out["suffix"] = latex_to_text(" ".join(person.lineage_names))
    return {k: v for k, v in out.items() if v}


def _bibtex_date(fields: dict[str, str]) -> dict[str, Any] | None:
    if "date" in fields:
        return _date(fields["date"])
    year = fields.get("year", "").strip()
    if not year:
        return None
    if not year.isdigit():
        return {"literal": latex_to_text(year)}
    parts = [int(year)]
    month = fields.get("month", "").strip().lower()[:3]
    if month in MONTHS:
        parts.append(MONTHS[month])
    elif month.isdigit():
        parts.append(int(month))
    return {"date-parts": [parts]}


def latex_to_text(value: str) -> str:
    r"""BibTeX field text as plain Unicode: accents decoded, braces and markup commands dropped.

    >>> latex_to_text(r"The {\'E}t{\'e} of \emph{Lanterns} -- 1920--1930")
    'The Été of Lanterns – 1920–1930'
    """
    from pybtex.richtext import Text

    value = _LATEX_MARKUP.sub("", value)
    text = Text.from_latex(value).render_as("text")
    return " ".join(text.replace("---", "\u2014").replace("--", "\u2013").split())
