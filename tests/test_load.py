"""Load stage and metadata: finding chapters, reading text, pandoc's metadata keys."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import write_files

from pipeline.diagnostics import BuildError, Reporter
from pipeline.load import load
from pipeline.metadata import normalise


def test_explicit_chapter_list_wins(tmp_path: Path) -> None:
    write_files(tmp_path, {"book.yaml": "title: T\nchapters: [b.md, a.md]\n", "a.md": "# A", "b.md": "# B",
                           "chapters/c.md": "# C"})
    assert [s.path for s in load(tmp_path).sources] == ["b.md", "a.md"]


def test_chapters_folder_then_own_md_files(tmp_path: Path) -> None:
    write_files(tmp_path / "one", {"book.yaml": "title: T\n", "chapters/2.md": "x", "chapters/1.md": "y", "z.md": ""})
    assert [s.path for s in load(tmp_path / "one").sources] == ["chapters/1.md", "chapters/2.md"]
    write_files(tmp_path / "two", {"book.yaml": "title: T\n", "b.md": "x", "a.md": "y"})
    assert [s.path for s in load(tmp_path / "two").sources] == ["a.md", "b.md"]


def test_bom_crlf_and_nul_are_normalised(tmp_path: Path) -> None:
    (tmp_path / "e.md").write_bytes(b"\xef\xbb\xbf---\r\ntitle: T\r\n---\r\n# H\r\nA\x00B\r\n")
    m = load(tmp_path / "e.md")
    assert m.metadata == {"title": "T"}
    assert m.sources[0].text == "# H\nA\ufffdB\n" and m.sources[0].first_line == 4


def test_listed_chapter_missing(tmp_path: Path) -> None:
    write_files(tmp_path, {"book.yaml": "title: T\nchapters: [nope.md]\n"})
    with pytest.raises(BuildError, match="chapter file 'nope.md' not found"):
        load(tmp_path)


def test_authors_and_contributors() -> None:
    meta = normalise({"title": "T", "lang": "en", "author": [{"name": "A", "role": "author"}, "B"],
                      "translator": ["C", "D"], "illustrator": "E"}, "b.yaml")
    assert [c.name for c in meta.creators] == ["A", "B"]
    assert [(c.name, c.role) for c in meta.contributors] == [("C", "trl"), ("D", "trl"), ("E", "ill")]


def test_identifier_forms() -> None:
    assert normalise({"title": "T", "lang": "en", "identifier": "978-0-306-40615-7"}, "f").identifier \
        == "urn:isbn:9780306406157"
    assert normalise({"title": "T", "lang": "en",
                      "identifier": [{"scheme": "UUID", "text": "6FA459EA-EE8A-3CA4-894E-DB77E160355E"}]},
                     "f").identifier == "urn:uuid:6fa459ea-ee8a-3ca4-894e-db77e160355e"
    a = normalise({"title": "T", "lang": "en"}, "f").identifier
    assert a.startswith("urn:uuid:") and a == normalise({"title": "T", "lang": "en"}, "f").identifier


def test_trim_size() -> None:
    from pipeline.editions import for_book

    assert normalise({"title": "T", "lang": "en"}, "f").trim_size == ()
    assert for_book(normalise({"title": "T", "lang": "en"}, "f"), "pdf").trim == ("6in", "9in")
    meta = normalise({"title": "T", "lang": "en", "trim-size": "5.5in x 8.5in"}, "f")
    assert meta.trim_size == ("5.5in", "8.5in") and for_book(meta, "pdf").trim == ("5.5in", "8.5in")
    assert normalise({"title": "T", "lang": "en", "papersize": "a5"}, "f").trim_size[0] == "148mm"
    with pytest.raises(BuildError, match="trim size 'huge'"):
        normalise({"title": "T", "lang": "en", "trim-size": "huge"}, "f")


def test_language_key_and_bad_tag() -> None:
    assert normalise({"title": "T", "language": "ru"}, "f").lang == "ru"
    with pytest.raises(BuildError, match="not a BCP 47 tag"):
        normalise({"title": "T", "lang": "English please"}, "f")


def test_defaults_warn() -> None:
    reporter = Reporter()
    meta = normalise({}, "f", reporter, slug="my-book")
    assert (meta.title, meta.lang) == ("my-book", "en")
    assert [w.code for w in reporter.warnings] == ["M102", "M103"]


def test_front_matter_only_when_pandoc_would_see_it(tmp_path: Path) -> None:
    # a thematic break followed by a blank line, or a fenced block that is not a mapping, is Markdown
    for text in ("---\n\n*A A*\n\n---\n", "---\nFoo\n---\n"):
        (tmp_path / "e.md").write_text(text)
        m = load(tmp_path / "e.md")
        assert m.metadata == {} and m.sources[0].text == text
    (tmp_path / "e.md").write_text("---\ntitle: T\n...\nBody\n")
    assert load(tmp_path / "e.md").metadata == {"title": "T"}


def test_chapter_front_matter_titles_its_chapter_and_never_silently_sets_the_books(tmp_path: Path) -> None:
    from pipeline import ir
    from pipeline.build import build_book
    from pipeline.diagnostics import Reporter

    (tmp_path / "chapters").mkdir()
    (tmp_path / "book.yaml").write_text("title: The Book\nlang: en\nauthor: A. Writer\n")
    (tmp_path / "chapters" / "01.md").write_text("---\ntitle: A *Preface*\nauthor: Someone Else\n"
                                                  "subtitle: From a Chapter\n---\n\nText.\n")
    (tmp_path / "chapters" / "02.md").write_text("---\ntitle: Ignored Here\n---\n\n# Its Own Heading\n\nMore.\n")
    reporter = Reporter(echo=False)
    book = build_book(tmp_path, reporter)
    assert book.meta.title == "The Book" and [c.name for c in book.meta.creators] == ["A. Writer"]
    assert book.meta.subtitle == "From a Chapter"  # used, but with a warning
    assert [ir.plain_text(c.title) for c in book.chapters] == ["A Preface", "Its Own Heading"]
    assert isinstance(book.chapters[0].blocks[0], ir.Heading)
    assert isinstance(book.chapters[0].blocks[0].inlines[1], ir.Emph)
    warnings = [(d.code, d.file.rsplit("/", 1)[-1], d.message) for d in reporter.warnings]
    assert ("M105", "01.md", "'author' in the front matter of a chapter is ignored: book.yaml sets it") in [
        (c, f, m.replace(str(tmp_path / "book.yaml"), "book.yaml")) for c, f, m in warnings]
    assert any(c == "M105" and "'subtitle'" in m for c, _, m in warnings)


def test_pandoc_title_block_is_metadata(tmp_path: Path) -> None:
    src = tmp_path / "essay.md"
    src.write_text("% Night Light\n% Jo Writer; Al Other\n% 2001-02-03\n\n# One\n\nText.\n")
    m = load(src)
    assert m.metadata == {"title": "Night Light", "author": ["Jo Writer", "Al Other"], "date": "2001-02-03"}
    assert m.sources[0].text.lstrip().startswith("# One") and m.sources[0].first_line == 4


def test_a_file_that_is_not_markdown_is_refused_as_a_chapter(tmp_path: Path) -> None:
    (tmp_path / "book.yaml").write_text("title: T\nlang: en\nchapters: [_quarto.yml, 01.md]\n")
    (tmp_path / "_quarto.yml").write_text("project:\n  type: book\n")
    (tmp_path / "01.md").write_text("# One\n")
    with pytest.raises(BuildError, match=r"'.*_quarto.yml' is not a Markdown file \[M016\]|is not a Markdown file"):
        load(tmp_path)


@pytest.mark.parametrize(("line", "code"), [("level-spreads: sideways", "M020"), ("trim-size: huge", "M013"),
                                            ("papersize: huge", "M013"), ("lang: English please", "M014"),
                                            ("language: English please", "M014"), ("toc-depth: 9", "M011")])
def test_a_bad_metadata_value_is_reported_at_its_line(tmp_path: Path, line: str, code: str) -> None:
    """A metadata error names the line of the metadata file that sets the key, and so does an
    unknown key's warning; a key the file does not set (given elsewhere) has no line."""
    root = write_files(tmp_path / "book", {
        "book.yaml": f"title: T\n# a comment\nfrobnicate: 3\n\n{line}\n" + ("lang: en\n" if code != "M014" else ""),
        "chapters/01.md": "# One\n\nText.\n"})
    reporter = Reporter(echo=False)
    manuscript = load(root)
    with pytest.raises(BuildError) as caught:
        normalise(manuscript.metadata, manuscript.metadata_file, reporter)
    found = caught.value.diagnostic
    assert (found.code, found.file, found.line) == (code, manuscript.metadata_file, 5)
    assert [(w.code, w.line) for w in reporter.warnings] == [("M101", 3)]
    with pytest.raises(BuildError) as elsewhere:  # a value the file does not set: no line to give
        normalise({"title": "T", "lang": "en", "paper": "glossy"}, manuscript.metadata_file, Reporter(echo=False))
    assert (elsewhere.value.diagnostic.code, elsewhere.value.diagnostic.line) == ("M020", 0)
