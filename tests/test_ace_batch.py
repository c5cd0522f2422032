"""DAISY Ace on many EPUBs in one process (tests/ace_batch.js) and how the session finds the EPUBs built.

A small book is built to EPUB; a copy stripped of its accessibility metadata
(under an ``ace-exempt`` folder, so that the session's own check leaves it
out) must fail where the original passes, both in one run of the batch.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from conftest import ACE_EXEMPT, ace_batch, built_epubs, needs_ace, write_files

from pipeline.build import run_build
from pipeline.diagnostics import Reporter


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
    bad = base / ACE_EXEMPT / "stripped.epub"
    bad.parent.mkdir()
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.endswith(".opf"):  # no accessibility claims: Ace's serious violations
                data = re.sub(rb'\s*<meta property="(schema:access|dcterms:conformsTo)[^>]*>[^<]*</meta>', b"", data)
            dst.writestr(info, data)
    other = base / "out" / "other.epub"  # not ours (no ebooklib generator): never checked
    with zipfile.ZipFile(other, "w") as z:
        z.writestr("mimetype", "application/epub+zip")
        z.writestr("EPUB/content.opf", '<package><meta name="generator" content="pandoc"/></package>')
    return {"base": base, "good": good, "bad": bad}


def test_the_session_finds_only_our_epubs_one_per_content(epubs: dict[str, Path]) -> None:
    copy = epubs["base"] / "again" / "book.epub"
    copy.parent.mkdir()
    copy.write_bytes(epubs["good"].read_bytes())
    found, large = built_epubs(epubs["base"])
    assert [p for p, _n in found] in ([epubs["good"]], [copy]) and large == 0
    assert found[0][1] == 5  # cover, title page, nav, two chapters


@needs_ace
def test_one_ace_process_checks_many_epubs_and_tells_them_apart(epubs: dict[str, Path]) -> None:
    results = ace_batch([epubs["good"], epubs["bad"]], epubs["base"] / "ace")
    assert results[epubs["good"]][1] == []
    bad = results[epubs["bad"]][1]
    assert any("accessMode" in v for v in bad) and any("accessibilityHazard" in v for v in bad), bad
