"""The EPUB's navigation documents: ``nav.xhtml`` (contents and landmarks) and ``toc.ncx``.

Takes: the book index's contents (:class:`~pipeline.transforms.toc.TocEntry`,
a chapter without a heading listed under the title made from its file
name), the chapter file names, and the book's language, title and identifier.
Gives: both documents as bytes, replacing what ebooklib would write:

- ``nav.xhtml`` carries ``lang`` and ``xml:lang``, the EPUB's stylesheets, the
  contents as ``<nav epub:type="toc" role="doc-toc">`` and the landmarks
  ``hidden`` (a reading system uses them; a screen reader must not read them
  as text). ``extra`` is inserted after them (the page-list's place);
- ``toc.ncx`` (EPUB 2 readers) with the contents' real ``dtb:depth`` and a
  ``playOrder`` on every ``navPoint``, in reading order.

    >>> tree = [NavPoint("One", "text/a.xhtml", (NavPoint("1.1", "text/a.xhtml#s"),))]
    >>> depth(tree)
    2
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import ir
from ..index import BookIndex
from .html import attr_value, text


@dataclass(frozen=True, slots=True)
class NavPoint:
    """One entry of the contents: its label, the href from the package folder, its sub-entries."""

    label: str
    href: str
    children: tuple[NavPoint, ...] = ()


def contents_tree(index: BookIndex, files: dict[str, str]) -> list[NavPoint]:
    """The nested contents, from the index's entries (down to the book's ``toc-depth``)."""
    root: list[tuple[str, str, list]] = []
    stack: list[tuple[int, list]] = [(0, root)]
    for e in index.toc:
        href = files[e.chapter] + ("" if e.target == "" else f"#{e.target}")
        label = ir.plain_text(e.title).strip() or index.chapter(e.chapter).title
        label = f"{e.number} {label}" if e.number else label  # pandoc: "1.2 Sound" in the nav and the NCX
        while stack[-1][0] >= e.level:
            stack.pop()
        children: list = []
        stack[-1][1].append((label, href, children))
        stack.append((e.level, children))

    def freeze(entries: list) -> tuple[NavPoint, ...]:
        return tuple(NavPoint(label, href, freeze(kids)) for label, href, kids in entries)
    return list(freeze(root))


def depth(tree: list[NavPoint] | tuple[NavPoint, ...]) -> int:
    """How deep the contents nest (1: a flat list; 0: empty)."""
    return max((1 + depth(p.children) for p in tree), default=0)


def _ol(points: tuple[NavPoint, ...] | list[NavPoint], indent: str) -> str:
    out = [f"{indent}<ol>\n"]
    for p in points:
        link = f'<a href="{attr_value(p.href)}">{text(p.label)}</a>'
        if p.children:
            out.append(f"{indent}  <li>{link}\n{_ol(p.children, indent + '    ')}{indent}  </li>\n")
        else:
            out.append(f"{indent}  <li>{link}</li>\n")
    out.append(f"{indent}</ol>\n")
    return "".join(out)


def nav_xhtml(tree: list[NavPoint], landmarks: list[tuple[str, str, str]], lang: str, toc_title: str,
              stylesheets: tuple[str, ...], extra: str = "") -> bytes:
    """The EPUB 3 navigation document. ``landmarks``: (epub:type, href, label) triples."""
    links = "".join(f'<link rel="stylesheet" type="text/css" href="styles/{s}"/>\n' for s in stylesheets)
    marks = "".join(f'    <li><a epub:type="{t}" href="{attr_value(h)}">{text(label)}</a></li>\n'
                    for t, h, label in landmarks)
    lang = attr_value(lang)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html>\n'
        f'<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" '
        f'lang="{lang}" xml:lang="{lang}">\n<head>\n<title>{text(toc_title)}</title>\n{links}</head>\n'
        '<body class="nav-page">\n'
        f'<nav epub:type="toc" id="toc" role="doc-toc">\n<h2 class="toc-title">{text(toc_title)}</h2>\n'
        f"{_ol(tree, '')}</nav>\n"
        '<nav epub:type="landmarks" id="landmarks" hidden="hidden">\n<h2>Landmarks</h2>\n'
        f"<ol>\n{marks}</ol>\n</nav>\n{extra}</body>\n</html>\n"
    ).encode()


def toc_ncx(tree: list[NavPoint], uid: str, title: str, page_count: int = 0) -> bytes:
    """The NCX: real ``dtb:depth``, a ``playOrder`` on each navPoint in reading order."""
    order = 0
    out: list[str] = []

    def points(entries: tuple[NavPoint, ...] | list[NavPoint], indent: str) -> None:
        nonlocal order
        for p in entries:
            order += 1
            out.append(f'{indent}<navPoint id="navpoint-{order}" playOrder="{order}">\n'
                       f"{indent}  <navLabel><text>{text(p.label)}</text></navLabel>\n"
                       f'{indent}  <content src="{attr_value(p.href)}"/>\n')
            points(p.children, indent + "  ")
            out.append(f"{indent}</navPoint>\n")
    points(tree, "    ")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1">\n  <head>\n'
        f'    <meta name="dtb:uid" content="{attr_value(uid)}"/>\n'
        f'    <meta name="dtb:depth" content="{max(depth(tree), 1)}"/>\n'
        f'    <meta name="dtb:totalPageCount" content="{page_count}"/>\n'
        f'    <meta name="dtb:maxPageNumber" content="{page_count}"/>\n  </head>\n'
        f"  <docTitle><text>{text(title)}</text></docTitle>\n  <navMap>\n{''.join(out)}  </navMap>\n</ncx>\n"
    ).encode()
