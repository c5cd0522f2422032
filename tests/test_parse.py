"""Parse stage: Markdown constructs become the right IR nodes."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import image_bytes

from pipeline import ir
from pipeline.diagnostics import BuildError, Reporter
from pipeline.load import Source
from pipeline.parse import ParseContext, parse_source


def parse(text: str, root: Path | None = None, reporter: Reporter | None = None) -> tuple[ir.Block, ...]:
    ctx = ParseContext(root or Path.cwd(), reporter or Reporter())
    return parse_source(Source("ch.md", text), ctx)


@pytest.fixture
def pics(tmp_path: Path) -> Path:
    (tmp_path / "a b é.png").write_bytes(image_bytes("PNG"))
    (tmp_path / "p.png").write_bytes(image_bytes("PNG"))
    return tmp_path


def test_smart_punctuation() -> None:
    (para,) = parse('"Double" and \'single\' -- en --- em ...')
    assert para.inlines == (ir.Text("“Double” and ‘single’ – en — em …"),)


def test_only_pandocs_smart_punctuation() -> None:
    """(c) stays (c), +- stays +-: pandoc's smart extension does quotes, dashes and ellipses only."""
    (para,) = parse("Items (a) (b) (c), (r) and (tm); 3 +- 1; what???? 1914--18 `--from`")
    assert ir.plain_text(para.inlines) == "Items (a) (b) (c), (r) and (tm); 3 +- 1; what???? 1914–18 --from"


def test_heading_attributes() -> None:
    (h,) = parse('## The Long Take {#long-take .special lang=fr}')
    assert h == ir.Heading(2, (ir.Text("The Long Take"),), ir.Attr("long-take", ("special",), (("lang", "fr"),)), 1)


def test_figure_with_alt_caption_markup_and_id(pics: Path) -> None:
    (fig,) = parse('![A still from *Vampyr*. 1932.](p.png){#fig-v alt="A \\"pale\\" man."}', pics)
    assert isinstance(fig, ir.Figure)
    assert fig.attr.id == "fig-v" and fig.image.alt == 'A "pale" man.' and not fig.alt_from_caption
    assert fig.caption == (ir.Text("A still from "), ir.Emph((ir.Text("Vampyr"),)), ir.Text(". 1932."))


def test_figure_fig_alt_and_missing_alt(pics: Path) -> None:
    reporter = Reporter()
    a, b = parse('![Cap](p.png){fig-alt="Quarto alt"}\n\n![Only a caption](p.png)\n', pics, reporter)
    assert a.image.alt == "Quarto alt"
    assert b.image.alt == "Only a caption" and b.alt_from_caption
    assert [w.code for w in reporter.warnings] == ["I101"]
    assert reporter.warnings[0].line == 3


def test_empty_caption_is_still_a_figure(pics: Path) -> None:
    (fig,) = parse('![](p.png){alt="Alt"}', pics)
    assert isinstance(fig, ir.Figure) and fig.caption == () and fig.image.alt == "Alt"


def test_image_path_with_spaces_and_non_ascii(pics: Path) -> None:
    a, b = parse('![x](<a b é.png>){alt="1"}\n\n![y](a%20b%20%C3%A9.png){alt="2"}\n', pics)
    assert a.image.src == b.image.src == "a b é.png"


def test_inline_image_is_not_a_figure(pics: Path) -> None:
    (para,) = parse('Text ![icon](p.png) more.', pics)
    assert isinstance(para, ir.Para) and isinstance(para.inlines[1], ir.Image)


def test_figure_inside_block_quote(pics: Path) -> None:
    (bq,) = parse('> Quote.\n>\n> ![Cap](p.png){alt="A"}\n', pics)
    assert isinstance(bq, ir.BlockQuote) and isinstance(bq.blocks[1], ir.Figure)


def test_footnotes_multi_paragraph() -> None:
    (para,) = parse("Text.[^n]\n\n[^n]: First.\n\n    Second.\n")
    note = para.inlines[-1]
    assert isinstance(note, ir.Note)
    assert [ir.plain_text(p.inlines) for p in note.blocks] == ["First.", "Second."]


def test_footnote_cycle_does_not_recurse() -> None:
    reporter = Reporter()
    (para,) = parse("Text.[^a]\n\n[^a]: Refers to itself[^a].\n", reporter=reporter)
    assert isinstance(para.inlines[-1], ir.Note)
    assert [w.code for w in reporter.warnings] == ["P103"]


def test_line_block_keeps_indentation() -> None:
    (bq,) = parse("> | One line\n> |    two *indented*\n>   continued\n")
    lb = bq.blocks[0]
    assert isinstance(lb, ir.LineBlock)
    assert ir.plain_text(lb.lines[0]) == "One line"
    assert ir.plain_text(lb.lines[1]) == "\u00a0\u00a0\u00a0two indented continued"


def test_pipe_table_still_wins_over_line_block() -> None:
    (t,) = parse("| a | b |\n|---|--:|\n| 1 | 2 |\n\n: The caption\n")
    assert isinstance(t, ir.Table) and t.aligns == ("", "right") and ir.plain_text(t.caption) == "The caption"


def test_table_with_empty_header_row() -> None:
    (t,) = parse("|   |   |\n|---|---|\n| 1 | 2 |\n")
    assert t.head == () and len(t.body) == 1


def test_definition_list_sub_sup_strike_and_spans() -> None:
    dl, para = parse("Term\n:   Def.\n\n[]{#anchor}H~2~O, 19^th^, ~~no~~ [sc]{.smallcaps}\n")
    assert isinstance(dl, ir.DefinitionList) and ir.plain_text(dl.items[0].term) == "Term"
    kinds = [type(n).__name__ for n in para.inlines]
    assert kinds == ["Span", "Text", "Subscript", "Text", "Superscript", "Text", "Strikeout", "Text", "Span"]
    assert para.inlines[0].attr.id == "anchor"


def test_raw_html_is_sanitised() -> None:
    reporter = Reporter()
    blocks = parse('<div onclick="x()"><script>alert(1)</script><p>ok & <b>fine</p>\n\n'
                   'Inline <span class="a">kept</span> <img src=x onerror=y> <br> end\n', reporter=reporter)
    raw, para = blocks
    assert raw == ir.RawBlock('<div><p>ok &amp; <b>fine</b></p>\n</div>', line=1)
    assert ir.Span((ir.Text("kept"),), ir.Attr("", ("a",))) in para.inlines
    assert ir.LineBreak() in para.inlines
    assert {w.code for w in reporter.warnings} == {"P101", "P102"}


def test_remote_image_keeps_its_text() -> None:
    reporter = Reporter(echo=False)
    fig, para = parse("![A badge](https://example.org/b.svg)\n\nSee [![x](http://example.org/a.png)](https://a.org) "
                      "here.\n", reporter=reporter)
    remote = ir.Attr(classes=("remote-image",))
    assert fig == ir.Para((ir.Span((ir.Text("A badge"),), remote),), line=1)
    assert ir.Link((ir.Span((ir.Text("x"),), remote),), "https://a.org") in para.inlines
    assert [(d.code, d.line) for d in reporter.warnings] == [("I103", 1), ("I103", 3)]


def test_unsafe_link_is_unwrapped() -> None:
    reporter = Reporter()
    (para,) = parse("[click](javascript:alert(1)) and [ok](https://example.org)", reporter=reporter)
    assert not any(isinstance(n, ir.Link) and n.target.startswith("javascript") for n in para.inlines)
    assert any(isinstance(n, ir.Link) and n.target == "https://example.org" for n in para.inlines)


@pytest.mark.parametrize("src,code", [
    ("missing.png", "I001"), ("ftp://example.org/a.png", "I004"),
    ("data:image/png;base64,AAAA", "I004"),
    ("/etc/passwd", "I005"), ("../outside.png", "I005"),
])
def test_bad_image_paths(pics: Path, src: str, code: str) -> None:
    with pytest.raises(BuildError) as exc:
        parse(f"Some text.\n\n![x]({src}){{alt=\"x\"}}\n", pics)
    assert exc.value.diagnostic.code == code and exc.value.diagnostic.line == 3


def test_source_lines_are_file_lines() -> None:
    ctx = ParseContext(Path.cwd(), Reporter())
    blocks = parse_source(Source("ch.md", "# A\n\nB\n", first_line=5), ctx)
    assert [b.line for b in blocks] == [5, 7]


def test_file_and_data_urls_never_become_images(pics: Path) -> None:
    # markdown-it refuses this scheme itself: the text stays text, nothing is read
    blocks = parse("![x](file:///etc/passwd)", pics)
    assert not list(ir.query(blocks[0], (ir.Image, ir.Figure)))


def test_image_path_falls_back_to_the_books_folder(tmp_path: Path) -> None:
    """As pandoc run from the book's folder: chapters/01.md may write stills/a.png."""
    (tmp_path / "stills").mkdir()
    (tmp_path / "stills" / "a.png").write_bytes(image_bytes("PNG"))
    ctx = ParseContext(tmp_path, Reporter())
    (fig,) = parse_source(Source("chapters/01.md", "![Cap](stills/a.png){alt=\"A.\"}\n"), ctx)
    assert fig.image.src == "stills/a.png"
    (fig,) = parse_source(Source("chapters/01.md", "![Cap](../stills/a.png){alt=\"A.\"}\n"), ctx)
    assert fig.image.src == "stills/a.png"
    with pytest.raises(BuildError, match=r"not found \(looked for 'chapters/stills/b.png' or 'stills/b.png'"):
        parse_source(Source("chapters/01.md", "![Cap](stills/b.png)\n"), ctx)
