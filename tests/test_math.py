"""TeX math: pandoc's delimiters in the IR, MathML in the EPUB, vector SVG in the PDF, numbered equations."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pdfplumber
import pytest
from conftest import epubcheck_messages, without_preflight

from pipeline import ir
from pipeline.build import run_build
from pipeline.diagnostics import Reporter
from pipeline.load import Source
from pipeline.parse import ParseContext, parse_source
from pipeline.render import math
from pipeline.render.math import mathml
from pipeline.render.pdf import math_warnings
from pipeline.transforms import run_transforms


def parse(text: str, reporter: Reporter | None = None) -> tuple[ir.Block, ...]:
    return parse_source(Source("ch.md", text), ParseContext(Path.cwd(), reporter or Reporter(echo=False)))


def shape(inlines: tuple[ir.Inline, ...]) -> str:
    """Inlines in a short form: ``MI[x]`` inline math, ``MD[x]`` display math, ``C[x]`` code, text as is."""
    out = []
    for n in inlines:
        if isinstance(n, ir.Math):
            out.append(f"M{'D' if n.display else 'I'}[{n.text}]")
        elif isinstance(n, ir.Code):
            out.append(f"C[{n.text}]")
        else:
            out.append(ir.plain_text((n,)))
    return "|".join(out)


# Each expectation is what pandoc 3.9 gives (-f markdown+tex_math_single_backslash -t native).
@pytest.mark.parametrize("source, expected", [
    ("$x^2$", "MI[x^2]"),
    ("$5 and $10", "$5 and $10"),                      # no math: space before the closing $
    ("$ x$", "$ x$"),                                  # space after the opening $
    ("$x $", "$x $"),
    ("$x$5", "$x$5"),                                  # closing $ followed by a digit
    ("$x$.", "MI[x]|."),
    ("1$x$", "1|MI[x]"),
    (r"a\$b$ c$", "a$b$ c$"),                          # \$ is a literal dollar
    (r"$a\$b$", r"MI[a\$b]"),                          # ... and does not close a formula
    (r"$\text{a $b$}$", r"MI[\text{a $b$}]"),          # \text{} may hold dollars
    ("$x$$y$", "MI[x]|MI[y]"),
    ("$$x$", "$|MI[x]"),
    ("$x$$", "MI[x]|$"),
    ("$$x$$", "MD[x]"),
    ("text $$ x = 1 $$ more", "text |MD[ x = 1 ]| more"),
    ("$x\ny$", "MI[x\ny]"),
    (r"\(x\) and \[y\]", "MI[x]| and |MD[y]"),
    (r"\(a $\)", "(a $)"),
    (r"\(x\)5", "(x)5"),
    ("`$x$`", "C[$x$]"),
    ("Before\n$$\na\n- b\n= c\n$$\nafter.", "Before\n|MD[\na\n- b\n= c\n]|\nafter."),  # one paragraph, no list
])
def test_dollar_and_backslash_math_as_pandoc_reads_it(source: str, expected: str) -> None:
    (para,) = parse(source + "\n")
    assert isinstance(para, ir.Para) and shape(para.inlines) == expected


def test_display_math_in_a_list_item_and_a_quote() -> None:
    (lst,) = parse("- item $$x\n  y$$\n")
    assert shape(lst.items[0][0].inlines) == "item |MD[x\ny]"
    (quote,) = parse("> $$\n> a\n> - b\n> $$\n")
    assert shape(quote.blocks[0].inlines) == "MD[\na\n- b\n]"


@pytest.mark.parametrize("source", ["$$ E = mc^2 $$ {#eq-mass}\n", "$$\nE = mc^2\n$$ {#eq-mass}\n"])
def test_quarto_equation_label_gives_the_display_math_its_id(source: str) -> None:
    (para,) = parse(source)
    (node,) = para.inlines
    assert isinstance(node, ir.Math) and node.display and node.attr.id == "eq-mass"
    assert node.text.strip() == "E = mc^2"


def test_braces_after_math_that_are_not_an_equation_label_stay_text() -> None:
    (para,) = parse("$$a$$ {.big} and $b$ {#eq-b}\n")
    assert shape(para.inlines) == "MD[a]| {.big} and |MI[b]| {#eq-b}"
    assert all(not n.attr.id for n in para.inlines)


def test_a_formula_that_cannot_be_converted_is_kept_as_code_with_a_warning() -> None:
    reporter = Reporter(echo=False)
    (_, para) = parse("First.\n\nText $x$ and\nthen $\\foo{x}$ and $$\\frac{a}{b$$.\n", reporter)
    # an author's own command (from their LaTeX template) is set as its name; broken TeX stays code
    assert shape(para.inlines) == "Text |MI[x]| and\nthen |MI[\\foo{x}]| and |C[$$\\frac{a}{b$$]|."
    found = [(d.code, d.file, d.line) for d in reporter.warnings]
    assert found == [("P121", "ch.md", 4), ("P120", "ch.md", 4)]
    assert "\\foo" in reporter.warnings[0].message
    assert "unbalanced braces" in reporter.warnings[1].message
    assert "<mi>foo</mi>" in mathml("\\foo{x}", False) or "foo" in mathml("\\foo{x}", False)


def test_math_round_trips_through_json() -> None:
    node = ir.Para((ir.Math("x^2"), ir.Math(" E ", True, ir.Attr("eq-e"))))
    assert ir.from_json(ir.to_json(node)) == node and ir.IR_VERSION >= (2, 1)
    assert ir.plain_text(node.inlines) == "x^2E"


def test_equations_are_numbered_through_the_book_and_referenced() -> None:
    reporter = Reporter(echo=False)
    one = parse("# One\n\n$$a$$ {#eq-a}\n\nSee @eq-b and -@eq-a.\n")
    two = parse("# Two\n\n$$b$$ {#eq-b}\n\n$$c$$\n")
    book = ir.Book(ir.Meta("T", "en", "u"), (ir.Chapter("one", "one.md", one), ir.Chapter("two", "two.md", two)))
    book = run_transforms(book, reporter)
    spans = [s for ch in book.chapters for s in ir.query(ch, ir.Span) if "equation" in s.attr.classes]
    assert [(s.attr.id, ir.plain_text(s.inlines[:1])) for s in spans] == [("eq-a", "(1)"), ("eq-b", "(2)")]
    assert isinstance(spans[0].inlines[1], ir.Math) and not spans[0].inlines[1].attr.id
    links = list(ir.query(book.chapters[0], ir.Link))
    assert [(ir.plain_text(k.inlines), k.target) for k in links] == [("Equation 2", "two#eq-b"), ("1", "#eq-a")]
    assert not reporter.warnings


def test_mathml_carries_the_tex_as_alttext_and_svg_is_paths_only() -> None:
    out = math.mathml('a < b & "c"', True)
    assert out.startswith('<math xmlns="http://www.w3.org/1998/Math/MathML" '
                          'alttext="a &lt; b &amp; &quot;c&quot;" display="block">')
    drawn = math.svg(r"\frac{a}{b}", False)
    assert "<path" in drawn.xml and "<text" not in drawn.xml and "id=" not in drawn.xml
    assert drawn.depth > 0.2 and drawn.height > drawn.depth  # a fraction hangs below the baseline


def test_a_formula_print_cannot_draw_warns_r110() -> None:
    reporter = Reporter(echo=False)
    (para,) = parse("Odd: $\\limits$.\n")  # latex2mathml accepts it, ziamath cannot draw it
    assert isinstance(para.inlines[1], ir.Math)
    math_warnings(ir.Chapter("c", "c.md", (para,)), reporter)
    assert [(d.code, d.file) for d in reporter.warnings] == [("R110", "c.md")]
    assert "<code" in math.print_html(para.inlines[1])


BOOK = r"""---
title: Math
lang: en
---
# Energy

Mass and energy: $E$ holds, and $\frac{a}{b}$ is a fraction; $5 and $10 stay text.

$$ E = mc^2 $$ {#eq-mass}

As @eq-mass shows, and also
$$
\int_0^\infty e^{-x^2}\,dx = \frac{\sqrt{\pi}}{2}
$$
which is the Gaussian integral.
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    root = tmp_path_factory.mktemp("math")
    src = root / "essay.md"
    src.write_text(BOOK, encoding="utf-8")
    result = run_build(src, ["epub", "pdf"], root / "out", Reporter(echo=False), use_cache=False)
    assert not without_preflight(result.diagnostics)
    epub = next(p for p in result.outputs if p.suffix == ".epub")
    pdf = next(p for p in result.outputs if p.suffix == ".pdf")
    return src, epub, pdf


def test_epub_has_mathml_with_alttext_and_the_manifest_property(built: tuple[Path, Path, Path]) -> None:
    _, epub, _ = built
    assert epubcheck_messages(epub) == []
    with zipfile.ZipFile(epub) as archive:
        xhtml = archive.read("EPUB/text/energy.xhtml").decode()
        opf = archive.read("EPUB/content.opf").decode()
    assert '<math xmlns="http://www.w3.org/1998/Math/MathML" alttext="E" display="inline">' in xhtml
    assert 'alttext="\\frac{a}{b}" display="inline"><mrow><mfrac>' in xhtml
    assert re.search(r'<span id="eq-mass" class="equation"><span class="eq-number">\(1\)</span>'
                     r'<math [^>]*alttext="E = mc\^2" display="block">', xhtml)
    assert '<a href="#eq-mass">Equation 1</a>' in xhtml and "$5 and $10" in xhtml
    assert re.search(r'<item href="text/energy.xhtml" [^>]*properties="mathml"', opf)
    assert not re.search(r'<item href="text/titlepage.xhtml" [^>]*mathml', opf)


def test_pdf_draws_formulas_as_vectors_on_the_baseline(built: tuple[Path, Path, Path]) -> None:
    _, _, pdf = built
    with pdfplumber.open(pdf) as doc:
        page = next(p for p in doc.pages if "Mass and energy" in (p.extract_text() or ""))
        text = page.extract_text()
        assert "As Equation 1 shows" in text and "(1)" in text and "$5 and $10" in text
        assert "mc" not in text and "∫" not in text and "π" not in text  # formulas are not text
        assert len(page.curves) > 20  # the glyphs are drawn as filled paths
        # the inline $E$ stands on the baseline of its line, between "energy:" and "holds"
        words = page.extract_words()
        before = next(w for w in words if w["text"] == "energy:")
        after = next(w for w in words if w["text"] == "holds,")
        first = next(c for c in page.chars if c["x0"] == before["x0"] and c["top"] == before["top"])
        baseline = page.height - first["matrix"][5]
        glyph = [c for c in page.curves if before["x1"] < c["x0"] and c["x1"] < after["x0"]
                 and abs(c["bottom"] - baseline) < 6]
        assert glyph, "no drawn glyph between 'energy:' and 'holds,'"
        assert abs(max(c["bottom"] for c in glyph) - baseline) < 0.5


def test_pdf_and_epub_are_byte_identical_across_builds(built: tuple[Path, Path, Path], tmp_path: Path) -> None:
    src, epub, pdf = built
    result = run_build(src, ["epub", "pdf"], tmp_path, Reporter(echo=False), use_cache=False)
    again = {p.suffix: p.read_bytes() for p in result.outputs}
    assert again[".epub"] == epub.read_bytes() and again[".pdf"] == pdf.read_bytes()


def test_escaped_brackets_in_prose_are_not_math() -> None:
    # War and Peace writes '\(1\) What is power?'; The Worst Journey '\[No more … [^248]\]'
    (para,) = parse("\\(1\\) What is power? \\[sic\\] and \\[a note[^1]\\]\n\n[^1]: n\n")
    assert not list(ir.query(para, ir.Math)) and "(1) What is power? [sic]" in ir.plain_text(para.inlines)
    assert len(list(ir.query(para, ir.Note))) == 1


def test_an_alignment_ampersand_outside_an_environment_is_escaped() -> None:
    from xml.etree import ElementTree as ET

    ET.fromstring(mathml(r"a & b \\ c & d", True))  # well-formed XML, or EPUBCheck rejects the chapter
