"""Citations: pandoc's syntax parsed to ir.Cite, formatted as pandoc 3.9 --citeproc formats them,
linked to a bibliography in both editions (EPUBCheck, PDF text and link destinations)."""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

import pdfplumber
import pypdf
import pytest
from conftest import without_preflight

from pipeline import ir
from pipeline.build import build_book, run_build
from pipeline.diagnostics import BuildError, Reporter
from pipeline.load import Source
from pipeline.parse import ParseContext, parse_source
from pipeline.transforms.citations import split_locator
from tests.conftest import epubcheck_messages

BIB = """@book{hale1957,
  author = {Hale, Mira},
  title = {The Salt Lantern},
  publisher = {Tidewater Films},
  year = {1957}
}
@article{ortiz2001,
  author = {Ana Ortiz and Lars Berg},
  title = {Light on Water},
  journal = {Film Quarterly},
  volume = {54},
  number = {2},
  pages = {10--25},
  year = {2001},
  month = mar
}
"""
CSL_JSON = """[
  {"id": "hale1957", "type": "book", "title": "The Salt Lantern", "author": [{"family": "Hale", "given": "Mira"}],
   "publisher": "Tidewater Films", "issued": {"date-parts": [[1957]]}},
  {"id": "ortiz2001", "type": "article-journal", "title": "Light on Water",
   "author": [{"family": "Ortiz", "given": "Ana"}, {"family": "Berg", "given": "Lars"}],
   "container-title": "Film Quarterly", "volume": "54", "issue": "2", "page": "10-25",
   "issued": {"date-parts": [[2001, 3]]}}
]
"""
CSL_YAML = """references:
- id: hale1957
  type: book
  title: The Salt Lantern
  author:
  - family: Hale
    given: Mira
  publisher: Tidewater Films
  issued: 1957
- id: ortiz2001
  type: article-journal
  title: Light on Water
  author:
  - family: Ortiz
    given: Ana
  - family: Berg
    given: Lars
  container-title: Film Quarterly
  volume: 54
  issue: 2
  page: 10-25
  issued: 2001-03
"""
FILES = {"refs.bib": BIB, "refs.json": CSL_JSON, "refs.yaml": CSL_YAML}
TEXT = "A [@hale1957, p. 3]. B [see @ortiz2001, chap. 2; @hale1957]. @ortiz2001 says. C [-@hale1957].\n"
# pandoc 3.9 --citeproc -t plain --wrap=none on TEXT with each of FILES (the same for all three)
PANDOC_TEXT = "A (Hale 1957, 3). B (see Ortiz and Berg 2001, chap. 2; Hale 1957). Ortiz and Berg (2001) says. C (1957)."
PANDOC_ENTRIES = ["Hale, Mira. 1957. The Salt Lantern. Tidewater Films.",
                  "Ortiz, Ana, and Lars Berg. 2001. \u201cLight on Water.\u201d Film Quarterly 54 (2): 10\u201325."]


def parse(text: str, reporter: Reporter | None = None) -> tuple[ir.Block, ...]:
    return parse_source(Source("ch.md", text), ParseContext(Path.cwd(), reporter or Reporter(echo=False)))


def cites(text: str) -> list[ir.Cite]:
    return [c for b in parse(text) for c in ir.query(b, ir.Cite)]


def essay(tmp: Path, body: str, meta: str = "bibliography: refs.bib\n", files: dict[str, str] | None = None) -> Path:
    tmp.mkdir(parents=True, exist_ok=True)
    for name, text in (files if files is not None else {"refs.bib": BIB}).items():
        (tmp / name).write_text(text, encoding="utf-8")
    src = tmp / "essay.md"
    src.write_text(f"---\ntitle: Cited\nlang: en\n{meta}---\n# One\n\n{body}", encoding="utf-8")
    return src


# ---------------------------------------------------------------- syntax


def test_each_citation_form_parses_to_a_cite() -> None:
    normal, several, text, suppressed, braced, with_locator = cites(
        "[@doe, p. 3] and [see *esp.* @roe, chap. 2; -@poe] and @doe says; [-@doe]; @{weird key}.\n\n"
        "@doe [p. 33] too.\n")
    assert normal.citations == (ir.Citation("doe", "normal", (), (ir.Text(", p. 3"),)),)
    assert ir.plain_text(normal.inlines) == "[@doe, p. 3]" and normal.line == 1
    roe, poe = several.citations
    assert (roe.key, roe.mode, ir.plain_text(roe.suffix)) == ("roe", "normal", ", chap. 2")
    assert isinstance(roe.prefix[1], ir.Emph) and ir.plain_text(roe.prefix).strip() == "see esp."
    assert (poe.key, poe.mode) == ("poe", "suppress-author")
    assert text.citations == (ir.Citation("doe", "author-in-text"),)
    assert suppressed.citations == (ir.Citation("doe", "suppress-author"),)
    assert braced.citations[0].key == "weird key"
    assert with_locator.citations == (ir.Citation("doe", "author-in-text", (), (ir.Text("p. 33"),)),)
    assert with_locator.line == 3


def test_emails_crossrefs_links_and_code_are_not_citations() -> None:
    (para,) = parse("Mail me@example.org, see @fig-harbour, [-@tbl-a], @sec-x and @eq-1; "
                    "`@code` and \\@escaped; [@doe](https://example.org) [@roe]{.c}.\n")
    found = list(ir.query(para, ir.Cite))
    assert [c.citations[0].key for c in found] == ["doe", "roe"]  # inside the link and the span, in-text
    text = ir.plain_text(para.inlines)
    assert "me@example.org" in text and "@fig-harbour" in text and "[-@tbl-a]" in text and "@eq-1" in text
    link = next(ir.query(para, ir.Link))
    assert link.target == "https://example.org"


def test_crossrefs_still_work_beside_citations(tmp_path: Path) -> None:
    src = essay(tmp_path, "Table [@hale1957] and @tbl-one.\n\n| a |\n|---|\n| 1 |\n\n: Scores {#tbl-one}\n")
    book = build_book(src, Reporter(echo=False))
    assert ir.plain_text(book.chapters[0].blocks[1].inlines) == "Table (Hale 1957) and Table 1."


def test_locators_as_pandoc_reads_them() -> None:
    assert split_locator((ir.Text(", p. 3"),)) == (("page", "3"), ())
    assert split_locator((ir.Text(", chap. 2"),)) == (("chapter", "2"), ())
    assert split_locator((ir.Text(" 33-35"),)) == (("page", "33-35"), ())
    assert split_locator((ir.Text(", sec. iv and after"),)) == (("section", "iv"), (ir.Text(" and after"),))
    assert split_locator((ir.Text(", and elsewhere"),))[0] is None


# ---------------------------------------------------------------- formatting, against pandoc 3.9


@pytest.mark.parametrize("name", sorted(FILES))
def test_formatting_matches_pandoc(tmp_path: Path, name: str) -> None:
    src = essay(tmp_path, TEXT, f"bibliography: {name}\n", {name: FILES[name]})
    reporter = Reporter(echo=False)
    book = build_book(src, reporter)
    assert reporter.warnings == []
    assert ir.plain_text(book.chapters[0].blocks[1].inlines) == PANDOC_TEXT
    refs_chapter = book.chapters[-1]
    assert refs_chapter.id == "references" and ir.plain_text(refs_chapter.title) == "References"
    refs = refs_chapter.blocks[1]
    assert isinstance(refs, ir.Div) and refs.attr.id == "refs"
    assert [e.attr.id for e in refs.blocks] == ["ref-hale1957", "ref-ortiz2001"]
    assert [ir.plain_text(e.blocks[0].inlines) for e in refs.blocks] == PANDOC_ENTRIES
    title = next(ir.query(refs.blocks[0], ir.Emph))
    assert ir.plain_text(title.inlines) == "The Salt Lantern"  # set in italics, as pandoc's <em>


def _pandoc() -> str | None:
    try:
        import pypandoc
    except ImportError:
        return None
    path = Path(pypandoc.__file__).parent / "files" / "pandoc"
    return str(path) if path.is_file() else None


@pytest.mark.skipif(_pandoc() is None, reason="pypandoc-binary (pandoc 3.9) is not installed")
def test_expected_strings_are_what_pandoc_prints(tmp_path: Path) -> None:
    pandoc = _pandoc()
    assert pandoc is not None
    for name, text in FILES.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        out = subprocess.run([pandoc, "--citeproc", "-t", "plain", "--wrap=none", "-M", f"bibliography={name}"],
                             input=TEXT, capture_output=True, text=True, cwd=tmp_path, check=True).stdout
        assert [p for p in out.split("\n") if p] == [PANDOC_TEXT, *PANDOC_ENTRIES]


def test_inline_references_unknown_keys_and_no_links(tmp_path: Path) -> None:
    meta = ("references:\n- id: hale1957\n  type: book\n  title: The Salt Lantern\n"
            "  author: [{family: Hale, given: Mira}]\n  issued: 1957\nlink-citations: false\n")
    src = essay(tmp_path, "Known [@hale1957].\nUnknown [@nosuch, p. 2].\n", meta, {})
    reporter = Reporter(echo=False)
    book = build_book(src, reporter)
    para = book.chapters[0].blocks[1]
    assert ir.plain_text(para.inlines) == "Known (Hale 1957).\nUnknown (nosuch?)."
    assert not list(ir.query(para, ir.Link))
    strong = next(ir.query(para, ir.Strong))
    assert ir.plain_text(strong.inlines) == "nosuch?"
    (warning,) = reporter.warnings
    assert (warning.code, warning.file, warning.line) == ("C101", "essay.md", 15)
    assert "'nosuch'" in warning.message and warning.hint


def test_same_author_and_year_disambiguated_and_collapsed_as_pandoc(tmp_path: Path) -> None:
    meta = ("references:\n- {id: b, type: book, title: Second, author: [{family: Doe, given: Jane}], issued: 2020}\n"
            "- {id: a, type: book, title: First, author: [{family: Doe, given: Jane}], issued: 2020}\n")
    book = build_book(essay(tmp_path, "X [@b; @a].\n", meta, {}), Reporter(echo=False))
    # pandoc 3.9 --citeproc: "X (Doe 2020b, 2020a)." and entries "Doe, Jane. 2020a. First." …
    assert ir.plain_text(book.chapters[0].blocks[1].inlines) == "X (Doe 2020b, 2020a)."
    entries = book.chapters[-1].blocks[1].blocks
    assert [ir.plain_text(e.blocks[0].inlines) for e in entries] == ["Doe, Jane. 2020a. First.",
                                                                   "Doe, Jane. 2020b. Second."]
    assert [link.target for link in ir.query(book.chapters[0], ir.Link)] == ["references#ref-b", "references#ref-a"]


def test_refs_div_receives_the_bibliography(tmp_path: Path) -> None:
    src = essay(tmp_path, "See [@ortiz2001].\n\n## Works cited\n\n::: {#refs}\n:::\n\nAfter.\n")
    book = build_book(src, Reporter(echo=False))
    assert [c.id for c in book.chapters] == ["one"]  # no chapter added
    refs = next(b for b in ir.query(book.chapters[0], ir.Div) if b.attr.id == "refs")
    assert refs.attr.classes[0] == "references" and [e.attr.id for e in refs.blocks] == ["ref-ortiz2001"]
    link = next(ir.query(book.chapters[0].blocks[1], ir.Link))
    assert link.target == "#ref-ortiz2001"


def test_without_a_bibliography_citations_stay_as_written(tmp_path: Path) -> None:
    src = essay(tmp_path, "As [@hale1957, p. 3] and @hale1957 say.\n", meta="", files={})
    reporter = Reporter(echo=False)
    book = build_book(src, reporter)
    assert ir.plain_text(book.chapters[0].blocks[1].inlines) == "As [@hale1957, p. 3] and @hale1957 say."
    assert [(d.code, d.line) for d in reporter.warnings] == [("C102", 7)]


def test_missing_bibliography_file_names_file_and_key(tmp_path: Path) -> None:
    src = essay(tmp_path, "A [@x].\n", meta="bibliography: [refs.bib, missing.json]\n")
    with pytest.raises(BuildError) as caught:
        build_book(src, Reporter(echo=False))
    d = caught.value.diagnostic
    assert d.code == "C001" and "'bibliography'" in d.message and "missing.json" in d.message
    assert d.file.endswith("essay.md")


def test_bad_bibliography_files_are_errors_with_the_file(tmp_path: Path) -> None:
    src = essay(tmp_path, "A [@x].\n", "bibliography: refs.json\n", {"refs.json": '[{"id": "x",\n "type": }]'})
    with pytest.raises(BuildError) as caught:
        build_book(src, Reporter(echo=False))
    assert (caught.value.diagnostic.code, caught.value.diagnostic.file, caught.value.diagnostic.line) == (
        "C002", "refs.json", 2)
    src = essay(tmp_path, "A [@x].\n", "bibliography: refs.yaml\n", {"refs.yaml": "- title: no id\n"})
    with pytest.raises(BuildError) as caught:
        build_book(src, Reporter(echo=False))
    assert caught.value.diagnostic.code == "C005"
    src = essay(tmp_path, "A [@x].\n", "bibliography: 3\n", {})
    with pytest.raises(BuildError) as caught:
        build_book(src, Reporter(echo=False))
    assert caught.value.diagnostic.code == "M011"


def test_an_edited_bibliography_is_rebuilt(tmp_path: Path) -> None:
    src = essay(tmp_path / "b", "A [@hale1957].\n")
    out = tmp_path / "out"
    assert not run_build(src, ["epub"], out, Reporter(echo=False)).up_to_date
    assert run_build(src, ["epub"], out, Reporter(echo=False)).up_to_date
    (tmp_path / "b" / "refs.bib").write_text(BIB.replace("{1957}", "{1958}"), encoding="utf-8")
    assert not run_build(src, ["epub"], out, Reporter(echo=False)).up_to_date
    with zipfile.ZipFile(out / "essay.epub") as archive:
        assert "Hale 1958" in archive.read("EPUB/text/one.xhtml").decode()


def test_cite_round_trips_through_json() -> None:
    (para,) = parse("[see @doe, p. 3]\n")
    assert ir.from_json(ir.to_json(para)) == para


# ---------------------------------------------------------------- both editions


@pytest.fixture(scope="module")
def editions(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str, Path]:
    root = tmp_path_factory.mktemp("cited")
    (root / "chapters").mkdir()
    (root / "refs.bib").write_text(BIB, encoding="utf-8")
    (root / "book.yaml").write_text("title: Cited\nlang: en\nbibliography: refs.bib\n", encoding="utf-8")
    (root / "chapters" / "01-one.md").write_text("# One\n\n" + TEXT, encoding="utf-8")
    (root / "chapters" / "02-two.md").write_text("# Two\n\nLater [@ortiz2001, 12].\n", encoding="utf-8")
    result = run_build(root, ["epub", "pdf"], root / "out", Reporter(echo=False), use_cache=False)
    assert without_preflight(result.diagnostics) == []
    epub = next(p for p in result.outputs if p.suffix == ".epub")
    assert epubcheck_messages(epub) == []
    archive = zipfile.ZipFile(epub)
    one = next(archive.read(n).decode() for n in archive.namelist() if n.endswith("ch-01-one.xhtml"))
    refs = next(archive.read(n).decode() for n in archive.namelist() if n.endswith("references.xhtml"))
    return one, refs, next(p for p in result.outputs if p.suffix == ".pdf")


def test_epub_citations_link_to_entries(editions: tuple[str, str, Path]) -> None:
    one, refs, _ = editions
    assert '<span class="citation">(<a href="references.xhtml#ref-hale1957">Hale 1957, 3</a>)</span>' in one
    assert 'Ortiz and Berg (<a href="references.xhtml#ref-ortiz2001">2001</a>)' in one
    assert re.search(r'<div id="refs" class="references csl-bib-body hanging-indent">', refs)
    assert re.search(r'<div id="ref-hale1957" class="csl-entry">\s*<p[^>]*>Hale, Mira\. 1957\. '
                     r'<em>The Salt Lantern</em>\. Tidewater Films\.</p>\s*</div>', refs)


def test_pdf_has_citations_entries_and_links_that_land_on_them(editions: tuple[str, str, Path]) -> None:
    _, _, pdf = editions
    with pdfplumber.open(pdf) as doc:
        pages = [" ".join((p.extract_text() or "").split()) for p in doc.pages]
    text = " ".join(pages)
    assert "A (Hale 1957, 3)." in text and "Ortiz and Berg (2001) says." in text
    assert "Later (Ortiz and Berg 2001, 12)." in text
    assert "Hale, Mira. 1957. The Salt Lantern. Tidewater Films." in text
    reader = pypdf.PdfReader(pdf)
    dests = {name: reader.get_destination_page_number(d) for name, d in reader.named_destinations.items()}
    landed = {}
    for page in reader.pages:
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            dest = str(annot.get("/Dest", ""))
            if dest.endswith(("/ref-hale1957", "/ref-ortiz2001")):
                landed[dest.rsplit("/", 1)[1]] = dests[dest]
    assert set(landed) == {"ref-hale1957", "ref-ortiz2001"}
    assert "Hale, Mira. 1957." in pages[landed["ref-hale1957"]]
    assert "Ortiz, Ana, and Lars Berg. 2001." in pages[landed["ref-ortiz2001"]]
