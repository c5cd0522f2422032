"""Pandoc's list kinds (fancy, example and task lists), smart punctuation and ``lang``: in the IR and
in both editions. The expected values are what pandoc 3.9 reads from the same Markdown."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pdfplumber
import pytest
from conftest import epubcheck_messages

from pipeline import ir
from pipeline.build import run_build
from pipeline.diagnostics import Reporter
from pipeline.load import Source, load
from pipeline.parse import ParseContext, parse_book, parse_source
from pipeline.render.html import Writer


def parse(text: str, reporter: Reporter | None = None) -> tuple[ir.Block, ...]:
    return parse_source(Source("ch.md", text), ParseContext(Path.cwd(), reporter or Reporter(echo=False)))


def lists(text: str) -> list[tuple[str, int, str, str, int]]:
    """(kind, start, style, delim, number of items) of each top-level list, else the block's type."""
    out: list = []
    for b in parse(text):
        if isinstance(b, ir.OrderedList):
            out.append(("ol", b.start, b.style, b.delim, len(b.items)))
        else:
            out.append(type(b).__name__)
    return out


# ---------------------------------------------------------------- markers, as pandoc 3.9 reads them


@pytest.mark.parametrize("source, expected", [
    ("1. a\n2. b\n", ("ol", 1, "decimal", "period", 2)),
    ("1) a\n2) b\n", ("ol", 1, "decimal", "one-paren", 2)),
    ("(1) a\n(2) b\n", ("ol", 1, "decimal", "two-parens", 2)),
    ("a. a\nb. b\n", ("ol", 1, "lower-alpha", "period", 2)),
    ("c. a\nd. b\n", ("ol", 3, "lower-alpha", "period", 2)),
    ("A) a\nB) b\n", ("ol", 1, "upper-alpha", "one-paren", 2)),
    ("(iv) a\n(v) b\n", ("ol", 4, "lower-roman", "two-parens", 2)),
    ("IV. a\n", ("ol", 4, "upper-roman", "period", 1)),
    ("i. a\nii. b\n", ("ol", 1, "lower-roman", "period", 2)),
    ("#. a\n#. b\n", ("ol", 1, "decimal", "period", 2)),
    ("h. a\ni. b\nj. c\n", ("ol", 8, "lower-alpha", "period", 3)),  # 'i' is a letter in a lettered list
    ("x. a\n", ("ol", 24, "lower-alpha", "period", 1)),             # one letter other than i: a letter
    ("B.  Russell\n", ("ol", 2, "upper-alpha", "period", 1)),       # two spaces: a list after all
    ("B.\tRussell\n", ("ol", 2, "upper-alpha", "period", 1)),
    ("7. a\n", ("ol", 7, "decimal", "period", 1)),
])
def test_every_marker_kind_keeps_its_start_and_style(source: str, expected: tuple) -> None:
    assert lists(source) == [expected]


@pytest.mark.parametrize("source", ["B. Russell wrote it.\n", "I. one\n", "X. ten\n", "(ab) x\n",
                                    "e.g. this\n", "Iv. mixed case\n", "(1. x\n"])
def test_initials_and_near_misses_stay_paragraphs(source: str) -> None:
    assert lists(source) == ["Para"]


def test_a_new_list_starts_when_the_style_or_the_delimiter_changes() -> None:
    assert lists("1. a\ni. b\n") == [("ol", 1, "decimal", "period", 1), ("ol", 1, "lower-roman", "period", 1)]
    assert lists("a. x\nb) y\n") == [("ol", 1, "lower-alpha", "period", 1), ("ol", 2, "lower-alpha", "one-paren", 1)]
    assert lists("#. a\n#. b\n3. c\n") == [("ol", 1, "decimal", "period", 3)]   # '#' is any number
    assert lists("(1) a\n1) b\n") == [("ol", 1, "decimal", "two-parens", 1), ("ol", 1, "decimal", "one-paren", 1)]


def test_a_fancy_marker_does_not_interrupt_a_paragraph() -> None:
    (para,) = parse("He met\na. lincoln there.\n")
    assert isinstance(para, ir.Para) and "a. lincoln" in ir.plain_text(para.inlines)
    # inside a list item it does start the next item, as in pandoc
    assert lists("a. one\nb. two\n") == [("ol", 1, "lower-alpha", "period", 2)]


def test_nested_fancy_list_and_loose_items() -> None:
    (outer,) = parse("1. Parts:\n\n   (a) first\n   (b) second\n\n2. Whole\n")
    assert isinstance(outer, ir.OrderedList) and len(outer.items) == 2
    inner = outer.items[0][1]
    assert isinstance(inner, ir.OrderedList) and (inner.style, inner.delim) == ("lower-alpha", "two-parens")


def test_ol_written_as_pandoc_writes_it() -> None:
    w = Writer()
    html = w.blocks(parse("c. x\n\n(iv) y\n\nA) z\n\n3. w\n"))
    assert '<ol type="a" start="3">' in html
    assert '<ol class="two-parens" type="i" start="4">' in html
    assert '<ol class="one-paren" type="A">' in html
    assert '<ol start="3">' in html


def test_ir_json_round_trip_keeps_style_and_delim() -> None:
    (b,) = parse("(iv) y\n")
    assert ir.IR_VERSION >= (2, 1)
    assert ir.from_json(ir.to_json(b)) == b and '"delim": "two-parens"' in ir.to_json(b)


# ---------------------------------------------------------------- example lists


def _book(tmp_path: Path, chapters: dict[str, str]) -> Path:
    root = tmp_path / "book"
    (root / "chapters").mkdir(parents=True)
    (root / "book.yaml").write_text("title: Lists\nlang: en\n", encoding="utf-8")
    for name, text in chapters.items():
        (root / "chapters" / name).write_text(text, encoding="utf-8")
    return root


def test_examples_are_numbered_through_the_book_and_references_resolved(tmp_path: Path) -> None:
    root = _book(tmp_path, {
        "01-a.md": "# A\n\nSee (@later) first.\n\n(@) one\n(@good) two\n\nBetween.\n\n(@) three\n",
        "02-b.md": "# B\n\n(@later) four, after (@good); `(@good)` in code stays.\n",
    })
    reporter = Reporter(echo=False)
    book = parse_book(load(root), reporter)
    one, two = book.chapters
    a_lists = [b for b in one.blocks if isinstance(b, ir.OrderedList)]
    assert [(b.start, len(b.items), b.attr.classes, b.delim) for b in a_lists] == [
        (1, 2, ("example",), "two-parens"), (3, 1, ("example",), "two-parens")]
    assert ir.plain_text(one.blocks[1].inlines) == "See (4) first."          # a forward reference
    (b_list,) = [b for b in two.blocks if isinstance(b, ir.OrderedList)]
    assert b_list.start == 4                                                  # numbering continues in chapter 2
    item = b_list.items[0][0]
    assert ir.plain_text(item.inlines) == "four, after (2); (@good) in code stays."
    assert any(isinstance(n, ir.Code) and n.text == "(@good)" for n in item.inlines)
    assert reporter.warnings == []


def test_duplicate_and_unknown_example_labels_warn(tmp_path: Path) -> None:
    root = _book(tmp_path, {"01-a.md": "# A\n\n(@x) one\n(@x) two\n\nSee (@nope), @fig-a and me@x.org.\n"})
    reporter = Reporter(echo=False)
    book = parse_book(load(root), reporter)
    codes = [(d.code, d.line) for d in reporter.warnings]
    assert codes == [("P130", 4), ("P131", 6)]
    assert "chapters/01-a.md" in reporter.warnings[1].file
    assert ir.plain_text(book.chapters[0].blocks[2].inlines) == "See (@nope), @fig-a and me@x.org."


# ---------------------------------------------------------------- task lists


def test_task_lists_become_ballot_boxes_as_in_pandoc() -> None:
    (tasks, mixed, ordered) = parse("- [ ] todo\n- [x] done\n- [X] also\n\n***\n\n- [ ] a\n- b\n- [ ]\n\n"
                                    "***\n\n1. [ ] first\n")[::2]
    assert tasks.attr.classes == ("task-list",)
    assert [ir.plain_text(i[0].inlines) for i in tasks.items] == ["☐ todo", "☒ done", "☒ also"]
    assert mixed.attr.classes == ()                          # pandoc marks a list only when all items are tasks
    assert [ir.plain_text(i[0].inlines) for i in mixed.items if i] == ["☐ a", "b", "[ ]"]
    assert isinstance(ordered, ir.OrderedList) and ir.plain_text(ordered.items[0][0].inlines) == "☐ first"


def test_a_task_box_in_code_or_mid_text_stays_literal() -> None:
    (lst,) = parse("-     [ ] indented code\n")
    assert isinstance(lst.items[0][0], ir.CodeBlock) and lst.items[0][0].text.startswith("[ ]")
    (para,) = parse("Tick [x] here.\n")
    assert ir.plain_text(para.inlines) == "Tick [x] here."


# ---------------------------------------------------------------- smart punctuation


@pytest.mark.parametrize("source, pandoc", [
    ("\"Quotes\" and 'single'", "“Quotes” and ‘single’"),
    ("rock 'n' roll", "rock ‘n’ roll"),
    ("the '90s were", "the ’90s were"),
    ("'Twas and 'em", "’Twas and ’em"),
    ("it's Bob's dogs' bones", "it’s Bob’s dogs’ bones"),
    ("He said \"'Tis the season\"", "He said “’Tis the season”"),
    ("5'10\" tall, a 12\" record", "5’10” tall, a 12” record"),
    ("\"unclosed here", "“unclosed here"),
    ("\"Don't,\" he said", "“Don’t,” he said"),
    ("1914--1918 --- wait...", "1914–1918 — wait…"),
    ("Marks (c) (r) (tm) +- (C) (TM), items (a) (b) (c)", "Marks (c) (r) (tm) +- (C) (TM), items (a) (b) (c)"),
    ("?????? !!!!!! ,,", "?????? !!!!!! ,,"),
])
def test_smart_punctuation_is_pandocs(source: str, pandoc: str) -> None:
    (para,) = parse(source + "\n")
    assert ir.plain_text(para.inlines) == pandoc


def test_no_smart_punctuation_in_code() -> None:
    para, block = parse("`a--b \"c\" 'd' ...` x\n\n```\n\"q\" -- 'x' ...\n```\n")
    assert para.inlines[0] == ir.Code("a--b \"c\" 'd' ...")
    assert block.text == "\"q\" -- 'x' ...\n"


# ---------------------------------------------------------------- language


def test_lang_on_spans_and_divs_is_written_as_lang_and_xml_lang() -> None:
    para, div = parse("[Bonjour]{lang=fr} et\n\n::: {lang=de}\nSilbentrennung\n:::\n")
    assert para.inlines[0].attr.get("lang") == "fr" and div.attr.get("lang") == "de"
    html = Writer().blocks((para, div))
    assert '<span lang="fr" xml:lang="fr">Bonjour</span>' in html
    assert '<div lang="de" xml:lang="de">' in html


# ---------------------------------------------------------------- both editions


BOOK = {
    "01-kinds.md": (
        "# Kinds\n\nc. cee\nd. dee\n\n(iv) four\n(v) five\n\nA) upper one\nB) upper two\n\n"
        "B. Russell wrote this.\n\n(@) First example.\n(@good) Second example.\n\nBetween.\n\n"
        "(@) Third example, after (@good).\n\n- [ ] to do\n- [x] done\n\n"
        "[Bonjour]{lang=fr} and\n\n::: {lang=de}\nEin \"Zitat\" hier.\n:::\n"),
    "02-more.md": "# More\n\n(@) Fourth example.\n",
}


@pytest.fixture(scope="module")
def editions(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str, list, list]:
    """The book built once: the chapters' XHTML, the PDF's text, its ☐/☒ characters and the warnings."""
    tmp = tmp_path_factory.mktemp("lists")
    root = _book(tmp, BOOK)
    reporter = Reporter(echo=False)
    result = run_build(root, ["epub", "pdf"], tmp / "out", reporter, use_cache=False)
    epub = next(p for p in result.outputs if p.suffix == ".epub")
    assert epubcheck_messages(epub) == []
    archive = zipfile.ZipFile(epub)
    xhtml = "".join(archive.read(n).decode() for n in sorted(archive.namelist()) if n.endswith(".xhtml"))
    with pdfplumber.open(next(p for p in result.outputs if p.suffix == ".pdf")) as doc:
        text = "\n".join(page.extract_text() or "" for page in doc.pages)
        boxes = [(c["text"], c["fontname"]) for page in doc.pages for c in page.chars if c["text"] in "☐☒"]
    return xhtml, text, boxes, [d.code for d in reporter.warnings]


def test_epub_lists_as_pandoc_writes_them(editions: tuple) -> None:
    xhtml, _, _, warnings = editions
    assert re.search(r'<ol id="[^"]+" type="a" start="3">', xhtml)
    assert re.search(r'<ol id="[^"]+" class="two-parens" type="i" start="4">', xhtml)
    assert re.search(r'<ol id="[^"]+" class="one-paren" type="A">', xhtml)
    assert re.search(r'<ol id="[^"]+" class="example two-parens" start="4">', xhtml)  # chapter 2
    assert "Third example, after (2)." in xhtml and "B. Russell wrote this." in xhtml
    assert re.search(r'<ul id="[^"]+" class="task-list">', xhtml) and "☐ to do" in xhtml and "☒ done" in xhtml
    assert '<span lang="fr" xml:lang="fr">Bonjour</span>' in xhtml and 'lang="de" xml:lang="de"' in xhtml
    assert "R101" not in warnings


def test_pdf_shows_the_markers_as_written(editions: tuple) -> None:
    _, text, _, _ = editions
    lines = text.splitlines()
    for line in ("c. cee", "d. dee", "(iv) four", "(v) five", "A) upper one", "B) upper two",
                 "(1) First example.", "(2) Second example.", "(3) Third example, after (2).",
                 "(4) Fourth example.", "B. Russell wrote this."):
        assert line in lines, line
    assert "Ein „Zitat“ hier." in text  # quotes follow the span's language (transforms/quotes.py)


def test_pdf_ballot_boxes_come_from_the_shipped_font(editions: tuple) -> None:
    _, _, boxes, _ = editions
    assert [c for c, _ in boxes] == ["☐", "☒"]
    assert all(font.endswith("+Book-Ballot") for _, font in boxes), boxes
