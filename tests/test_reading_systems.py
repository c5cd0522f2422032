"""The EPUB in a reading system: Calibre reads its metadata and converts it, text whole, to AZW3 and TXT.

The sample book, with a series, an ISBN and a print ISBN added to its metadata,
is built to both formats once for the module (so the EPUB has its page-list
too). Calibre's ``ebook-meta`` must read the title, authors, language,
identifiers and series; ``ebook-convert`` must make an AZW3 (Kindle) and a
TXT, and every paragraph of the EPUB, its notes included, must be found in
the TXT and in the AZW3's own text, word for word (normalised). Calibre is
Debian's ``calibre`` package, which ``make test`` installs when run as root.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import unicodedata
import zipfile
from pathlib import Path

import pytest
from conftest import SAMPLE
from lxml import etree

from pipeline.build import run_build
from pipeline.diagnostics import Reporter

CALIBRE = shutil.which("ebook-convert") and shutil.which("ebook-meta")
if not CALIBRE:
    if os.geteuid() != 0:
        pytest.skip("Calibre is not installed and we are not root to install it "
                    "(apt-get install --no-install-recommends calibre; make test does it as root)",
                    allow_module_level=True)

XHTML = "{http://www.w3.org/1999/xhtml}"
BLOCKS = {f"{XHTML}{t}" for t in ("p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "figcaption", "td", "th",
                                  "dt", "dd", "pre", "caption")}


def _calibre(*args: str | Path, home: Path) -> str:
    if not CALIBRE:
        pytest.fail("Calibre is missing although we run as root: run `make test-deps` (it installs it)")
    done = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "CALIBRE_CONFIG_DIRECTORY": str(home), "QT_QPA_PLATFORM": "offscreen"})
    assert done.returncode == 0, f"{args[0]} failed ({done.returncode}): {done.stderr[-2000:]}"
    return done.stdout


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("calibre") / "the-salt-lantern"
    shutil.copytree(SAMPLE, root)
    meta = (root / "book.yaml").read_text(encoding="utf-8")
    meta = re.sub(r"^identifier: .*$", "identifier: urn:isbn:9780306406157", meta, flags=re.M)
    meta += "series: {name: Harbour Books, position: 2}\nprint-isbn: 978-3-16-148410-0\n"
    (root / "book.yaml").write_text(meta, encoding="utf-8")
    out = root.parent / "out"
    run_build(root, ["pdf", "epub"], out, Reporter(echo=False), use_cache=False)
    epub = out / "the-salt-lantern.epub"
    home = root.parent / "calibre-config"
    home.mkdir()
    _calibre("ebook-convert", epub, out / "book.azw3", home=home)
    _calibre("ebook-convert", epub, out / "book.txt", home=home)
    _calibre("ebook-convert", out / "book.azw3", out / "azw3.txt", home=home)  # the Kindle file's own text
    return {"epub": epub, "out": out, "home": home, "meta": _calibre("ebook-meta", epub, home=home)}


def _words(text: str) -> str:
    """Text as its words, lower case, without punctuation: what a conversion must keep."""
    text = unicodedata.normalize("NFKC", text).replace("\u00ad", "").lower()
    return " ".join(re.findall(r"\w+", text))


def _paragraphs(epub: Path) -> list[tuple[str, str, bool]]:
    """Every innermost block of text of the book's documents: (document, words, inside a note)."""
    out = []
    with zipfile.ZipFile(epub) as z:
        for name in sorted(n for n in z.namelist() if n.startswith("EPUB/text/") and n.endswith(".xhtml")):
            tree = etree.fromstring(z.read(name))
            for el in tree.iter(*BLOCKS):
                if any(d.tag in BLOCKS for d in el.iterdescendants()):
                    continue
                words = _words("".join(el.itertext()))
                if words:
                    note = any(a.tag == f"{XHTML}aside" for a in el.iterancestors())
                    out.append((name, words, note))
    return out


def _field(meta: str, name: str) -> str:
    m = re.search(rf"^{name}\s*:\s*(.*)$", meta, re.M)
    assert m, f"ebook-meta printed no {name}:\n{meta}"
    return m.group(1).strip()


def test_calibre_reads_the_metadata(book: dict) -> None:
    meta = book["meta"]
    assert _field(meta, "Title") == "The Salt Lantern: Light, Tide and Silence in an Imagined Film of 1957"
    assert _field(meta, "Author\\(s\\)").startswith("Rosalind Aske")
    assert _field(meta, "Languages") == "eng"
    assert "isbn:9780306406157" in _field(meta, "Identifiers")
    assert _field(meta, "Series") == "Harbour Books #2"
    assert _field(meta, "Publisher") == "Tidewrack Press"
    assert _field(meta, "Tags") == "Film criticism, Black-and-white cinema, Landscape in film"


def test_the_azw3_is_a_kindle_book_with_the_same_metadata(book: dict) -> None:
    azw3 = book["out"] / "book.azw3"
    assert azw3.read_bytes()[60:68] == b"BOOKMOBI"  # the MOBI container's type and creator
    meta = _calibre("ebook-meta", azw3, home=book["home"])
    assert _field(meta, "Title").startswith("The Salt Lantern")
    assert _field(meta, "Author\\(s\\)").startswith("Rosalind Aske")


@pytest.mark.parametrize("text", ["book.txt", "azw3.txt"])
def test_every_paragraph_and_note_survives_the_conversion(book: dict, text: str) -> None:
    converted = _words((book["out"] / text).read_text(encoding="utf-8"))
    paragraphs = _paragraphs(book["epub"])
    missing = [(doc, words[:80]) for doc, words, _note in paragraphs if words not in converted]
    assert missing == []
    assert len(paragraphs) >= 150 and sum(note for *_, note in paragraphs) >= 3  # the notes are in it (all 3)
    # the hidden navs (landmarks, page-list) are for the reading system, not text to read
    assert "landmarks" not in converted.split() and "begin reading" not in converted
