"""Transforms: ids, footnote numbering, links, table of contents."""

from __future__ import annotations

from pipeline import ir
from pipeline.diagnostics import Reporter
from pipeline.transforms import run_transforms, table_of_contents


def _book(*chapters: tuple[str, tuple[ir.Block, ...]]) -> ir.Book:
    return ir.Book(ir.Meta("T", "en", "urn:x"), tuple(ir.Chapter(cid, cid + ".md", (), blocks)
                                                      for cid, blocks in chapters))


def _note(text: str) -> ir.Note:
    return ir.Note(0, (ir.Para((ir.Text(text),)),))


def test_every_block_gets_a_unique_id_and_duplicates_warn() -> None:
    reporter = Reporter()
    book = run_transforms(_book(
        ("a", (ir.Heading(1, (ir.Text("Same Title"),)), ir.Para((ir.Text("x"),)),
               ir.Heading(2, (ir.Text("X"),), ir.Attr("dup")))),
        ("b", (ir.Heading(1, (ir.Text("Same Title"),)), ir.Para((ir.Text("y"),), ir.Attr("dup")))),
    ), reporter)
    ids = [n.attr.id for ch in book.chapters for n in ir.query(ch, ir.BLOCK_TYPES)]
    assert ids == ["same-title", "a-1", "dup", "same-title-1", "dup-1"]
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
    assert links == [("#target", "go"), ("#b", "file")]
    assert "lost" in ir.plain_text(book.chapters[0].blocks[0].inlines)
    assert [w.code for w in reporter.warnings] == ["L101"]


def test_table_of_contents() -> None:
    book = run_transforms(_book(("a", (ir.Heading(1, (ir.Text("One"),)), ir.Heading(2, (ir.Text("Sub"),)),
                                       ir.Heading(4, (ir.Text("Deep"),))))), Reporter())
    toc = table_of_contents(book, depth=3)
    assert [(e.level, ir.plain_text(e.title), e.chapter, e.target) for e in toc] == [
        (1, "One", "a", "one"), (2, "Sub", "a", "sub")]
