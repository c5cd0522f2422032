"""The chapter-wise build plan: stitched PDFs equal one-pass PDFs; cache, incremental, no-op.

Every check reads real PDFs (pypdf) and EPUBs (EPUBCheck): a parallel, cached,
stitched build against a one-pass WeasyPrint build of the same book, before
and after an edit that changes one chapter's page count.
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pdfplumber
import pikepdf
import pytest
from conftest import epubcheck_messages, image_bytes, write_files
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from pipeline import images
from pipeline.build import run_build
from pipeline.diagnostics import Reporter
from pipeline.render.pdf_fonts import parse_widths

WORDS = ("the lantern keeper walked along the causeway while fog rolled over salt pans and the tide "
         "turned slowly under a pale sky that held no birds at all").split()


def _prose(seed: int, n: int) -> str:
    return " ".join(WORDS[(seed * 7 + i * 3) % len(WORDS)] for i in range(n)).capitalize() + "."


def _chapter(k: int, paras: int) -> str:
    out = [f"# Chapter {k}: The {WORDS[k]} {{#c{k}}}\n"]
    for p in range(paras):
        if p == 2:
            out.append("## Intro\n")  # the same heading in every chapter: ids are chapter-local
        note = f"[^n{p}]" if p % 3 == 1 else ""
        link = f" See [the next chapter](#c{k + 1})." if p == 0 and k < 5 else ""
        back = " Back to [the first intro](01.md#intro)." if p == 3 and k > 1 else ""
        out.append(_prose(k * 31 + p, 60 + (p * 13) % 50) + note + link + back + "\n")
        if note:
            out.append(f"[^n{p}]: {_prose(p, 18)}\n")
    return "\n".join(out)


def _book(root: Path, paras: dict[int, int] | None = None) -> Path:
    paras = paras or {}
    files: dict[str, str | bytes] = {
        "book.yaml": "title: The Stitch\nauthor: A. Writer\nlang: en\ndate: 2001-02-03\n"
                     "description: A book to test the build plan.\n",
        "stills/a.png": image_bytes("PNG", (300, 180)),
    }
    for k in range(1, 6):
        text = _chapter(k, paras.get(k, 9 + k))
        if k == 2:
            text += "\n![A still. *Film*, 1950.](../stills/a.png){alt=\"A grey oval.\"}\n\nSmile \U0001F600.\n"
        files[f"chapters/0{k}.md"] = text
    return write_files(root, files)


def _facts(path: Path) -> dict:
    reader = PdfReader(path)
    named = reader.named_destinations

    def walk(entries, level, acc):
        for e in entries:
            if isinstance(e, list):
                walk(e, level + 1, acc)
            else:
                acc.append((level, e.title, reader.get_destination_page_number(e)))
        return acc

    links = []
    for i, page in enumerate(reader.pages):
        for annot in page.get("/Annots", []) or []:
            annot = annot.get_object()
            dest = annot.get("/Dest")
            if dest is None:
                links.append((i, str(annot["/A"].get("/URI"))))
            elif isinstance(dest, str):
                links.append((i, reader.get_destination_page_number(named[dest])))
            else:
                links.append((i, reader.get_page_number(dest[0].get_object())))
    return {"pages": [sorted(p.extract_text().split()) for p in reader.pages],
            "outline": walk(reader.outline, 1, []), "labels": list(reader.page_labels), "links": links}


def _assert_same(stitched: Path, one_pass: Path) -> None:
    a, b = _facts(stitched), _facts(one_pass)
    assert len(a["pages"]) == len(b["pages"])
    for i, (x, y) in enumerate(zip(a["pages"], b["pages"])):
        assert x == y, f"page {i + 1} differs: {sorted(set(x) ^ set(y))[:12]}"
    assert a["outline"] == b["outline"]
    assert a["labels"] == b["labels"]
    assert a["links"] == b["links"]
    assert len(a["links"]) > 10 and not any(isinstance(t, str) and t.startswith("xref:") for _, t in a["links"])


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """One book built stitched (2 workers, cached) and one-pass, then edited and rebuilt: shared by the tests."""
    base = tmp_path_factory.mktemp("plan")
    book = _book(base / "book")
    out, ref = base / "out", base / "ref"
    r = {"book": book, "out": out}
    r["cold"] = run_build(book, ["pdf", "epub"], out, Reporter(echo=False), jobs=2)
    r["cold_pdf"] = (out / "book.pdf").read_bytes()
    r["one_pass"] = run_build(book, ["pdf"], ref, Reporter(echo=False), one_pass=True, use_cache=False)
    shutil.copy(ref / "book.pdf", base / "one-pass-before.pdf")
    r["one_pass_before"] = base / "one-pass-before.pdf"
    r["stitched_before"] = base / "stitched-before.pdf"
    shutil.copy(out / "book.pdf", r["stitched_before"])
    # the no-op build, before any edit
    epub_before = (out / "book.epub").read_bytes()
    r["noop"] = run_build(book, ["pdf", "epub"], out, Reporter(echo=False), jobs=2)
    r["noop_same"] = ((out / "book.pdf").read_bytes() == r["cold_pdf"]
                      and (out / "book.epub").read_bytes() == epub_before)
    # grow chapter 3 by several pages, with a new sentence
    chapter = book / "chapters" / "03.md"
    chapter.write_text(chapter.read_text() + "\n" + "\n\n".join(_prose(900 + i, 110) for i in range(14))
                       + "\n\nThe keeper finally lit the seventh lamp.\n")
    r["edit"] = run_build(book, ["pdf", "epub"], out, Reporter(echo=False), jobs=2)
    r["one_pass_after"] = run_build(book, ["pdf"], ref, Reporter(echo=False), one_pass=True, use_cache=False)
    r["cold_after"] = run_build(book, ["pdf"], base / "cold-after", Reporter(echo=False), use_cache=False)
    return r


def test_stitched_pdf_equals_one_pass(plan):
    _assert_same(plan["stitched_before"], plan["one_pass_before"])


def _contents_digits(path: Path) -> list[tuple[str, float, float]]:
    with pdfplumber.open(path) as pdf:
        page = next(p for p in pdf.pages if "Contents" in (p.extract_text() or ""))
        return [(c["text"], round(c["x0"], 2), round(c["bottom"], 2)) for c in page.chars if c["text"].isdigit()]


def test_contents_numbers_set_at_assembly_land_where_weasyprint_puts_them(plan):
    """The stitched book's contents were laid out with placeholders and its numbers set at
    assembly (pdf_contents.py); the one-pass book's were drawn by WeasyPrint."""
    stitched, one_pass = _contents_digits(plan["stitched_before"]), _contents_digits(plan["one_pass_before"])
    assert len(stitched) > 10 and stitched == one_pass


def test_page_map_matches_the_pdf(plan):
    page_map = plan["cold"].page_map
    reader = PdfReader(plan["stitched_before"])
    assert page_map.total_pages == len(reader.pages)
    for cid, (first, _count) in page_map.chapters.items():
        assert first % 2 == 0, f"{cid} opens on a left-hand page"
        heading = reader.pages[first].extract_text()
        assert "Chapter" in heading, (cid, heading[:80])
    # every id of the book has a page, and the outline's pages agree with it
    intro = page_map.ids["ch-03/intro"][0]
    assert page_map.chapters["ch-03"][0] <= intro < sum(page_map.chapters["ch-03"])
    assert "Intro" in reader.pages[intro].extract_text()
    assert page_map.label(page_map.chapters["ch-01"][0]) == "1"


def test_edited_chapter_alone_is_laid_out_again_and_the_book_still_equals_one_pass(plan):
    edit, book_dir = plan["edit"], plan["book"]
    assert edit.ran == ["ch-03"], edit.ran
    assert sorted(edit.cached) == ["ch-01", "ch-02", "ch-04", "ch-05"]
    # the contents' numbers moved, and were set in the front matter from the cache, not laid out again
    assert "front" in edit.units["cached"] and "front-numbered" not in edit.units["ran"], edit.units
    before = plan["cold"].page_map.chapters
    after = edit.page_map.chapters
    assert after["ch-03"][1] > before["ch-03"][1] + 1, "the edit must change chapter 3's page count"
    assert after["ch-04"][0] > before["ch-04"][0]
    out = plan["out"] / "book.pdf"
    assert "seventh lamp" in " ".join(p.extract_text() for p in PdfReader(out).pages)
    _assert_same(out, Path(book_dir).parent / "ref" / "book.pdf")


def test_cached_and_cold_builds_are_byte_identical(plan):
    assert (plan["out"] / "book.pdf").read_bytes() == (plan["out"].parent / "cold-after" / "book.pdf").read_bytes()


def test_noop_build_is_up_to_date_and_touches_nothing(plan):
    assert not plan["cold"].up_to_date
    assert plan["noop"].up_to_date
    assert plan["noop_same"]
    assert plan["noop"].ran == []


def test_cached_units_replay_their_warnings(plan):
    cold = sorted(d.code for d in plan["cold"].diagnostics)
    noop = sorted(d.code for d in plan["noop"].diagnostics)
    assert "R101" in cold, cold  # the emoji in chapter 2: no shipped font has it
    assert noop == cold

    def of_units(codes: list[str]) -> list[str]:  # the preflight's (X…, R120) are the whole book's, not a unit's
        return [c for c in codes if not c.startswith("X") and c != "R120"]

    edit = sorted(d.code for d in plan["edit"].diagnostics)
    assert of_units(edit) == of_units(cold)  # chapter 2 came from the cache, its warning with it


def test_fonts_are_merged_not_duplicated(plan):
    stitched, one_pass = plan["stitched_before"], plan["one_pass_before"]
    assert stitched.stat().st_size <= one_pass.stat().st_size * 1.2
    with pikepdf.open(stitched) as pdf:
        fonts: dict[str, set] = {}
        for page in pdf.pages:
            for font in page.obj.Resources.get("/Font", {}).values():
                fonts.setdefault(str(font.BaseFont), set()).add(font.objgen)
        assert fonts and all(len(objs) == 1 for objs in fonts.values()), fonts
        for objs in fonts.values():
            font = pdf.get_object(next(iter(objs)))
            descriptor = font.DescendantFonts[0].FontDescriptor
            program = (descriptor.get("/FontFile3") or descriptor.get("/FontFile2")).read_bytes()  # embedded
            used = max(parse_widths(font.DescendantFonts[0].W))
            with TTFont(io.BytesIO(program)) as parsed:  # a real font program, holding every glyph used
                assert parsed["maxp"].numGlyphs > used


def test_epub_of_the_plan_book_passes_epubcheck(plan):
    assert epubcheck_messages(plan["out"] / "book.epub") == []


def test_metadata_edit_relays_exactly_what_reads_it(tmp_path):
    book = _book(tmp_path / "b")
    out = tmp_path / "out"
    run_build(book, ["pdf"], out, Reporter(echo=False), jobs=1)
    meta = book / "book.yaml"
    meta.write_text(meta.read_text().replace("A book to test", "Another book to test"))
    described = run_build(book, ["pdf"], out, Reporter(echo=False), jobs=1)
    assert described.ran == [] and not described.up_to_date  # the description is in the front matter only
    meta.write_text(meta.read_text().replace("The Stitch", "The Seam"))
    retitled = run_build(book, ["pdf"], out, Reporter(echo=False), jobs=1)
    assert sorted(retitled.ran) == ["ch-01", "ch-02", "ch-03", "ch-04", "ch-05"]  # the running heads


def test_unchanged_stills_are_not_decoded_again(tmp_path, monkeypatch):
    book = _book(tmp_path / "b")
    out = tmp_path / "out"
    calls = []
    real = images.inspect
    monkeypatch.setattr(images, "inspect", lambda *a, **k: calls.append(a[0]) or real(*a, **k))
    monkeypatch.setattr(images, "_KNOWN", {})  # what this process checked for earlier tests' builds
    run_build(book, ["epub"], out, Reporter(echo=False))
    assert len(calls) == 1
    (book / "chapters" / "01.md").write_text((book / "chapters" / "01.md").read_text() + "\nMore.\n")
    run_build(book, ["epub"], out, Reporter(echo=False))
    assert len(calls) == 1, "an unchanged still was decoded again"
    (book / "stills" / "a.png").write_bytes(image_bytes("PNG", (310, 180)))
    run_build(book, ["epub"], out, Reporter(echo=False))
    assert len(calls) == 2


def test_no_cache_leaves_no_cache(tmp_path):
    book = _book(tmp_path / "b")
    run_build(book, ["epub"], tmp_path / "out", Reporter(echo=False), use_cache=False)
    assert not (tmp_path / "out" / ".cache").exists()


def test_anchor_in_a_chapter_heading_links_cleanly_in_the_epub(tmp_path):
    """# The [Lantern]{#lantern} Keeper, linked to: one id, no L103, and EPUBCheck finds nothing (was RSC-012)."""
    src = write_files(tmp_path / "b", {
        "book.yaml": "title: T\nlang: en\n",
        "chapters/01.md": "# The [Lantern]{#lantern} Keeper\n\nSee [the lantern](#lantern).[^1]\n\n[^1]: A note.\n",
        "chapters/02.md": "# Two\n\n## Intro\n\nBack to [the keeper](#lantern).\n",
        "chapters/03.md": "# Three\n\n## Intro\n\nText.\n",
    })
    reporter = Reporter(echo=False)
    result = run_build(src, ["epub"], tmp_path / "out", reporter)
    assert [d.code for d in reporter.warnings] == []
    epub = result.outputs[0]
    assert epubcheck_messages(epub) == []
    import zipfile

    with zipfile.ZipFile(epub) as z:
        two = z.read("EPUB/text/ch-02.xhtml").decode()
        three = z.read("EPUB/text/ch-03.xhtml").decode()
    assert 'href="ch-01.xhtml#lantern"' in two
    assert 'id="intro"' in two and 'id="intro"' in three  # chapter-local ids


def test_a_note_in_the_first_heading_is_note_1_in_print(tmp_path):
    src = write_files(tmp_path / "b", {
        "book.yaml": "title: T\nlang: en\n",
        "chapters/01.md": "# A title[^a]\n\nText.[^b]\n\n[^a]: First note.\n\n[^b]: Second note.\n",
    })
    result = run_build(src, ["pdf"], tmp_path / "out", Reporter(echo=False), use_cache=False)
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(result.outputs[0].read_bytes())).pages)
    assert "1. First note." in text.replace("1.First", "1. First") and "2. Second note." in text.replace(
        "2.Second", "2. Second")


def test_weasyprint_warnings_become_diagnostics():
    from pipeline.editions import EDITIONS
    from pipeline.render.pdf import PIECE_ID, layout
    from pipeline.resources import STYLES

    piece = layout('<html><body><p style="color: nonsense">x</p></body></html>', EDITIONS[0], STYLES, PIECE_ID,
                   "essay.md", ())
    assert [d.code for d in piece.diagnostics] == ["R102"]
    assert "nonsense" in piece.diagnostics[0].message and piece.diagnostics[0].file == "essay.md"


def test_several_books_build_at_once(tmp_path):
    from pipeline.build import build_many

    books = [_book(tmp_path / name) for name in ("one", "two")]
    results = build_many(books, ["epub"], tmp_path / "out", Reporter(echo=False), jobs=2)
    assert [r.outputs[0].name for r in results] == ["one.epub", "two.epub"]
    assert all(epubcheck_messages(r.outputs[0]) == [] for r in results)


def test_rebuilds_in_one_process_give_the_bytes_of_a_new_process(tmp_path):
    """What a process keeps between builds (parses, image facts, the stamped front matter, deflated
    profiles and subsets) changes no byte: a save rebuilt in-process, as ``watch`` does, equals the
    same files built by a new process without a cache."""
    import subprocess
    import sys

    from conftest import ROOT

    book = _book(tmp_path / "b")
    out = tmp_path / "out"
    run_build(book, ["pdf", "epub"], out, Reporter(echo=False))
    chapter = book / "chapters" / "02.md"
    chapter.write_text(chapter.read_text().replace("\n\n", "\n\nA sentence added in a save.\n\n", 1))
    (book / "stills" / "a.png").write_bytes(image_bytes("PNG", (320, 180)))
    saved = run_build(book, ["pdf", "epub"], out, Reporter(echo=False))
    assert saved.ran == ["ch-02"]
    fresh = tmp_path / "fresh"
    subprocess.run([sys.executable, "-m", "pipeline", "build", str(book), "--to", "pdf,epub", "--out", str(fresh),
                    "--no-cache", "-q"], cwd=ROOT, check=True, capture_output=True)
    for name in ("b.pdf", "b.epub"):
        assert (out / name).read_bytes() == (fresh / name).read_bytes(), name
