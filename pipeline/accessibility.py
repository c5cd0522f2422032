"""Accessibility metadata: what the EPUB says about itself, true to what the book contains.

Takes: the manuscript's ``accessibility:`` block (:func:`read_block`, at load
time) and, at render time, the book and what the EPUB writer knows of its
output (:class:`Facts`: MathML written, a page-list present).
Gives: the package metadata of EPUB Accessibility 1.1 (:func:`package_metadata`):
schema.org ``accessMode``, ``accessModeSufficient``, ``accessibilityFeature``,
``accessibilityHazard``, ``accessibilitySummary``, ``dcterms:conformsTo``
and, when the author names one, ``a11y:certifiedBy``.

What is derived:

- ``accessMode``: ``textual``, and ``visual`` when the book shows stills;
- ``accessModeSufficient``: ``textual`` when every still has alt text (or
  there are none); ``textual,visual`` when it has stills;
- ``accessibilityFeature``: ``tableOfContents``, ``readingOrder``,
  ``structuralNavigation`` always; ``alternativeText`` when every still has
  alt text; ``MathML`` when a chapter carries MathML; ``printPageNumbers``
  and ``pageBreakMarkers`` only when the EPUB has a page-list
  (``Facts.page_list``, set by the page-list writer);
- ``accessibilityHazard``: ``none`` (text and stills: nothing flashes, moves or sounds);
- ``accessibilitySummary``: a sentence or two made from the facts above;
- ``dcterms:conformsTo``: ``EPUB Accessibility 1.1 - WCAG 2.2 Level AA``
  (the exact string EPUB Accessibility 1.1 and DAISY Ace expect).

Each key of the ``accessibility:`` block replaces the derived values of its
property (an empty list removes it); values are checked against the
schema.org vocabularies, and a wrong one is left out with a warning (M121).

    >>> block = read_block({"summary": "Read aloud well.", "certified-by": "Accessible Books Ltd"}, "b.yaml")
    >>> block
    (('schema:accessibilitySummary', ('Read aloud well.',)), ('a11y:certifiedBy', ('Accessible Books Ltd',)))
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import ir
from .diagnostics import Reporter

CONFORMS_TO = "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"
CONFORMS_TO_ALLOWED = tuple(f"EPUB Accessibility 1.1 - WCAG {v} Level {lv}"
                            for v in ("2.0", "2.1", "2.2") for lv in ("A", "AA", "AAA"))

# the schema.org vocabularies (W3C Accessibility Discoverability Vocabulary), as DAISY Ace checks them
ACCESS_MODES = ("auditory", "tactile", "textual", "visual", "chartOnVisual", "chemOnVisual", "colorDependent",
                "diagramOnVisual", "mathOnVisual", "musicOnVisual", "textOnVisual")
SUFFICIENT_MODES = ("auditory", "tactile", "textual", "visual")
FEATURES = (
    "annotations", "ARIA", "bookmarks", "index", "printPageNumbers", "pageBreakMarkers", "pageNavigation",
    "readingOrder", "structuralNavigation", "tableOfContents", "taggedPDF", "alternativeText",
    "audioDescription", "captions", "closedCaptions", "describedMath", "longDescription", "openCaptions",
    "signLanguage", "transcript", "displayTransformability", "synchronizedAudioText", "timingControl",
    "unlocked", "ChemML", "latex", "latex-chemistry", "MathML", "MathML-chemistry", "ttsMarkup",
    "highContrastAudio", "highContrastDisplay", "largePrint", "braille", "tactileGraphic", "tactileObject",
    "fullRubyAnnotations", "horizontalWriting", "rubyAnnotations", "verticalWriting",
    "withAdditionalWordSegmentation", "withoutAdditionalWordSegmentation", "none", "unknown",
)
HAZARDS = ("flashing", "motionSimulation", "sound", "none", "noFlashingHazard", "noMotionSimulationHazard",
           "noSoundHazard", "unknown", "unknownFlashingHazard", "unknownMotionSimulationHazard",
           "unknownSoundHazard")

# key in the manuscript (kebab-case, or schema.org's own name) → (property, allowed values or None, several?)
KEYS: dict[str, tuple[str, tuple[str, ...] | None, bool]] = {
    "access-mode": ("schema:accessMode", ACCESS_MODES, True),
    "access-mode-sufficient": ("schema:accessModeSufficient", SUFFICIENT_MODES, True),
    "feature": ("schema:accessibilityFeature", FEATURES, True),
    "hazard": ("schema:accessibilityHazard", HAZARDS, True),
    "summary": ("schema:accessibilitySummary", None, False),
    "conforms-to": ("dcterms:conformsTo", CONFORMS_TO_ALLOWED, False),
    "certified-by": ("a11y:certifiedBy", None, False),
    "certifier-credential": ("a11y:certifierCredential", None, False),
}
ALIASES = {"accessMode": "access-mode", "accessModeSufficient": "access-mode-sufficient",
           "features": "feature", "accessibilityFeature": "feature", "hazards": "hazard",
           "accessibilityHazard": "hazard", "accessibilitySummary": "summary", "conformsTo": "conforms-to",
           "certifiedBy": "certified-by", "certifierCredential": "certifier-credential"}


def _texts(value: Any) -> list[str] | None:
    items = value if isinstance(value, list) else [value]
    if not all(isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in items):
        return None
    return [str(v).strip() for v in items if str(v).strip()]


def read_block(block: Any, file: str, reporter: Reporter | None = None) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Check the metadata's ``accessibility:`` mapping; give (property, values) pairs in the block's order.

    Anything wrong is left out with a warning naming the key and what it accepts.
    """
    reporter = reporter or Reporter()
    if block is None:
        return ()
    if not isinstance(block, dict):
        reporter.warn("M120", "'accessibility' must be a mapping; it is ignored",
                      "write e.g. 'accessibility: {summary: \"…\", certified-by: \"…\"}'", file)
        return ()
    out: list[tuple[str, tuple[str, ...]]] = []
    for raw_key, value in block.items():
        key = ALIASES.get(str(raw_key), str(raw_key))
        if key not in KEYS:
            reporter.warn("M120", f"unknown key 'accessibility: {raw_key}' is ignored",
                          "the keys are " + ", ".join(KEYS), file)
            continue
        prop, allowed, several = KEYS[key]
        values = _texts(value) if value is not None else []
        if values is None or (not several and len(values) > 1):
            reporter.warn("M120", f"'accessibility: {raw_key}' must be "
                          + ("text or a list of texts" if several else "one text") + "; it is ignored",
                          f"write e.g. '{key}: {allowed[0] if allowed else 'Some text'}'", file)
            continue
        if key == "access-mode-sufficient":  # each entry a set of modes: 'textual' or 'textual, visual'
            values = [",".join(m.strip() for m in v.split(",")) for v in values]
            check = [m for v in values for m in v.split(",")]
        else:
            check = values
        bad = [v for v in check if allowed is not None and v not in allowed]
        if bad:
            reporter.warn("M121", f"'accessibility: {raw_key}' has a value outside its vocabulary: "
                          f"'{bad[0]}'; the key is ignored",
                          "use one of: " + ", ".join(allowed or ()), file)
            continue
        out.append((prop, tuple(values)))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Facts:
    """What the book holds, as far as its accessibility metadata is concerned."""

    stills: int = 0               # images shown in the chapters (the cover is not counted)
    stills_without_alt: int = 0   # of those, how many have no alt text
    mathml: bool = False          # a chapter carries MathML
    tables: int = 0
    notes: int = 0
    page_list: bool = False       # the EPUB has a page-list nav (print page numbers): set by its writer


def book_facts(book: ir.Book, mathml: bool = False, page_list: bool = False,
               reporter: Reporter | None = None) -> Facts:
    """Count what :func:`package_metadata` speaks of; warn (E101) for each still without alt text."""
    images = 0
    missing = 0
    tables = notes = 0
    for ch in book.chapters:
        for node in ir.query(ch, (ir.Image, ir.Table, ir.Note)):
            if isinstance(node, ir.Image):
                images += 1
                if not node.alt.strip():
                    missing += 1
                    if reporter is not None:
                        reporter.warn("E101", f"image '{node.src}' has no alt text, so the EPUB does not claim "
                                      "'alternativeText'", "describe it: ![caption](file){alt=\"what it shows\"}",
                                      ch.source)
            elif isinstance(node, ir.Table):
                tables += 1
            elif isinstance(node, ir.Note):
                notes += 1
    return Facts(images, missing, mathml, tables, notes, page_list)


def summary(facts: Facts) -> str:
    """A plain account of what a reader can rely on, written from the facts (in English)."""
    parts = ["This publication is made to meet EPUB Accessibility 1.1 at WCAG 2.2 Level AA.",
             "It has a table of contents, structured headings and a logical reading order."]
    if facts.stills:
        n = "one image" if facts.stills == 1 else f"{facts.stills} images"
        if facts.stills_without_alt:
            parts.append(f"It contains {n}; {facts.stills_without_alt} of them have no text description.")
        else:
            parts.append(f"It contains {n}, each with a text description.")
    else:
        parts.append("It has no images other than the cover, so it can be read entirely as text.")
    if facts.mathml:
        parts.append("Mathematics is in MathML, with its TeX source as alternative text.")
    if facts.tables:
        parts.append("Tables have marked header cells." if facts.tables > 1 else "Its table has marked header cells.")
    if facts.notes:
        parts.append("Footnotes link to their note and back.")
    if facts.page_list:
        parts.append("Page numbers of the print edition are marked and listed.")
    parts.append("There are no flashing, motion or sound hazards.")
    return " ".join(parts)


def package_metadata(book: ir.Book, facts: Facts) -> list[tuple[str, tuple[str, ...]]]:
    """(property, values) pairs for the package document, derived, then the author's block applied."""
    visual = facts.stills > 0
    all_alt = facts.stills_without_alt == 0
    modes = ("textual", "visual") if visual else ("textual",)
    sufficient = (("textual",) if all_alt else ()) + (("textual,visual",) if visual else ())
    features = ["tableOfContents", "readingOrder", "structuralNavigation"]
    if visual and all_alt:
        features.insert(0, "alternativeText")
    if facts.mathml:
        features.append("MathML")
    if facts.page_list:
        features += ["printPageNumbers", "pageBreakMarkers"]
    derived: dict[str, tuple[str, ...]] = {
        "schema:accessMode": modes,
        "schema:accessModeSufficient": sufficient,
        "schema:accessibilityFeature": tuple(features),
        "schema:accessibilityHazard": ("none",),
        "schema:accessibilitySummary": (summary(facts),),
        "dcterms:conformsTo": (CONFORMS_TO,),
    }
    for prop, values in book.meta.accessibility:
        derived[prop] = values
    return [(p, v) for p, v in derived.items() if v]
