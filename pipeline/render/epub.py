"""EPUB 3 renderer: an IR Book becomes an EPUB, packaged with ebooklib.

Takes: a transformed :class:`~pipeline.ir.Book`.
Gives: the EPUB's bytes, byte-identical for the same input.

This is the only module that imports ebooklib. The book holds:

- a cover page and the cover image (``cover-image`` property), drawn from the
  title if the manuscript has none;
- a title page with the copyright text the print edition's copyright page
  has (:mod:`pipeline.render.copyright`), the nav (contents, hidden
  landmarks) and an NCX with depth and ``playOrder`` (:mod:`pipeline.render.epub_nav`);
- one XHTML document per chapter, footnotes as EPUB 3 notes
  (``noteref`` → ``aside epub:type="footnote"``, with a link back); front and
  back matter (:mod:`pipeline.matter`) typed as what they are
  (``epub:type="dedication"`` with ``role="doc-dedication"``…, in a ``<body>``
  typed ``frontmatter`` or ``backmatter``), a dedication and an epigraph before
  the contents in the spine, each typed one also among the landmarks;
- each image once (by content; a cover that is also a still too), as
  :mod:`pipeline.stills` makes it for the EPUB: 8-bit sRGB JPEG or PNG, upright,
  within ``epub-image-megapixels``, its ``<img>`` sized with ``width``/``height``;
- ``styles/book.css`` and ``styles/epub.css``;
- full Dublin Core metadata, with ``xml:lang`` on the package: ISBNs marked
  as such (ONIX code 15), ``file-as`` and MARC roles, subjects with their
  BISAC or Thema codes, the series (``belongs-to-collection``);
- the accessibility metadata of EPUB Accessibility 1.1, derived from the
  book (:mod:`pipeline.accessibility`).
- given the print edition's page map (a build to both formats), the print
  page numbers: markers (the front matter's in the title page and the nav),
  a page-list nav, the same pages as the NCX's ``pageList``, and
  ``pageBreakSource`` (:mod:`pipeline.render.page_list`).

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

from .. import accessibility, editions, ir
from ..diagnostics import Reporter
from ..editions import Edition
from ..images import EXTENSIONS, make_cover
from ..index import BookIndex, build_index
from ..matter import KINDS, front_count
from ..stills import policy_for, variant
from . import RenderResult
from .copyright import copyright_html
from .epub_nav import NavPoint, contents_tree, nav_xhtml, toc_ncx
from .html import STYLES, Writer, attr_value, image_size_attrs, text, title_page_lines
from .page_list import (
    add_page_list_nav,
    chapter_breaks,
    front_breaks,
    insert_markers,
    marker,
    marker_id_part,
    page_list_metadata,
)
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
    body = _outline_levels(writer.blocks(ch.blocks))
    notes = writer.endnotes()
    if notes:
        body += f'<section class="footnotes" epub:type="footnotes">\n{notes}</section>\n'
    title = index.chapter(ch.id).title or meta.title
    semantics = 'class="chapter" epub:type="chapter" role="doc-chapter"'
    body_attrs = ""
    if ch.matter:  # front or back matter: its own epub:type and role, where the vocabularies have one
        kind = KINDS[ch.matter]
        semantics = f'class="{kind.name}"' + (f' epub:type="{kind.epub_type}"' if kind.epub_type else "") + (
            f' role="{kind.role}"' if kind.role else "")
        body_attrs = f' epub:type="{"frontmatter" if kind.front else "backmatter"}"'
    return _page(meta.lang, title, f'<section id="{attr_value(ch.id)}" {semantics}>\n{body}</section>\n',
                 body_attrs, sheets=edition.stylesheets)


_HEADING = re.compile(r"<h([1-6])\b")


def _outline_levels(body: str) -> str:
    """A heading that skips levels (``####`` after ``##``) keeps its look but is announced one level
    below the heading before it (``aria-level``), so a screen reader's outline has no holes."""
    previous = 0

    def level(m: re.Match) -> str:
        nonlocal previous
        written = int(m.group(1))
        if previous and written > previous + 1:
            previous += 1
            return f'{m.group(0)} aria-level="{previous}"'
        previous = written
        return m.group(0)
    return _HEADING.sub(level, body)


def render_epub(book: ir.Book, index: BookIndex | None = None, edition: Edition = EPUB,
                reporter: Reporter | None = None, page_map: PageMap | None = None) -> RenderResult:
    """Render ``book`` as an EPUB 3; with the print edition's ``page_map``, with its page
    numbers too (:mod:`pipeline.render.page_list`)."""
    meta = book.meta
    root = Path(book.root)
    index = index or build_index(book)
    eb = epub.EpubBook()
    _metadata(eb, meta)

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
    # images go to ebooklib empty and into the zip at repacking, stored: ebooklib would deflate
    # them, which costs more than the rest of the EPUB and gains nothing on compressed data
    binaries: dict[str, bytes] = {}
    digests = {src: f.sha256 for src, f in index.images.items()}
    cover_img, cover_size = None, (1600, 2560)
    if meta.cover_image:
        still = variant(root / meta.cover_image, policy, digest=digests.get(meta.cover_image, ""))
        cover_img = epub.EpubCover(uid="cover-image", file_name="images/cover" + EXTENSIONS[still.facts.media_type])
        cover_img.media_type, cover_img.content = still.facts.media_type, b""
        binaries[f"EPUB/{cover_img.file_name}"] = still.data
        by_digest[hashlib.sha256(still.data).hexdigest()] = cover_img.file_name
        cover_size = (still.facts.width, still.facts.height)
    for src, stem in _names(book).items():
        still = variant(root / src, policy, digest=digests.get(src, ""))
        digest = hashlib.sha256(still.data).hexdigest()
        if digest not in by_digest:
            file_name = f"images/{stem}{EXTENSIONS[still.facts.media_type]}"
            eb.add_item(epub.EpubItem(uid=f"img-{stem}", file_name=file_name, media_type=still.facts.media_type,
                                      content=b""))
            binaries[f"EPUB/{file_name}"] = still.data
            by_digest[digest] = file_name
        image_files[src] = by_digest[digest]
        if still.facts.width:
            image_sizes[src] = (still.facts.width, still.facts.height)

    # cover
    if cover_img is None:
        author = ", ".join(c.name for c in meta.creators)
        cover_img = epub.EpubCover(uid="cover-image", file_name="images/cover.png")
        cover_img.media_type = "image/png"
        cover_img.content = b""
        binaries[f"EPUB/{cover_img.file_name}"] = make_cover(meta.title, meta.subtitle, author, FONTS)
    eb.add_item(cover_img)
    cover_alt = f"Cover of {meta.title}" + (f" by {', '.join(c.name for c in meta.creators)}" if meta.creators else "")
    cover_page = _xhtml_item("cover", "text/cover.xhtml", _page(
        meta.lang, meta.title,
        f'<section class="cover"><img epub:type="cover" role="doc-cover" src="../{cover_img.file_name}" '
        f'alt="{attr_value(cover_alt)}"{image_size_attrs(cover_size, ir.NO_ATTR)}/></section>\n',
        ' class="cover-page"'))
    eb.add_item(cover_page)

    # the print front matter's pages, mapped by what they hold (page_list.front_breaks)
    front: dict[str, tuple[str, str]] = {}  # print anchor → (label, marker id)
    printed = index.printed_toc(book.chapters[:front_count(book)])  # what the print contents list, in order
    if page_map is not None:
        has = {"titlepage", "contents", *(f"toc-e{n}" for n in range(1, len(printed) + 1))}
        has |= {"imprint", "copyright"} if copyright_html(meta) else set()
        front = {anchor: (label, "page-" + marker_id_part(label))
                 for anchor, label in front_breaks(page_map, has).items()}
    marks = {anchor: marker(label, ident) for anchor, (label, ident) in front.items()}
    pages: list[tuple[str, str]] = [(f"text/titlepage.xhtml#{front[a][1]}", front[a][0])
                                    for a in ("titlepage", "imprint", "copyright") if a in front]
    title_page = _xhtml_item("titlepage", "text/titlepage.xhtml", _page(
        meta.lang, meta.title,
        _title_page(meta, marks.get("titlepage", ""), marks.get("imprint", marks.get("copyright", ""))),
        ' class="title-page"'))
    eb.add_item(title_page)
    # the contents' pages are in nav.xhtml, which comes next in reading order; the print contents'
    # entry N (toc-eN) is the nav's entry with the same target
    in_nav = {(e.chapter, e.target): k for k, e in enumerate(index.toc, 1)}  # the nav lists index.toc
    contents_marks: dict[int, str] = {}
    for anchor, (label, ident) in front.items():
        if anchor.startswith("toc-e"):
            entry = printed[int(anchor[5:]) - 1]
            if (entry.chapter, entry.target) not in in_nav:
                continue  # an entry the nav does not have: no marker, no page
            contents_marks[in_nav[entry.chapter, entry.target]] = marks[anchor]
        elif anchor != "contents":
            continue
        pages.append((f"nav.xhtml#{ident}", label))

    # chapters
    chapter_items = []
    mathml = False
    breaks = chapter_breaks(page_map) if page_map is not None else {}
    for ch in book.chapters:
        html = chapter_xhtml(ch, index, meta, image_files, edition, image_sizes)
        if page_map is not None:
            html, made = insert_markers(html, breaks.get(ch.id, []), reporter, ch.source)
            pages += [(f"text/{ch.id}.xhtml#{ident}", label) for label, ident in made]
        item = _xhtml_item(ch.id, f"text/{ch.id}.xhtml", html)
        if b'<math xmlns="' in html:  # EPUB 3: a document holding MathML says so in the manifest
            item.properties.append("mathml")
            mathml = True
        eb.add_item(item)
        chapter_items.append(item)

    # accessibility metadata, true to what was written
    page_list = bool(pages)  # the print edition's page numbers: markers and a page-list nav
    if page_list:
        page_list_metadata(eb, meta)
    facts = accessibility.book_facts(book, mathml=mathml, page_list=page_list, reporter=reporter)
    _accessibility(eb, accessibility.package_metadata(book, facts), meta.lang)

    # navigation: ebooklib writes placeholders, replaced by ours when the zip is repacked
    tree = contents_tree(index, {c.id: i.file_name for c, i in zip(book.chapters, chapter_items)})
    if not tree:  # every heading unlisted: the book's title leads to its start
        tree = [NavPoint(meta.title, chapter_items[0].file_name)]
    eb.toc = [epub.Link(chapter_items[0].file_name, meta.title, "start")]
    nav = epub.EpubNav(title=meta.toc_title)
    eb.add_item(nav)
    eb.add_item(epub.EpubNcx())
    n = min(front_count(book), len(chapter_items) - 1)  # the dedication and epigraph come before the contents
    eb.spine = [cover_page, title_page, *chapter_items[:n], nav, *chapter_items[n:]]
    eb.guide = [
        {"href": cover_page.file_name, "title": "Cover", "type": "cover"},
        {"href": nav.file_name, "title": meta.toc_title, "type": "toc"},
        {"href": chapter_items[n].file_name, "title": "Begin Reading", "type": "text"},
    ]
    landmarks = [("cover", cover_page.file_name, "Cover"), ("toc", nav.file_name, meta.toc_title),
                 ("bodymatter", chapter_items[n].file_name, "Begin Reading")]
    landmarks += [(KINDS[ch.matter].epub_type, item.file_name, index.chapter(ch.id).title)
                  for ch, item in zip(book.chapters, chapter_items) if ch.matter and KINDS[ch.matter].epub_type]
    spine_order = {item.file_name: k for k, item in enumerate(eb.spine)}
    landmarks.sort(key=lambda mark: spine_order[mark[1]])  # in reading order
    nav_doc = nav_xhtml(tree, landmarks, meta.lang, meta.toc_title, edition.stylesheets,
                        top=marks.get("contents", ""), markers=contents_marks)
    nav_doc = add_page_list_nav(nav_doc, pages) if pages else nav_doc
    reading = {item.file_name: item.content for item in (title_page, *chapter_items)} | {nav.file_name: nav_doc}

    def position(href: str) -> tuple[int, int]:
        """Where a navigation target is in reading order: its document, then the byte of its id."""
        name, _, frag = href.partition("#")
        at = reading[name].find(f' id="{frag}"'.encode()) if frag else 0
        return spine_order.get(name, -1), at

    navigation = {
        "EPUB/nav.xhtml": nav_doc,
        "EPUB/toc.ncx": toc_ncx(tree, meta.identifier, meta.title, pages, position),
    }
    modified = dt.datetime.strptime(meta.modified, "%Y-%m-%dT%H:%M:%SZ")
    raw = io.BytesIO()
    # stored, not deflated: _repack compresses each member once, as it writes the final zip
    epub.write_epub(raw, eb, {"epub3_pages": False, "mtime": modified, "landmark_title": "Landmarks",
                              "compresslevel": 0})
    return RenderResult(_repack(raw.getvalue(), meta.lang, modified, navigation | binaries))


def _xhtml_item(uid: str, file_name: str, content: bytes) -> epub.EpubItem:
    item = epub.EpubItem(uid=uid, file_name=file_name, media_type="application/xhtml+xml", content=content)
    item.properties = []
    return item


def _accessibility(eb: epub.EpubBook, pairs: list[tuple[str, tuple[str, ...]]], lang: str) -> None:
    """The accessibility properties: a ``<meta>`` per value (the summary in English, marked so when
    the book is not), a certifier's credential refining its ``a11y:certifiedBy``."""
    credentials = dict(pairs).get("a11y:certifierCredential", ())
    for prop, values in pairs:
        if prop == "a11y:certifierCredential":
            continue
        for value in values:
            attrs = {"property": prop}
            if prop == "schema:accessibilitySummary" and not lang.lower().startswith("en"):
                attrs["{http://www.w3.org/XML/1998/namespace}lang"] = "en"
            if prop == "a11y:certifiedBy":
                attrs["id"] = "certifier"
            eb.add_metadata(None, "meta", value, attrs)
            if prop == "a11y:certifiedBy":
                for credential in credentials:
                    eb.add_metadata(None, "meta", credential,
                                    {"refines": "#certifier", "property": "a11y:certifierCredential"})


def _metadata(eb: epub.EpubBook, meta: ir.Meta) -> None:
    eb.set_identifier(meta.identifier)
    if meta.identifier.startswith("urn:isbn:"):  # ONIX code list 5: 15 is ISBN-13, 02 ISBN-10
        code = "15" if len(meta.identifier) == len("urn:isbn:") + 13 else "02"
        eb.add_metadata(None, "meta", code, {"refines": "#id", "property": "identifier-type",
                                             "scheme": "onix:codelist5"})
    eb.set_title(meta.title)
    eb.set_language(meta.lang)
    if meta.subtitle:
        eb.add_metadata("DC", "title", meta.subtitle, {"id": "subtitle"})
        eb.add_metadata(None, "meta", "subtitle", {"refines": "#subtitle", "property": "title-type"})
    for kind, people in (("creator", meta.creators), ("contributor", meta.contributors)):
        for i, c in enumerate(people, 1):
            eb.add_metadata("DC", kind, c.name, {"id": f"{kind}{i}"})
            eb.add_metadata(None, "meta", c.role, {"refines": f"#{kind}{i}", "property": "role",
                                                   "scheme": "marc:relators"})
            if c.file_as:
                eb.add_metadata(None, "meta", c.file_as, {"refines": f"#{kind}{i}", "property": "file-as"})
    if meta.date and _W3C_DATE.match(meta.date):
        eb.add_metadata("DC", "date", meta.date)
    for key in ("publisher", "rights", "description", "source"):
        value = getattr(meta, key)
        if value:
            eb.add_metadata("DC", key, value)
    for i, s in enumerate(meta.subjects, 1):
        if not s.authority:
            eb.add_metadata("DC", "subject", s.text)
            continue
        eb.add_metadata("DC", "subject", s.text, {"id": f"subject{i}"})
        eb.add_metadata(None, "meta", s.authority, {"refines": f"#subject{i}", "property": "authority"})
        eb.add_metadata(None, "meta", s.term, {"refines": f"#subject{i}", "property": "term"})
    if meta.series:
        eb.add_metadata(None, "meta", meta.series, {"property": "belongs-to-collection", "id": "series"})
        eb.add_metadata(None, "meta", "series", {"refines": "#series", "property": "collection-type"})
        if meta.series_position:
            eb.add_metadata(None, "meta", meta.series_position, {"refines": "#series",
                                                                 "property": "group-position"})


def _title_page(meta: ir.Meta, page_marker: str = "", imprint_marker: str = "") -> str:
    """The title page, and the copyright text as the print copyright page has it; with the print
    title page's and copyright page's page markers."""
    rights = copyright_html(meta)
    if rights:
        rights = f'{imprint_marker}<section class="copyright" epub:type="copyright-page">\n{rights}</section>\n'
    return (f'<section class="titlepage" epub:type="titlepage">\n{page_marker}{title_page_lines(meta)}'
            f"</section>\n{rights}")


def _repack(data: bytes, lang: str, when: dt.datetime, replace: dict[str, bytes]) -> bytes:
    """Rewrite the zip with fixed dates, ``mimetype`` first and stored, ``xml:lang`` on the package,
    and the members named in ``replace`` (the navigation documents, the images) given their content."""
    stamp = max(when, dt.datetime(1980, 1, 1)).timetuple()[:6]
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        names = src.namelist()
        names.sort(key=lambda n: n != "mimetype")
        for name in names:
            content = replace[name] if name in replace else src.read(name)
            if name.endswith(".opf"):
                content = content.replace(b"<package ", f'<package xml:lang="{attr_value(lang)}" '.encode(), 1)
            info = zipfile.ZipInfo(name, date_time=stamp)
            # mimetype must be stored; images are compressed already, deflating them again only costs time
            stored = name == "mimetype" or name.endswith((".jpg", ".png", ".gif", ".webp"))
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            dst.writestr(info, content)
    return out.getvalue()
