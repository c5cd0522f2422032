"""Headings as pandoc treats them: section numbers (-N), toc-depth, shift-heading-level-by, {-} and
.unlisted; code lines wrapped in print; ids inside raw HTML; raw inlines. In the IR and in both editions."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pdfplumber
import pytest
from conftest import epubcheck_messages, write_files

from pipeline import ir
from pipeline.build import build_book, run_build
from pipeline.diagnostics import BuildError, Reporter
from pipeline.load import Source
from pipeline.metadata import normalise
from pipeline.parse import ParseContext, parse_source
from pipeline.transforms import run_transforms, table_of_contents
from pipeline.transforms.numbering import number_sections, section_number


def parse(text: str, reporter: Reporter | None = None) -> tuple[ir.Block, ...]:
    return parse_source(Source("ch.md", text), ParseContext(Path.cwd(), reporter or Reporter(echo=False)))


def heading(level: int, text: str, *classes: str) -> ir.Heading:
    return ir.Heading(level, (ir.Text(text),), ir.Attr(ir.slugify(text), classes))


def book(*chapters: tuple[ir.Block, ...], **meta: object) -> ir.Book:
    return ir.Book(ir.Meta("T", "en", "urn:x", **meta),  # type: ignore[arg-type]
                   tuple(ir.Chapter(f"c{i}", f"c{i}.md", blocks) for i, blocks in enumerate(chapters)))


def numbers(b: ir.Book) -> list[str]:
    return [section_number(h) for ch in number_sections(b, Reporter(echo=False)).chapters
            for h in ir.query(ch, ir.Heading)]


# ---------------------------------------------------------------- numbering (pandoc 3.9 -N, measured)


def test_numbers_run_through_the_book_as_pandoc_numbers_joined_files() -> None:
    b = book((heading(1, "Alpha"), heading(2, "One"), heading(3, "Deep"), heading(4, "Deeper"),
              heading(2, "Skip", "unnumbered"), heading(2, "Two")),
             (heading(1, "Beta"), heading(2, "Three")), number_sections=True)
    assert numbers(b) == ["1", "1.1", "1.1.1", "1.1.1.1", "", "1.2", "2", "2.1"]


def test_numbering_edge_cases_match_pandoc() -> None:
    # a heading before the first chapter heading, a skipped level, an unnumbered top heading
    assert numbers(book((heading(2, "Before"), heading(1, "A"), heading(3, "Skip"), heading(2, "B")),
                        number_sections=True)) == ["0.1", "1", "1.0.1", "1.1"]
    assert numbers(book((heading(1, "A", "unnumbered"), heading(2, "B"), heading(1, "C")),
                        number_sections=True)) == ["", "0.1", "1"]
    # the top level is the book's smallest heading level (pandoc with h2 only: 1, 1.1, 2)
    assert numbers(book((heading(2, "A"), heading(3, "B"), heading(2, "C")), number_sections=True)) == [
        "1", "1.1", "2"]


def test_no_numbers_unless_asked_and_none_in_quotes() -> None:
    assert numbers(book((heading(1, "A"), heading(2, "B")))) == ["", ""]
    quoted = ir.BlockQuote((heading(2, "Quoted"),))
    div = ir.Div((heading(2, "In a div"),))
    assert numbers(book((heading(1, "A"), quoted, div), number_sections=True)) == ["1", "", "1.1"]


def test_unnumbered_and_unlisted_from_markdown() -> None:
    h1, h2, h3 = parse("# Plain {-}\n\n## Both {.unnumbered .unlisted}\n\n## Id too {- #here}\n")
    assert ir.plain_text(h1.inlines) == "Plain" and h1.attr.classes == ("unnumbered",)
    assert h2.attr.classes == ("unnumbered", "unlisted")
    assert h3.attr.id == "here" and h3.attr.classes == ("unnumbered",) and ir.plain_text(h3.inlines) == "Id too"


def test_contents_honour_toc_depth_and_unlisted_and_carry_numbers() -> None:
    b = book((heading(1, "A"), heading(2, "B"), heading(3, "C"), heading(2, "Gone", "unnumbered", "unlisted"),
              heading(2, "Shown", "unnumbered")), number_sections=True, toc_depth=2)
    b = run_transforms(b, Reporter(echo=False))
    entries = table_of_contents(b, b.meta.toc_depth)
    assert [(ir.plain_text(e.title), e.number) for e in entries] == [("A", "1"), ("B", "1.1"), ("Shown", "")]
    assert len(table_of_contents(b, 3)) == 4


def test_metadata_keys_are_checked() -> None:
    meta = normalise({"title": "T", "lang": "en", "number-sections": True, "toc-depth": 2}, "b.yaml")
    assert meta.number_sections and meta.toc_depth == 2
    assert normalise({"title": "T", "lang": "en"}, "b.yaml").toc_depth == 3  # pandoc's default
    for bad in ({"number-sections": "yes"}, {"toc-depth": 0}, {"toc-depth": "deep"}):
        with pytest.raises(BuildError) as exc:
            normalise({"title": "T", "lang": "en", **bad}, "b.yaml")
        assert exc.value.diagnostic.code == "M011" and next(iter(bad)) in exc.value.diagnostic.message


# ---------------------------------------------------------------- shift-heading-level-by


def test_shift_minus_one_takes_the_title_and_splits_at_level_two(tmp_path: Path) -> None:
    src = tmp_path / "essay.md"
    src.write_text("---\ntitle: Old title\nlang: en\nshift-heading-level-by: -1\n---\n"
                   "# The Real Title\n\n## First\n\nText.\n\n### Sub\n\n## Second\n\n# Stray Top\n\nEnd.\n",
                   encoding="utf-8")
    reporter = Reporter(echo=False)
    b = build_book(src, reporter)
    assert b.meta.title == "The Real Title"  # pandoc replaces the metadata title
    assert [ir.plain_text(c.title) for c in b.chapters] == ["First", "Second"]
    assert [h.level for h in ir.query(b.chapters[0], ir.Heading)] == [1, 2]
    stray = [p for p in ir.query(b.chapters[1], ir.Para) if ir.plain_text(p.inlines) == "Stray Top"]
    assert stray  # a heading shifted above level 1 is a paragraph, as in pandoc
    (warning,) = [w for w in reporter.warnings if w.code == "P141"]
    assert warning.line == 16 and "Stray Top" in warning.message


def test_shift_plus_one_keeps_the_title(tmp_path: Path) -> None:
    src = tmp_path / "essay.md"
    src.write_text("---\ntitle: Kept\nlang: en\nshift-heading-level-by: 1\n---\n# A\n\n## B\n\n###### F\n",
                   encoding="utf-8")
    b = build_book(src, Reporter(echo=False))
    assert b.meta.title == "Kept"
    assert [h.level for ch in b.chapters for h in ir.query(ch, ir.Heading)] == [2, 3, 6]


# ---------------------------------------------------------------- raw HTML: ids and inlines


def test_duplicate_ids_inside_raw_html_are_renamed_and_links_reach_the_first() -> None:
    text = ('# Top\n\n```{=html}\n<div id="box"><p id="box">inner</p></div>\n```\n\n'
            '<aside id="top">raw top</aside>\n\n[]{#box} [to the box](#box)\n')
    reporter = Reporter(echo=False)
    b = run_transforms(ir.Book(ir.Meta("T", "en", "u"), (ir.Chapter("c", "c.md", parse(text, reporter)),)),
                       reporter)
    ch = b.chapters[0]
    ids = [n.attr.id for n in ir.query(ch, (ir.Heading, ir.Span)) if n.attr.id]
    raw = [r.html for r in ir.query(ch, ir.RawBlock)]
    assert raw[0] == '<div id="box"><p id="box-1">inner</p></div>'
    assert raw[1] == '<aside id="top">raw top</aside>'
    # the raw ids are explicit ids: the heading's automatic id steps aside, the anchor is renamed
    assert ids == ["top-1", "box-2"]
    link = next(ir.query(ch, ir.Link))
    assert link.target == "#box"
    other = parse('```{=html}\n<a href="#box">there</a> <a href="#top-1">and</a> <a href="#none">no</a>\n```\n')
    two = run_transforms(ir.Book(b.meta, (ch, ir.Chapter("d", "d.md", other))), reporter)
    assert next(ir.query(two.chapters[1], ir.RawBlock)).html == (
        '<a href="c#box">there</a> <a href="c#top-1">and</a> <a >no</a>')
    assert sorted(w.message.split("'")[1] for w in reporter.warnings if w.code == "L103") == ["box", "box"]


def test_raw_inline_html_kept_sanitised_latex_dropped_with_its_line() -> None:
    reporter = Reporter(echo=False)
    (para,) = parse('Intro line\nsee `<b onclick="x()">bold &amp; more</b><script>x</script>`{=html} and '
                    "`\\LaTeX`{=latex} and `plain` {=code}.\n", reporter)
    assert isinstance(para.inlines[1], ir.Strong) and ir.plain_text(para.inlines[1].inlines) == "bold & more"
    text = ir.plain_text(para.inlines)
    assert "{=" not in text.replace("{=code}", "") and "LaTeX" not in text and "plain" in text
    assert "script" not in ir.to_json(para) and "onclick" not in ir.to_json(para)
    (p140,) = [w for w in reporter.warnings if w.code == "P140"]
    assert p140.line == 2 and "latex" in p140.message


# ---------------------------------------------------------------- both editions

LONG_CODE = ("result = compute_the_answer(first_argument, second_argument, third_argument, "
             "fourth_argument, fifth_argument, sixth_argument)")
FILLER = " ".join(["The harbour light turned slowly over the water while the crew waited."] * 6)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = write_files(tmp_path_factory.mktemp("headings") / "book", {
        "book.yaml": "title: Numbered\nlang: en\nnumber-sections: true\ntoc-depth: 2\n",
        "chapters/01-alpha.md": (
            "# Alpha\n\nOpening.\n\n## One\n\nText.\n\n### Too Deep\n\nDeeper text.\n\n"
            "## Aside {-}\n\nNot numbered.\n\n## Hidden {.unnumbered .unlisted}\n\nNot listed.\n\n## Two\n\n"
            f"```python\n{LONG_CODE}\nshort = 1\n```\n\n"
            '```{=html}\n<div id="box"><p id="box">Raw twice</p></div>\n```\n\n'
            "See [the box](#box), `<em>raw em</em>`{=html}.\n\n"
            + "".join(f"{FILLER}\n\n" for _ in range(16))),
        "chapters/02-beta.md": ("# Beta\n\n## Three\n\nText.\n\n"
                                '<p><a href="#box">back to the box</a> <a href="#nowhere">lost</a></p>\n'),
    })
    result = run_build(root, ["epub", "pdf"], root.parent / "out", Reporter(echo=False), use_cache=False)
    epub = next(p for p in result.outputs if p.suffix == ".epub")
    pdf = next(p for p in result.outputs if p.suffix == ".pdf")
    archive = zipfile.ZipFile(epub)
    files = {n.rsplit("/", 1)[-1]: archive.read(n).decode() for n in archive.namelist()
             if n.endswith((".xhtml", ".ncx"))}
    with pdfplumber.open(pdf) as doc:
        pages = [p.extract_text() or "" for p in doc.pages]
    return {"result": result, "epub": epub, "pdf": pdf, "files": files, "pages": pages}


def test_epub_is_valid(built: dict) -> None:
    assert epubcheck_messages(built["epub"]) == []


def test_epub_headings_carry_pandocs_number_markup(built: dict) -> None:
    xhtml = built["files"]["ch-01-alpha.xhtml"]
    assert re.search(r'<h2 id="one" data-number="1\.1"><span class="header-section-number">1\.1</span> One</h2>',
                     xhtml)
    assert '<h2 id="aside" class="unnumbered">Aside</h2>' in xhtml
    assert re.search(r'<h2 id="two" data-number="1\.2">', xhtml)
    assert 'data-number="2"' in built["files"]["ch-02-beta.xhtml"]


def test_epub_nav_and_ncx_show_numbers_down_to_toc_depth(built: dict) -> None:
    nav = re.sub(r"\s+", " ", built["files"]["nav.xhtml"])
    labels = re.findall(r'<a href="text/[^"]+">([^<]+)</a>', nav.split('epub:type="landmarks"')[0])
    assert labels == ["1 Alpha", "1.1 One", "Aside", "1.2 Two", "2 Beta", "2.1 Three"]
    ncx = re.findall(r"<text>([^<]+)</text>", built["files"]["toc.ncx"].split("<pageList>")[0])  # not the pages
    assert ncx[1:] == labels  # after the book's title


def test_epub_raw_html_ids_unique(built: dict) -> None:
    xhtml = built["files"]["ch-01-alpha.xhtml"]
    assert '<div id="box"><p id="box-1">Raw twice</p></div>' in xhtml
    assert '<a href="#box">the box</a>' in xhtml and "<em>raw em</em>" in xhtml
    ids = re.findall(r'\sid="([^"]+)"', xhtml)
    assert len(ids) == len(set(ids))


def test_raw_html_links_resolved_across_chapters(built: dict) -> None:
    xhtml = built["files"]["ch-02-beta.xhtml"]
    assert '<a href="ch-01-alpha.xhtml#box">back to the box</a>' in xhtml
    assert "<a >lost</a>" in xhtml  # a link to no id loses its href (L101), as a Markdown link does
    assert "L101" in [w.code for w in built["result"].diagnostics]


def test_pdf_contents_show_numbers_and_honour_toc_depth(built: dict) -> None:
    contents = next(t for t in built["pages"] if t.startswith("Contents"))
    lines = [re.sub(r"[ .]+\d+$", "", line) for line in contents.splitlines()[1:]]
    assert lines == ["1 Alpha", "1.1 One", "Aside", "1.2 Two", "2 Beta", "2.1 Three"]


def test_pdf_headings_and_running_head_show_the_number(built: dict) -> None:
    result = built["result"]
    first, count = result.page_map.chapters["ch-01-alpha"]
    assert count >= 3
    opening = built["pages"][first]
    assert opening.startswith("1 Alpha") and "1.1 One" in opening and "1.1.1 Too Deep" in opening
    assert "\nAside\n" in opening and "\nHidden\n" in opening
    with pdfplumber.open(built["pdf"]) as doc:
        recto = doc.pages[first + 2]  # the chapter's second right-hand page
        head = " ".join(w["text"] for w in recto.extract_words() if w["bottom"] < 54)
        verso = " ".join(w["text"] for w in doc.pages[first + 1].extract_words() if w["bottom"] < 54)
    assert head == "1 Alpha" and verso == "Numbered"


def test_pdf_outline_leaves_out_what_the_contents_leave_out(built: dict) -> None:
    from pypdf import PdfReader

    def titles(items: list) -> list[str]:
        out: list[str] = []
        for item in items:
            out.extend(titles(item) if isinstance(item, list) else [item.title])
        return out

    outline = titles(PdfReader(built["pdf"]).outline)
    assert "1.1 One" in outline and "2.1 Three" in outline
    assert not [t for t in outline if "Too Deep" in t or "Hidden" in t]


def test_long_code_line_wraps_inside_the_text_block_with_a_mark(built: dict) -> None:
    import pypdfium2

    with pdfplumber.open(built["pdf"]) as doc:
        index = next(i for i, p in enumerate(doc.pages) if "compute_the_answer" in (p.extract_text() or ""))
        page = doc.pages[index]
        mono = [c for c in page.chars if "Mono" in c["fontname"]]
        # justified text reaches the text block's edges: on the pages of the same side (recto or verso)
        body = [c for p in doc.pages[index % 2::2] for c in p.chars
                if "Mono" not in c["fontname"] and c["top"] > 60 and c["bottom"] < 580]
        right_edge = max(c["x1"] for c in body)
        left_edge = min(c["x0"] for c in body)
        lines: dict[float, list] = {}
        for c in mono:
            lines.setdefault(round(c["top"]), []).append(c)
        tops = sorted(lines)
    code_text = "".join(c["text"] for top in tops for c in sorted(lines[top], key=lambda c: c["x0"]))
    assert code_text.replace(" ", "") == (LONG_CODE + "short = 1").replace(" ", "")
    assert len(tops) >= 3  # the long line took at least two lines
    assert max(c["x1"] for c in mono) <= right_edge + 0.5 and min(c["x0"] for c in mono) >= left_edge - 0.5
    first_x = min(c["x0"] for c in lines[tops[0]])
    cont_x = min(c["x0"] for c in lines[tops[1]])
    assert cont_x > first_x + 5  # a hanging indent
    assert abs(min(c["x0"] for c in lines[tops[-1]]) - first_x) < 0.5  # the next code line is not indented
    # the continuation mark is drawn in the hanging indent of the continuation line, and only there
    scale = 3
    image = pypdfium2.PdfDocument(built["pdf"])[index].render(scale=scale).to_pil().convert("L")

    def ink(top: float, bottom: float) -> int:
        box = (int(first_x * scale), int(top * scale), int((cont_x - 1) * scale), int(bottom * scale))
        return sum(image.crop(box).histogram()[:160])

    for top in tops[1:-1]:  # every continuation line (the last line is "short = 1", a line of its own)
        assert ink(min(c["top"] for c in lines[top]), max(c["bottom"] for c in lines[top])) > 10
