"""End-to-end EPUB tests: build real books, open the EPUB, run EPUBCheck 5 on it."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from conftest import SAMPLE, epubcheck_messages, image_bytes, write_files
from PIL import Image

from pipeline import build, build_book, ir

NS = {"x": "http://www.w3.org/1999/xhtml", "opf": "http://www.idpf.org/2007/opf",
      "dc": "http://purl.org/dc/elements/1.1/", "epub": "http://www.idpf.org/2007/ops"}
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"

FOLDER_BOOK = {
    "book.yaml": """\
title: A *Folder* Book
subtitle: Fixtures for every construct
author:
  - {name: Ada Example, role: author}
  - {name: Ben Editor, role: editor}
translator: Tom Translator
language: fr
identifier: 978-0-306-40615-7
publisher: Test Press
date: 2024-05-01
rights: CC0
description: A book of fixtures.
subject: [Testing, Film]
toc-title: Table des matières
""",
    "chapters/01-first.md": """\
# The First Chapter

A paragraph with "quotes" -- and *emphasis*, **strong**, ~~gone~~, H~2~O and 19^th^ century.[^a]
See [the far anchor](#far-anchor) and [the second chapter](02-second.md).

![A still from *Nosferatu*. F. W. Murnau, dir. 1922.](../images/still%20one.png){#fig-one
alt="A pale figure on a staircase."}

![Quarto alt text](<../images/ünïcode name.jpg>){fig-alt="A dark harbour."}

![Caption only, no alt](../images/tiff.tif)

![](../images/gif.gif){alt="An empty caption."}

![WebP still](../images/webp.webp){alt="A circle."}

![SVG drawing](../images/drawing.svg){alt="A vector circle."}

> A quotation with a figure inside.
>
> ![Quoted still](../images/still%20one.png){alt="The same still again."}

| Reel | Shots |
|------|------:|
| 1 | 41 |

: Shots per *reel*.

[^a]: First paragraph of the note.

    Second paragraph of the note.
""",
    "chapters/02-second.md": """\
# Second Chapter {#second}

## A Section

| Verse line one
|    indented line two

Term
:   Its definition.

[]{#far-anchor}The anchor is here. Back to [the first](#fig-one).

1. one
2. two

- a
- b
""",
    "images/still one.png": image_bytes("PNG"),
    "images/ünïcode name.jpg": image_bytes("JPEG"),
    "images/tiff.tif": image_bytes("TIFF", shade=90),
    "images/gif.gif": image_bytes("GIF", mode="P"),
    "images/webp.webp": image_bytes("WEBP"),
    "images/drawing.svg": image_bytes("SVG"),
}

SINGLE_BOOK = """\
---
title: "A Single-File Essay"
author: Solo Author
lang: en-US
---

# Opening

Text of the opening, with a note.[^1]

![A still. *Title*, 1931.](pic.png){alt="A circle on grey."}

# Closing

The end.

[^1]: The note.
"""


def _read(epub: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(epub) as z:
        return {n: z.read(n) for n in z.namelist()}


def _opf(files: dict[str, bytes]) -> ET.Element:
    name = next(n for n in files if n.endswith(".opf"))
    return ET.fromstring(files[name])


def _chapters(files: dict[str, bytes]) -> dict[str, ET.Element]:
    return {n: ET.fromstring(files[n]) for n in files if n.startswith("EPUB/text/") and n.endswith(".xhtml")}


@pytest.fixture(scope="module")
def folder_epub(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = write_files(tmp_path_factory.mktemp("src") / "folder-book", FOLDER_BOOK)
    return build(root, ["epub"], tmp_path_factory.mktemp("out"))[0]


@pytest.fixture(scope="module")
def single_epub(tmp_path_factory: pytest.TempPathFactory) -> Path:
    src = tmp_path_factory.mktemp("single")
    write_files(src, {"essay.md": SINGLE_BOOK, "pic.png": image_bytes("PNG")})
    return build(src / "essay.md", ["epub"], tmp_path_factory.mktemp("out"))[0]


# ---------------------------------------------------------------- EPUBCheck


def test_sample_passes_epubcheck(sample_build: dict[str, Path]) -> None:
    assert epubcheck_messages(sample_build["epub"]) == []


def test_folder_fixture_passes_epubcheck(folder_epub: Path) -> None:
    assert epubcheck_messages(folder_epub) == []


def test_single_file_fixture_passes_epubcheck(single_epub: Path) -> None:
    assert epubcheck_messages(single_epub) == []


# ---------------------------------------------------------------- figures


def test_sample_figures_have_alt_and_caption(sample_build: dict[str, Path], sample_book: ir.Book) -> None:
    files = _read(sample_build["epub"])
    figures = [f for ch in _chapters(files).values() for f in ch.iter("{%s}figure" % NS["x"])]
    expected = [f for ch in sample_book.chapters for f in ir.query(ch, ir.Figure)]
    assert len(figures) == len(expected) == 13
    by_id = {f.get("id"): f for f in figures}
    for fig in expected:
        el = by_id[fig.attr.id]
        img = el.find("x:img", NS)
        assert img is not None and img.get("alt") == fig.image.alt and fig.image.alt
        cap = el.find("x:figcaption", NS)
        if fig.caption:
            assert cap is not None
            assert "".join(cap.itertext()).split() == ir.plain_text(fig.caption).split()
        else:
            assert cap is None


def test_caption_keeps_italic_title(folder_epub: Path) -> None:
    chapter = _chapters(_read(folder_epub))["EPUB/text/ch-01-first.xhtml"]
    fig = next(f for f in chapter.iter("{%s}figure" % NS["x"]) if f.get("id") == "fig-one")
    em = fig.find("x:figcaption/x:em", NS)
    assert em is not None and em.text == "Nosferatu"
    assert fig.find("x:img", NS).get("alt") == "A pale figure on a staircase."


def test_alt_sources_and_hidden_duplicate_caption(folder_epub: Path) -> None:
    figures = {f.find("x:img", NS).get("alt"): f
               for f in _chapters(_read(folder_epub))["EPUB/text/ch-01-first.xhtml"].iter("{%s}figure" % NS["x"])}
    assert "A dark harbour." in figures  # fig-alt, Quarto's key
    no_alt = figures["Caption only, no alt"]  # the caption stands in for the alt text
    assert no_alt.find("x:figcaption", NS).get("aria-hidden") == "true"
    assert figures["A pale figure on a staircase."].find("x:figcaption", NS).get("aria-hidden") is None
    assert figures["An empty caption."].find("x:figcaption", NS) is None


def test_images_packed_once_and_converted(folder_epub: Path) -> None:
    files = _read(folder_epub)
    images = sorted(n for n in files if n.startswith("EPUB/images/") and "cover" not in n)
    assert len(images) == 6  # the repeated still is packed once
    assert not any(n.endswith((".tif", ".tiff")) for n in images)  # TIFF is not an EPUB core type
    # every raster still is a JPEG or a PNG (pipeline.stills: WebP, GIF and TIFF are converted)
    assert all(n.endswith((".jpg", ".png", ".svg")) for n in images) and any(n.endswith(".svg") for n in images)
    digests = [hashlib.sha256(files[n]).hexdigest() for n in images]
    assert len(set(digests)) == len(digests)


# ---------------------------------------------------------------- structure


def test_one_document_per_chapter_and_nav(folder_epub: Path) -> None:
    files = _read(folder_epub)
    opf = _opf(files)
    spine = [i.get("idref") for i in opf.find("opf:spine", NS)]
    assert spine == ["cover", "titlepage", "nav", "ch-01-first", "ch-02-second"]
    nav = ET.fromstring(files["EPUB/nav.xhtml"])
    navs = {n.get(EPUB_TYPE): n for n in nav.iter("{%s}nav" % NS["x"])}
    assert set(navs) >= {"toc", "landmarks"}
    toc_labels = ["".join(a.itertext()) for a in navs["toc"].iter("{%s}a" % NS["x"])]
    assert toc_labels == ["The First Chapter", "Second Chapter", "A Section"]
    assert "".join(navs["toc"].find("x:h2", NS).itertext()) == "Table des matières"
    marks = {a.get(EPUB_TYPE) for a in navs["landmarks"].iter("{%s}a" % NS["x"])}
    assert marks == {"cover", "toc", "bodymatter"}
    assert "EPUB/toc.ncx" in files


def test_cover_image_property(sample_build: dict[str, Path]) -> None:
    files = _read(sample_build["epub"])
    items = _opf(files).find("opf:manifest", NS)
    cover = [i for i in items if "cover-image" in (i.get("properties") or "")]
    assert len(cover) == 1
    sample_cover = Image.open(SAMPLE / "stills" / "cover.png")
    packed = Image.open(io.BytesIO(files["EPUB/" + cover[0].get("href")]))
    assert packed.width * packed.height <= 4_000_000  # the sample's 1600 × 2560 cover is held to 4 MP
    assert abs(packed.width / packed.height - sample_cover.width / sample_cover.height) < 0.01
    assert packed.convert("RGB").getpixel((5, 5)) == sample_cover.convert("RGB").getpixel((5, 5))


def test_generated_cover_when_none_given(single_epub: Path) -> None:
    files = _read(single_epub)
    cover = [i for i in _opf(files).find("opf:manifest", NS) if "cover-image" in (i.get("properties") or "")]
    assert len(cover) == 1 and files["EPUB/" + cover[0].get("href")].startswith(b"\x89PNG")


def test_metadata(folder_epub: Path) -> None:
    opf = _opf(_read(folder_epub))
    assert opf.get("{http://www.w3.org/XML/1998/namespace}lang") == "fr"
    md = opf.find("opf:metadata", NS)
    texts = {el.tag.split("}")[1]: [] for el in md}
    for el in md:
        texts[el.tag.split("}")[1]].append(el.text)
    assert texts["title"] == ["A Folder Book", "Fixtures for every construct"]
    assert texts["language"] == ["fr"]
    assert texts["identifier"] == ["urn:isbn:9780306406157"]
    assert texts["creator"] == ["Ada Example"]
    assert sorted(texts["contributor"]) == ["Ben Editor", "Tom Translator"]
    assert texts["publisher"] == ["Test Press"] and texts["date"] == ["2024-05-01"]
    assert sorted(texts["subject"]) == ["Film", "Testing"]
    roles = {m.get("refines"): m.text for m in md.findall("opf:meta", NS) if m.get("property") == "role"}
    assert sorted(roles.values()) == ["aut", "edt", "trl"]


def test_chapters_have_language_and_are_well_formed(folder_epub: Path) -> None:
    for name, root in _chapters(_read(folder_epub)).items():
        assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "fr", name


def test_footnotes_are_epub3_notes_with_backlinks(folder_epub: Path) -> None:
    chapter = _chapters(_read(folder_epub))["EPUB/text/ch-01-first.xhtml"]
    ref = next(a for a in chapter.iter("{%s}a" % NS["x"]) if a.get(EPUB_TYPE) == "noteref")
    target = ref.get("href").lstrip("#")
    aside = next(a for a in chapter.iter("{%s}aside" % NS["x"]) if a.get("id") == target)
    assert aside.get(EPUB_TYPE) == "footnote"
    paras = aside.findall("x:p", NS)
    assert len(paras) == 2  # a multi-paragraph note
    back = paras[0].find("x:a", NS)
    assert back.get("href") == "#" + ref.get("id") and back.get("role") == "doc-backlink"


def test_cross_chapter_links_resolve(folder_epub: Path) -> None:
    files = _read(folder_epub)
    chapters = _chapters(files)
    ids = {n: {e.get("id") for e in r.iter() if e.get("id")} for n, r in chapters.items()}
    for name, root in chapters.items():
        for a in root.iter("{%s}a" % NS["x"]):
            href = a.get("href")
            if href.startswith("http"):
                continue
            file_part, _, frag = href.partition("#")
            target = "EPUB/text/" + file_part if file_part else name
            assert target in chapters, href
            assert not frag or frag in ids[target], href
    first = chapters["EPUB/text/ch-01-first.xhtml"]
    hrefs = {"".join(a.itertext()): a.get("href") for a in first.iter("{%s}a" % NS["x"])}
    assert hrefs["the far anchor"] == "ch-02-second.xhtml#far-anchor"
    assert hrefs["the second chapter"] == "ch-02-second.xhtml#ch-02-second"


def test_every_block_has_an_id(folder_epub: Path) -> None:
    second = _chapters(_read(folder_epub))["EPUB/text/ch-02-second.xhtml"]
    section = second.find("x:body/x:section", NS)
    for el in section:
        assert el.get("id"), ET.tostring(el)[:80]


def test_line_block_and_typography(folder_epub: Path) -> None:
    chapters = _chapters(_read(folder_epub))
    second = chapters["EPUB/text/ch-02-second.xhtml"]
    lines = [el for el in second.iter("{%s}span" % NS["x"]) if el.get("class") == "line"]
    assert ["".join(line.itertext()) for line in lines] == ["Verse line one", "\u00a0\u00a0\u00a0indented line two"]
    first_text = "".join(chapters["EPUB/text/ch-01-first.xhtml"].itertext())
    assert "«\u202fquotes\u202f» – and" in first_text  # the fixture book is French (lang: fr)


def test_table_caption(folder_epub: Path) -> None:
    first = _chapters(_read(folder_epub))["EPUB/text/ch-01-first.xhtml"]
    caption = next(first.iter("{%s}caption" % NS["x"]))
    assert "".join(caption.itertext()) == "Shots per reel."
    assert caption.find("x:em", NS).text == "reel"


def test_single_file_is_split_at_level_one_headings(single_epub: Path) -> None:
    chapters = _chapters(_read(single_epub))
    assert set(chapters) == {"EPUB/text/cover.xhtml", "EPUB/text/titlepage.xhtml",
                             "EPUB/text/opening.xhtml", "EPUB/text/closing.xhtml"}


def test_same_input_same_bytes(tmp_path: Path) -> None:
    a = build(SAMPLE, ["epub"], tmp_path / "a")[0]
    b = build(SAMPLE, ["epub"], tmp_path / "b")[0]
    assert a.read_bytes() == b.read_bytes()


def test_mimetype_first_and_stored(sample_build: dict[str, Path]) -> None:
    with zipfile.ZipFile(sample_build["epub"]) as z:
        first = z.infolist()[0]
        assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
        assert z.read("mimetype") == b"application/epub+zip"


def test_images_stored_whole(sample_build: dict[str, Path]) -> None:
    """Images (the cover too) reach the zip at repacking, stored, not deflated: each is a real
    image of its manifest type, none left empty by the packaging."""
    with zipfile.ZipFile(sample_build["epub"]) as z:
        images = [i for i in z.infolist() if i.filename.startswith("EPUB/images/")]
        assert any("cover" in i.filename for i in images) and len(images) > 3
        for info in images:
            assert info.compress_type == zipfile.ZIP_STORED, info.filename
            data = z.read(info)
            assert data[:8] == b"\x89PNG\r\n\x1a\n" or data[:3] == b"\xff\xd8\xff", info.filename


def test_ir_json_round_trips_the_sample() -> None:
    book = build_book(SAMPLE)
    assert ir.from_json(ir.to_json(book)) == book
    assert re.search(rf'"pipeline-ir-version": \[{ir.IR_VERSION[0]}, {ir.IR_VERSION[1]}\]', ir.to_json(book))
