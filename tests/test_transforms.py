"""Transforms: ids, footnote numbering, links, table of contents."""

from __future__ import annotations

from pipeline import ir
from pipeline.diagnostics import Reporter
from pipeline.transforms import run_transforms, table_of_contents


def _book(*chapters: tuple[str, tuple[ir.Block, ...]]) -> ir.Book:
    return ir.Book(ir.Meta("T", "en", "urn:x"), tuple(ir.Chapter(cid, cid + ".md", blocks)
                                                      for cid, blocks in chapters))


def _note(text: str) -> ir.Note:
    return ir.Note(0, (ir.Para((ir.Text(text),)),))


def test_ids_are_unique_per_chapter_and_duplicates_in_a_chapter_warn() -> None:
    reporter = Reporter()
    book = run_transforms(_book(
        ("a", (ir.Heading(1, (ir.Text("Same Title"),)), ir.Para((ir.Text("x"),)),
               ir.Heading(2, (ir.Text("X"),), ir.Attr("dup")))),
        ("b", (ir.Heading(1, (ir.Text("Same Title"),)), ir.Para((ir.Text("y"),), ir.Attr("dup")))),
    ), reporter)
    ids = [n.attr.id for ch in book.chapters for n in ir.query(ch, ir.BLOCK_TYPES)]
    # a second "Same Title" or "dup" in another chapter keeps its id: ids are chapter-local
    assert ids == ["same-title", "a-1", "dup", "same-title", "dup"]
    assert reporter.warnings == []
    reporter = Reporter()
    book = run_transforms(_book(("a", (ir.Heading(1, (ir.Text("Same"),)), ir.Heading(2, (ir.Text("Same"),)),
                                       ir.Para((ir.Text("x"),), ir.Attr("dup")),
                                       ir.Para((ir.Text("y"),), ir.Attr("dup"))))), reporter)
    assert [n.attr.id for n in ir.query(book.chapters[0], ir.BLOCK_TYPES)] == ["same", "same-1", "dup", "dup-1"]
    assert [w.code for w in reporter.warnings] == ["L103"]


def test_ids_are_stable_when_another_chapter_changes() -> None:
    b1 = run_transforms(_book(("a", (ir.Para((ir.Text("1"),)),)), ("b", (ir.Para((ir.Text("x"),)),))), Reporter())
    b2 = run_transforms(_book(("a", (ir.Para((ir.Text("1"),)), ir.Para((ir.Text("2"),)))),
                              ("b", (ir.Para((ir.Text("x"),)),))), Reporter())
    assert b1.chapters[1] == b2.chapters[1]


def test_notes_are_numbered_through_the_book() -> None:
    book = run_transforms(_book(("a", (ir.Para((_note("1"), _note("2"))),)), ("b", (ir.Para((_note("3"),)),))),
                          Reporter())
    notes = [n for ch in book.chapters for n in ir.query(ch, ir.Note)]
    assert [(n.number, n.attr.id, ir.plain_text(n.blocks[0].inlines)) for n in notes] == [
        (1, "fn-1", "1"), (2, "fn-2", "2"), (3, "fn-3", "3")]


def test_links_resolve_across_chapters_and_dangling_ones_become_text() -> None:
    reporter = Reporter()
    book = run_transforms(_book(
        ("a", (ir.Para((ir.Link((ir.Text("go"),), "#target"), ir.Link((ir.Text("lost"),), "#nowhere"),
                        ir.Link((ir.Text("file"),), "b.md"))),)),
        ("b", (ir.Para((ir.Span((), ir.Attr("target")), ir.Text("here"))),)),
    ), reporter)
    links = [(n.target, ir.plain_text(n.inlines)) for n in ir.query(book.chapters[0], ir.Link)]
    # a link into another chapter names it: ids are unique per chapter only
    assert links == [("b#target", "go"), ("b#b", "file")]
    assert "lost" in ir.plain_text(book.chapters[0].blocks[0].inlines)
    assert [w.code for w in reporter.warnings] == ["L101"]


def test_table_of_contents() -> None:
    book = run_transforms(_book(("a", (ir.Heading(1, (ir.Text("One"),)), ir.Heading(2, (ir.Text("Sub"),)),
                                       ir.Heading(4, (ir.Text("Deep"),))))), Reporter())
    toc = table_of_contents(book, depth=3)
    assert [(e.level, ir.plain_text(e.title), e.chapter, e.target) for e in toc] == [
        (1, "One", "a", "one"), (2, "Sub", "a", "sub")]


def test_a_link_prefers_its_own_chapter_then_the_first_chapter_with_the_id() -> None:
    book = run_transforms(_book(
        ("a", (ir.Heading(2, (ir.Text("Intro"),)), ir.Para((ir.Link((ir.Text("mine"),), "#intro"),)))),
        ("b", (ir.Heading(2, (ir.Text("Intro"),)), ir.Para((ir.Link((ir.Text("here"),), "#intro"),)))),
        ("c", (ir.Para((ir.Link((ir.Text("first"),), "#intro"), ir.Link((ir.Text("b's"),), "b.md#intro"))),)),
    ), Reporter())
    targets = [[n.target for n in ir.query(ch, ir.Link)] for ch in book.chapters]
    assert targets == [["#intro"], ["#intro"], ["a#intro", "b#intro"]]


def test_a_note_in_a_chapters_first_heading_is_note_1() -> None:
    """The chapter's title is derived from its heading, not stored twice, so the note is counted once."""
    book = run_transforms(_book(("a", (ir.Heading(1, (ir.Text("Title"), _note("in heading"))),
                                       ir.Para((ir.Text("x"), _note("second")))))), Reporter())
    assert [n.number for n in ir.query(book, ir.Note)] == [1, 2]
    assert [ir.plain_text(n.blocks[0].inlines) for n in ir.query(book, ir.Note)] == ["in heading", "second"]


def test_an_anchor_in_a_chapters_first_heading_is_one_id() -> None:
    reporter = Reporter()
    book = run_transforms(_book(("a", (
        ir.Heading(1, (ir.Text("The "), ir.Span((ir.Text("Lantern"),), ir.Attr("lantern")), ir.Text(" Keeper"))),
        ir.Para((ir.Link((ir.Text("see"),), "#lantern"),))))), reporter)
    assert reporter.warnings == []
    assert [n.attr.id for n in ir.query(book, ir.Span)] == ["lantern"]
    assert [n.target for n in ir.query(book, ir.Link)] == ["#lantern"]
