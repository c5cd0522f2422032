"""The IR: closed node set, JSON round-trip, walk and query, and one writer rule per node type."""

from __future__ import annotations

import dataclasses

from pipeline import ir
from pipeline.render.html import BLOCK_WRITERS, INLINE_WRITERS, Writer


def test_every_node_type_has_a_writer_rule() -> None:
    assert set(BLOCK_WRITERS) == set(ir.BLOCK_TYPES)
    assert set(INLINE_WRITERS) == set(ir.INLINE_TYPES)


def test_nodes_are_frozen_and_slotted() -> None:
    for cls in (*ir.BLOCK_TYPES, *ir.INLINE_TYPES):
        assert dataclasses.is_dataclass(cls) and cls.__dataclass_params__.frozen
        assert hasattr(cls, "__slots__") and cls.__doc__


def test_json_round_trip_of_every_node_type() -> None:
    note = ir.Note(1, (ir.Para((ir.Text("n"),)),))
    inlines = (ir.Text("t"), ir.Emph((ir.Text("e"),)), ir.Strong(()), ir.Strikeout(()), ir.Superscript(()),
               ir.Subscript(()), ir.Code("c"), ir.Link((ir.Text("l"),), "#x", "title"),
               ir.Image("a.png", "alt"), note, ir.Span((), ir.Attr("i", ("c",), (("k", "v"),))), ir.LineBreak())
    blocks = (ir.Para(inlines, line=3), ir.Heading(1, (ir.Text("h"),)), ir.BlockQuote(()),
              ir.BulletList(((ir.Para(()),),)), ir.OrderedList(3, ()),
              ir.DefinitionList((ir.DefItem((ir.Text("t"),), ((ir.Para(()),),)),)),
              ir.CodeBlock("x", "py"), ir.LineBlock(((ir.Text("l"),),)),
              ir.Table((), ("left", ""), ((ir.Cell(()), ir.Cell(())),),
                       ((ir.Cell((ir.Para((ir.Text("1"),)),), colspan=2),),), (0.25, 0.5),
                       ((ir.Cell((ir.BulletList(((ir.Para(()),),)),), rowspan=1), ir.Cell(())),)),
              ir.Figure(ir.Image("a.png", "alt"), (ir.Text("cap"),)), ir.HorizontalRule(), ir.Div(()),
              ir.RawBlock("<p>x</p>"))
    meta = ir.Meta("T", "en", "urn:x", creators=(ir.Contributor("A"),))
    book = ir.Book(meta, (ir.Chapter("c", "c.md", blocks),), "/tmp")
    assert ir.from_json(ir.to_json(book)) == book


def test_query_and_walk() -> None:
    doc = ir.Para((ir.Emph((ir.Text("a"),)), ir.Text("b")))
    assert [t.text for t in ir.query(doc, ir.Text)] == ["a", "b"]
    upper = ir.walk(doc, lambda n: ir.Text(n.text.upper()) if isinstance(n, ir.Text) else n)
    assert upper == ir.Para((ir.Emph((ir.Text("A"),)), ir.Text("B")))


def test_writer_escapes_and_is_well_formed() -> None:
    from xml.etree import ElementTree as ET

    html = Writer().blocks((ir.Para((ir.Text("a < b & \x01c"), ir.Link((ir.Text("l"),), 'x"y'))),))
    ET.fromstring(html)
    assert "&lt;" in html and "&amp;" in html and "&quot;" in html
