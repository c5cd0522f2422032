"""Each source's parse is cached by content (pipeline/parse/source_cache.py): an edit parses
the edited source alone, and a parse from the cache is the parse made afresh, with its
warnings, its example numbers, its heading references and its images checked again."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import image_bytes, write_files

from pipeline import ir
from pipeline.cache import Cache
from pipeline.diagnostics import BuildError, Reporter
from pipeline.load import load
from pipeline.parse import markdown, parse_book, source_cache


def _files() -> dict[str, str | bytes]:
    return {
        "book.yaml": "title: Cached\nlang: en\n",
        "chapters/01.md": "# Sound {#sound}\n\n(@) A first example.\n\n(@wide) A wide one.\n\n"
                          "A note[^a] in a note.\n\n[^a]: Outer[^b].\n\n[^b]: Inner.\n",
        "chapters/02.md": "# Image\n\n![A still. *Film*, 1950.](../stills/a.png)\n\nSee [Sound], and (@wide).\n\n"
                          "(@) A later example.\n",
        "chapters/03.md": "# Third\n\nPlain prose, nothing more.\n",
        "stills/a.png": image_bytes("PNG", (120, 80)),
    }


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The sources parsed afresh (not taken from the cache), in order."""
    parsed: list[str] = []
    real = markdown.parse_source

    def counted(source, ctx):  # noqa: ANN001, ANN202
        parsed.append(source.path)
        return real(source, ctx)

    monkeypatch.setattr(source_cache, "parse_source", counted)
    return parsed


def _parse(root: Path, cache: Cache | None, jobs: int = 1) -> tuple[ir.Book, list[str]]:
    reporter = Reporter(echo=False)
    book = parse_book(load(root), reporter, cache=cache, jobs=jobs)
    return book, [f"{d.code} {d.file}:{d.line}" for d in reporter.warnings]


def test_an_edit_parses_the_edited_source_alone(tmp_path: Path, parses: list[str]) -> None:
    root = write_files(tmp_path / "book", _files())
    cache = Cache(tmp_path / "cache")
    first, first_warnings = _parse(root, cache)
    assert parses == ["chapters/01.md", "chapters/02.md", "chapters/03.md"]
    parses.clear()
    again, again_warnings = _parse(root, cache)
    assert parses == [] and again.chapters == first.chapters
    assert again_warnings == first_warnings and any(w.startswith("P103") for w in again_warnings)
    (root / "chapters/03.md").write_text("# Third\n\nPlain prose, and a new sentence.\n")
    edited, _ = _parse(root, cache)
    assert parses == ["chapters/03.md"]
    assert edited.chapters == _parse(root, None)[0].chapters


def _edit_first(tmp_path: Path, parses: list[str], old: str, new: str) -> tuple[Path, ir.Book]:
    """The book parsed into a cache, ``old`` replaced by ``new`` in its first file, parsed again."""
    root = write_files(tmp_path / "book", _files())
    cache = Cache(tmp_path / "cache")
    _parse(root, cache)
    one = root / "chapters/01.md"
    one.write_text(one.read_text().replace(old, new))
    parses.clear()
    return root, _parse(root, cache)[0]


def test_example_numbers_run_on_from_an_edited_earlier_source(tmp_path: Path, parses: list[str]) -> None:
    root, book = _edit_first(tmp_path, parses, "(@) A first example.", "(@) A first example.\n(@) Another.")
    assert parses == ["chapters/01.md", "chapters/02.md"]  # 02's numbers moved; 03 has none
    text = ir.plain_text(tuple(i for b in book.chapters[1].blocks if isinstance(b, ir.Para) for i in b.inlines))
    assert "(3)" in text, text  # (@wide) is now example 3
    assert book.chapters == _parse(root, None)[0].chapters


def test_a_renamed_heading_reaches_the_sources_that_refer_to_it(tmp_path: Path, parses: list[str]) -> None:
    _root, book = _edit_first(tmp_path, parses, "# Sound {#sound}", "# Noise {#noise}")
    assert sorted(parses) == ["chapters/01.md", "chapters/02.md", "chapters/03.md"]
    links = [n.target for n in ir.query(book.chapters[1], ir.Link)]
    assert "#sound" not in links


def test_a_cached_parse_checks_its_images_again(tmp_path: Path) -> None:
    root = write_files(tmp_path / "book", _files())
    cache = Cache(tmp_path / "cache")
    _parse(root, cache)
    (root / "stills/a.png").unlink()
    with pytest.raises(BuildError) as gone:
        _parse(root, cache)
    assert gone.value.diagnostic.code == "I001" and gone.value.diagnostic.file.endswith("chapters/02.md")
    (root / "stills/a.png").write_bytes(b"not an image at all")
    with pytest.raises(BuildError) as broken:
        _parse(root, cache)
    assert broken.value.diagnostic.file.endswith("chapters/02.md") and broken.value.diagnostic.line == 3


def test_a_long_book_is_parsed_ahead_in_workers_and_comes_out_the_same(tmp_path: Path) -> None:
    """Over AHEAD_FROM characters, the last half of the sources without an '@' is parsed in a worker
    process while this one parses the first half; the book, its warnings and their order are those
    of a parse in one process without a cache."""
    para = "A long paragraph of prose, with *emphasis* and a note[^n] in it, " * 40
    files: dict[str, str | bytes] = {"book.yaml": "title: Long\nlang: en\n"}
    for k in range(1, 25):
        extra = "\n\n(@) An example.\n" if k % 6 == 0 else ""
        files[f"chapters/{k:02d}.md"] = (f"# Chapter {k}\n\n" + f"{para}\n\n" * 6 + "[^n]: The note.\n\n"
                                         + "A note[^x] in a note.\n\n[^x]: Outer[^y].\n\n[^y]: Inner.\n" + extra)
    root = write_files(tmp_path / "book", files)
    manuscript = load(root)
    assert sum(len(s.text) for s in manuscript.sources) > source_cache.AHEAD_FROM
    ctx = markdown.ParseContext(root, Reporter(echo=False), cache=Cache(tmp_path / "ahead"))
    ctx.headings = markdown.heading_references([s.text for s in manuscript.sources])
    ahead = source_cache.parse_ahead(list(manuscript.sources), ctx, source_cache.context_key(ctx), jobs=2)
    assert ahead is not None
    try:
        given = [s.path for s in manuscript.sources if ahead.has(s.path)]
        second_half = [s.path for s in manuscript.sources[12:] if "@" not in s.text]
        assert given == second_half  # the chapters are of one length: the worker takes the last 12
        assert ahead.wait().ran == second_half[::-1]
        assert ctx.reporter.warnings == []  # the workers' warnings wait in their entries
    finally:
        ahead.close()
    parallel, parallel_warnings = _parse(root, Cache(tmp_path / "cache2"), jobs=2)
    serial, serial_warnings = _parse(root, None)
    assert parallel.chapters == serial.chapters
    assert parallel_warnings == serial_warnings and len(serial_warnings) == 24
