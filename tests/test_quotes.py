"""Quotes by language (transforms/quotes.py) and footnotes that pop up, in the IR and in both editions."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pypdf
import pytest
from conftest import epubcheck_messages

from pipeline import ir
from pipeline.build import run_build
from pipeline.diagnostics import Reporter
from pipeline.load import Source
from pipeline.parse import ParseContext, parse_source
from pipeline.transforms import run_transforms
from pipeline.transforms.quotes import QUOTES, localise_quotes, quotes_for

N = "\u202f"  # narrow no-break space
SENTENCE = "He said \"it's 'fine' now\", don't."


def book(text: str, lang: str, reporter: Reporter | None = None) -> ir.Book:
    """``text`` parsed, in a book whose language is ``lang``, after every transform."""
    reporter = reporter or Reporter(echo=False)
    blocks = parse_source(Source("ch.md", text), ParseContext(Path.cwd(), reporter))
    return run_transforms(ir.Book(ir.Meta("T", lang, "x"), (ir.Chapter("ch", "ch.md", blocks),)), reporter)


def texts(b: ir.Book) -> list[str]:
    """The plain text of each paragraph (or heading) of the book's first chapter, notes left out."""
    return [ir.plain_text(x.inlines) for x in ir.query(b.chapters[0], (ir.Para, ir.Heading))]


# ---------------------------------------------------------------- the IR


@pytest.mark.parametrize("lang, expected", [
    ("en", "He said “it’s ‘fine’ now”, don’t."),
    ("en-GB", "He said “it’s ‘fine’ now”, don’t."),
    ("de", "He said „it’s ‚fine‘ now“, don’t."),
    ("de-CH", "He said «it’s ‹fine› now», don’t."),
    ("fr", f"He said «{N}it’s ‹{N}fine{N}› now{N}», don’t."),
    ("fr-CA", f"He said «{N}it’s ‹{N}fine{N}› now{N}», don’t."),
    ("es", "He said «it’s “fine” now», don’t."),
    ("it", "He said «it’s “fine” now», don’t."),
    ("pt", "He said «it’s “fine” now», don’t."),
    ("pt-BR", "He said “it’s ‘fine’ now”, don’t."),
    ("nl", "He said “it’s ‘fine’ now”, don’t."),
    ("sv", "He said ”it’s ’fine’ now”, don’t."),
    ("fi", "He said ”it’s ’fine’ now”, don’t."),
    ("da", "He said »it’s ›fine‹ now«, don’t."),
    ("nb", "He said «it’s ‘fine’ now», don’t."),
    ("nn", "He said «it’s ‘fine’ now», don’t."),
    ("no", "He said «it’s ‘fine’ now», don’t."),
    ("ru", "He said «it’s „fine“ now», don’t."),
    ("pl", "He said „it’s «fine» now”, don’t."),
    ("cs", "He said „it’s ‚fine‘ now“, don’t."),
    ("sk", "He said „it’s ‚fine‘ now“, don’t."),
    ("de-AT", "He said „it’s ‚fine‘ now“, don’t."),
    ("is", "He said „it’s ‚fine‘ now“, don’t."),
    ("ca", "He said «it’s “fine” now», don’t."),
    ("el", "He said «it’s “fine” now», don’t."),
    ("uk", "He said «it’s „fine“ now», don’t."),
    ("hu", "He said „it’s »fine« now”, don’t."),
    ("ja", "He said 「it’s 『fine』 now」, don’t."),
    ("zh-Hant-TW", "He said 「it’s 『fine』 now」, don’t."),
    ("zh", "He said “it’s ‘fine’ now”, don’t."),
])
def test_the_book_language_sets_primary_and_nested_quotes(lang: str, expected: str) -> None:
    assert texts(book(SENTENCE + "\n", lang)) == [expected]


def test_every_table_pairs_its_marks() -> None:
    for lang, q in QUOTES.items():
        assert all(q) and quotes_for(lang) is q
        assert "’" not in (q.open1, q.open2) or lang in ("sv", "fi")


def test_a_lang_span_or_div_inside_an_english_book() -> None:
    b = book('She wrote [Zitat "x" und \'y\']{lang=de} and "z".\n\n'
             '::: {lang=fr}\nIl dit "oui".\n\n> "Encore"\n:::\n\n"Back" in English.\n', "en")
    assert texts(b) == ["She wrote Zitat „x“ und ‚y‘ and “z”.", f"Il dit «{N}oui{N}».", f"«{N}Encore{N}»",
                        "“Back” in English."]
    span = next(ir.query(b, ir.Span))
    assert span.attr.get("lang") == "de"  # the span is kept: both editions mark its language


def test_an_english_span_inside_a_german_book_and_nesting_across_markup() -> None:
    b = book('"Er las *\'Hamlet\'* laut" und [the "play"]{lang=en}.\n', "de")
    assert texts(b) == ["„Er las ‚Hamlet‘ laut“ und the “play”."]


def test_apostrophes_stay_in_every_language() -> None:
    source = "The dogs' bones, 'Tis true, the '90s, rock 'n' roll, l'homme, it's 5'10\" tall.\n"
    for lang in ("de", "fr", "da", "pl"):
        (text,) = texts(book(source, lang))
        assert text.startswith("The dogs’ bones, ’Tis true, the ’90s,"), (lang, text)
        assert "l’homme, it’s 5’10” tall." in text, (lang, text)


def test_quotes_the_author_typed_stay_as_typed() -> None:
    assert texts(book("Sie sagte „Nein“ und ‚nie‘. Er: «Oui».\n", "de")) == ["Sie sagte „Nein“ und ‚nie‘. Er: «Oui»."]
    assert texts(book("Il dit « oui » et “non”.\n", "fr")) == [f"Il dit « oui » et «{N}non{N}»."]


def test_code_math_and_raw_html_are_never_touched() -> None:
    b = book('Say `"hi" \'x\'` and $"a"$ and "yes".\n\n```\n"block" \'q\'\n```\n\n<p title=\'"t"\'>"raw"</p>\n', "de")
    para = b.chapters[0].blocks[0]
    assert [n.text for n in para.inlines if isinstance(n, (ir.Code, ir.Math))] == ['"hi" \'x\'', '"a"']
    assert ir.plain_text(para.inlines).endswith("and „yes“.")
    code = next(ir.query(b, ir.CodeBlock))
    assert code.text == "\"block\" 'q'\n"
    raw = next(ir.query(b, ir.RawBlock), None)
    assert raw is None or "„" not in raw.html


def test_notes_captions_alt_text_and_the_title_follow_the_language() -> None:
    reporter = Reporter(echo=False)
    blocks = parse_source(Source("ch.md", 'Text.[^1]\n\n[^1]: A "note".\n\n| a |\n|---|\n| "cell" |\n\n'
                                 ': The "caption"\n'), ParseContext(Path.cwd(), reporter))
    meta = ir.Meta("The “Lantern”", "de", "x", subtitle="A ‘salt’ story")  # as the parser curls metadata
    b = localise_quotes(ir.Book(meta, (ir.Chapter("ch", "ch.md", blocks),)), reporter)
    assert (b.meta.title, b.meta.subtitle) == ("The „Lantern“", "A ‚salt‘ story")
    note = next(ir.query(b, ir.Note))
    assert ir.plain_text(note.blocks[0].inlines) == "A „note“."
    table = next(ir.query(b, ir.Table))
    assert ir.plain_text(table.caption) == "The „caption“"
    assert ir.plain_text(table.body[0][0].blocks[0].inlines) == "„cell“"
    figure = ir.Figure(ir.Image("a.png", "A “still”"), (ir.Text("“Harbour”"),))
    b = localise_quotes(ir.Book(ir.Meta("T", "fr", "x"), (ir.Chapter("c", "c.md", (figure,)),)), reporter)
    (fig,) = b.chapters[0].blocks
    assert fig.image.alt == f"A «{N}still{N}»" and fig.caption == (ir.Text(f"«{N}Harbour{N}»"),)
    assert reporter.warnings == []


def test_a_language_without_a_table_keeps_english_quotes_and_warns_once() -> None:
    reporter = Reporter(echo=False)
    b = book('"One" and "two".\n\n"Three".\n', "tlh", reporter)
    assert texts(b) == ["“One” and “two”.", "“Three”."]
    assert [(d.code, d.file, d.line) for d in reporter.warnings] == [("P150", "ch.md", 1)]
    quiet = Reporter(echo=False)
    book("No quotes here.\n", "tlh", quiet)
    assert quiet.warnings == []


def test_an_english_book_is_left_as_it_is() -> None:
    blocks = parse_source(Source("ch.md", SENTENCE + "\n"), ParseContext(Path.cwd(), Reporter(echo=False)))
    b = ir.Book(ir.Meta("T", "en", "x"), (ir.Chapter("ch", "ch.md", blocks),))
    assert localise_quotes(b, Reporter(echo=False)).chapters[0] is b.chapters[0]


# ---------------------------------------------------------------- both editions

MANUSCRIPT = """---
title: Le "Fanal"
lang: fr
---
# Premier

Il dit "c'est 'bien' ainsi" et partit.[^1] Puis [er sagte "ja, 'gut'"]{lang=de} encore.

> Une citation avec une note.[^2]

- Un point "listé".[^3]

[^1]: Une note "citée".
[^2]: La note de la citation.
[^3]: La note de la liste.

# Second

Encore "un mot".[^4]

[^4]: Quatrième note.
"""

XHTML = "{http://www.w3.org/1999/xhtml}"
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"


@pytest.fixture(scope="module")
def editions(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, str], list[str]]:
    """The book built once to both editions: the chapters' XHTML by file name, the PDF's pages' text."""
    tmp = tmp_path_factory.mktemp("quotes")
    (tmp / "fanal.md").write_text(MANUSCRIPT, encoding="utf-8")
    result = run_build(tmp / "fanal.md", ["epub", "pdf"], tmp / "out", Reporter(echo=False), use_cache=False)
    epub = next(p for p in result.outputs if p.suffix == ".epub")
    pdf = next(p for p in result.outputs if p.suffix == ".pdf")
    assert epubcheck_messages(epub) == []
    with zipfile.ZipFile(epub) as z:
        chapters = {n.rsplit("/", 1)[-1]: z.read(n).decode() for n in z.namelist()
                    if n.startswith("EPUB/text/") and ("premier" in n or "second" in n)}
    # justified lines space their words wider: the extracted text may show two spaces for one
    pages = [re.sub(r" {2,}", " ", p.extract_text()) for p in pypdf.PdfReader(pdf).pages]
    return chapters, pages


def test_quotes_by_language_in_the_epub(editions: tuple[dict[str, str], list[str]]) -> None:
    chapters, _ = editions
    first = next(x for n, x in chapters.items() if "premier" in n)
    assert f"Il dit «{N}c’est ‹{N}bien{N}› ainsi{N}» et partit." in first
    assert '<span lang="de" xml:lang="de">er sagte „ja, ‚gut‘“</span>' in first
    assert f"Une note «{N}citée{N}»." in first
    assert '"' not in re.sub(r"<[^>]*>", "", first.split("<body", 1)[1])  # no straight quote left in the text


def test_quotes_by_language_in_the_pdf(editions: tuple[dict[str, str], list[str]]) -> None:
    _, pages = editions
    text = re.sub(r"[ \n]+", " ", "\n".join(pages))  # lines joined: where they break is the layout's
    assert f"Il dit «{N}c’est ‹{N}bien{N}› ainsi{N}» et partit." in text
    assert "er sagte „ja, ‚gut‘“ encore." in text
    assert f"Encore «{N}un mot{N}»." in text
    assert pages[0].startswith(f"Le «{N}Fanal{N}»")  # the half-title


def test_footnotes_pop_up_in_the_epub(editions: tuple[dict[str, str], list[str]]) -> None:
    chapters, _ = editions
    seen = 0
    for name, xhtml in chapters.items():
        root = ET.fromstring(xhtml)
        parents = {c: p for p in root.iter() for c in p}
        asides = {a.get("id"): a for a in root.iter(XHTML + "aside") if a.get(EPUB_TYPE) == "footnote"}
        refs = [a for a in root.iter(XHTML + "a") if a.get(EPUB_TYPE) == "noteref"]
        assert refs and len(refs) == len(asides), name
        for ref in refs:
            seen += 1
            assert ref.get("role") == "doc-noteref" and parents[ref].tag == XHTML + "sup"
            target = ref.get("href")
            assert target.startswith("#"), "the note is in the same document as its reference"
            aside = asides[target[1:]]
            assert aside.get("role") == "doc-footnote"
            ancestors = []
            node = aside
            while node in parents:
                node = parents[node]
                ancestors.append(node.tag.removeprefix(XHTML))
            assert "p" not in ancestors and ancestors[0] == "section"
            back = aside.find(f".//{XHTML}a[@role='doc-backlink']")
            assert back is not None and back.get("href") == "#" + ref.get("id")
            assert "".join(back.itertext()) == f"{ref.text}."
    assert seen == 4


def test_footnotes_in_print_stay_at_the_foot_of_their_page(editions: tuple[dict[str, str], list[str]]) -> None:
    _, pages = editions
    # the call's sentence (the raised call itself is extracted apart from it), then its note
    for call, note in (("partit.", f"1. Une note «{N}citée{N}»."), ("une note.", "2. La note de la citation."),
                       ("listé", "3. La note de la liste."), ("mot", "4. Quatrième note.")):
        page = next(p for p in pages if call in p)
        assert note in page
        assert page.index(note) > page.index(call)
