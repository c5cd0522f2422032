"""Accessibility of the EPUB (EPUB Accessibility 1.1, WCAG 2.2 AA) and its package metadata.

Two small books are built once each, to EPUB and PDF: a plain one (no image,
no math; ISBN, series, authors with file-as, a coded subject, a chapter with
no heading) and a feature-rich one (stills, math, tables with an empty header
cell, code, a callout, footnotes, citations, an ``accessibility:`` block).
Both must pass EPUBCheck with no message and DAISY Ace with no violation.
"""

from __future__ import annotations

import os
import re
import subprocess
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pdfplumber
import pytest
from conftest import ACE_SECONDS, ROOT, SAMPLE, ace_violations, epubcheck_messages, image_bytes, needs_ace, write_files

from pipeline.build import run_build
from pipeline.diagnostics import Reporter

OPF = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/"}
X = "{http://www.w3.org/1999/xhtml}"
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
NCX = "{http://www.daisy.org/z3986/2005/ncx/}"
EPOCH = 1767225600  # 2026-01-01T00:00:00Z

PLAIN = {
    "book.yaml": """title: A Plain Book
lang: en-GB
date: 1922
identifier: 978-0-306-40615-7
author:
  - {name: Jane Roe, file-as: "Roe, Jane"}
  - {name: John Poe, file-as: "Poe, John", role: editor}
series: {name: Harbour Books, position: 2}
subject:
  - {text: Film, authority: bisac, term: PER004000}
  - Criticism
""",
    "chapters/00-introduction.md": "An introduction without a heading, read before the first chapter.\n",
    "chapters/01-one.md": "# The First Chapter\n\nPlain words.\n\n## A Section\n\nMore words.\n",
}

RICH = {
    "book.yaml": """title: A Rich Book
lang: fr
author: Ada Lune
bibliography: refs.bib
accessibility:
  summary: Écrit pour être lu à voix haute.
  certified-by: Accessible Books Ltd
  certifier-credential: Ace 1.4
""",
    "refs.bib": "@book{doe2020, author = {Doe, Jane}, title = {Harbours}, year = {2020}, publisher = {Tide}}\n",
    "stills/dusk.png": image_bytes("PNG"),
    "chapters/01-signs.md": """# Signes

Une image:

![Le port au crépuscule.](../stills/dusk.png){alt="Un horizon plat sépare le ciel pâle de l'eau sombre."}

La formule $E = mc^2$ et une note.[^1] Voir [@doe2020, p. 3].

$$\\int_0^1 x^2\\,dx = \\frac{1}{3}$$

  Ville  Année
-------  ------
  Paris  1957
   Nice  1958

| | Jour | Nuit |
|--|------|------|
| Lumière | haute | basse |

```python
def tide(h):
    return h * 2
```

::: {.callout-note title="Remarque"}
Le texte d'une remarque.
:::

[^1]: La note, avec *un mot* en italique.
""",
}


def _build(root: Path, out: Path) -> dict[str, Path]:
    result = run_build(root, ["epub", "pdf"], out, Reporter(echo=False), use_cache=False)
    return {p.suffix[1:]: p for p in result.outputs}


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = write_files(tmp_path_factory.mktemp("plain") / "book", PLAIN)
    os.utime(root / "chapters" / "01-one.md", (EPOCH + 3600, EPOCH + 3600))
    for name in ("book.yaml", "chapters/00-introduction.md"):
        os.utime(root / name, (EPOCH, EPOCH))
    saved = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = ""  # the newest file decides (the folder is not in git)
    try:
        return {**_build(root, root.parent / "out"), "root": root}
    finally:
        os.environ["SOURCE_DATE_EPOCH"] = saved or ""


@pytest.fixture(scope="module")
def rich(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = write_files(tmp_path_factory.mktemp("rich") / "book", RICH)
    saved = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(EPOCH)
    try:
        return _build(root, root.parent / "out")
    finally:
        os.environ["SOURCE_DATE_EPOCH"] = saved or ""


def _files(epub: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(epub) as z:
        return {n: z.read(n) for n in z.namelist()}


def _opf(epub: Path) -> ET.Element:
    return ET.fromstring(_files(epub)["EPUB/content.opf"])


def _props(opf: ET.Element) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for m in opf.find("opf:metadata", OPF).findall("opf:meta", OPF):
        if m.get("property") and not m.get("refines"):
            out.setdefault(m.get("property"), []).append(m.text or "")
    return out


def _refines(opf: ET.Element, ident: str) -> dict[str, str]:
    return {m.get("property"): m.text or "" for m in opf.find("opf:metadata", OPF).findall("opf:meta", OPF)
            if m.get("refines") == f"#{ident}"}


def _pdf_text(pdf: Path) -> str:
    """The text of the first pages: the front matter (6 pages) and the first chapters."""
    with pdfplumber.open(pdf) as doc:
        return "\n".join(page.extract_text() or "" for page in doc.pages[:10])


# ------------------------------------------------------------ metadata true to the content


def test_plain_book_claims_text_only(plain: dict[str, Path]) -> None:
    props = _props(_opf(plain["epub"]))
    assert props["schema:accessMode"] == ["textual"]
    assert props["schema:accessModeSufficient"] == ["textual"]
    # built with its PDF, the EPUB carries the print page numbers, and says so
    assert set(props["schema:accessibilityFeature"]) == {"tableOfContents", "readingOrder", "structuralNavigation",
                                                         "printPageNumbers", "pageBreakMarkers"}
    assert props["schema:accessibilityHazard"] == ["none"]
    assert props["dcterms:conformsTo"] == ["EPUB Accessibility 1.1 - WCAG 2.2 Level AA"]
    (summary,) = props["schema:accessibilitySummary"]
    assert "no images" in summary and "MathML" not in summary


def test_rich_book_claims_images_math_and_the_authors_block(rich: dict[str, Path]) -> None:
    opf = _opf(rich["epub"])
    props = _props(opf)
    assert props["schema:accessMode"] == ["textual", "visual"]
    assert props["schema:accessModeSufficient"] == ["textual", "textual,visual"]
    assert set(props["schema:accessibilityFeature"]) == {
        "alternativeText", "tableOfContents", "readingOrder", "structuralNavigation", "MathML",
        "printPageNumbers", "pageBreakMarkers"}  # built with its PDF: the print page numbers
    # the accessibility: block overrides the summary and adds a certifier with its credential
    assert props["schema:accessibilitySummary"] == ["Écrit pour être lu à voix haute."]
    assert props["a11y:certifiedBy"] == ["Accessible Books Ltd"]
    assert _refines(opf, "certifier") == {"a11y:certifierCredential": "Ace 1.4"}


def test_a_bad_accessibility_block_warns_and_keeps_the_derived_claims(tmp_path: Path) -> None:
    from pipeline.metadata import normalise

    reporter = Reporter(echo=False)
    meta = normalise({"title": "T", "lang": "en", "accessibility": {
        "hazard": "lightning", "feature": ["MathML", "alternativeText"], "colour": "red"}}, "b.yaml", reporter)
    assert meta.accessibility == (("schema:accessibilityFeature", ("MathML", "alternativeText")),)
    codes = sorted(d.code for d in reporter.warnings)
    assert codes == ["M120", "M121"]
    assert any("'lightning'" in d.message and "noFlashingHazard" in d.hint for d in reporter.warnings)
    reporter = Reporter(echo=False)
    assert normalise({"title": "T", "lang": "en", "accessibility": "yes"}, "b.yaml", reporter).accessibility == ()
    assert [d.code for d in reporter.warnings] == ["M120"]


# ------------------------------------------------------------ markup


@pytest.mark.parametrize("book", ["plain", "rich"])
def test_every_document_has_its_language(book: str, request: pytest.FixtureRequest) -> None:
    epub = request.getfixturevalue(book)["epub"]
    files = _files(epub)
    lang = "en-GB" if book == "plain" else "fr"
    opf = ET.fromstring(files["EPUB/content.opf"])
    assert opf.get(XML_LANG) == lang
    docs = [n for n in files if n.endswith(".xhtml")]
    assert {"EPUB/nav.xhtml", "EPUB/text/cover.xhtml", "EPUB/text/titlepage.xhtml"} <= set(docs)
    for name in docs:
        root = ET.fromstring(files[name])
        assert (root.get("lang"), root.get(XML_LANG)) == (lang, lang), name


def test_landmarks_hidden_and_contents_styled(plain: dict[str, Path]) -> None:
    nav = ET.fromstring(_files(plain["epub"])["EPUB/nav.xhtml"])
    navs = {n.get(EPUB_TYPE): n for n in nav.iter(X + "nav")}
    assert navs["landmarks"].get("hidden") == "hidden" and navs["toc"].get("hidden") is None
    assert navs["toc"].get("role") == "doc-toc"
    sheets = [link.get("href") for link in nav.iter(X + "link")]
    assert "styles/epub.css" in sheets


def test_epub_types_have_their_roles(rich: dict[str, Path]) -> None:
    roles = {"footnote": "doc-footnote", "noteref": "doc-noteref", "chapter": "doc-chapter", "cover": "doc-cover",
             "toc": "doc-toc"}
    seen = set()
    for name, data in _files(rich["epub"]).items():
        if name.endswith(".xhtml"):
            root = ET.fromstring(data)
            landmarks = {id(a) for n in root.iter(X + "nav") if n.get(EPUB_TYPE) == "landmarks" for a in n.iter()}
            for el in root.iter():
                t = el.get(EPUB_TYPE)
                if id(el) in landmarks:  # a landmark link names a place; ARIA gives links no DPUB role
                    assert el.get("role") is None
                    continue
                if t in roles:
                    assert el.get("role") == roles[t], (name, t)
                    seen.add(t)
    assert seen == set(roles)


def test_empty_table_header_is_not_a_header(rich: dict[str, Path]) -> None:
    xhtml = _files(rich["epub"])["EPUB/text/ch-01-signs.xhtml"].decode()
    head = re.search(r"<thead>.*?</thead>", xhtml.split("Lumière")[0].rsplit("<table", 1)[1], re.S).group(0)
    assert re.search(r"<tr><td[^>]*></td><th[^>]*>Jour</th>", head), head
    assert not re.search(r"<th[^>]*>\s*</th>", xhtml)


def test_figure_is_kept_whole_on_screen() -> None:
    css = (ROOT / "styles" / "epub.css").read_text(encoding="utf-8")
    rule = re.search(r"(?m)^figure\s*\{([^}]*)\}", css).group(1)
    assert "break-inside: avoid" in rule and "page-break-inside: avoid" in rule


def test_chapter_without_heading_is_listed_under_its_file_title(plain: dict[str, Path]) -> None:
    files = _files(plain["epub"])
    nav = ET.fromstring(files["EPUB/nav.xhtml"])
    toc = next(n for n in nav.iter(X + "nav") if n.get(EPUB_TYPE) == "toc")
    entries = [("".join(a.itertext()), a.get("href")) for a in toc.iter(X + "a")]
    assert entries[0] == ("Introduction", "text/ch-00-introduction.xhtml")
    ncx = ET.fromstring(files["EPUB/toc.ncx"])
    labels = ["".join(p.find(NCX + "navLabel").itertext()).strip() for p in ncx.iter(NCX + "navPoint")]
    assert labels == ["Introduction", "The First Chapter", "A Section"]
    assert "Introduction" in _pdf_text(plain["pdf"]).split("The First Chapter")[0]


def test_ncx_has_depth_and_play_order(plain: dict[str, Path]) -> None:
    ncx = ET.fromstring(_files(plain["epub"])["EPUB/toc.ncx"])
    depth = next(m.get("content") for m in ncx.iter(NCX + "meta") if m.get("name") == "dtb:depth")
    assert depth == "2"
    points = list(ncx.iter(NCX + "navPoint"))
    orders = [int(p.get("playOrder")) for p in points]
    assert orders == sorted(orders) and len(set(orders)) == 3  # in reading order
    assert len({p.get("id") for p in points}) == 3
    # with the pageList (a build with the PDF), one reading order over both: 1, 2, … with no gap
    every = {int(p.get("playOrder")) for p in [*points, *ncx.iter(NCX + "pageTarget")]}
    assert every == set(range(1, len(every) + 1)) and len(every) > 3


# ------------------------------------------------------------ bibliographic metadata


def test_modified_comes_from_source_date_epoch(rich: dict[str, Path]) -> None:
    assert _props(_opf(rich["epub"]))["dcterms:modified"] == ["2026-01-01T00:00:00Z"]


def test_modified_is_the_newest_file_never_the_publication_date(plain: dict[str, Path]) -> None:
    opf = _opf(plain["epub"])
    assert opf.find("opf:metadata/dc:date", OPF).text == "1922"
    assert _props(opf)["dcterms:modified"] == ["2026-01-01T01:00:00Z"]  # 01-one.md, touched an hour later


def test_modified_is_the_last_commit_in_a_git_work_tree() -> None:
    from pipeline.metadata import modified_time

    done = subprocess.run(["git", "log", "-1", "--format=%cI", "--", "."], cwd=SAMPLE, capture_output=True,
                          text=True)
    if done.returncode != 0 or not done.stdout.strip():
        pytest.skip("the sample is not in a git work tree")
    saved = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = ""
    try:
        stamp = modified_time(SAMPLE, [])
    finally:
        os.environ["SOURCE_DATE_EPOCH"] = saved or ""
    import datetime as dt
    committed = dt.datetime.fromisoformat(done.stdout.strip()).astimezone(dt.UTC)
    assert stamp == committed.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_isbn_series_authors_and_subjects(plain: dict[str, Path]) -> None:
    opf = _opf(plain["epub"])
    md = opf.find("opf:metadata", OPF)
    ident = md.find("dc:identifier", OPF)
    assert ident.text == "urn:isbn:9780306406157"
    assert _refines(opf, ident.get("id"))["identifier-type"] == "15"
    assert next(m for m in md.findall("opf:meta", OPF)
                if m.get("property") == "identifier-type").get("scheme") == "onix:codelist5"
    series = next(m for m in md.findall("opf:meta", OPF) if m.get("property") == "belongs-to-collection")
    assert series.text == "Harbour Books"
    assert _refines(opf, series.get("id")) == {"collection-type": "series", "group-position": "2"}
    (creator,) = md.findall("dc:creator", OPF)
    assert _refines(opf, creator.get("id")) == {"role": "aut", "file-as": "Roe, Jane"}
    (contributor,) = md.findall("dc:contributor", OPF)
    assert contributor.text == "John Poe"
    assert _refines(opf, contributor.get("id")) == {"role": "edt", "file-as": "Poe, John"}
    film, criticism = md.findall("dc:subject", OPF)
    assert (film.text, criticism.text) == ("Film", "Criticism")
    assert _refines(opf, film.get("id")) == {"authority": "BISAC", "term": "PER004000"}
    assert criticism.get("id") is None


def test_both_editions_carry_the_text(plain: dict[str, Path], rich: dict[str, Path]) -> None:
    assert "An introduction without a heading" in _pdf_text(plain["pdf"])
    text = _pdf_text(rich["pdf"])
    assert "Lumière" in text and "Remarque" in text


# ------------------------------------------------------------ the checkers


@pytest.mark.parametrize("book", ["plain", "rich"])
def test_epubcheck_reports_nothing(book: str, request: pytest.FixtureRequest) -> None:
    assert epubcheck_messages(request.getfixturevalue(book)["epub"]) == []


@needs_ace
@pytest.mark.parametrize("book", ["plain", "rich"])
def test_ace_reports_no_violation(book: str, request: pytest.FixtureRequest) -> None:
    epub = request.getfixturevalue(book)["epub"]
    assert ace_violations(epub) == []
    print(f"Ace: {epub.name} in {ACE_SECONDS.get(epub.name, 0):.1f} s")


@needs_ace
def test_ace_reports_no_violation_on_the_sample(sample_build: dict[str, Path]) -> None:
    assert ace_violations(sample_build["epub"]) == []
    print(f"Ace: {sample_build['epub'].name} in {ACE_SECONDS.get(sample_build['epub'].name, 0):.1f} s")


def _luminance(hex_colour: str) -> float:
    h = hex_colour.lstrip("#")
    h = "".join(c * 2 for c in h) if len(h) == 3 else h
    channels = [int(h[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def test_every_text_colour_in_the_styles_has_aa_contrast() -> None:
    """WCAG 2.2 AA (1.4.3): 4.5:1 against the page (white) and the lightest tint text sits on
    (#f3f3f1: callouts, code inside them). Ace found a Pygments comment colour at 4.38:1."""
    import re

    from pipeline.resources import STYLES

    low = []
    for sheet in sorted(STYLES.glob("*.css")):
        css = sheet.read_text(encoding="utf-8")
        page = re.search(r"@page\s*{[^}]*background:\s*(#[0-9A-Fa-f]{3,6})\b", css)  # the cover's own ground
        for m in re.finditer(r"(?<![-\w])color:\s*(#[0-9A-Fa-f]{3,6})\b", css):
            for bg in (page.group(1),) if page else ("#ffffff", "#f3f3f1"):
                a, b = _luminance(m.group(1)), _luminance(bg)
                ratio = (max(a, b) + 0.05) / (min(a, b) + 0.05)
                if ratio < 4.5:
                    low.append(f"{sheet.name}: {m.group(1)} on {bg}: {ratio:.2f}:1")
    assert not low, low
