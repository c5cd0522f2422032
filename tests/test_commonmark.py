"""Every example of the CommonMark spec (npm ``commonmark-spec``), treated as hostile input.

Each example alone either builds or stops with a clear image diagnostic (the
spec links images that do not exist, or that sit at absolute paths); never a
traceback. All the examples that build are then bound into one book, which
must pass EPUBCheck with no message at all, render to PDF, and carry no
script, event handler or ``javascript:`` link (and, under ``make test``, pass
DAISY Ace: tests/conftest.py checks every EPUB the tests build).

The book has a chapter per section of the spec (Tabs, Links…), not one per
example: DAISY Ace's time goes with the number of documents (633 one-example
chapters took 355 s of Ace; 74 chapters take 36 s). Examples are parted by
``<!-- -->``, which ends a paragraph, list, quote or indented code block and
adds nothing, and an example is only bound with others when that is proven
harmless: each chapter must hold exactly the blocks its examples have in a
book of one example per chapter (ids, source lines and where a link inside
the book points aside), so no example's unclosed code or HTML block, list or
link reference definition reaches into another. A chapter that differs is
cut before the example where it first does, until none differs.
"""

from __future__ import annotations

import dataclasses
import io
import re
import zipfile
from pathlib import Path
from typing import Any

import pypdf
import pytest
from conftest import ROOT, epubcheck_messages, write_files

from pipeline import build, build_book, ir
from pipeline.diagnostics import BuildError, Reporter
from pipeline.render.epub import render_epub

SPEC = ROOT / ".venv" / "share" / "commonmark-spec" / "spec.txt"
IMAGE_CODES = {"I001", "I005"}  # image not found; image outside the manuscript (absolute paths)
EXAMPLE = re.compile(r"^`{32} example\n([\s\S]*?)^\.\n([\s\S]*?)^`{32}$", re.M)


def _spec_tests() -> str:
    if not SPEC.is_file():
        pytest.fail(f"{SPEC} is missing: run `make setup` (it fetches the npm package commonmark-spec)")
    return re.sub(r"^<!-- END TESTS -->(.|\n)*", "", SPEC.read_text(encoding="utf-8"), flags=re.M)


def spec_examples() -> list[str]:
    """The Markdown of each spec example, as the package's own index.js extracts them."""
    return [m.group(1).replace("→", "\t") for m in EXAMPLE.finditer(_spec_tests())]


def spec_sections() -> list[str]:
    """The section of the spec (its level-1 or level-2 heading, outside code blocks) each example is in."""
    text = _spec_tests()
    headings: list[tuple[int, str]] = []  # (offset, title)
    fence = ""
    offset = 0
    for line in text.splitlines(keepends=True):
        stripped = line.rstrip("\n")
        if fence:
            if re.fullmatch(re.escape(fence[0]) + "{%d,} *" % len(fence), stripped):
                fence = ""
        elif m := re.match(r"(`{3,}|~{3,})", stripped):
            fence = m.group(1)
        elif m := re.match(r"#{1,2} (.+)$", stripped):
            headings.append((offset, m.group(1)))
        offset += len(line)
    return [next(title for at, title in reversed(headings) if at < m.start()) for m in EXAMPLE.finditer(text)]


def _content(blocks: tuple[ir.Block, ...]) -> tuple[ir.Block, ...]:
    """``blocks`` without what depends on the chapter they are in: ids, source lines, and which chapter
    and id a link inside the book points at (that it does is kept)."""
    def strip(node: Any) -> Any:
        changes: dict[str, Any] = {}
        if getattr(node, "attr", None) is not None and node.attr.id:
            changes["attr"] = dataclasses.replace(node.attr, id="")
        if getattr(node, "line", 0):
            changes["line"] = 0
        if isinstance(node, ir.Link) and ir.book_target(node.target, "") is not None:
            changes["target"] = "#"
        return dataclasses.replace(node, **changes) if changes else node
    return tuple(ir.walk(b, strip) for b in blocks)


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[int, str]:
    """Build every example alone (IR and EPUB, in-process): 'ok' or the diagnostic code."""
    root = tmp_path_factory.mktemp("examples")
    result: dict[int, str] = {}
    for n, markdown in enumerate(spec_examples(), 1):
        path = root / f"example-{n:03}.md"
        path.write_text("---\ntitle: Example\nlang: en\n---\n" + markdown, encoding="utf-8")
        try:
            assert render_epub(build_book(path, Reporter(stream=io.StringIO()))).data
            result[n] = "ok"
        except BuildError as exc:
            result[n] = exc.diagnostic.code
    return result


def test_every_example_builds_or_gives_a_clear_image_error(outcomes: dict[int, str]) -> None:
    assert len(outcomes) == 652
    refused = {n: code for n, code in outcomes.items() if code != "ok"}
    assert set(refused.values()) <= IMAGE_CODES, refused
    assert len(refused) == 22  # the examples whose images are missing or absolute


# after an example: ends its paragraph, list, quote or indented code (the spec's own way to part two lists)
SEPARATOR = "\n<!-- -->\n\n"


def _write_book(root: Path, groups: list[list[int]], examples: dict[int, str]) -> Path:
    files: dict[str, str | bytes] = {"book.yaml": "title: CommonMark examples\nlang: en\n"}
    for group in groups:  # a chapter's file is named by its first example
        files[f"chapters/{group[0]:03}.md"] = SEPARATOR.join(examples[n] for n in group)
    return write_files(root, files)


def _first_stray(blocks: tuple[ir.Block, ...], group: list[int],
                 alone: dict[int, tuple[ir.Block, ...]]) -> int | None:
    """None if ``blocks`` are exactly the blocks of ``group``'s examples each in a chapter alone, else the
    place in ``group`` of the example where they first differ (the last if they differ only in length)."""
    owners = [k for k, n in enumerate(group) for _ in alone[n]]
    expected = [b for n in group for b in alone[n]]
    if list(blocks) == expected:
        return None
    i = next((i for i, (a, b) in enumerate(zip(blocks, expected)) if a != b), min(len(blocks), len(expected)))
    return owners[i] if i < len(owners) else len(group) - 1


def bind(examples: dict[int, str], sections: dict[int, str], root: Path) -> list[list[int]]:
    """``examples`` (Markdown by number) bound a chapter per section, each chapter cut until it holds exactly
    the blocks its examples have in a book of one example per chapter (ids, lines and where links inside
    the book point aside): both books' IR is built, each chapter compared, and a chapter that differs is
    cut before the example where it first does (after it, if that is its first), until none differs.
    Writes the book under ``root``."""
    numbers = sorted(examples)
    one_each = build_book(_write_book(root, [[n] for n in numbers], examples), Reporter(stream=io.StringIO()))
    alone = {n: _content(ch.blocks) for n, ch in zip(numbers, one_each.chapters, strict=True)}
    grouped: dict[str, list[int]] = {}
    for n in numbers:
        grouped.setdefault(sections[n], []).append(n)
    chapters = list(grouped.values())
    while True:
        for path in (root / "chapters").iterdir():
            path.unlink()
        book = build_book(_write_book(root, chapters, examples), Reporter(stream=io.StringIO()))
        assert [ch.source for ch in book.chapters] == [f"chapters/{group[0]:03}.md" for group in chapters]
        cut: list[list[int]] = []
        for group, chapter in zip(chapters, book.chapters):
            stray = _first_stray(_content(chapter.blocks), group, alone)
            if stray is None:
                cut.append(group)
            else:
                cut += [group[:max(stray, 1)], group[max(stray, 1):]]
        if cut == chapters:
            return chapters
        chapters = cut


def test_bind_keeps_apart_what_would_reach_into_another_example(tmp_path: Path) -> None:
    examples = {1: "```\nan unclosed fence\n", 2: "A paragraph.\n", 3: "[foo]\n", 4: "[foo]: /url\n",
                5: "- a list\n", 6: "    indented code\n", 7: "<!-- an unclosed comment\n", 8: "# Last\n"}
    # 1 would swallow the rest; 4 makes 3 a link; 7 (text, alone) would end at the separator after it, as a
    # comment; 5 and 6 are kept apart by the separator
    assert bind(examples, dict.fromkeys(examples, "one section"), tmp_path) == [[1], [2], [3], [4, 5, 6], [7], [8]]


@pytest.fixture(scope="module")
def spec_book(outcomes: dict[int, str], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("spec") / "commonmark"
    markdown, sections = spec_examples(), spec_sections()
    chapters = bind({n: markdown[n - 1] for n, code in outcomes.items() if code == "ok"},
                    {n: section for n, section in enumerate(sections, 1)}, root)
    paths = build(root, ["epub", "pdf"], tmp_path_factory.mktemp("out"), Reporter(stream=io.StringIO()))
    return {"chapters": chapters, **{p.suffix[1:]: p for p in paths}}


def test_spec_book_binds_every_example_that_builds_once(spec_book: dict[str, Any],
                                                        outcomes: dict[int, str]) -> None:
    chapters = spec_book["chapters"]
    assert [n for group in chapters for n in group] == [n for n, code in outcomes.items() if code == "ok"]
    assert len(chapters) < 100  # a chapter per section, cut where needed: not one per example
    with zipfile.ZipFile(spec_book["epub"]) as z:
        documents = sorted(n for n in z.namelist() if re.fullmatch(r"EPUB/text/ch-\d+\.xhtml", n))
    assert documents == [f"EPUB/text/ch-{group[0]:03}.xhtml" for group in chapters]


def test_spec_book_passes_epubcheck(spec_book: dict[str, Any]) -> None:
    assert epubcheck_messages(spec_book["epub"]) == []


def test_spec_book_renders_to_pdf(spec_book: dict[str, Any]) -> None:
    assert len(pypdf.PdfReader(spec_book["pdf"]).pages) > 100


def test_no_script_handler_or_javascript_survives(spec_book: dict[str, Any]) -> None:
    with zipfile.ZipFile(spec_book["epub"]) as z:
        for name in z.namelist():
            if name.endswith(".xhtml"):
                text = z.read(name).decode("utf-8").lower()
                assert "<script" not in text, name
                assert not re.search(r"\son[a-z]+\s*=", text), name
                assert "javascript:" not in text, name
