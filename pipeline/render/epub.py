"""EPUB 3 renderer: an IR Book becomes an EPUB, packaged with ebooklib.

Takes: a transformed :class:`~pipeline.ir.Book`.
Gives: the EPUB's bytes, byte-identical for the same input.

This is the only module that imports ebooklib. The book holds:

- a cover page and the cover image (``cover-image`` property), drawn from the
  title if the manuscript has none;
- a title page, the nav (table of contents and landmarks) and an NCX;
- one XHTML document per chapter, footnotes as EPUB 3 notes
  (``noteref`` → ``aside epub:type="footnote"``, with a link back);
- each image once (by content; a cover that is also a still too), as
  :mod:`pipeline.stills` makes it for the EPUB: 8-bit sRGB JPEG or PNG, upright,
  within ``epub-image-megapixels``, its ``<img>`` sized with ``width``/``height``;
- ``styles/book.css`` and ``styles/epub.css``;
- full Dublin Core metadata, with ``xml:lang`` on the package;
- given the print edition's page map (a build to both formats), the print
  page numbers: markers, a page-list nav and ``pageBreakSource``
  (:mod:`pipeline.render.page_list`).

    >>> from pipeline import build_book   # doctest: +SKIP
    >>> data = render_epub(build_book("manuscripts/the-salt-lantern"))  # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import posixpath
import re
import zipfile
from pathlib import Path

from ebooklib import epub

from .. import editions, ir
from ..diagnostics import Reporter
from ..editions import Edition
from ..images import EXTENSIONS, make_cover
from ..index import BookIndex, build_index
from ..stills import policy_for, variant
from . import RenderResult
from .html import STYLES, Writer, attr_value, image_size_attrs, text, title_page_lines
from .page_list import add_page_list_nav, chapter_breaks, insert_markers, marker, page_list_metadata
from .pagemap import PageMap

FONTS = STYLES / "fonts"
EPUB = editions.edition("epub")
_W3C_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")

_PAGE = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" lang="{lang}" xml:lang="{lang}">
<head>
<title>{title}</title>
{links}</head>
<body{body_attrs}>
{body}</body>
</html>
"""


def _page(lang: str, title: str, body: str, body_attrs: str = "", sheets: tuple[str, ...] = EPUB.stylesheets) -> bytes:
    links = "".join(f'<link rel="stylesheet" type="text/css" href="../styles/{s}"/>\n' for s in sheets)
    return _PAGE.format(lang=attr_value(lang), title=text(title), links=links,
                        body=body, body_attrs=body_attrs).encode("utf-8")


def _names(book: ir.Book) -> dict[str, str]:
    """Image path in the manuscript → file name in the EPUB, unique and ASCII."""
    srcs = sorted({img.src for ch in book.chapters for img in ir.query(ch, ir.Image)})
    names: dict[str, str] = {}
    taken: set[str] = set()
    for src in srcs:
        stem = ir.slugify(posixpath.splitext(src)[0].replace("/", "-"), "image")
        name, n = stem, 2
        while name in taken:
            name, n = f"{stem}-{n}", n + 1
        taken.add(name)
        names[src] = name
    return names


def chapter_xhtml(ch: ir.Chapter, index: BookIndex, meta: ir.Meta, image_files: dict[str, str],
                  edition: Edition = EPUB, image_sizes: dict[str, tuple[int, int]] | None = None) -> bytes:
    """One chapter's XHTML document, its notes as asides at its end."""
    def href(target: str) -> str:
        where = index.where(target, ch.id)
        if where is None:
            return target
        chapter, ident = where
        return f"#{ident}" if chapter == ch.id else f"{chapter}.xhtml#{ident}"

    sizes = image_sizes or {}
    writer = Writer(href=href, image_src=lambda s: "../" + image_files[s], notes="endnotes",
                    image_size=sizes.get)
    body = writer.blocks(ch.blocks)
    notes = writer.endnotes()
    if notes:
        body += f'<section class="footnotes" epub:type="footnotes">\n{notes}</section>\n'
    title = index.chapter(ch.id).title or meta.title
    return _page(meta.lang, title,
                 f'<section id="{attr_value(ch.id)}" class="chapter" epub:type="chapter" '
                 f'role="doc-chapter">\n{body}</section>\n', sheets=edition.stylesheets)


def render_epub(book: ir.Book, index: BookIndex | None = None, edition: Edition = EPUB,
                reporter: Reporter | None = None, page_map: PageMap | None = None) -> RenderResult:
    """Render ``book`` as an EPUB 3; with the print edition's ``page_map``, with its page
    numbers too (:mod:`pipeline.render.page_list`)."""
    meta = book.meta
    root = Path(book.root)
    index = index or build_index(book)
    eb = epub.EpubBook()
    _metadata(eb, meta)
    if page_map is not None:
        page_list_metadata(eb, meta)

    for name in edition.stylesheets:
        eb.add_item(epub.EpubItem(uid=f"css-{name[:-4]}", file_name=f"styles/{name}",
                                  media_type="text/css", content=(STYLES / name).read_bytes()))
    authors = tuple(f"author-{n}.css" for n in range(1, len(meta.css) + 1))  # pandoc's --css, after ours
    for name, path in zip(authors, meta.css):
        eb.add_item(epub.EpubItem(uid=f"css-{name[:-4]}", file_name=f"styles/{name}",
                                  media_type="text/css", content=(root / path).read_bytes()))
    edition = dataclasses.replace(edition, stylesheets=edition.stylesheets + authors)

    # images: each content packed once, the cover too when it is also a still
    policy = policy_for(edition)
    image_files: dict[str, str] = {}
    image_sizes: dict[str, tuple[int, int]] = {}
    by_digest: dict[str, str] = {}  # the variant's own hash → its file: one file per content
    digests = {src: f.sha256 for src, f in index.images.items()}
    cover_img, cover_size = None, (1600, 2560)
    if meta.cover_image:
        still = variant(root / meta.cover_image, policy, digest=digests.get(meta.cover_image, ""))
        cover_img = epub.EpubCover(uid="cover-image", file_name="images/cover" + EXTENSIONS[still.facts.media_type])
        cover_img.media_type, cover_img.content = still.facts.media_type, still.data
        by_digest[hashlib.sha256(still.data).hexdigest()] = cover_img.file_name
        cover_size = (still.facts.width, still.facts.height)
    for src, stem in _names(book).items():
        still = variant(root / src, policy, digest=digests.get(src, ""))
        digest = hashlib.sha256(still.data).hexdigest()
        if digest not in by_digest:
            file_name = f"images/{stem}{EXTENSIONS[still.facts.media_type]}"
            eb.add_item(epub.EpubItem(uid=f"img-{stem}", file_name=file_name, media_type=still.facts.media_type,
                                      content=still.data))
            by_digest[digest] = file_name
        image_files[src] = by_digest[digest]
        if still.facts.width:
            image_sizes[src] = (still.facts.width, still.facts.height)

    # cover
    if cover_img is None:
        author = ", ".join(c.name for c in meta.creators)
        cover_img = epub.EpubCover(uid="cover-image", file_name="images/cover.png")
        cover_img.media_type = "image/png"
        cover_img.content = make_cover(meta.title, meta.subtitle, author, FONTS)
    eb.add_item(cover_img)
    cover_alt = f"Cover of {meta.title}" + (f" by {', '.join(c.name for c in meta.creators)}" if meta.creators else "")
    cover_page = _xhtml_item("cover", "text/cover.xhtml", _page(
        meta.lang, meta.title,
        f'<section class="cover" epub:type="cover"><img src="../{cover_img.file_name}" '
        f'alt="{attr_value(cover_alt)}"{image_size_attrs(cover_size, ir.NO_ATTR)}/></section>\n',
        ' class="cover-page"'))
    eb.add_item(cover_page)

    pages: list[tuple[str, str]] = []  # the print edition's pages: (href, label), in reading order
    title_marker = ""
    if page_map is not None and page_map.front_pages:  # the print title page is page i
        title_marker = marker(page_map.label(0), "page-" + page_map.label(0))
        pages.append(("text/titlepage.xhtml#page-" + page_map.label(0), page_map.label(0)))
    title_page = _xhtml_item("titlepage", "text/titlepage.xhtml", _page(
        meta.lang, meta.title, _title_page(meta, title_marker), ' class="title-page"'))
    eb.add_item(title_page)

    # chapters
    chapter_items = []
    for ch in book.chapters:
        html = chapter_xhtml(ch, index, meta, image_files, edition, image_sizes)
        if page_map is not None:
            html, made = insert_markers(html, chapter_breaks(page_map, ch.id), reporter, ch.source)
            pages += [(f"text/{ch.id}.xhtml#{ident}", label) for label, ident in made]
        item = _xhtml_item(ch.id, f"text/{ch.id}.xhtml", html)
        if b'<math xmlns="' in html:  # EPUB 3: a document holding MathML says so in the manifest
            item.properties.append("mathml")
        eb.add_item(item)
        chapter_items.append(item)

    # navigation
    eb.toc = _toc(index, {c.id: i.file_name for c, i in zip(book.chapters, chapter_items)})
    if not eb.toc:
        eb.toc = [epub.Link(chapter_items[0].file_name, meta.title, "start")]
    nav = epub.EpubNav(title=meta.toc_title)
    nav.add_link(href="styles/book.css", rel="stylesheet", type="text/css")
    eb.add_item(nav)
    eb.add_item(epub.EpubNcx())
    eb.spine = [cover_page, title_page, nav, *chapter_items]
    eb.guide = [
        {"href": cover_page.file_name, "title": "Cover", "type": "cover"},
        {"href": nav.file_name, "title": meta.toc_title, "type": "toc"},
        {"href": chapter_items[0].file_name, "title": "Begin Reading", "type": "text"},
    ]
    modified = dt.datetime.strptime(meta.modified, "%Y-%m-%dT%H:%M:%SZ")
    raw = io.BytesIO()
    epub.write_epub(raw, eb, {"epub3_pages": False, "mtime": modified, "landmark_title": "Landmarks"})
    return RenderResult(_repack(raw.getvalue(), meta.lang, modified, pages))


def _xhtml_item(uid: str, file_name: str, content: bytes) -> epub.EpubItem:
    item = epub.EpubItem(uid=uid, file_name=file_name, media_type="application/xhtml+xml", content=content)
    item.properties = []
    return item


def _metadata(eb: epub.EpubBook, meta: ir.Meta) -> None:
    eb.set_identifier(meta.identifier)
    eb.set_title(meta.title)
    eb.set_language(meta.lang)
    if meta.subtitle:
        eb.add_metadata("DC", "title", meta.subtitle, {"id": "subtitle"})
        eb.add_metadata(None, "meta", "subtitle", {"refines": "#subtitle", "property": "title-type"})
    for i, c in enumerate(meta.creators, 1):
        eb.add_author(c.name, role=c.role, uid=f"creator{i}")
    for i, c in enumerate(meta.contributors, 1):
        eb.add_metadata("DC", "contributor", c.name, {"id": f"contributor{i}"})
        eb.add_metadata(None, "meta", c.role, {"refines": f"#contributor{i}", "property": "role",
                                               "scheme": "marc:relators"})
    if meta.date and _W3C_DATE.match(meta.date):
        eb.add_metadata("DC", "date", meta.date)
    for key in ("publisher", "rights", "description", "source"):
        value = getattr(meta, key)
        if value:
            eb.add_metadata("DC", key, value)
    for s in meta.subjects:
        eb.add_metadata("DC", "subject", s)


def _title_page(meta: ir.Meta, page_marker: str = "") -> str:
    rights = f'<p class="rights">{text(meta.rights)}</p>\n' if meta.rights else ""
    return (f'<section class="titlepage" epub:type="titlepage">\n{page_marker}{title_page_lines(meta)}{rights}'
            "</section>\n")


def _toc(index: BookIndex, files: dict[str, str]) -> list:
    """Nested ebooklib TOC from the contents' headings (down to the book's ``toc-depth``)."""
    root: list = []
    stack: list[tuple[int, list]] = [(0, root)]
    for e in index.toc:
        href = files[e.chapter] + ("" if e.target == "" else f"#{e.target}")
        label = ir.plain_text(e.title).strip() or e.chapter
        label = f"{e.number} {label}" if e.number else label  # pandoc: "1.2 Sound" in the nav and the NCX
        while stack[-1][0] >= e.level:
            stack.pop()
        children: list = []
        stack[-1][1].append((epub.Section(label, href), children))
        stack.append((e.level, children))
    return [_leafify(x) for x in root]


def _leafify(entry: tuple) -> object:
    section, children = entry
    if not children:
        return epub.Link(section.href, section.title, section.href.replace("/", "-").replace("#", "-"))
    return (section, [_leafify(c) for c in children])


def _repack(data: bytes, lang: str, when: dt.datetime, pages: list[tuple[str, str]] | None = None) -> bytes:
    """Rewrite the zip with fixed dates, ``mimetype`` first and stored, and ``xml:lang`` on the package;
    with ``pages``, the print edition's page-list in the nav."""
    stamp = max(when, dt.datetime(1980, 1, 1)).timetuple()[:6]
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        names = src.namelist()
        names.sort(key=lambda n: n != "mimetype")
        for name in names:
            content = src.read(name)
            if name.endswith(".opf"):
                content = content.replace(b"<package ", f'<package xml:lang="{attr_value(lang)}" '.encode(), 1)
            if pages and name.endswith("/nav.xhtml"):
                content = add_page_list_nav(content, pages)
            info = zipfile.ZipInfo(name, date_time=stamp)
            # mimetype must be stored; images are compressed already, deflating them again only costs time
            stored = name == "mimetype" or name.endswith((".jpg", ".png", ".gif", ".webp"))
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            dst.writestr(info, content)
    return out.getvalue()
