"""DAISY Ace on many EPUBs in one process (tests/ace_batch.js) and how the session finds the EPUBs built.

A small book is built to EPUB; copies of it with a violation planted (under an
``ace-exempt`` folder, so that the session's own check leaves them out) must
fail where the original passes, all in one run of the batch: one without its
accessibility metadata (a package violation, though each document is the same
as the original's and is not checked again), one with an image without a text
alternative in a chapter (a document violation), and one whose style sheet
greys the text (the documents' bytes are the original's, but not their look:
they must be checked again). The session's watcher (``AceSession``) finds the
EPUBs of a folder, one per content, and reports each where it was found.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pytest
from conftest import ACE_EXEMPT, AceBatch, AceSession, built_epubs, needs_ace, write_files

from pipeline.build import run_build
from pipeline.diagnostics import Reporter


def _copy(src: Path, dst: Path, change) -> Path:  # noqa: ANN001
    """A copy of the EPUB ``src`` at ``dst`` with ``change(name, data)`` applied to every member."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            zout.writestr(info, change(info.filename, zin.read(info)))
    return dst


@pytest.fixture(scope="module")
def epubs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("batch")
    root = write_files(base / "book", {
        "book.yaml": "title: Batch\nauthor: Ann Author\nlang: en\n",
        "01-one.md": "# One\n\nA paragraph with a note.[^a]\n\n[^a]: The note.\n",
        "02-two.md": "# Two\n\n| Reel | Length |\n|---|---|\n| One | 10 |\n",
    })
    run_build(root, ["epub"], base / "out", Reporter(echo=False), use_cache=False)
    good = base / "out" / "book.epub"
    exempt = base / ACE_EXEMPT

    def strip(name: str, data: bytes) -> bytes:  # no accessibility claims: Ace's serious violations
        if name.endswith(".opf"):
            data = re.sub(rb'\s*<meta property="(schema:access|dcterms:conformsTo)[^>]*>[^<]*</meta>', b"", data)
        return data

    def no_alt(name: str, data: bytes) -> bytes:  # an image with no text alternative in the first chapter
        return data.replace(b"</h1>", b'</h1><p><img src="../images/none.png"/></p>', 1) if "one" in name else data

    def grey(name: str, data: bytes) -> bytes:  # light grey text on white: too little contrast
        return data + b"\np { color: #c8c8c8 !important; }\n" if name.endswith(".css") else data

    other = base / "out" / "other.epub"  # not ours (no ebooklib generator): never checked
    with zipfile.ZipFile(other, "w") as z:
        z.writestr("mimetype", "application/epub+zip")
        z.writestr("EPUB/content.opf", '<package><meta name="generator" content="pandoc"/></package>')
    return {"base": base, "good": good, "other": other, "stripped": _copy(good, exempt / "stripped.epub", strip),
            "no-alt": _copy(good, exempt / "no-alt.epub", no_alt), "grey": _copy(good, exempt / "grey.epub", grey)}


def test_the_session_finds_only_our_epubs_one_per_content(epubs: dict[str, Path]) -> None:
    copy = epubs["base"] / "again" / "book.epub"
    copy.parent.mkdir()
    copy.write_bytes(epubs["good"].read_bytes())
    found = built_epubs(epubs["base"])  # not those under ace-exempt, nor other.epub
    assert [p for p, _n in found] in ([epubs["good"]], [copy])
    assert found[0][1] == 5  # cover, title page, nav, two chapters


@needs_ace
def test_one_ace_process_checks_many_epubs_and_tells_them_apart(epubs: dict[str, Path]) -> None:
    batch = AceBatch(epubs["base"] / "ace")
    for name in ("good", "stripped", "no-alt", "grey"):
        batch.check(epubs[name])
    rows = batch.results()
    good, stripped, no_alt, grey = (rows[epubs[name]] for name in ("good", "stripped", "no-alt", "grey"))
    assert good["violations"] == [] and good["documents"] == 5 and good["reused"] == 0
    bad = stripped["violations"]
    assert any("accessMode" in v for v in bad) and any("accessibilityHazard" in v for v in bad), bad
    assert stripped["reused"] == 5  # the same documents, the same resources: the browser's results reused
    assert any(v.startswith("image-alt ") and "one" in v for v in no_alt["violations"]), no_alt["violations"]
    assert no_alt["reused"] == 4  # all but the changed chapter
    assert any(v.startswith("color-contrast ") for v in grey["violations"]), grey["violations"]
    assert grey["reused"] == 0  # the same bytes, another style sheet: every document checked again
    assert batch.cpu > 0


@needs_ace
def test_the_session_checks_what_it_finds_and_reports_it_where_found(epubs: dict[str, Path]) -> None:
    base = epubs["base"] / ACE_EXEMPT / "session"  # as the session's temporary folder (the real one skips it)
    first = base / "a" / "book.epub"
    first.parent.mkdir(parents=True)
    shutil.copy(epubs["good"], first)
    session = AceSession(base)
    session.scan()
    shutil.copy(epubs["good"], base / "b-same.epub")  # found later: the same content, not checked again
    shutil.copy(epubs["stripped"], base / "c-stripped.epub")
    shutil.copy(epubs["other"], base / "d-other.epub")
    rows, _after = session.finish()
    assert set(rows) == {first, base / "c-stripped.epub"}
    assert rows[first]["violations"] == [] and rows[base / "c-stripped.epub"]["violations"]
    assert len(session.files) == 4

