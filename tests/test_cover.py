"""The print cover, the page-count padding and the trim presets, read back from real builds.

Three books are built once for the module: the sample (6×9 in, a cover image,
KDP on white paper, a spine too thin for text), a generated book of about 140
pages (a ``5x8`` preset, IngramSpark on cream, no cover image and no
description: a typographic front and a spine with text), the same book on
white paper (its chapters taken from the cache), and a one-page book whose
page count is odd before padding. The covers are opened with pikepdf (boxes)
and pdfplumber (where text and images landed, in PDF user space).
"""

from __future__ import annotations

import io
import random
from pathlib import Path

import pdfplumber
import pikepdf
import pytest
from conftest import SAMPLE, image_bytes, write_files
from pypdf import PdfReader

from pipeline.build import run_build
from pipeline.cli import main
from pipeline.diagnostics import BuildError, Reporter
from pipeline.metadata import normalise
from pipeline.print_services import BLEED_IN, spine_width_in

BLEED = BLEED_IN * 72
TOL = 0.5  # points

WORDS = ("the keeper walked along the causeway at dusk while the tide turned slowly over the salt pans and "
         "a bell rang somewhere in the fog beyond the harbour where boats lay waiting for morning light "
         "across marsh grass that moved with every breath of wind from the open sea").split()


def _long_book(root: Path, paper: str) -> Path:
    """A book of about 140 pages at 5×8 in: twelve chapters of generated prose."""
    rng = random.Random(9)
    files = {"book.yaml": f"title: The Long Causeway\nauthor: Ada Marsh\nlang: en\ntrim-size: 5x8\n"
                          f"print-service: ingramspark\npaper: {paper}\n"
                          "identifier: urn:uuid:0b7c8a3e-35f4-4f55-9c43-0d3f0f7c1d21\n"}
    for n in range(1, 13):
        paragraphs = []
        for _ in range(44):
            sentences = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 18))).capitalize() + "."
                         for _ in range(6)]
            paragraphs.append(" ".join(sentences))
        files[f"chapters/{n:02d}.md"] = f"# Chapter {n}\n\n" + "\n\n".join(paragraphs) + "\n"
    return write_files(root, files)


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Every book built once: the result, the print PDF and the cover."""
    out = tmp_path_factory.mktemp("covers")
    src = tmp_path_factory.mktemp("books")
    made = {}
    for name, source, formats in (
            ("sample", SAMPLE, ["pdf", "cover"]),
            ("cream", _long_book(src / "cream", "cream"), ["pdf", "cover"]),
            ("white", _long_book(src / "white", "white"), ["cover"]),  # the print PDF laid out, not written
            ("tiny", write_files(src / "tiny", {"book.yaml": "title: Tiny\nauthor: A. Writer\nlang: en\n"
                                                             "cover-image: cover.png\n",
                                                "cover.png": image_bytes("PNG", (320, 200)),
                                                "chapters/01.md": "# One\n\nA single page.\n"}), ["pdf", "cover"])):
        reporter = Reporter(echo=False)
        result = run_build(source, formats, out, reporter)
        slug = Path(source).name
        made[name] = {"result": result, "cover": out / f"{slug}.cover.pdf", "pdf": out / f"{slug}.pdf",
                      "codes": [d.code for d in reporter.warnings], "source": Path(source)}
    return made


def _boxes(path: Path) -> dict[str, list[float]]:
    with pikepdf.open(path) as pdf:
        assert len(pdf.pages) == 1
        page = pdf.pages[0].obj
        return {k: [float(v) for v in page[k]] for k in ("/MediaBox", "/TrimBox", "/BleedBox")}


def _size(box: list[float]) -> tuple[float, float]:
    return box[2] - box[0], box[3] - box[1]


def _expected(trim_in: tuple[float, float], pages: int, service: str, paper: str) -> tuple[float, float, float]:
    spine = spine_width_in(pages, service, paper) * 72
    return 2 * trim_in[0] * 72 + spine + 2 * BLEED, trim_in[1] * 72 + 2 * BLEED, spine


CASES = {"sample": ((6, 9), "kdp", "white"), "cream": ((5, 8), "ingramspark", "cream"),
         "white": ((5, 8), "ingramspark", "white"), "tiny": ((6, 9), "kdp", "white")}


@pytest.mark.parametrize("name", sorted(CASES))
def test_cover_is_two_trims_a_spine_and_bleed(builds: dict, name: str) -> None:
    trim, service, paper = CASES[name]
    pages = builds[name]["result"].page_map.total_pages
    width, height, spine = _expected(trim, pages, service, paper)
    boxes = _boxes(builds[name]["cover"])
    media_w, media_h = _size(boxes["/MediaBox"])
    assert abs(media_w - width) <= TOL, (media_w, width, pages)
    assert abs(media_h - height) <= TOL
    assert boxes["/BleedBox"] == boxes["/MediaBox"]
    trim_w, trim_h = _size(boxes["/TrimBox"])  # the wrap without bleed: back, spine and front as a whole
    assert abs(trim_w - (2 * trim[0] * 72 + spine)) <= TOL and abs(trim_h - trim[1] * 72) <= TOL
    assert abs(boxes["/TrimBox"][0] - boxes["/MediaBox"][0] - BLEED) <= TOL


def test_the_spine_follows_the_paper(builds: dict) -> None:
    cream, white = builds["cream"], builds["white"]
    pages = cream["result"].page_map.total_pages
    assert white["result"].page_map.total_pages == pages  # same interior, only the paper differs
    grown = _size(_boxes(cream["cover"])["/MediaBox"])[0] - _size(_boxes(white["cover"])["/MediaBox"])[0]
    assert abs(grown - pages * (0.0025 - 0.002252) * 72) <= TOL
    assert white["result"].cached and not white["result"].ran  # the print PDF's chapters came from the cache
    assert not white["pdf"].exists()  # --to cover alone lays the print PDF out but does not write it


def _chars(path: Path, x0: float, x1: float) -> str:
    """The text whose characters' centres lie between x0 and x1 (PDF user space)."""
    with pdfplumber.open(path) as pdf:
        return "".join(c["text"] for c in pdf.pages[0].chars if x0 <= (c["x0"] + c["x1"]) / 2 <= x1)


@pytest.mark.parametrize("name", sorted(CASES))
def test_spine_text_only_when_the_spine_is_wide_enough(builds: dict, name: str) -> None:
    trim, service, paper = CASES[name]
    _, _, spine = _expected(trim, builds[name]["result"].page_map.total_pages, service, paper)
    on_spine = _chars(builds[name]["cover"], trim[0] * 72, trim[0] * 72 + spine)
    if spine >= 0.25 * 72:
        assert "TheLongCauseway" in on_spine.replace(" ", "") and "AdaMarsh" in on_spine.replace(" ", "")
        with pdfplumber.open(builds[name]["cover"]) as pdf:  # turned, and 1/16 in clear of each fold
            chars = [c for c in pdf.pages[0].chars if trim[0] * 72 <= (c["x0"] + c["x1"]) / 2 <= trim[0] * 72 + spine]
        assert all(not c["upright"] for c in chars)
        assert min(c["x0"] for c in chars) >= trim[0] * 72 + 4.5 - TOL
        assert max(c["x1"] for c in chars) <= trim[0] * 72 + spine - 4.5 + TOL
    else:
        assert on_spine == ""


def test_both_kinds_of_spine_are_built(builds: dict) -> None:
    """The sample's spine is too thin for text, the generated book's is not: both branches run."""
    assert spine_width_in(builds["sample"]["result"].page_map.total_pages, "kdp", "white") < 0.25
    assert spine_width_in(builds["cream"]["result"].page_map.total_pages, "ingramspark", "cream") >= 0.25


def test_cover_image_covers_the_front_and_its_bleed(builds: dict) -> None:
    pages = builds["sample"]["result"].page_map.total_pages
    width, height, spine = _expected((6, 9), pages, "kdp", "white")
    with pdfplumber.open(builds["sample"]["cover"]) as pdf:
        images = pdf.pages[0].images
    assert len(images) == 1
    image = images[0]
    front = 432 + spine  # the spine's right fold, in user space (x = 0 at the back's left trim edge)
    assert abs(image["x0"] - front) <= TOL            # on the front half, from the fold…
    assert image["x1"] >= 2 * 432 + spine + BLEED - TOL  # …out to the bleed's edge
    assert image["x0"] > (width - 2 * BLEED) / 2       # the front half of the wrap
    assert image["bottom"] - image["top"] >= height - TOL  # top to bottom, bleed included
    assert _chars(builds["sample"]["cover"], front, front + 432 + BLEED) == ""  # the front is the image alone


def test_typographic_front_and_description_on_the_back(builds: dict) -> None:
    pages = builds["cream"]["result"].page_map.total_pages
    _, _, spine = _expected((5, 8), pages, "ingramspark", "cream")
    front = _chars(builds["cream"]["cover"], 360 + spine, 720 + spine).replace(" ", "")
    assert "TheLongCauseway" in front and "AdaMarsh" in front
    back = _chars(builds["sample"]["cover"], 0, 432).replace(" ", "")
    assert "Animaginedblack-and-white" not in back and "AnillustratedessayonTheSaltLantern" in back
    assert "M130" in builds["cream"]["codes"]  # no description: the back is blank, and the build says so
    assert "M130" not in builds["sample"]["codes"]


def test_barcode_box_is_clear_and_white(builds: dict) -> None:
    with pdfplumber.open(builds["sample"]["cover"]) as pdf:
        page = pdf.pages[0]
        white = [r for r in page.rects if r["non_stroking_color"] in ((1, 1, 1), (1.0, 1.0, 1.0), [1, 1, 1])
                 and abs(r["width"] - 144) <= TOL and abs(r["height"] - 86.4) <= TOL]
        assert len(white) == 1, "a white box of 2 × 1.2 in"
        box = white[0]
        assert abs(box["x1"] - (432 - 18)) <= TOL  # a quarter inch from the spine, on the back
        inside = [c["text"] for c in page.chars if c["x1"] > box["x0"] and c["x0"] < box["x1"]
                  and c["bottom"] > box["top"] and c["top"] < box["bottom"]]
    assert inside == []


@pytest.mark.parametrize("name", ["sample", "cream", "tiny"])
def test_print_pdf_is_padded_to_an_even_page_count(builds: dict, name: str) -> None:
    result = builds[name]["result"]
    reader = PdfReader(builds[name]["pdf"])
    assert len(reader.pages) == result.page_map.total_pages
    assert len(reader.pages) % 2 == 0
    last_text = max(first + count for first, count in result.page_map.chapters.values())
    for page in reader.pages[last_text:]:  # padding: blank, without a folio
        assert page.extract_text().strip() == ""


def test_padding_is_real_on_an_odd_book(builds: dict, tmp_path: Path) -> None:
    """The one-page book ends on an odd page before padding: one blank page is added, in the stitched
    build and in the one-pass reference alike."""
    pm = builds["tiny"]["result"].page_map
    (first, count), = pm.chapters.values()
    assert (first + count) % 2 == 1 and pm.total_pages == first + count + 1
    one_pass = run_build(builds["tiny"]["source"], ["pdf"], tmp_path, Reporter(echo=False),
                         one_pass=True, use_cache=False)
    assert one_pass.page_map.total_pages == pm.total_pages == len(PdfReader(tmp_path / "tiny.pdf").pages)


def test_preset_trim_gives_its_page_size(builds: dict) -> None:
    with pikepdf.open(builds["cream"]["pdf"]) as pdf:
        assert [float(v) for v in pdf.pages[0].mediabox] == [0, 0, 360, 576]  # 5x8 in


@pytest.mark.parametrize("value, size", [("5x8", ("5in", "8in")), ("5.25 x 8", ("5.25in", "8in")),
                                         ("5.5×8.5 in", ("5.5in", "8.5in")), ("6x9", ("6in", "9in")),
                                         ("7x10", ("7in", "10in")), ("8.5x11", ("8.5in", "11in")),
                                         ("A5", ("148mm", "210mm")), ("B-format", ("129mm", "198mm")),
                                         ("royal", ("156mm", "234mm")), ("demy", ("138mm", "216mm")),
                                         ("5.06in 7.81in", ("5.06in", "7.81in"))])
def test_trim_presets(value: str, size: tuple[str, str]) -> None:
    assert normalise({"title": "T", "trim-size": value}, "book.yaml").trim_size == size


def test_unknown_trim_names_the_presets() -> None:
    with pytest.raises(BuildError) as err:
        normalise({"title": "T", "trim-size": "6x10x2"}, "book.yaml")
    assert err.value.diagnostic.code == "M013" and "b-format" in err.value.diagnostic.hint


def test_cover_rebuilds_byte_identical_and_from_the_command_line(builds: dict, tmp_path: Path) -> None:
    assert main(["cover", str(builds["tiny"]["source"]), "--out", str(tmp_path), "--no-cache", "-q"]) == 0
    assert (tmp_path / "tiny.cover.pdf").read_bytes() == builds["tiny"]["cover"].read_bytes()
    assert not (tmp_path / "tiny.pdf").exists()


def test_a_small_or_ill_fitting_cover_image_is_reported(builds: dict) -> None:
    """320×200 px over the 6.125×9.25 in front with bleed: 35 ppi (R141), and a landscape picture
    on a portrait front loses most of its width (R142)."""
    assert {"R141", "R142", "M130"} <= set(builds["tiny"]["codes"])
    assert "R142" not in builds["sample"]["codes"]  # 1600×2560 px on the front: 6% cut off


def test_overflowing_description_and_spine_are_reported(builds: dict) -> None:
    """A description too long for the back (R140) and a title too long for the spine (R143), on a real
    layout of the cover at 300 pages."""
    import dataclasses

    from pipeline.build import prepare
    from pipeline.editions import for_book
    from pipeline.render.cover import render_cover

    book, _ = prepare(builds["tiny"]["source"], Reporter(echo=False))
    codes = {}
    for name, title, description in (("fits", "Tiny", "A short description."),
                                      ("overflows", "A Title Far Too Long To Be Set On The Spine Of Any Book "
                                                    "Of Three Hundred Pages, However Small The Type",
                                       " ".join(WORDS * 12))):
        meta = dataclasses.replace(book.meta, title=title, description=description, cover_image="")
        reporter = Reporter(echo=False)
        pdf = render_cover(dataclasses.replace(book, meta=meta), for_book(meta, "cover"), 300, reporter)
        assert pdf.startswith(b"%PDF")
        codes[name] = sorted(d.code for d in reporter.warnings)
    assert codes == {"fits": [], "overflows": ["R140", "R143"]}


def _colour_ops(doc: pikepdf.Pdf) -> list[tuple[str, list[float]]]:
    """Every colour operator of the cover's page and its Form XObjects, with its operands."""
    seen: set = set()
    holders: list = [doc.pages[0]]
    found = []
    while holders:
        holder = holders.pop()
        for operands, op in pikepdf.parse_content_stream(holder):
            if str(op) in ("rg", "RG", "g", "G", "k", "K"):
                found.append((str(op), [float(v) for v in operands]))
        res = (holder.obj if isinstance(holder, pikepdf.Page) else holder).get("/Resources", {})
        for _n, x in res.get("/XObject", {}).items():
            if x.get("/Subtype") == "/Form" and x.objgen not in seen:
                seen.add(x.objgen)
                holders.append(x)
    return found


def _rgb_black(ops: list[tuple[str, list[float]]]) -> list[tuple[str, list[float]]]:
    return [(op, v) for op, v in ops if op in ("rg", "RG", "g", "G") and not any(v)]


@pytest.mark.parametrize("name", sorted(CASES))
def test_cover_is_pdf_x(builds: dict, name: str) -> None:
    """The cover gets the print PDF's PDF/X-4 treatment: the output intent with its CMYK profile,
    the version keys and XMP, its boxes (the trim the wrap inset by the bleed on every side),
    no RGB black, every other colour ICC-based; and its own preflight finds nothing."""
    from pipeline.preflight import check_cover

    path = builds[name]["cover"]
    with pikepdf.open(path) as doc:
        intent, = doc.Root.OutputIntents
        assert intent.S == "/GTS_PDFX" and str(intent.OutputConditionIdentifier) == "FOGRA39"
        assert intent.DestOutputProfile.N == 4 and len(intent.DestOutputProfile.read_bytes()) > 100_000
        assert str(doc.trailer.Info.GTS_PDFXVersion) == "PDF/X-4" and doc.trailer.Info.Trapped == "/False"
        xmp = doc.Root.Metadata.read_bytes().decode()
        assert "<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>" in xmp
        if builds[name]["pdf"].exists():  # a document of its own: not the book's id
            with pikepdf.open(builds[name]["pdf"]) as book:
                assert _xmp_id(xmp) != _xmp_id(book.Root.Metadata.read_bytes().decode())
        page = doc.pages[0].obj
        media, trim = [float(v) for v in page.MediaBox], [float(v) for v in page.TrimBox]
        assert [float(v) for v in page.BleedBox] == media
        assert [t - m for t, m in zip(trim, media)] == pytest.approx([BLEED, BLEED, -BLEED, -BLEED], abs=0.01)
        assert page.Resources.ColorSpace.DefaultRGB[0] == "/ICCBased"
        assert _rgb_black(_colour_ops(doc)) == []
        for _n, x in page.Resources.get("/XObject", {}).items():
            if x.get("/Subtype") == "/Image":
                assert x.ColorSpace[0] == "/ICCBased" or x.ColorSpace == "/DeviceCMYK"
    assert check_cover(path.read_bytes()) == []
    assert not {"X030", "X005", "X007", "X008", "X009", "R170"} & set(builds[name]["codes"])


def _xmp_id(xmp: str) -> str:
    return xmp.split("<xmpMM:DocumentID>")[1].split("<")[0]


def test_black_on_the_cover_prints_as_pure_k(builds: dict) -> None:
    """The cover's design has no black, so a cover whose type is black is laid out for real (the
    same HTML, black forced): WeasyPrint paints it as RGB black, the cover's PDF/X treatment as K."""
    import dataclasses

    from pipeline.build import prepare
    from pipeline.editions import Margins, for_book
    from pipeline.render.cover import cover_html, press_ready, wrap_for
    from pipeline.render.pdf import layout, scripts_in

    book, _ = prepare(builds["cream"]["source"], Reporter(echo=False))
    meta = dataclasses.replace(book.meta, description="A description set in black.")
    edition = for_book(meta, "cover")
    wrap = wrap_for(edition.trim, 140, meta.print_service, meta.paper)
    html = cover_html(meta, wrap).replace("<style>", "<style>html, p, h1 { color: #000 !important; } ")
    row = dataclasses.replace(edition, trim=(f"{2 * wrap.trim_w + wrap.spine:.3f}pt", f"{wrap.trim_h:.3f}pt"),
                              margins=Margins(0.0, 0.0, 0.0, 0.0))
    laid = layout(html, row, book.root, b"0" * 32, "", scripts_in(html), piece=False).pdf
    with pikepdf.open(io.BytesIO(laid)) as doc:
        assert _rgb_black(_colour_ops(doc)), "WeasyPrint paints black as RGB"
    with pikepdf.open(io.BytesIO(press_ready(laid, meta, wrap))) as doc:
        ops = _colour_ops(doc)
    assert _rgb_black(ops) == []
    assert ("k", [0, 0, 0, 1]) in ops


def test_cover_preflight_finds_missing_boxes_and_intent(builds: dict) -> None:
    from pipeline.preflight import check_cover

    with pikepdf.open(builds["tiny"]["cover"]) as doc:
        del doc.Root["/OutputIntents"]
        doc.pages[0].obj.TrimBox = doc.pages[0].obj.MediaBox
        buf = io.BytesIO()
        doc.save(buf)
    found = check_cover(buf.getvalue(), "tiny.cover.pdf")
    assert sorted(d.code for d in found) == ["X007", "X030"]
    assert all(d.message.startswith("the cover") or d.code == "X030" for d in found)
    assert all(d.file == "tiny.cover.pdf" and d.severity == "error" for d in found)
