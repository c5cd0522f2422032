"""Diagnostics: every problem the pipeline reports, with a code, a place and a fix.

Takes: what a stage found wrong.
Gives: :class:`Diagnostic` values, :data:`CODES` (the one registry of every
code), a :class:`Reporter` that collects warnings, and :class:`BuildError`,
raised for errors and caught once by the CLI.

Diagnostics are values: a build unit runs with its own quiet Reporter and
returns the warnings it collected with its result, so a cached unit replays
exactly what it reported when it ran (:meth:`Reporter.replay`).

Codes are a category letter and three digits, never reused; ``1xx`` are warnings:

- ``M`` manuscript files and metadata (load stage)
- ``P`` Markdown parsing
- ``I`` images
- ``L`` links and ids
- ``R`` rendering and output
- ``C`` citations and the bibliography
- ``E`` the EPUB: accessibility claims, the print page numbers
- ``X`` print preflight: is the print PDF ready for press (:mod:`pipeline.preflight`)

A diagnostic prints as ``file:line: message [CODE]`` followed by ``hint: …``::

    >>> print(Diagnostic("I001", "error", "image 'a.jpg' not found",
    ...                  "check the path", "x/01.md", 14))
    x/01.md:14: error: image 'a.jpg' not found [I001]
      hint: check the path
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import TextIO

CODES: dict[str, str] = {
    "M001": "a manuscript file cannot be read",
    "M002": "a file is not UTF-8",
    "M003": "the YAML metadata is invalid (syntax, duplicate key, unsafe tag, too many aliases)",
    "M004": "the metadata is not a mapping",
    "M005": "the manuscript does not exist",
    "M006": "no chapters found",
    "M007": "'chapters' is not a list of paths",
    "M008": "a listed chapter file does not exist",
    "M009": "a chapter is outside the manuscript folder",
    "M011": "a metadata value has the wrong type",
    "M012": "an author or contributor entry is malformed",
    "M013": "the trim size is not understood",
    "M014": "the language is not a BCP 47 tag",
    "M015": "the cover image is missing or outside the manuscript",
    "M016": "a chapter file is not Markdown",
    "M017": "a resource path is outside the book's folder",
    "M018": "a Quarto project that is not a book",
    "M019": "a stylesheet (css) is missing or outside the book's folder",
    "M020": "a metadata key that takes one of a few words (print-service, paper, footnotes-restart) has another",
    "M101": "unknown metadata key, ignored",
    "M102": "no title: a default is used",
    "M103": "no language: 'en' is used",
    "M104": "the manuscript has no text",
    "M105": "chapter front matter used as (or ignored for) the book's metadata",
    "M106": "a Quarto chapter has executable code: shown, not run",
    "M107": "a pandoc option that has no effect here, ignored",
    "M108": "an unknown key in a pandoc defaults file, ignored",
    "P101": "raw HTML removed",
    "P102": "an inline HTML tag removed",
    "P103": "a footnote referenced inside a footnote",
    "P104": "inline nesting flattened",
    "P105": "unreadable attributes on a fenced div",
    "P106": "a raw block in a format other than HTML ({=latex}) dropped",
    "P107": "pandoc or Quarto syntax left as text",
    "P108": "a Quarto shortcode removed",
    "P110": "a grid table whose borders do not line up, kept as preformatted text",
    "P120": "a TeX formula that cannot be converted; kept as code text",
    "P121": "an unknown TeX command in a formula, set as its name",
    "P140": "a raw inline in a format other than HTML (`x`{=latex}) dropped",
    "P141": "a heading shifted above level 1 (shift-heading-level-by) becomes a paragraph",
    "P142": "a heading with no text is left out",
    "P150": "quotation marks in a language without a quote table: English marks are used",
    "P130": "an example list label (@label) used twice",
    "P131": "a reference (@label) that names no example list item",
    "I001": "image not found",
    "I002": "image cannot be read",
    "I003": "a remote file where a local one is needed",
    "I004": "unsupported URL scheme for an image",
    "I005": "image outside the manuscript folder",
    "I006": "image too large",
    "I007": "unsupported image format",
    "I008": "SVG with a DTD or entities",
    "I101": "a still without alt text",
    "I102": "an image whose label is a heading's, not a file; its text kept",
    "I103": "a remote image, not fetched: its text kept",
    "I110": "'epub-image-megapixels' is not a number from 0.1 to 80: the default, 4, is used",
    "I111": "a CMYK still without a colour profile, converted to sRGB by a plain formula",
    "I112": "an animated GIF: only its first frame is kept",
    "I113": "a still's colour profile cannot be read or applied, and is ignored",
    "L101": "a link leads nowhere; kept as text",
    "L102": "an unsafe link removed",
    "L103": "an id used twice in a chapter; renamed",
    "L104": "a cross-reference (@fig-x) that names nothing: printed '??'",
    "R001": "cannot write an output",
    "R002": "unknown format",
    "R003": "the manuscript is nested too deeply to build",
    "R004": "the installed WeasyPrint is not the version the print layout is made for",
    "R101": "characters no shipped font covers",
    "R102": "the PDF layout engine (WeasyPrint) reported a problem",
    "C001": "a bibliography or CSL file named in the metadata does not exist",
    "C002": "a bibliography file cannot be read (syntax error)",
    "C003": "the CSL style file cannot be read",
    "C004": "a bibliography file of an unknown format",
    "C005": "a reference entry without an id",
    "C101": "a citation key not in the bibliography: printed as key?",
    "C102": "citations in a book without a bibliography: printed as written",
    "R110": "a TeX formula the print edition cannot draw; kept as code text",
    "R150": "a still leaves over a quarter of the page before it blank and cannot be moved later",
    "R130": "a still with neither alt text nor caption: the screen PDF marks it decorative (an artifact)",
    "R170": "the cover PDF is not press-ready (preflight errors); it is written anyway",
    "R140": "the cover's description runs into the barcode area or off the back",
    "R141": "the cover image is under 300 ppi at its printed size",
    "R142": "the cover image is cropped by more than 15% to cover the front",
    "R143": "the title and author do not fit on the cover's spine",
    "R165": "the print edition's inside margin is under the print service's minimum for its page count",
    "M120": "the 'accessibility' block, or one of its keys, is malformed or unknown: ignored",
    "M121": "an accessibility value outside the schema.org vocabulary: ignored",
    "M122": "the series ('series', 'belongs-to-collection', 'group-position') is malformed: ignored",
    "M123": "a subject entry is malformed or names an unknown authority: its code is ignored",
    "M130": "no description: the back cover is blank but for the barcode box",
    "M135": "a chapter's 'type' (front or back matter) is unknown: it stays a chapter",
    "M136": "front or back matter moved to its place in the book (front matter first, back matter last)",
    "E101": "an image without alt text: the EPUB does not claim alternativeText",
    "E120": "a print page's start not found in the EPUB's text: its marker at the element's end, or none",
    "E121": "'print-isbn' is not an ISBN: the page source is named as written",
    "X001": "print preflight: a page without a TrimBox",
    "X002": "print preflight: a BleedBox that does not enclose the TrimBox",
    "X003": "print preflight: fewer pages than the print service's minimum",
    "X004": "print preflight: more pages than the print service's maximum",
    "X005": "print preflight: a font not embedded",
    "X006": "print preflight: a still under 150 ppi at its placed size",
    "X007": "print preflight: no PDF/X output intent with an embedded profile",
    "X008": "print preflight: an RGB or grey image without a colour profile",
    "X009": "print preflight: a page that paints device RGB without /DefaultRGB",
    "X010": "print preflight: an annotation that prints (only page content may print)",
    "X020": "print preflight: pages of different trim sizes",
    "X021": "print preflight: a book with full-bleed stills whose page lacks the bleed at the top, bottom or outside",
    "X030": "print preflight: the cover's TrimBox is not the wrap inset by the bleed, or it has no BleedBox",
    "X101": "print preflight: a still under 300 ppi at its placed size",
    "X102": "print preflight: a page count the print service pads with blank pages",
    "X103": "print preflight: transparency (stills with soft masks)",
    "R120": "the print PDF is not press-ready (preflight errors); it is written anyway",
}


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One message: a code, ``error`` or ``warning``, what is wrong, how to fix it, where."""

    code: str
    severity: str
    message: str
    hint: str = ""
    file: str = ""
    line: int = 0

    def __str__(self) -> str:
        where = self.file + (f":{self.line}" if self.line else "") if self.file else ""
        head = f"{where}: " if where else ""
        text = f"{head}{self.severity}: {self.message} [{self.code}]"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


class BuildError(Exception):
    """A build cannot go on. Carries the diagnostic that says why, and any ``more`` errors
    found in the same run (a build collects what it can before it stops)."""

    def __init__(self, diagnostic: Diagnostic, more: tuple[Diagnostic, ...] = ()):
        super().__init__(str(diagnostic))
        self.diagnostic = diagnostic
        self.more = more

    @property
    def diagnostics(self) -> tuple[Diagnostic, ...]:
        """Every error, the first one first."""
        return (self.diagnostic, *self.more)


def error(code: str, message: str, hint: str = "", file: str = "", line: int = 0) -> BuildError:
    """Make a :class:`BuildError` to raise."""
    assert code in CODES, f"unregistered diagnostic code {code}"
    return BuildError(Diagnostic(code, "error", message, hint, file, line))


@dataclass
class Reporter:
    """Collects warnings during a build and prints them as they come (unless ``echo`` is off)."""

    stream: TextIO | None = None
    warnings: list[Diagnostic] = field(default_factory=list)
    echo: bool = True

    def warn(self, code: str, message: str, hint: str = "", file: str = "", line: int = 0) -> None:
        """Record a warning and print it to ``stream`` (stderr by default)."""
        assert code in CODES, f"unregistered diagnostic code {code}"
        self.add(Diagnostic(code, "warning", message, hint, file, line))

    def add(self, d: Diagnostic) -> None:
        """Record a diagnostic value."""
        self.warnings.append(d)
        if self.echo:
            print(d, file=self.stream or sys.stderr)

    def replay(self, diagnostics: list[Diagnostic] | tuple[Diagnostic, ...]) -> None:
        """Record what a build unit returned, as if it had been reported here."""
        for d in diagnostics:
            self.add(d)


def to_dict(d: Diagnostic) -> dict:
    """A diagnostic as plain data (for the cache and JSON reports)."""
    return {"code": d.code, "severity": d.severity, "message": d.message, "hint": d.hint,
            "file": d.file, "line": d.line}


def from_dict(data: dict) -> Diagnostic:
    """The diagnostic :func:`to_dict` wrote."""
    return Diagnostic(**data)
