"""Pandoc's four kinds of table (pipe, simple, multiline, grid): the IR, compared with pandoc 3.9,
and both editions (EPUBCheck, the PDF's text, a long table's header on every page)."""

from __future__ import annotations

import json
import re
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pdfplumber
import pytest
from conftest import epubcheck_messages, without_preflight

from pipeline import ir
from pipeline.build import run_build
from pipeline.diagnostics import Reporter
from pipeline.load import Source
from pipeline.parse import ParseContext, parse_source
from pipeline.parse.tables import GridError, parse_grid


def parse(text: str, reporter: Reporter | None = None) -> tuple[ir.Block, ...]:
    return parse_source(Source("ch.md", text), ParseContext(Path.cwd(), reporter or Reporter(echo=False)))


SIMPLE = """\
  Right     Left     Center     Default
-------     ------ ----------   -------
     12     12        12            12
    123     123       123          123
      1     1          1             1

Table:  Demonstration of simple table syntax.
"""

SIMPLE_HEADLESS = """\
-------     ------ ----------   -------
     12     12        12             12
    123     123       123           123
      1     1          1              1
-------     ------ ----------   -------
"""

ONE_COLUMN = "-----\nfoo\n-----\n"

MULTILINE = """\
-------------------------------------------------------------
 Centered   Default           Right Left
  Header    Aligned         Aligned Aligned
----------- ------- --------------- -------------------------
   First    row                12.0 Example of a row that
                                    spans multiple lines.

  Second    row                 5.0 Here's another one. Note
                                    the blank line between
                                    rows.
-------------------------------------------------------------

Table: Here's the caption. It, too, may span
multiple lines.
"""

MULTILINE_HEADLESS = """\
----------- ------- --------------- -------------------------
   First    row                12.0 Example of a row that
                                    spans multiple lines.

  Second    row                 5.0 Here's another one. Note
                                    the blank line between
                                    rows.
----------- ------- --------------- -------------------------

: Here's a multiline table without a header.
"""

GRID_BLOCKS = """\
: Sample grid table.

+---------------+---------------+--------------------+
| Fruit         | Price         | Advantages         |
+===============+===============+====================+
| Bananas       | $1.34         | - built-in wrapper |
|               |               | - bright color     |
+---------------+---------------+--------------------+
| Oranges       | $2.10         | - cures scurvy     |
|               |               | - tasty            |
+---------------+---------------+--------------------+
"""

GRID_SPANS = """\
+---------------------+----------+
| Property            | Earth    |
+=============+=======+==========+
|             | min   | -89.2 °C |
| Temperature +-------+----------+
| 1961-1990   | mean  | 14 °C    |
|             +-------+----------+
|             | max   | 56.7 °C  |
+-------------+-------+----------+
"""

GRID_TWO_HEADER_ROWS = """\
+---------------------+-----------------------+
| Location            | Temperature 1961-1990 |
|                     | in degree Celsius     |
|                     +-------+-------+-------+
|                     | min   | mean  | max   |
+=====================+=======+=======+=======+
| Antarctica          | -89.2 | N/A   | 19.8  |
+---------------------+-------+-------+-------+
| Earth               | -89.2 | 14    | 56.7  |
+---------------------+-------+-------+-------+
"""

GRID_ALIGNED = """\
+---------------+---------------+--------------------+
| Right         | Left          | Centered           |
+==============:+:==============+:==================:+
| Bananas       | $1.34         | built-in wrapper   |
+---------------+---------------+--------------------+
"""

GRID_ALIGNED_HEADLESS = """\
+--------------:+:--------------+:------------------:+
| Right         | Left          | Centered           |
+---------------+---------------+--------------------+
"""

GRID_FOOT = """\
+---------------+---------------+
| Fruit         | Price         |
+===============+===============+
| Bananas       | $1.34         |
+---------------+---------------+
| Oranges       | $2.10         |
+===============+===============+
| Sum           | $3.44         |
+===============+===============+
"""

GRID_WIDE = """\
+--------------------------------------------------+------------------------------------------+
| A                                                | B                                        |
+==================================================+==========================================+
| x                                                |     indented four: code                  |
|                                                  |                                          |
|                                                  | para *two*                               |
+--------------------------------------------------+------------------------------------------+
"""

GRID_SPLIT_COLUMN = """\
+-----+-----+
| a   | b   |
+=====+=====+
| 1   | 2   |
+-----+--+--+
| 3   |  4  |
+-----+-----+
"""

PIPE_WIDE = """\
| a | b |
|-----------------------------------------------------------------------|----------------|
| short | x |
"""

PIPE_LONG_ROW = """\
| a | b |
|:--|-:|
| This cell is long, long, long, | long text, more than the columns x y z |
"""

PIPE = "| a | b |\n|:-:|--:|\n| 1 | 2 |\n"

CASES = {name: text for name, text in globals().items() if name.isupper() and isinstance(text, str)}


# ---------------------------------------------------------------- the IR, compared with pandoc

_ALIGN = {"AlignLeft": "left", "AlignRight": "right", "AlignCenter": "center", "AlignDefault": ""}
_KIND = {"Plain": "Para", "Para": "Para"}


def _squash(text: str) -> str:
    return " ".join(text.split())


def _ours(table: ir.Table) -> dict[str, Any]:
    def cell(c: ir.Cell) -> tuple[str, int, int, list[str]]:
        text = " / ".join(_squash(ir.plain_text(b.inlines)) if isinstance(b, ir.Para) else
                          "".join(_squash(ir.plain_text(p.inlines)) for p in ir.query(b, ir.Para))
                          if not isinstance(b, ir.CodeBlock) else "" for b in c.blocks)
        return text, c.rowspan, c.colspan, [type(b).__name__ for b in c.blocks]

    return {"caption": _squash(ir.plain_text(table.caption)), "aligns": list(table.aligns),
            "widths": [round(w, 6) for w in table.widths],
            "head": [[cell(c) for c in r] for r in table.head],
            "body": [[cell(c) for c in r] for r in table.body],
            "foot": [[cell(c) for c in r] for r in table.foot]}


def _pandoc_path() -> str | None:
    try:
        import pypandoc
    except ImportError:
        return None
    path = Path(pypandoc.__file__).parent / "files" / "pandoc"  # the bundled 3.9, not /usr/bin's
    return str(path) if path.is_file() else None


def _stringify(x: Any) -> str:
    if isinstance(x, list):
        return "".join(_stringify(i) for i in x)
    if not isinstance(x, dict):
        return ""
    t = x.get("t")
    if t == "Str":
        return x["c"]
    if t in ("Space", "SoftBreak", "LineBreak"):
        return " "
    if t == "Code":
        return x["c"][1]
    if t == "CodeBlock":
        return ""
    return _stringify(x.get("c"))


def _theirs(markdown: str) -> dict[str, Any]:
    pandoc = _pandoc_path()
    if pandoc is None:
        pytest.skip("pypandoc-binary (pandoc 3.9) is not installed")
    out = subprocess.run([pandoc, "-f", "markdown", "-t", "json"], input=markdown, capture_output=True,
                         text=True, check=True).stdout
    (table,) = [b for b in json.loads(out)["blocks"] if b["t"] == "Table"]
    _attr, caption, colspecs, head, bodies, foot = table["c"]

    def cell(c: list) -> tuple[str, int, int, list[str]]:
        _a, _align, rowspan, colspan, blocks = c
        kinds = [_KIND.get(b["t"], b["t"]) for b in blocks]
        return " / ".join(_squash(_stringify(b)) for b in blocks), rowspan, colspan, kinds

    widths = [round(w["c"], 6) for _, w in colspecs if w["t"] == "ColWidth"]
    return {"caption": _squash(_stringify(caption[1])), "aligns": [_ALIGN[a["t"]] for a, _ in colspecs],
            "widths": widths,
            "head": [[cell(c) for c in r[1]] for r in head[1]],
            "body": [[cell(c) for c in r[1]] for body in bodies for r in body[3]],
            "foot": [[cell(c) for c in r[1]] for r in foot[1]]}


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_kind_parses_as_pandoc_does(name: str) -> None:
    reporter = Reporter(echo=False)
    tables = [b for b in parse(CASES[name], reporter) if isinstance(b, ir.Table)]
    assert len(tables) == 1 and reporter.warnings == []
    assert _ours(tables[0]) == _theirs(CASES[name])


def test_what_the_reference_checks_cover() -> None:
    """The cases above hold what the issue names, so comparing them with pandoc means something."""
    t = {name: next(b for b in parse(text) if isinstance(b, ir.Table)) for name, text in CASES.items()}
    assert t["SIMPLE"].aligns == ("right", "left", "center", "") and t["SIMPLE"].widths == ()
    assert t["SIMPLE_HEADLESS"].head == () and t["MULTILINE_HEADLESS"].head == ()
    assert [round(w, 4) for w in t["MULTILINE"].widths] == [0.1667, 0.1111, 0.2222, 0.3611]
    spans = [(c.rowspan, c.colspan) for c in t["GRID_SPANS"].body[0]]
    assert spans == [(3, 1), (1, 1), (1, 1)] and t["GRID_SPANS"].head[0][0].colspan == 2
    assert len(t["GRID_TWO_HEADER_ROWS"].head) == 2 and t["GRID_TWO_HEADER_ROWS"].head[0][1].colspan == 3
    assert isinstance(t["GRID_BLOCKS"].body[0][2].blocks[0], ir.BulletList)
    assert [type(b) for b in t["GRID_WIDE"].body[0][1].blocks] == [ir.CodeBlock, ir.Para]
    assert t["GRID_FOOT"].foot and ir.plain_text(t["GRID_FOOT"].foot[0][0].blocks[0].inlines) == "Sum"
    assert t["GRID_ALIGNED_HEADLESS"].aligns == ("right", "left", "center")
    assert [round(w, 4) for w in t["PIPE_WIDE"].widths] == [0.8161, 0.1839] and t["PIPE"].widths == ()
    assert ir.plain_text(t["MULTILINE"].body[0][3].blocks[0].inlines).split() == \
        "Example of a row that spans multiple lines.".split()


def test_a_setext_heading_and_a_rule_are_not_tables() -> None:
    heading, para = parse("Header\n------\nrow\n")
    assert isinstance(heading, ir.Heading) and isinstance(para, ir.Para)
    rule, para = parse("-----\n\nfoo\n")
    assert isinstance(rule, ir.HorizontalRule) and isinstance(para, ir.Para)


def test_tables_inside_a_list_item_and_a_quote() -> None:
    (lst,) = parse("- item\n\n    A    B\n    ---- ----\n    1    2\n")
    table = lst.items[0][1]
    assert isinstance(table, ir.Table) and ir.plain_text(table.head[0][1].blocks[0].inlines) == "B"
    (quote,) = parse("> +---+---+\n> | a | b |\n> +---+---+\n")
    assert isinstance(quote.blocks[0], ir.Table) and len(quote.blocks[0].body[0]) == 2


def test_captions_before_and_after_with_an_id_and_cross_references() -> None:
    from pipeline.transforms.crossrefs import number_crossrefs

    blocks = parse(": First {#tbl-first}\n\n" + GRID_SPANS + "\n" + SIMPLE_HEADLESS
                   + "\ntable: Second {#tbl-second .wide}\n\nSee @tbl-first and @tbl-second.\n")
    first, second, para = blocks
    assert first.attr.id == "tbl-first" and ir.plain_text(first.caption) == "First"
    assert second.attr == ir.Attr("tbl-second", ("wide",)) and ir.plain_text(second.caption) == "Second"
    book = ir.Book(ir.Meta("T", "en", "u"), (ir.Chapter("c", "c.md", blocks),))
    out = number_crossrefs(book, Reporter(echo=False)).chapters[0].blocks
    assert ir.plain_text(out[0].caption) == "Table 1: First" and ir.plain_text(out[1].caption) == "Table 2: Second"
    assert ir.plain_text(out[2].inlines) == "See Table 1 and Table 2." and out[1].widths == ()


def test_malformed_grid_table_is_kept_as_text_with_a_warning() -> None:
    reporter = Reporter(echo=False)
    source = "Intro.\n\n+-----+-----+\n| a   | b   |\n+=====+=====+\n| 1   | 2  |\n+-----+-----+\n\nAfter.\n"
    intro, code, after = parse(source, reporter)
    assert isinstance(code, ir.CodeBlock) and "| 1   | 2  |" in code.text and "| a   | b   |" in code.text
    assert ir.plain_text(after.inlines) == "After."
    (w,) = reporter.warnings
    assert (w.code, w.line) == ("P110", 6) and "line 4" in w.message
    broken = "+-----+-----+\n| a   | b   |\n+-----+-----\n| 3   | 4   |\n+-----+-----+\n"
    reporter = Reporter(echo=False)
    (code,) = parse("> " + broken.replace("\n", "\n> ").rstrip("> "), reporter)
    assert isinstance(code, ir.BlockQuote) and isinstance(code.blocks[0], ir.CodeBlock)
    assert [w.code for w in reporter.warnings] == ["P110"]
    with pytest.raises(GridError):
        parse_grid(["+---+", "| a |", "+---"])


def test_grid_cell_warnings_name_the_source_line() -> None:
    reporter = Reporter(echo=False)
    source = ("Text.\n\n+-----+----------------------+\n| a   | b                    |\n"
              "+=====+======================+\n| 1   | fine                 |\n|     |                      |\n"
              "|     | <marquee>x</marquee> |\n+-----+----------------------+\n")
    parse(source, reporter)
    assert [(w.code, w.line) for w in reporter.warnings] == [("P102", 8)]


def test_simple_and_multiline_cell_warnings_name_the_source_line() -> None:
    reporter = Reporter(echo=False)
    parse("Text.\n\nA       B\n------  ---------------------\n1       2\n3       <marquee>x</marquee>\n\n"
          "------------------\nHead    Other\n------  ----------\nrow     one\n        <blink>\n"
          "------------------\n", reporter)
    assert [(w.code, w.line) for w in reporter.warnings] == [("P102", 6), ("P102", 11)]


def test_wide_characters_line_up_in_a_grid_table() -> None:
    (t,) = parse("+------+-----+\n| 日本 | b   |\n+------+-----+\n")
    assert [ir.plain_text(c.blocks[0].inlines) for c in t.body[0]] == ["日本", "b"]


def test_a_footnote_in_a_grid_cell() -> None:
    (t,) = parse("+-----------+\n| a[^1]     |\n+-----------+\n\n[^1]: The note.\n")
    (note,) = ir.query(t, ir.Note)
    assert ir.plain_text(note.blocks[0].inlines) == "The note."


# ---------------------------------------------------------------- both editions

LONG_ROWS = "\n".join(f"Station {n:02d}   {n * 3:>5}   reading {n}" for n in range(1, 91))
BOOK = f"""---
title: Tables
lang: en
---
# Tables

{SIMPLE}
{MULTILINE}
{GRID_SPANS}
: Spans {{#tbl-spans}}

{GRID_BLOCKS}
{PIPE_WIDE}
{SIMPLE_HEADLESS}
As @tbl-spans shows.

Name         Value   Note
----------  ------   -----------
{LONG_ROWS}

"""


@pytest.fixture(scope="module")
def editions(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, list[str]]:
    root = tmp_path_factory.mktemp("tables")
    src = root / "tables.md"
    src.write_text(BOOK, encoding="utf-8")
    reporter = Reporter(echo=False)
    result = run_build(src, ["epub", "pdf"], root / "out", reporter, use_cache=False)
    assert without_preflight(reporter.warnings) == []
    epub = next(p for p in result.outputs if p.suffix == ".epub")
    assert epubcheck_messages(epub) == []
    with zipfile.ZipFile(epub) as archive:
        xhtml = next(archive.read(n).decode() for n in archive.namelist() if n.endswith("tables.xhtml"))
    with pdfplumber.open(next(p for p in result.outputs if p.suffix == ".pdf")) as doc:
        pages = [page.extract_text() or "" for page in doc.pages]
    return xhtml, pages


def test_both_editions_have_every_table(editions: tuple[str, list[str]]) -> None:
    xhtml, pages = editions
    assert xhtml.count("<table") == 7
    xhtml = re.sub(r' id="tables-\d+"', "", xhtml)  # the ids every block gets
    assert '<th colspan="2">Property</th>' in xhtml and '<td rowspan="3">' in xhtml
    assert '<col style="width: 42.42%"/>' in xhtml and '<table id="tbl-spans" style="width: 45.83%">' in xhtml
    assert "<caption>Table 1: Spans</caption>" in xhtml and '<a href="#tbl-spans">Table 1</a>' in xhtml
    assert '<td class="align-right">123</td>' in xhtml and "<li>cures scurvy</li>" in xhtml
    assert "<th></th>" not in xhtml and "<th/>" not in xhtml
    headless = re.search(r"<table>\n<tbody>\n<tr><td class=\"align-right\">12</td>", xhtml)
    assert headless, "the headerless simple table has no <thead>"
    text = _squash(" ".join(pages))
    # "-89.2 °C" may wrap in its column on the 4 in line, its lines read between the next column's
    for cell in ("Demonstration of simple table syntax.", "Temperature", "1961-1990", "-89.2", "cures scurvy",
                 "Example of a row that spans multiple lines.", "Table 1: Spans", "As Table 1 shows.",
                 "Station 90"):
        assert cell in text, cell


def test_a_long_table_repeats_its_header_on_every_page(editions: tuple[str, list[str]]) -> None:
    _, pages = editions
    with_rows = [p for p in pages if re.search(r"Station \d\d", p)]
    assert len(with_rows) >= 2
    for page in with_rows:
        assert re.search(r"Name\s+Value\s+Note", page), page[:200]

