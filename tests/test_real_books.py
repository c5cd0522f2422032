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

While our command line cannot yet read pandoc's arguments or a Quarto project,
the book is also built through a stand-in: the same inputs as a folder with a
``book.yaml`` (see ``_stand_in``), so that the content checks measure what the
pipeline does today. The command-line test still fails until the real thing
works.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree as ET

import pypdf
import pytest
import yaml
from conftest import ROOT, epubcheck_messages

BOOKS = Path(__file__).resolve().parent / "real-books"
NAMES = sorted(p.name for p in BOOKS.iterdir() if (p / "build.sh").is_file())

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
    if element.tag in skip:
        return
    if element.text:
        out.append(element.text)
    for child in element:
        _text_outside(child, skip, out)
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
    """One book built by pandoc and by us (through our command line, or else through the stand-in)."""
    name: str
    folder: Path
    pandoc_epub: Path
    ours_epub: Path | None = None
    ours_pdf: Path | None = None
    command_error: str = ""          # '' when `build.sh ours` (our command line) built both files
    stand_in_error: str = ""
    stats: dict[str, EpubStats] = field(default_factory=dict)

    @property
    def quarto(self) -> bool:
        return (self.folder / "_quarto.yml").is_file()


def _run_build_sh(book: Path, which: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(book / "build.sh"), which], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT), **env}, timeout=900)


def _tail(text: str, lines: int = 12) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


VALUE_OPTIONS = {"-o", "--output", "-t", "--to", "-f", "--from", "-r", "--read", "-w", "--write", "--toc-depth",
                 "--metadata-file", "--epub-metadata", "--epub-cover-image", "--css", "--highlight-style",
                 "-M", "--metadata", "-V", "--variable", "--template", "--resource-path", "--bibliography",
                 "--csl", "--filter", "--lua-filter", "-d", "--defaults"}


def _title_block(text: str) -> tuple[dict[str, object], str]:
    """pandoc's ``% title / % authors / % date`` block at the top of ``text``, and the rest."""
    lines = text.splitlines(keepends=True)
    block = []
    while lines and lines[0].startswith("%"):
        block.append(lines.pop(0)[1:].strip())
    meta: dict[str, object] = {}
    for key, value in zip(("title", "author", "date"), block):
        if value:
            meta[key] = [a.strip() for a in value.split(";")] if key == "author" else value
    return meta, "".join(lines)


def _dublin_core(path: Path) -> dict[str, object]:
    """pandoc's --epub-metadata file (Dublin Core elements, no root) as metadata keys."""
    root = ET.fromstring("<m xmlns:dc='http://purl.org/dc/elements/1.1/' "
                         "xmlns:opf='http://www.idpf.org/2007/opf'>" + path.read_text(encoding="utf-8") + "</m>")
    meta: dict[str, object] = {}
    for e in root:
        key = {"creator": "author"}.get(e.tag.removeprefix(DC), e.tag.removeprefix(DC))
        if key in ("title", "language", "rights", "publisher", "author", "date") and (e.text or "").strip():
            meta.setdefault(key, e.text.strip())
    return meta


def _yaml(path: Path) -> dict[str, object]:
    """A metadata file as pandoc reads it: YAML, possibly between ``---`` and ``---``/``...`` lines."""
    merged: dict[str, object] = {}
    for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
        merged.update(doc or {})
    return merged


def _quarto_chapters(entries: list) -> list[str]:
    files: list[str] = []
    for entry in entries or []:
        if isinstance(entry, str):
            files.append(entry)
        elif isinstance(entry, dict):
            part = entry.get("part")
            if isinstance(part, str) and part.endswith((".qmd", ".md")):
                files.append(part)
            files += _quarto_chapters(entry.get("chapters", []))
    return files


def _stand_in(book: Path, args: list[str], work: Path) -> Path:
    """Today's form of the same book: a copy of its folder with a book.yaml naming the inputs in order.

    The metadata comes from where pandoc or Quarto would read it: metadata files,
    YAML inputs, title blocks, --epub-metadata XML, --epub-cover-image, or the
    ``book:`` section of _quarto.yml. Nothing in the author's Markdown is changed
    except that a title block is moved into book.yaml.
    """
    dst = work / book.name
    shutil.copytree(book, dst)
    meta: dict[str, object] = {}
    chapters: list[str] = []
    if args == ["."]:
        config = yaml.safe_load((dst / "_quarto.yml").read_text(encoding="utf-8"))
        info = config.get("book", {})
        for key in ("title", "subtitle"):
            if key in info:
                meta[key] = info[key]
        authors = info.get("author", [])
        authors = authors if isinstance(authors, list) else [authors]
        meta["author"] = [a["name"] if isinstance(a, dict) else a for a in authors]
        chapters = _quarto_chapters(info.get("chapters", [])) + _quarto_chapters(info.get("appendices", []))
    else:
        inputs = []
        it = iter(args)
        for arg in it:
            if not arg.startswith("-") or arg == "-":
                inputs.append(arg)
                continue
            name, eq, value = arg.partition("=")
            if name in VALUE_OPTIONS and not eq:
                value = next(it)
            if name == "--metadata-file":
                meta.update(_yaml(dst / value))
            elif name == "--epub-metadata":
                meta.update({k: v for k, v in _dublin_core(dst / value).items() if k not in meta})
            elif name == "--epub-cover-image":
                meta["cover-image"] = value
        for name in inputs:
            path = dst / name
            if path.suffix in (".yml", ".yaml"):
                meta.update(_yaml(path))
                continue
            text = path.read_text(encoding="utf-8")
            if text.startswith("%"):
                block, text = _title_block(text)
                meta.update({k: v for k, v in block.items() if k not in meta})
                path.write_text(text, encoding="utf-8")
                if not text.strip():
                    continue
            chapters.append(name)
    meta["chapters"] = chapters
    (dst / "book.yaml").write_text(yaml.safe_dump(meta, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return dst


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
        # the arguments our command line was given, as bash expanded them
        record = out / "args"
        shim = out / "record-args"
        shim.write_text('#!/bin/sh\nshift 3\nprintf "%s\\0" "$@" > "$ARGS_FILE"\n', encoding="utf-8")
        shim.chmod(0o755)
        _run_build_sh(book, "ours", {"PYTHON": str(shim), "OUT": str(out / "ours"), "ARGS_FILE": str(record)})
        words = record.read_text(encoding="utf-8").split("\0")[:-1]
        args = [w for i, w in enumerate(words) if w != "-o" and (i == 0 or words[i - 1] != "-o")]
        folder = _stand_in(book, args, out / "stand-in")
        run = subprocess.run([sys.executable, "-m", "pipeline", "build", str(folder), "--to", "epub,pdf",
                              "--out", str(out / "stand-in-out"), "--quiet"],
                             capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
                             timeout=900)
        epub, pdf = out / "stand-in-out" / f"{name}.epub", out / "stand-in-out" / f"{name}.pdf"
        if run.returncode == 0 and epub.is_file() and pdf.is_file():
            result.ours_epub, result.ours_pdf = epub, pdf
        else:
            result.stand_in_error = f"exit {run.returncode}:\n{_tail(run.stderr)}"
    if result.ours_epub:
        result.stats["ours"] = epub_stats(result.ours_epub)
    return result


def _ours(built: Built) -> EpubStats:
    if "ours" not in built.stats:
        pytest.fail(f"{built.name}: we built no EPUB.\nour command line: {built.command_error}\n"
                    f"the stand-in folder: {built.stand_in_error}")
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


def test_our_pdf_has_pages_and_the_words(built: Built) -> None:
    _ours(built)
    reader = pypdf.PdfReader(built.ours_pdf)
    assert len(reader.pages) > 0
    text = "".join(page.extract_text() or "" for page in reader.pages)
    # hyphenation, running heads and folios add words; ligatures and lost code lines would remove some
    assert len(re.findall(r"\w+", text)) >= 0.8 * built.stats["pandoc"].words, built.name


def test_the_stand_in_reads_title_blocks_and_quarto_books(tmp_path: Path) -> None:
    """The stand-in itself: a title block moves to book.yaml; _quarto.yml's parts and appendices are flattened."""
    meta, rest = _title_block("% My Book\n% Ann; Bob\n% 2001\n\n# One\n")
    assert meta == {"title": "My Book", "author": ["Ann", "Bob"], "date": "2001"} and rest == "\n# One\n"
    folder = _stand_in(BOOKS / "seedcase-guidebook", ["."], tmp_path)
    book = yaml.safe_load((folder / "book.yaml").read_text(encoding="utf-8"))
    assert book["chapters"][:2] == ["index.qmd", "workflows/software.qmd"]
    assert book["chapters"][-2:] == ["CONTRIBUTING.md", "CHANGELOG.md"] and len(book["chapters"]) == 13
    assert len(book["author"]) == 4
