"""Facing pages end level (pipeline/render/spreads.py), measured on real PDFs by tests/pdf_spreads.py.

A one-chapter fixture book of paragraphs of many lengths (no stills, no
headings but the chapter's): widows and orphans leave some pages a line
short. Built twice, with the levelling turned off (``MAX_TRIES = 0``; the
chapter is laid out in a forked worker, which inherits it) and on.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import pdfplumber
import pytest
from conftest import write_files
from pdf_spreads import spreads, summary

from pipeline.build import run_build
from pipeline.diagnostics import Reporter
from pipeline.render import spreads as levelling


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    rng = random.Random(7)
    words = ("the keeper lit a lamp over the marsh as tide and salt light came in on grey slow quiet water "
             "by the stone tower").split()
    paragraphs = [" ".join(rng.choice(words) for _ in range(rng.choice([18, 25, 40, 60, 90, 130, 170])))
                  .capitalize() + "." for _ in range(150)]
    root = write_files(tmp_path_factory.mktemp("level") / "level", {
        "book.yaml": "title: Level\nlang: en\nidentifier: urn:uuid:00000000-0000-4000-8000-000000000019\n",
        "01.md": "# One\n\n" + "\n\n".join(paragraphs) + "\n"})
    out = {}
    mp = pytest.MonkeyPatch()
    for name, tries in (("off", 0), ("on", levelling.MAX_TRIES)):
        mp.setattr(levelling, "MAX_TRIES", tries)
        out[name] = run_build(root, ["pdf"], root.parent / name, Reporter(echo=False)).outputs[0]
    mp.undo()
    return out


def test_unlevel_spreads_are_levelled(builds: dict[str, Path]) -> None:
    total, _, before = summary(builds["off"])
    assert total >= 10 and before >= 2  # the fixture has unlevel spreads to level
    found = spreads(builds["on"])
    assert summary(builds["on"], found)[2] == 0, [s for s in found if s.gap and not s.reason]


def _body_text(pdf: Path) -> str:
    """The body's letters in order: no running heads or folios (8.5 pt), no spaces or hyphens."""
    with pdfplumber.open(pdf) as doc:
        text = "".join(c["text"] for p in doc.pages for c in p.chars if c["size"] > 10)
    return re.sub(r"[\s\-\u2010]", "", text)


def test_levelling_keeps_the_text_and_its_order(builds: dict[str, Path]) -> None:
    assert _body_text(builds["on"]) == _body_text(builds["off"])
