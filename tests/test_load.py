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
