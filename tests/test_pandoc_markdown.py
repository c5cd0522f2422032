"""Pandoc's Markdown as authors write it: fenced divs and Quarto callouts, in the IR and in both editions."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pdfplumber
import pytest
from conftest import epubcheck_messages, image_bytes, without_preflight

from pipeline import ir
from pipeline.build import run_build
from pipeline.diagnostics import Reporter
from pipeline.load import Source
from pipeline.parse import ParseContext, parse_source


def parse(text: str, reporter: Reporter | None = None) -> tuple[ir.Block, ...]:
    return parse_source(Source("ch.md", text), ParseContext(Path.cwd(), reporter or Reporter(echo=False)))


def test_fenced_divs_nest_keep_attributes_and_unknown_classes() -> None:
    blocks = parse("::: {#outer .aside lang=fr}\nOne.\n\n::: poem\nTwo.\n:::\n\nThree.\n:::\n\nAfter.\n")
    outer, after = blocks
    assert isinstance(outer, ir.Div) and outer.attr == ir.Attr("outer", ("aside",), (("lang", "fr"),))
    inner = outer.blocks[1]
    assert isinstance(inner, ir.Div) and inner.attr.classes == ("poem",)
    assert [ir.plain_text(b.inlines) for b in (outer.blocks[0], inner.blocks[0], outer.blocks[2], after)] == [
        "One.", "Two.", "Three.", "After."]


def test_fenced_div_inside_a_quote_and_one_never_closed() -> None:
    (quote,) = parse("> ::: note\n> Inside.\n> :::\n")
    assert isinstance(quote.blocks[0], ir.Div) and ir.plain_text(quote.blocks[0].blocks[0].inlines) == "Inside."
    (div,) = parse("::: note\nNever closed.\n")
    assert isinstance(div, ir.Div) and ir.plain_text(div.blocks[0].inlines) == "Never closed."


def test_native_divs_hold_markdown_as_in_pandoc() -> None:
    outer, raw = parse('<div class="title" id="t">\n*Title*\n\n<div>\n*inner*\n</div>\n</div>\n\n'
                       "<div>never closed\n")
    assert isinstance(outer, ir.Div) and outer.attr == ir.Attr("t", ("title",), ())
    assert isinstance(outer.blocks[1], ir.Div) and ir.plain_text(outer.blocks[1].blocks[0].inlines) == "inner"
    assert isinstance(raw, ir.RawBlock)


def test_colons_that_are_not_a_fence_stay_text() -> None:
    (para,) = parse("Ratio 3:::4 and ::: alone in prose.\n")
    assert isinstance(para, ir.Para) and ":::" in ir.plain_text(para.inlines)


@pytest.mark.parametrize("source, title", [
    ('::: {.callout-warning title="Mind the *gap*"}\nBody.\n:::\n', "Mind the gap"),
    ("::: {.callout-tip}\n## A heading title\n\nBody.\n:::\n", "A heading title"),
    ("::: callout-important\nBody.\n:::\n", "Important"),
])
def test_callouts_get_a_title_paragraph(source: str, title: str) -> None:
    (div,) = parse(source)
    assert div.attr.classes[0] == "callout" and div.attr.get("title") is None
    first = div.blocks[0]
    assert first.attr.classes == ("callout-title",) and ir.plain_text(first.inlines) == title
    assert ir.plain_text(div.blocks[1].inlines) == "Body."


def _both_editions(source: Path, out: Path, chapter: str) -> tuple[str, Path, zipfile.ZipFile]:
    """Build ``source`` to EPUB (checked: no EPUBCheck message) and PDF; the chapter's XHTML, the PDF, the EPUB."""
    result = run_build(source, ["epub", "pdf"], out, Reporter(echo=False), use_cache=False)
    epub = next(p for p in result.outputs if p.suffix == ".epub")
    assert epubcheck_messages(epub) == []
    archive = zipfile.ZipFile(epub)
    xhtml = next(archive.read(n).decode() for n in archive.namelist() if n.endswith(f"{chapter}.xhtml"))
    return xhtml, next(p for p in result.outputs if p.suffix == ".pdf"), archive


def test_callouts_in_both_editions(tmp_path: Path) -> None:
    src = tmp_path / "essay.md"
    src.write_text("---\ntitle: Callouts\nlang: en\n---\n# Notes\n\nBefore.\n\n"
                   '::: {.callout-note title="On *prints*"}\nThe restored print is brighter.\n:::\n\n'
                   "::: {.verse #v1}\nA plain div.\n:::\n\n"
                   '<div class="pagetitle" id="n1">\n*Native* div text.\n</div>\n', encoding="utf-8")
    xhtml, pdf, _ = _both_editions(src, tmp_path / "out", "notes")
    assert '<div id="n1" class="pagetitle">' in xhtml and "<em>Native</em> div text." in xhtml
    assert re.search(r'<aside id="[^"]+" class="callout callout-note" role="note">', xhtml)
    assert re.search(r'<p id="[^"]+" class="callout-title">On <em>prints</em></p>', xhtml)
    assert '<div id="v1" class="verse">' in xhtml
    with pdfplumber.open(pdf) as doc:
        text = "\n".join(page.extract_text() or "" for page in doc.pages)
    assert "On prints" in text and "The restored print is brighter." in text and ":::" not in text
    assert "Native div text." in text and "<div" not in text


def test_code_block_language_from_pandoc_attributes() -> None:
    (plain,) = parse("```python\nx = 1\n```\n")
    assert (plain.language, plain.attr) == ("python", ir.NO_ATTR)
    (numbered,) = parse("```{.python .numberLines #listing-1}\nx = 1\n```\n")
    assert numbered.language == "python"
    assert numbered.attr == ir.Attr("listing-1", ("numberLines",), ())
    (unknown,) = parse("```nosuchlanguage\n<x> & y\n```\n")
    assert unknown.language == "nosuchlanguage"


def test_code_is_highlighted_in_both_editions(tmp_path: Path) -> None:
    src = tmp_path / "code.md"
    src.write_text("---\ntitle: Code\nlang: en\n---\n# Listing\n\n```{.python .numberLines}\n"
                   "def greet(name):\n    return f\"<hello> {name} & co\"\n```\n\n"
                   "```nosuchlanguage\n<raw> & text\n```\n", encoding="utf-8")
    xhtml, pdf, archive = _both_editions(src, tmp_path / "out", "listing")
    assert "styles/code.css" in xhtml and "EPUB/styles/code.css" in archive.namelist()
    assert ('<code class="language-python hl"><span class="cl"><span class="linenos" aria-hidden="true">1</span>'
            in xhtml)
    assert '<span class="hl-k">def</span>' in xhtml and "&lt;raw&gt; &amp; text" in xhtml
    with pdfplumber.open(pdf) as doc:
        page = next(p for p in doc.pages if "greet" in (p.extract_text() or ""))
        colours = {c["text"]: c["non_stroking_color"] for c in page.chars if c["text"] in "dg"}
        text = page.extract_text()
    assert "def greet(name):" in text and '<hello> {name} & co' in text
    assert colours["d"] != colours["g"]  # the keyword is coloured, the name is not


def _stills(root: Path) -> Path:
    (root / "img").mkdir(parents=True, exist_ok=True)
    (root / "img" / "a.png").write_bytes(image_bytes("PNG", (400, 250)))
    return root


def test_raw_img_becomes_an_image_or_a_figure(tmp_path: Path) -> None:
    root = _stills(tmp_path)
    reporter = Reporter(echo=False)
    blocks = parse_source(Source("ch.md", (
        'Text <img src="img/a.png" alt="inline" width="20"> here.\n\n'
        '<p align="center"><img src="img/a.png" alt="Alone"></p>\n\n'
        '<figure><img src="img/a.png" alt="With caption"><figcaption>The <em>harbour</em></figcaption></figure>\n\n'
        'Remote <img src="https://example.org/x.png" alt="far away"> picture.\n')), ParseContext(root, reporter))
    para, alone, captioned, remote = blocks
    image = para.inlines[1]
    assert isinstance(image, ir.Image) and (image.src, image.alt, image.attr.get("width")) == ("img/a.png", "inline",
                                                                                              "20")
    assert isinstance(alone, ir.Figure) and alone.image.alt == "Alone" and alone.caption == ()
    assert isinstance(captioned, ir.Figure) and ir.plain_text(captioned.caption) == "The harbour"
    assert isinstance(captioned.caption[1], ir.Emph)
    assert ir.plain_text(remote.inlines) == "Remote far away picture."
    assert [d.code for d in reporter.warnings] == ["P102"]


def test_image_sizes_in_both_editions(tmp_path: Path) -> None:
    root = _stills(tmp_path / "b")
    (root / "essay.md").write_text("---\ntitle: Sizes\nlang: en\n---\n# Sizes\n\n"
                                   '![Half the measure.](img/a.png){alt="A grey oval." width=50%}\n\n'
                                   '<img src="img/a.png" alt="Raw, 120 pixels wide" width="120">\n', encoding="utf-8")
    xhtml, pdf, _ = _both_editions(root / "essay.md", tmp_path / "out", "sizes")
    # the picture's own size (so readers reserve its space), then the author's, the other side auto
    assert 'alt="A grey oval." width="400" height="250" style="width: 50%; height: auto"/>' in xhtml
    assert 'width="400" height="250" style="width: 120px; height: auto"/>' in xhtml
    from pipeline.editions import EDITIONS

    measure = EDITIONS[0].text_block_pt()[0]
    with pdfplumber.open(pdf) as doc:
        widths = sorted(round(im["width"]) for page in doc.pages for im in page.images)
    assert widths == [90, round(measure / 2)]  # 120 CSS px = 90 pt; half the text block


def test_implicit_heading_references_across_chapters(tmp_path: Path) -> None:
    from pipeline.build import build_book

    (tmp_path / "book.yaml").write_text("title: T\nlang: en\n")
    (tmp_path / "01.md").write_text("# Getting Started\n\nSee [Advanced Use] and [the end][getting started].\n\n"
                                    "[Nowhere] stays text.\n")
    (tmp_path / "02.md").write_text("# Advanced Use {#adv}\n\nBack to [Getting Started].\n\n"
                                    "[Advanced use]: https://example.org\n\nHere [Advanced Use] is the explicit one.\n")
    book = build_book(tmp_path, Reporter(echo=False))
    links = [[(ir.plain_text(n.inlines), n.target) for n in ir.query(ch, ir.Link)] for ch in book.chapters]
    assert links == [[("Advanced Use", "ch-02#adv"), ("the end", "#getting-started")],
                     [("Getting Started", "ch-01#getting-started"), ("Advanced Use", "https://example.org")]]
    assert "[Nowhere] stays text." in ir.plain_text(book.chapters[0].blocks[2].inlines)


def test_quarto_cross_references_agree_in_both_editions(tmp_path: Path) -> None:
    root = _stills(tmp_path / "b")
    (root / "book.yaml").write_text("title: Refs\nlang: en\n")
    (root / "01.md").write_text("# One {#sec-one}\n\n![Dusk.](img/a.png){#fig-dusk alt=\"A grey oval.\"}\n\n"
                                "| a | b |\n|---|---|\n| 1 | 2 |\n\n: Scores {#tbl-scores}\n")
    (root / "02.md").write_text("# Two\n\n![Dawn.](img/a.png){#fig-dawn alt=\"Another oval.\"}\n\n"
                                "As @fig-dusk and @fig-dawn show (see also [-@fig-dawn]), @tbl-scores holds the "
                                "scores, as @sec-one says; @fig-nowhere is missing.\n")
    reporter = Reporter(echo=False)
    result = run_build(root, ["epub", "pdf"], tmp_path / "out", reporter, use_cache=False)
    assert [d.code for d in without_preflight(reporter.warnings)] == ["L104"]
    epub = next(p for p in result.outputs if p.suffix == ".epub")
    assert epubcheck_messages(epub) == []
    with zipfile.ZipFile(epub) as z:
        two = z.read("EPUB/text/ch-02.xhtml").decode()
        one = z.read("EPUB/text/ch-01.xhtml").decode()
    assert '<a href="ch-01.xhtml#fig-dusk">Figure 1</a> and <a href="#fig-dawn">Figure 2</a>' in two
    assert '[<a href="#fig-dawn">2</a>]' in two and '<a href="ch-01.xhtml#tbl-scores">Table 1</a>' in two
    assert '<a href="ch-01.xhtml#sec-one">One</a>' in two
    assert '<span class="crossref-missing">Figure ??</span> is missing' in two
    assert "Figure 1: Dusk." in one and "Table 1: Scores" in one
    pdf = next(p for p in result.outputs if p.suffix == ".pdf")
    with pdfplumber.open(pdf) as doc:
        text = " ".join((page.extract_text() or "").replace("\n", " ") for page in doc.pages)
    assert "Figure 1: Dusk." in text and "Figure 2: Dawn." in text and "Table 1: Scores" in text
    assert "As Figure 1 and Figure 2 show (see also [2]), Table 1 holds" in text


def test_an_image_label_that_is_only_a_heading_stays_text(tmp_path: Path) -> None:
    from pipeline.build import build_book

    (tmp_path / "book.yaml").write_text("title: T\nlang: en\n")
    (tmp_path / "01.md").write_text("# Foo\n\nAn ![Foo] inline, and alone:\n\n![Foo]\n")
    reporter = Reporter(echo=False)
    book = build_book(tmp_path, reporter)
    assert not list(ir.query(book, ir.Image))
    assert ir.plain_text(book.chapters[0].blocks[1].inlines) == "An Foo inline, and alone:"
    assert [d.code for d in reporter.warnings] == ["I102", "I102"]


def test_raw_blocks_html_kept_latex_dropped_with_a_warning() -> None:
    reporter = Reporter(echo=False)
    blocks = parse("```{=html}\n<aside class=\"x\" onclick=\"y()\">Kept <b>bold</b></aside>\n```\n\n"
                   "```{=latex}\n\\newpage\n```\n\nAfter.\n", reporter)
    raw, after = blocks
    assert isinstance(raw, ir.RawBlock) and "Kept <b>bold</b>" in raw.html and "onclick" not in raw.html
    assert ir.plain_text(after.inlines) == "After."
    assert sorted(d.code for d in reporter.warnings) == ["P101", "P106"]
