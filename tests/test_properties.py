"""Property-based tests: random Markdown documents, in many scripts, always build.

Hypothesis mixes every construct the parser knows (headings with attributes,
emphasis, links, spans, notes, quotes, lists, tables, line blocks, figures,
definition lists, raw HTML, code) with random text in Latin, Greek, Cyrillic,
CJK, Hebrew and Arabic, plus Markdown's own punctuation. Every document must
build to IR and EPUB without a traceback, with well-formed XHTML. A sample,
bound into one book, goes through EPUBCheck and WeasyPrint.

The runs are derandomised, so CI sees the same cases every time; the README
gives their number and running time.
"""

from __future__ import annotations

import io
from pathlib import Path
from xml.etree import ElementTree as ET

import pypdf
from conftest import epubcheck_messages, image_bytes, write_files
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline import build, build_book
from pipeline.diagnostics import BuildError, Reporter
from pipeline.render.epub import render_epub

IMAGE_CODES = {"I001", "I003", "I004", "I005"}  # random text may form ![x](missing.png): a clear error
CASES = 300          # documents built one by one
SAMPLE = 30          # documents bound into the book that EPUBCheck and WeasyPrint see

SCRIPTS = [(0x41, 0x7A), (0xC0, 0x17F), (0x391, 0x3C9), (0x410, 0x44F), (0x4E00, 0x4FFF), (0x3041, 0x3096),
           (0xAC00, 0xACFF), (0x5D0, 0x5EA), (0x627, 0x64A)]
MARKUP = list("*_[]()!#>|-~^{}<>&\\`:\"'.")

letters = st.one_of(*[st.characters(min_codepoint=a, max_codepoint=b) for a, b in SCRIPTS])
word = st.text(letters, min_size=1, max_size=12)
noise = st.text(st.one_of(letters, st.sampled_from(MARKUP), st.just(" ")), min_size=1, max_size=40)
phrase = st.lists(st.one_of(word, word, noise), min_size=1, max_size=8).map(" ".join)


@st.composite
def inline(draw: st.DrawFn) -> str:
    text = draw(phrase)
    kind = draw(st.sampled_from(["plain", "em", "strong", "link", "span", "note", "sub", "sup", "strike",
                                 "code", "html", "anchor", "xref"]))
    return {
        "plain": text, "em": f"*{text}*", "strong": f"**{text}**", "link": f"[{text}](https://example.org/x)",
        "span": f"[{text}]{{.sc}}", "note": f"{text}[^n{len(text)}]", "sub": f"H~{draw(word)}~",
        "sup": f"x^{draw(word)}^", "strike": f"~~{text}~~", "code": f"`{text}`",
        "html": f"<em>{text}</em> <span class=\"a\">{text}", "anchor": f"[]{{#a{len(text)}}}{text}",
        "xref": f"[{text}](#a{len(text)})",
    }[kind]


line = st.lists(inline(), min_size=1, max_size=5).map(" ".join)


@st.composite
def block(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["para", "para", "heading", "quote", "list", "olist", "table", "lineblock",
                                 "figure", "deflist", "html", "code", "hr", "notes"]))
    text = draw(line)
    if kind == "heading":
        return "#" * draw(st.integers(1, 4)) + " " + text + draw(st.sampled_from(["", " {#h-x .c}"]))
    if kind == "quote":
        return "\n".join("> " + draw(line) for _ in range(draw(st.integers(1, 3))))
    if kind in ("list", "olist"):
        mark = "-" if kind == "list" else "1."
        return "\n".join(f"{mark} {draw(line)}" for _ in range(draw(st.integers(1, 4))))
    if kind == "table":
        cells = [draw(word).replace("|", "") for _ in range(4)]
        return f"| {cells[0]} | {cells[1]} |\n|---|--:|\n| {cells[2]} | {cells[3]} |\n\n: {draw(phrase)}"
    if kind == "lineblock":
        return "\n".join("| " + " " * draw(st.integers(0, 4)) + draw(line) for _ in range(draw(st.integers(1, 4))))
    if kind == "figure":
        alt = draw(st.sampled_from(["", '{alt="A circle."}', '{fig-alt="Rings."}']))
        return f"![{text}](still.png){alt}"
    if kind == "deflist":
        return f"{draw(word)}\n:   {text}"
    if kind == "html":
        return draw(st.sampled_from(["<div>", "<table><tr><td>", "<p onclick='x()'>"])) + text
    if kind == "code":
        return f"```\n{text}\n```"
    if kind == "hr":
        return "---"
    if kind == "notes":
        return "\n\n".join(f"[^n{n}]: {draw(phrase)}" for n in range(1, 41, 7))
    return text


document = st.lists(block(), min_size=1, max_size=12).map("\n\n".join)


def _builds(root: Path) -> bool:
    """Build to IR; True if it built, False on a clear diagnostic (random text can name a missing image)."""
    try:
        build_book(root, Reporter(stream=io.StringIO()))
    except BuildError as exc:
        assert exc.diagnostic.code in IMAGE_CODES, exc.diagnostic
        assert exc.diagnostic.line >= 1
        return False
    return True


def _write(root: Path, docs: list[str]) -> Path:
    files: dict[str, str | bytes] = {"book.yaml": "title: Generated\nlang: en\n", "still.png": image_bytes("PNG")}
    for n, doc in enumerate(docs):
        files[f"{n:03}.md"] = doc
    return write_files(root, files)


@settings(max_examples=CASES, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                 HealthCheck.data_too_large])
@given(doc=document)
def test_random_documents_build_to_well_formed_xhtml(tmp_path_factory, doc: str) -> None:
    root = _write(tmp_path_factory.mktemp("doc"), [doc])
    if not _builds(root):
        return
    data = render_epub(build_book(root, Reporter(stream=io.StringIO()))).data
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            if name.endswith(".xhtml"):
                ET.fromstring(z.read(name))


@settings(max_examples=1, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                 HealthCheck.data_too_large])
@given(docs=st.lists(document, min_size=SAMPLE, max_size=SAMPLE))
def test_a_sample_passes_epubcheck_and_renders(tmp_path_factory, docs: list[str]) -> None:
    docs = [d for d in docs if _builds(_write(tmp_path_factory.mktemp("one"), [d]))]
    assert len(docs) >= SAMPLE * 2 // 3
    root = _write(tmp_path_factory.mktemp("sample") / "generated", docs)
    out = tmp_path_factory.mktemp("out")
    epub, pdf = build(root, ["epub", "pdf"], out, Reporter(stream=io.StringIO()))
    assert epubcheck_messages(epub) == []
    assert len(pypdf.PdfReader(pdf).pages) >= len(docs)
