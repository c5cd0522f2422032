"""Six real pandoc and Quarto manuscripts (tests/real-books/), built by pandoc 3.9 and by us, compared.

Takes: each folder of ``tests/real-books/`` with its ``build.sh``, which holds the
author's pandoc command (``build.sh pandoc``) and ours, the same arguments given
to ``python -m pipeline build`` (``build.sh ours``; for a Quarto project the book
folder itself).
Gives: per book, pandoc's EPUB (the bundled pandoc 3.9 of ``pypandoc-binary``)
and our EPUB and PDF, each built once, and these checks:

- our command line builds the book as the author's command is written;
- our EPUB has no fewer tables, images, code blocks (``<pre>``), MathML
  formulas, note references and definition lists than pandoc's, and at least
  97% of its words (the chapters' text, not the nav, cover or title page);
- our text shows no Markdown syntax literally that pandoc's does not (fenced
  divs, attributes, citations, math delimiters, table rules, shortcodes…; for a
  Quarto book, Quarto's own syntax may not show at all, since pandoc is not the
  reference there);
- EPUBCheck finds nothing in our EPUB; our PDF has pages and the book's words.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree as ET

import pypdf
import pytest
from conftest import ROOT, ace_violations, epubcheck_messages, needs_ace

BOOKS = Path(__file__).resolve().parent / "real-books"
NAMES = sorted(p.name for p in BOOKS.iterdir() if (p / "build.sh").is_file())
ACE_BOOKS = {"quarto-book-template", "seedcase-guidebook"}  # DAISY Ace takes seconds a book: two of them

X = "{http://www.w3.org/1999/xhtml}"
MATHML = "{http://www.w3.org/1998/Math/MathML}"
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
OPF = "{http://www.idpf.org/2007/opf}"
DC = "{http://purl.org/dc/elements/1.1/}"
FRONT_PAGES = re.compile(r"(^|/)(cover|title_?page)\.xhtml$")

pytestmark = pytest.mark.real_books

# Markdown syntax that must not reach the reader as text (code and math are not looked at).
LITERAL = {
    "fenced div ':::'": r":::",
    "attribute '{#…}'": r"\{#[\w:-]",
    "attribute '{.…}'": r"\{\.[\w-]",
    "raw attribute '{=…}'": r"\{=\w+\}",
    "Quarto shortcode '{{<'": r"\{\{<",
    "cross-reference '@fig-/@tbl-/@sec-/@eq-'": r"@(?:fig|tbl|sec|eq)-\w",
    "citation '[@'": r"\[-?@",
    "note '[^' or '^['": r"\[\^|\^\[",
    "display math '$$'": r"\$\$",
    "math '\\(' or '\\['": r"\\[(\[]",
    "TeX command": r"\\(?:frac|sum|int|begin|end|mathrm|mathbf|text|sqrt|infty|lambda|tau|Gamma|vdash|to)\b",
    "grid table rule '+---'": r"\+[-=:]{3,}\+?",
    "pipe table rule '|---'": r"\|\s*:?-{3,}",
    "HTML tag": r"</?(?:div|span|img|p|br|a|cite|sup|sub|table|figure)\b[^<>]*>",
}
# In a Quarto book these must not show at all: pandoc, which leaves them, is not the reference there.
QUARTO_ONLY = ["fenced div ':::'", "attribute '{#…}'", "attribute '{.…}'", "Quarto shortcode '{{<'",
               "cross-reference '@fig-/@tbl-/@sec-/@eq-'"]
BLOCKS = {"p", "div", "td", "th", "tr", "li", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "figcaption",
          "caption", "blockquote", "pre", "section", "aside", "br"}
COUNTED = ("table", "img", "pre", "math", "noteref", "dl")


def pandoc_binary() -> Path:
    """pandoc 3.9 as bundled by pypandoc-binary (never the system's pandoc)."""
    pypandoc = pytest.importorskip("pypandoc", reason="pypandoc-binary (the test extra) is not installed")
    path = Path(pypandoc.__file__).parent / "files" / "pandoc"
    if not path.is_file():
        pytest.skip("pypandoc is installed without its bundled pandoc binary (install pypandoc-binary)")
    return path


# --- reading an EPUB ---------------------------------------------------------------------------------------

@dataclass
class EpubStats:
    """What a reader gets from an EPUB's chapters: element counts, words, text outside code and math."""
    counts: dict[str, int]
    words: int
    text: str


def _chapters(epub: Path) -> list[ET.Element]:
    """The spine's XHTML documents, without the nav, the cover and the title page, parsed.

    lxml in recovery mode, without comments: pandoc copies raw HTML comments
    holding ``--`` (not well-formed XML) into its XHTML. Ours must be well
    formed all the same: EPUBCheck says so.
    """
    from lxml import etree

    parser = etree.XMLParser(recover=True, remove_comments=True, resolve_entities=False, huge_tree=True)
    with zipfile.ZipFile(epub) as z:
        container = ET.fromstring(z.read("META-INF/container.xml"))
        opf_path = next(e.get("full-path") for e in container.iter() if e.tag.endswith("rootfile"))
        opf = ET.fromstring(z.read(opf_path))
        base = opf_path.rpartition("/")[0]
        items = {i.get("id"): i for i in opf.iter(OPF + "item")}
        docs = []
        for ref in opf.iter(OPF + "itemref"):
            item = items[ref.get("idref")]
            href = item.get("href")
            if "nav" in (item.get("properties") or "").split() or FRONT_PAGES.search(href):
                continue
            docs.append(etree.fromstring(z.read(f"{base}/{href}" if base else href), parser))
        return docs


def _text_outside(element: ET.Element, skip: tuple[str, ...], out: list[str]) -> None:
    """The text of ``element``, in document order, without that of the elements tagged ``skip``."""
    if element.tag in skip or "math" in (element.get("class") or "").split():
        return  # a formula's TeX (pandoc writes one it cannot convert as text in span.math) is not words
    if element.text:
        out.append(element.text)
    for child in element:
        _text_outside(child, skip, out)
        if isinstance(child.tag, str) and child.tag.rpartition("}")[2] in BLOCKS:
            out.append("\n")  # cells and blocks are separate words, however the XHTML is laid out
        if child.tail:
            out.append(child.tail)


def epub_stats(epub: Path) -> EpubStats:
    counts = dict.fromkeys(COUNTED, 0)
    words = 0
    prose: list[str] = []
    for doc in _chapters(epub):
        body = doc.find(X + "body")
        for e in body.iter():
            tag = e.tag.rpartition("}")[2]
            if e.tag == MATHML + "math":
                counts["math"] += 1
            elif e.tag.startswith(X) and tag in ("table", "img", "pre", "dl"):
                counts[tag] += 1
            if "noteref" in (e.get(EPUB_TYPE) or "").split() or e.get("role") == "doc-noteref":
                counts["noteref"] += 1
        everything: list[str] = []
        _text_outside(body, (MATHML + "math",), everything)
        words += len(re.findall(r"\w+", "".join(everything)))
        text: list[str] = []
        _text_outside(body, (X + "pre", X + "code", MATHML + "math"), text)
        prose.append("".join(text))
    return EpubStats(counts, words, "\n".join(prose))


def literal_syntax(text: str) -> dict[str, list[str]]:
    """Each LITERAL pattern found in ``text``: its matches, with a little context."""
    found: dict[str, list[str]] = {}
    for name, pattern in LITERAL.items():
        hits = [text[max(m.start() - 30, 0):m.end() + 30].replace("\n", " ") for m in re.finditer(pattern, text)]
        if hits:
            found[name] = hits
    return found


# --- building ----------------------------------------------------------------------------------------------

@dataclass
class Built:
    """One book built by pandoc and by us, each with the author's command line."""
    name: str
    folder: Path
    pandoc_epub: Path
    ours_epub: Path | None = None
    ours_pdf: Path | None = None
    command_error: str = ""          # '' when `build.sh ours` (our command line) built both files
    stats: dict[str, EpubStats] = field(default_factory=dict)

    @property
    def quarto(self) -> bool:
        return (self.folder / "_quarto.yml").is_file()


def _run_build_sh(book: Path, which: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(book / "build.sh"), which], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT), **env}, timeout=900)


def _tail(text: str, lines: int = 12) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


@pytest.fixture(scope="module", params=NAMES)
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The book built once by pandoc and once by us (EPUB and PDF)."""
    name = request.param
    book = BOOKS / name
    out = tmp_path_factory.mktemp(name)
    result = Built(name, book, out / "pandoc.epub")
    run = _run_build_sh(book, "pandoc", {"PANDOC": str(pandoc_binary()), "OUT": str(out / "pandoc")})
    assert run.returncode == 0 and result.pandoc_epub.is_file(), f"pandoc failed on {name}:\n{_tail(run.stderr)}"
    result.stats["pandoc"] = epub_stats(result.pandoc_epub)

    run = _run_build_sh(book, "ours", {"PYTHON": sys.executable, "OUT": str(out / "ours")})
    if run.returncode == 0 and (out / "ours.epub").is_file() and (out / "ours.pdf").is_file():
        result.ours_epub, result.ours_pdf = out / "ours.epub", out / "ours.pdf"
    else:
        result.command_error = f"exit {run.returncode}:\n{_tail(run.stderr)}"
    if result.ours_epub:
        result.stats["ours"] = epub_stats(result.ours_epub)
    return result


def _ours(built: Built) -> EpubStats:
    if "ours" not in built.stats:
        pytest.fail(f"{built.name}: we built no EPUB: {built.command_error}")
    return built.stats["ours"]


# --- the checks --------------------------------------------------------------------------------------------

def test_our_command_line_builds_the_book(built: Built) -> None:
    """`build.sh ours`: the author's arguments given to `python -m pipeline build`."""
    assert not built.command_error, f"{built.name}: {built.command_error}"


def test_ours_keeps_every_construct_pandoc_keeps(built: Built) -> None:
    ours, theirs = _ours(built), built.stats["pandoc"]
    short = {k: (ours.counts[k], theirs.counts[k]) for k in COUNTED if ours.counts[k] < theirs.counts[k]}
    assert not short, f"{built.name}: fewer than pandoc (ours, pandoc's): {short}"


def test_ours_keeps_the_words(built: Built) -> None:
    ours, theirs = _ours(built), built.stats["pandoc"]
    assert theirs.words > 0
    assert ours.words >= 0.97 * theirs.words, (
        f"{built.name}: {ours.words} words, pandoc {theirs.words} ({ours.words / theirs.words:.1%})")


def test_ours_prints_no_markdown_syntax(built: Built) -> None:
    ours = literal_syntax(_ours(built).text)
    theirs = literal_syntax(built.stats["pandoc"].text)
    extra = {name: hits[:3] for name, hits in ours.items()
             if len(hits) > len(theirs.get(name, [])) or (built.quarto and name in QUARTO_ONLY)}
    counts = {name: (len(ours[name]), len(theirs.get(name, []))) for name in extra}
    assert not extra, f"{built.name}: syntax shown as text (ours, pandoc's): {counts}\nfor example: {extra}"


def test_our_epub_passes_epubcheck(built: Built) -> None:
    _ours(built)
    assert epubcheck_messages(built.ours_epub) == []


@needs_ace
def test_our_epub_has_no_ace_violation(built: Built) -> None:
    if built.name not in ACE_BOOKS:
        pytest.skip("DAISY Ace runs on " + ", ".join(sorted(ACE_BOOKS)))
    _ours(built)
    assert ace_violations(built.ours_epub) == []


def test_our_pdf_has_pages_and_the_words(built: Built) -> None:
    _ours(built)
    reader = pypdf.PdfReader(built.ours_pdf)
    assert len(reader.pages) > 0
    text = "".join(page.extract_text() or "" for page in reader.pages)
    # hyphenation, running heads and folios add words; ligatures and lost code lines would remove some
    assert len(re.findall(r"\w+", text)) >= 0.8 * built.stats["pandoc"].words, built.name
