"""Front and back matter and page numbers in print, and their EPUB counterparts.

One small book with a dedication (marked in its front matter), an epigraph
(a class on its heading), acknowledgements, about the author and a colophon
(pandoc's ``epub:type`` on its heading), a print ISBN, rights and an edition
is built once to PDF and EPUB (and once more in one pass); the tests read the
PDF's pages back (pypdf, pdfplumber) and the EPUB's documents.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pdfplumber
import pypdf
import pytest
from conftest import ace_violations, epubcheck_messages, needs_ace, write_files

from pipeline import ir, matter
from pipeline.build import prepare, run_build
from pipeline.diagnostics import Reporter
from pipeline.editions import EDITIONS
from pipeline.render.copyright import copyright_lines, human_date
from pipeline.render.pagemap import roman
from pipeline.render.pdf import TOC_SPILL, contents_spill, front_html, layout, pdf_identifier

WORDS = ("the lantern keeper walked along the causeway while fog rolled over salt pans and the tide "
         "turned slowly under a pale sky").split()
NIGHTS, WATCHES = 5, 5  # 5 × 6 contents entries and 3 for the back matter: 5 spill onto a 2nd page, set as usual


def _prose(seed: int, n: int) -> str:
    return " ".join(WORDS[(seed * 7 + i * 3) % len(WORDS)] for i in range(n)).capitalize() + "."


def _book(root: Path) -> Path:
    files: dict[str, str | bytes] = {
        "book.yaml": "title: The Lantern Keeper\nsubtitle: A Novel in Five Nights\nauthor: Ann Roe\n"
                     "translator: Jean Luc\nlang: en\nprint-isbn: 978-0-19-852663-6\npublisher: Harbour Books\n"
                     "edition: Second edition\ndate: 1922-03-14\nrights: All rights reserved.\n",
        "chapters/00-dedication.md": "---\ntype: dedication\n---\nFor M., who kept the light.\n",
        "chapters/00-epigraph.md": "# Epigraph {.epigraph .unlisted}\n\n> The sea has neither meaning nor pity.\n",
        "chapters/90-thanks.md": "# Acknowledgements {.acknowledgements}\n\nMy thanks to the keepers.\n",
        "chapters/91-about.md": "---\ntype: about-author\ntitle: About the Author\n---\nAnn Roe lives by the sea.\n",
        "chapters/99-colophon.md": "# Colophon {epub:type=colophon}\n\nSet in EB Garamond.\n",
    }
    for n in range(1, NIGHTS + 1):
        parts = [f"# Night {n}\n"]
        for w in range(1, WATCHES + 1):
            parts.append(f"## Watch {n}.{w}\n\n{_prose(n * 10 + w, 40 + 30 * (w % 3))}\n")
        files[f"chapters/0{n}-night.md"] = "\n".join(parts)
    return write_files(root, files)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict:
    base = tmp_path_factory.mktemp("front")
    root = _book(base / "keeper")
    reporter = Reporter(echo=False)
    result = run_build(root, ["pdf", "epub"], base / "out", reporter, use_cache=False)
    pdf = base / "out" / "keeper.pdf"
    reader = pypdf.PdfReader(pdf)
    texts = [p.extract_text() for p in reader.pages]
    return {"root": root, "base": base, "result": result, "pdf": pdf, "labels": list(reader.page_labels),
            "texts": texts, "epub": base / "out" / "keeper.epub", "zip": zipfile.ZipFile(base / "out" / "keeper.epub"),
            "diagnostics": reporter.warnings}


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _page_of(built: dict, needle: str) -> int:
    return next(i for i, t in enumerate(built["texts"]) if needle in t)


def test_front_matter_comes_in_order_on_the_right_sides(built: dict) -> None:
    texts = built["texts"]
    assert _lines(texts[0]) == ["The Lantern Keeper"]              # the half-title: the title alone, recto
    assert _lines(texts[1]) == []                                  # its verso is blank
    assert _lines(texts[2])[:4] == ["The Lantern Keeper", "A Novel in Five Nights", "Ann Roe",
                                    "Translated by Jean Luc"]      # the title page, recto
    copyright_page = _page_of(built, "©")
    dedication = _page_of(built, "For M., who kept the light.")
    epigraph = _page_of(built, "neither meaning nor pity")
    contents = _page_of(built, "Contents")
    first = built["labels"].index("1")
    assert copyright_page == 3                                     # the title's verso
    assert copyright_page < dedication < epigraph < contents < first
    assert dedication % 2 == 0 and epigraph % 2 == 0 and contents % 2 == 0  # rectos (0-based even)
    assert _lines(texts[first])[0] == "Night 1"
    back = [_page_of(built, t) for t in ("My thanks to the keepers", "lives by the sea", "Set in EB Garamond")]
    last_watch = max(i for i, t in enumerate(texts) if f"Watch {NIGHTS}.{WATCHES}" in t)
    assert back == sorted(back) and back[0] > last_watch > first  # after the body, in order


def test_copyright_page_is_written_for_people(built: dict) -> None:
    lines = _lines(built["texts"][3])
    assert lines == ["© 1922 Ann Roe", "All rights reserved.", "Published by Harbour Books", "Second edition",
                     "First published March 1922", "Translated by Jean Luc", "ISBN 978-0-19-852663-6 (print)"]
    whole = "\n".join(built["texts"])
    assert "urn:" not in whole and "uuid" not in whole.lower() and "1922-03-14" not in whole
    # the EPUB's title page says the same (its identifier is a UUID: not an ISBN, so never printed)
    title_page = built["zip"].read("EPUB/text/titlepage.xhtml").decode()
    assert '<p class="rights">© 1922 Ann Roe</p>' in title_page and "First published March 1922" in title_page
    assert "urn:uuid" not in title_page and "urn:uuid" in built["zip"].read("EPUB/content.opf").decode()


def test_page_labels_are_roman_then_arabic_from_one(built: dict) -> None:
    labels = built["labels"]
    first = labels.index("1")
    assert labels[:first] == [roman(n) for n in range(1, first + 1)]
    assert labels[first:] == [str(n) for n in range(1, len(labels) - first + 1)]
    assert first % 2 == 0                                          # the body opens on a recto
    page_map = built["result"].page_map
    assert page_map.front_pages == first and [page_map.label(i) for i in range(len(labels))] == labels


def _folios(pdf: Path) -> list[str]:
    """The text in each page's bottom margin (the folio), or ""."""
    bottom = EDITIONS[0].margins.bottom
    out = []
    with pdfplumber.open(pdf) as doc:
        for page in doc.pages:
            words = [w["text"] for w in page.extract_words() if w["top"] > page.height - bottom]
            out.append(" ".join(words))
    return out


def test_folios_only_where_they_belong(built: dict) -> None:
    folios, labels, texts = _folios(built["pdf"]), built["labels"], built["texts"]
    page_map = built["result"].page_map
    openings = {at for at, _count in page_map.chapters.values()}
    contents = list(range(_page_of(built, "Contents"), page_map.front_pages))
    stamped = 0
    for i, (folio, label) in enumerate(zip(folios, labels)):
        blank = not _lines(texts[i])
        if blank or i in openings or i < contents[0] or i == contents[0]:
            assert folio == "", (i, label, folio)                  # display pages, openings, blanks: none
        elif i < page_map.front_pages:
            assert folio == label and not label.isdigit(), (i, label, folio)  # later contents pages: roman
            stamped += 1
        else:
            assert folio == label, (i, label, folio)               # every other body page: its number
            stamped += 1
    assert len(openings) == NIGHTS + 3 and stamped >= NIGHTS


def test_contents_fill_whole_pages(built: dict) -> None:
    """The contents spill a few entries onto a second page when set as usual; the book sets them closer."""
    book, index = prepare(built["root"], Reporter(echo=False))
    front = book.chapters[:matter.front_count(book)]
    numbers = {f"{e.chapter}/{e.target or e.chapter}": "88" for e in index.toc}
    usual = layout(f"<html><body>{front_html(book.meta, index, numbers, front, 0)}</body></html>", EDITIONS[0],
                   built["root"], pdf_identifier(book.meta), "", ())
    pages, last = contents_spill(usual)
    assert pages == 2 and 0 < last <= TOC_SPILL                    # as usual: a few entries spill
    # …onto a page that carries its roman folio, when the contents' first page carries none
    spill_pdf = built["base"] / "usual-front.pdf"
    spill_pdf.write_bytes(usual.pdf)
    folios = _folios(spill_pdf)
    assert folios[-2:] == ["", roman(len(folios))] and not any(folios[:-1])
    contents = _page_of(built, "Contents")
    entries = [ln for t in built["texts"][contents:built["result"].page_map.front_pages] for ln in _lines(t)
               if ". ." in ln]
    assert len(entries) == NIGHTS * (WATCHES + 1) + 3              # every entry, dedication and epigraph not
    assert "Colophon" in built["texts"][contents]                  # the last entry is on the first page
    assert "Epigraph" not in built["texts"][contents] and "Dedication" not in built["texts"][contents]


def test_back_matter_is_typed_in_the_epub(built: dict) -> None:
    z = built["zip"]
    types = {"90-thanks": ("acknowledgments", "doc-acknowledgments"), "99-colophon": ("colophon", "doc-colophon"),
             "00-dedication": ("dedication", "doc-dedication"), "00-epigraph": ("epigraph", "doc-epigraph")}
    for stem, (epub_type, role) in types.items():
        html = z.read(f"EPUB/text/ch-{stem}.xhtml").decode()
        assert re.search(rf'<section id="ch-{stem}" class="\w+" epub:type="{epub_type}" role="{role}">', html)
        part = "frontmatter" if stem.startswith("00") else "backmatter"
        assert f'<body epub:type="{part}">' in html
    about = z.read("EPUB/text/ch-91-about.xhtml").decode()
    assert '<body epub:type="backmatter">' in about and 'epub:type="chapter"' not in about
    nav = z.read("EPUB/nav.xhtml").decode()
    landmarks = re.findall(r'<a epub:type="([\w-]+)" href="([^"]+)"', nav.split('epub:type="landmarks"')[1])
    assert [t for t, _ in landmarks] == ["cover", "dedication", "epigraph", "toc", "bodymatter",
                                        "acknowledgments", "colophon"]
    assert dict(landmarks)["bodymatter"] == "text/ch-01-night.xhtml"
    opf = z.read("EPUB/content.opf").decode()
    spine = re.findall(r'<itemref idref="([^"]+)"', opf)
    assert spine[:5] == ["cover", "titlepage", "ch-00-dedication", "ch-00-epigraph", "nav"]
    assert spine[-3:] == ["ch-90-thanks", "ch-91-about", "ch-99-colophon"]


def test_epub_is_valid(built: dict) -> None:
    assert epubcheck_messages(built["epub"]) == []


@needs_ace
def test_epub_front_and_back_matter_pass_ace(built: dict) -> None:
    assert ace_violations(built["epub"]) == []


def test_one_pass_gives_the_same_pages(built: dict) -> None:
    out = built["base"] / "one-pass"
    run_build(built["root"], ["pdf"], out, Reporter(echo=False), use_cache=False, one_pass=True)
    reader = pypdf.PdfReader(out / "keeper.pdf")
    assert list(reader.page_labels) == built["labels"]
    assert [sorted(p.extract_text().split()) for p in reader.pages] == [sorted(t.split()) for t in built["texts"]]


def test_matter_is_marked_and_placed() -> None:
    def ch(cid: str, kind: str = "") -> ir.Chapter:
        return ir.Chapter(cid, f"{cid}.md", (), kind)

    ordered, notes = matter.place([ch("thanks", "acknowledgments"), ch("one"), ch("ded", "dedication"), ch("two")])
    assert [c.id for c in ordered] == ["ded", "one", "two", "thanks"]
    assert [d.code for d in notes] == ["M136", "M136"]
    assert matter.kind_of("About the author", ir.NO_ATTR) == "about-author"
    assert matter.kind_of("", ir.Attr(kv=(("epub:type", "acknowledgments"),))) == "acknowledgments"
    assert matter.kind_of("preface", ir.Attr(classes=("dedication",))) == ""   # declared wins, even unknown
    problem = matter.check("preface", "chapters/p.md")
    assert problem is not None and problem.code == "M135" and "dedication" in problem.hint


def test_copyright_lines_follow_the_metadata() -> None:
    meta = ir.Meta("T", "fr", "urn:isbn:9780306406157", creators=(ir.Contributor("Ann Roe"),),
                   rights="© 2019 Harbour Books. Tous droits réservés.", date="2019-08")
    assert copyright_lines(meta) == [("rights", "© 2019 Harbour Books. Tous droits réservés."),
                                     ("date", "Première publication : août 2019"),
                                     ("isbn", "ISBN 978-0-306-40615-7 (EPUB)")]
    assert human_date("1922", "en") == "1922" and human_date("1922-13-01", "en") == "1922-13-01"
    free = ir.Meta("T", "en", "urn:x", creators=(ir.Contributor("A. Cherry"),), date="1922",
                   rights="Public domain in the United States.")
    assert copyright_lines(free)[0] == ("rights", "Public domain in the United States.")
    bare = ir.Meta("T", "en", "urn:uuid:0f4b8ad6-0000-0000-0000-000000000000")
    assert copyright_lines(bare) == []
