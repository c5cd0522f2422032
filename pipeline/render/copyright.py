"""The copyright page's text, the same in print and in the EPUB, written for people.

Takes: the book's :class:`~pipeline.ir.Meta`.
Gives: :func:`copyright_lines` — the © line (``rights`` as written when it
says © or that the work is in the public domain, else © the date's year and
the authors, followed by ``rights``),
the publisher, the edition and when it was first published (``March 1922``,
in the book's language when that is simple), the credits (contributors with
their roles), and the ISBNs of the print edition (``print-isbn``) and the
EPUB (an ``identifier`` that is an ISBN). A UUID or other identifier is
never printed: it means nothing to a reader. :func:`copyright_html` writes
them as paragraphs.

    >>> human_date("1922-03-05", "en"), human_date("1922-03", "fr-FR"), human_date("1922", "de")
    ('March 1922', 'mars 1922', '1922')
    >>> human_date("Spring 1922", "en")
    'Spring 1922'
    >>> m = ir.Meta("T", "en", "urn:isbn:9780306406157", creators=(ir.Contributor("Ann Roe"),), date="2020-05-01")
    >>> [t for _, t in copyright_lines(m)]
    ['© 2020 Ann Roe', 'First published May 2020', 'ISBN 978-0-306-40615-7 (EPUB)']
"""

from __future__ import annotations

import re

from .. import ir
from .html import text

MONTHS = {
    "en": "January February March April May June July August September October November December",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
    "it": "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre",
    "nl": "januari februari maart april mei juni juli augustus september oktober november december",
    "pt": "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro dezembro",
}
# the few phrases the page needs, by language; another language gets the English ones
PHRASES = {
    "en": {"published": "First published {}", "by": "by", "print": "print", "trl": "Translated by",
           "ill": "Illustrated by", "edt": "Edited by", "pht": "Photographs by", "aui": "Introduction by",
           "cov": "Cover design by", "bkd": "Book design by", "nrt": "Narrated by", "ctb": "With contributions by",
           "publisher": "Published by {}"},
    "fr": {"published": "Première publication : {}", "print": "imprimé", "trl": "Traduit par",
           "ill": "Illustré par", "edt": "Édité par", "pht": "Photographies de", "aui": "Introduction de",
           "cov": "Couverture de", "bkd": "Maquette de", "nrt": "Lu par", "ctb": "Avec la participation de",
           "publisher": "Publié par {}"},
    "de": {"published": "Erstausgabe {}", "print": "Druck", "trl": "Übersetzt von", "ill": "Illustriert von",
           "edt": "Herausgegeben von", "pht": "Fotografien von", "aui": "Einleitung von",
           "cov": "Umschlaggestaltung von", "bkd": "Buchgestaltung von", "nrt": "Gelesen von",
           "ctb": "Unter Mitarbeit von", "publisher": "Verlag: {}"},
}


FREE = re.compile(r"public domain|\bCC0\b|no known copyright|domaine public|gemeinfrei", re.I)


def _phrases(lang: str) -> dict[str, str]:
    return {**PHRASES["en"], **PHRASES.get(lang.split("-")[0].lower(), {})}


def human_date(date: str, lang: str) -> str:
    """``date`` as a reader writes it: month and year (``1922-03-05`` → ``March 1922``), a year alone
    as is; months in the book's language when :data:`MONTHS` has it, else English; anything else as written."""
    m = re.fullmatch(r"(\d{4})-(\d{2})(?:-\d{2}(?:[T ].*)?)?", date.strip())
    if not m or not 1 <= int(m.group(2)) <= 12:
        return date.strip()
    months = MONTHS.get(lang.split("-")[0].lower(), MONTHS["en"]).split()
    return f"{months[int(m.group(2)) - 1]} {m.group(1)}"


def year_of(date: str) -> str:
    """The year a date names, or ""."""
    m = re.search(r"\b(\d{4})\b", date)
    return m.group(1) if m else ""


def isbn(urn: str) -> str:
    """An ISBN as printed: an ISBN-13 of the English-language group 0 hyphenated by its publisher
    ranges, any other ISBN as its digits (hyphenating it needs the agency's range tables).

    >>> isbn("urn:isbn:9780306406157")
    '978-0-306-40615-7'
    """
    digits = urn.removeprefix("urn:isbn:").replace("-", "")
    if len(digits) == 13 and digits.startswith("9780"):  # English-language group 0: publisher 2-7 digits
        body = digits[4:12]
        # group 0's publisher prefixes: 00-19, 200-699, 7000-8499, 85000-89999, 900000-949999, 9500000-
        cut = next(n for n, top in ((2, "19"), (3, "699"), (4, "8499"), (5, "89999"), (6, "949999"), (7, "9999999"))
                   if body[:n] <= top)
        return f"{digits[:3]}-0-{body[:cut]}-{body[cut:]}-{digits[12]}"
    return digits


def copyright_lines(meta: ir.Meta) -> list[tuple[str, str]]:
    """The copyright page's lines, as ``(class, text)`` in print order."""
    say = _phrases(meta.lang)
    out: list[tuple[str, str]] = []
    rights = meta.rights.strip()
    if re.match(r"(©|\(c\)|copyright\b)", rights, re.I) or FREE.search(rights):
        out.append(("rights", rights))  # as written; a work in the public domain claims no ©
    else:
        holder = ", ".join(c.name for c in meta.creators) or meta.publisher
        line = " ".join(p for p in ("©", year_of(meta.date), holder) if p)
        if line != "©":
            out.append(("rights", line))
        if rights:
            out.append(("rights-terms", rights))
    if meta.publisher:
        out.append(("publisher", say["publisher"].format(meta.publisher)))
    if meta.edition:
        out.append(("edition", meta.edition))
    if meta.date:
        out.append(("date", say["published"].format(human_date(meta.date, meta.lang))))
    for c in meta.contributors:
        if c.role in say:
            out.append(("credit", f"{say[c.role]} {c.name}"))
    if meta.print_isbn:
        out.append(("isbn", f"ISBN {isbn(meta.print_isbn)} ({say['print']})"))
    if meta.identifier.startswith("urn:isbn:"):
        out.append(("isbn", f"ISBN {isbn(meta.identifier)} (EPUB)"))
    return out


def copyright_html(meta: ir.Meta) -> str:
    """The copyright lines as paragraphs (no wrapper)."""
    return "".join(f'<p class="{cls}">{text(line)}</p>\n' for cls, line in copyright_lines(meta))
