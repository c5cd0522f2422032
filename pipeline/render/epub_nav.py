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
  ``playOrder`` on every ``navPoint``, in reading order; with the print page
  numbers, a ``pageList`` carrying the page-list nav's entries (``pageTarget``
  ``type="front"`` for roman labels, ``"normal"`` for arabic, with ``value``,
  ``playOrder``, label and target).

    >>> tree = [NavPoint("One", "text/a.xhtml", (NavPoint("1.1", "text/a.xhtml#s"),))]
    >>> depth(tree)
    2
"""

from __future__ import annotations

from collections.abc import Callable
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


def _ol(points: tuple[NavPoint, ...] | list[NavPoint], indent: str, markers: dict[int, str],
        counter: list[int]) -> str:
    out = [f"{indent}<ol>\n"]
    for p in points:
        counter[0] += 1
        link = f'<a href="{attr_value(p.href)}">{markers.get(counter[0], "")}{text(p.label)}</a>'
        if p.children:
            out.append(f"{indent}  <li>{link}\n{_ol(p.children, indent + '    ', markers, counter)}{indent}  </li>\n")
        else:
            out.append(f"{indent}  <li>{link}</li>\n")
    out.append(f"{indent}</ol>\n")
    return "".join(out)


def nav_xhtml(tree: list[NavPoint], landmarks: list[tuple[str, str, str]], lang: str, toc_title: str,
              stylesheets: tuple[str, ...], extra: str = "", top: str = "",
              markers: dict[int, str] | None = None) -> bytes:
    """The EPUB 3 navigation document. ``landmarks``: (epub:type, href, label) triples.

    The print contents' page markers: ``top`` before the contents, and ``markers``
    (entry number, 1-based in reading order → marker) at the start of an entry's
    link (a list item of a nav may hold only its link and a sub-list)."""
    links = "".join(f'<link rel="stylesheet" type="text/css" href="styles/{s}"/>\n' for s in stylesheets)
    marks = "".join(f'    <li><a epub:type="{t}" href="{attr_value(h)}">{text(label)}</a></li>\n'
                    for t, h, label in landmarks)
    lang = attr_value(lang)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html>\n'
        f'<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" '
        f'lang="{lang}" xml:lang="{lang}">\n<head>\n<title>{text(toc_title)}</title>\n{links}</head>\n'
        f'<body class="nav-page">\n{top}'
        f'<nav epub:type="toc" id="toc" role="doc-toc">\n<h2 class="toc-title">{text(toc_title)}</h2>\n'
        f"{_ol(tree, '', markers or {}, [0])}</nav>\n"
        '<nav epub:type="landmarks" id="landmarks" hidden="hidden">\n<h2>Landmarks</h2>\n'
        f"<ol>\n{marks}</ol>\n</nav>\n{extra}</body>\n</html>\n"
    ).encode()


def page_value(label: str) -> int:
    """The NCX ``value`` of a page label: its number, arabic or roman (0 when it is neither).

    >>> page_value("12"), page_value("iv"), page_value("xiv"), page_value("A-1")
    (12, 4, 14, 0)
    """
    if label.isdigit():
        return int(label)
    digits = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100, "d": 500, "m": 1000}
    if not label or any(c not in digits for c in label.lower()):
        return 0
    values = [digits[c] for c in label.lower()]
    return sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))


def toc_ncx(tree: list[NavPoint], uid: str, title: str, pages: list[tuple[str, str]] | None = None,
            position: Callable[[str], tuple[int, int]] | None = None) -> bytes:
    """The NCX: real ``dtb:depth``, a ``playOrder`` on each navPoint, and with ``pages``
    (``(href, label)`` in reading order: the page-list's entries) a ``pageList`` of the
    same pages, ``type="front"`` for roman labels and ``"normal"`` for arabic ones.

    ``playOrder`` follows reading order across the navMap and the pageList, the same
    number for the same target; ``position(href)`` says where a target is (spine index,
    offset); without it, the navMap's entries come first."""
    pages = pages or []
    targets: list[str] = []

    def collect(entries: tuple[NavPoint, ...] | list[NavPoint]) -> None:
        for p in entries:
            targets.append(p.href)
            collect(p.children)
    collect(tree)
    targets += [href for href, _label in pages]
    ranked = sorted(dict.fromkeys(targets), key=position) if position else list(dict.fromkeys(targets))
    play = {href: n for n, href in enumerate(ranked, 1)}
    count = 0
    out: list[str] = []

    def points(entries: tuple[NavPoint, ...] | list[NavPoint], indent: str) -> None:
        nonlocal count
        for p in entries:
            count += 1
            out.append(f'{indent}<navPoint id="navpoint-{count}" playOrder="{play[p.href]}">\n'
                       f"{indent}  <navLabel><text>{text(p.label)}</text></navLabel>\n"
                       f'{indent}  <content src="{attr_value(p.href)}"/>\n')
            points(p.children, indent + "  ")
            out.append(f"{indent}</navPoint>\n")
    points(tree, "    ")
    page_list = ""
    if pages:
        rows = []
        for n, (href, label) in enumerate(pages, 1):
            value = page_value(label)
            kind = "normal" if label.isdigit() else "front"
            value_attr = f' value="{value}"' if value else ""
            rows.append(f'    <pageTarget id="pagetarget-{n}" type="{kind}"{value_attr} playOrder="{play[href]}">\n'
                        f"      <navLabel><text>{text(label)}</text></navLabel>\n"
                        f'      <content src="{attr_value(href)}"/>\n    </pageTarget>\n')
        page_list = f"  <pageList>\n    <navLabel><text>Pages</text></navLabel>\n{''.join(rows)}  </pageList>\n"
    normal = [page_value(label) for _href, label in pages if label.isdigit()]
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1">\n  <head>\n'
        f'    <meta name="dtb:uid" content="{attr_value(uid)}"/>\n'
        f'    <meta name="dtb:depth" content="{max(depth(tree), 1)}"/>\n'
        f'    <meta name="dtb:totalPageCount" content="{len(pages)}"/>\n'
        f'    <meta name="dtb:maxPageNumber" content="{max(normal, default=0)}"/>\n  </head>\n'
        f"  <docTitle><text>{text(title)}</text></docTitle>\n  <navMap>\n{''.join(out)}  </navMap>\n"
        f"{page_list}</ncx>\n"
    ).encode()
