"""The print PDF is press-ready (PDF/X-4), and the preflight finds what is not.

Two builds, shared by the module: the sample book, and a three-chapter
fixture book with a still at 43 ppi, one at about 218 ppi and one at 300 ppi,
too short for KDP, that asks for crop marks. Properties are read back from the PDFs with pikepdf.
"""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf
import pytest
from conftest import SAMPLE, image_bytes, run_cli, write_files

from pipeline.build import run_build
from pipeline.diagnostics import Reporter
from pipeline.preflight import effective_ppi

BLACK_RGB = {("rg", 3), ("RG", 3), ("g", 1), ("G", 1)}


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("print-ready-sample")
    return run_build(SAMPLE, ["pdf"], out, Reporter(echo=False))


@pytest.fixture(scope="module")
def pdf(sample):
    with pikepdf.open(sample.outputs[0]) as doc:
        yield doc


SMALL_BOOK = {
    "book.yaml": "title: Low Tide\nauthor: A. Tester\nlang: en\ncrop-marks: true\n"
                 "identifier: urn:uuid:0f1e2d3c-1111-4222-8333-444455556666\nchapters: [one.md, two.md, three.md]\n",
    "one.md": "# One\n\nA short chapter.\n\n![A blurred thumbnail](stills/tiny.png){alt=\"A small square\"}\n",
    "two.md": "# Two\n\nAnother.\n\n![Nearly sharp](stills/mid.jpg){alt=\"A wide view\"}\n",
    "three.md": "# Three\n\nThe end.\n\n![Sharp](stills/sharp.jpg){alt=\"Sharp enough\"}\n",
}


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, object]:
    root = tmp_path_factory.mktemp("low-tide") / "low-tide"
    write_files(root, {**SMALL_BOOK, "stills/tiny.png": image_bytes("PNG", (200, 130)),
                       "stills/mid.jpg": image_bytes("JPEG", (1000, 650)),
                       "stills/sharp.jpg": image_bytes("JPEG", (1400, 910))})
    out = root.parent / "out"
    result = run_build(root, ["pdf"], out, Reporter(echo=False))
    return root, out, result


def _contents(doc: pikepdf.Pdf):
    """Every content stream (pages, and Form XObjects once each) as parsed instructions."""
    seen: set = set()

    def forms(res):
        for _n, x in res.get("/XObject", {}).items():
            if x.get("/Subtype") == "/Form" and x.objgen not in seen:
                seen.add(x.objgen)
                yield x
                yield from forms(x.get("/Resources", {}))

    for page in doc.pages:
        yield pikepdf.parse_content_stream(page)
        for form in forms(page.obj.get("/Resources", {})):
            yield pikepdf.parse_content_stream(form)


def test_output_intent_embeds_a_cmyk_profile(pdf):
    intents = pdf.Root.OutputIntents
    assert len(intents) == 1
    oi = intents[0]
    assert oi.S == "/GTS_PDFX" and str(oi.OutputConditionIdentifier) == "FOGRA39"
    assert str(oi.RegistryName) == "http://www.color.org"
    profile = oi.DestOutputProfile
    assert profile.N == 4
    data = profile.read_bytes()
    assert data[36:40] == b"acsp" and data[16:20] == b"CMYK" and data[12:16] == b"prtr"


def test_pdfx_version_in_info_and_xmp(pdf):
    assert pdf.pdf_version >= "1.6"
    info = pdf.trailer.Info
    assert str(info.GTS_PDFXVersion) == "PDF/X-4"
    assert info.Trapped == "/False"
    assert str(info.Title) == "The Salt Lantern"
    assert str(info.CreationDate).startswith("D:") and info.CreationDate == info.ModDate
    xmp = pdf.Root.Metadata.read_bytes().decode()
    assert "<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>" in xmp
    assert "The Salt Lantern" in xmp and "<pdf:Trapped>False</pdf:Trapped>" in xmp


def test_trimbox_on_every_page_and_no_bleed(pdf):
    for i, page in enumerate(pdf.pages):
        assert "/TrimBox" in page.obj, f"page {i} has no TrimBox"
        assert [float(v) for v in page.obj.TrimBox] == [0, 0, 432, 648], i
        assert "/BleedBox" not in page.obj, f"page {i}: a BleedBox without bleed"


def test_every_font_embedded_as_what_it_is(pdf):
    fonts = {}
    for page in pdf.pages:
        for _n, font in page.obj.Resources.get("/Font", {}).items():
            fonts[font.objgen] = font
    assert fonts
    for font in fonts.values():
        cid = font.DescendantFonts[0] if font.Subtype == "/Type0" else font
        desc = cid.FontDescriptor
        assert "/FontFile2" in desc or "/FontFile3" in desc, f"{font.BaseFont} is not embedded"
        # the font's type says what its program is: TrueType (FontFile2) or OpenType CFF (FontFile3)
        if "/FontFile2" in desc:
            assert desc.FontFile2.read_bytes()[:4] != b"OTTO" and cid.Subtype == "/CIDFontType2", font.BaseFont
        else:
            assert desc.FontFile3.Subtype == "/OpenType" and cid.Subtype == "/CIDFontType0", font.BaseFont


def test_text_is_pure_k_black(pdf):
    k_black = 0
    for instructions in _contents(pdf):
        for operands, op in instructions:
            name = str(op)
            if (name, len(operands)) in BLACK_RGB:
                assert any(float(v) for v in operands), f"black left as {name}"
            if name in ("k", "K") and [float(v) for v in operands] == [0, 0, 0, 1]:
                k_black += 1
    assert k_black > 30  # every page's text, and the rules


def test_images_and_pages_are_colour_managed(pdf):
    for i, page in enumerate(pdf.pages):
        spaces = page.obj.Resources.ColorSpace
        assert spaces.DefaultRGB[0] == "/ICCBased" and spaces.DefaultRGB[1].N == 3, i
        assert spaces.DefaultGray[1].N == 1
        for _n, x in page.obj.Resources.get("/XObject", {}).items():
            if x.get("/Subtype") == "/Image":
                cs = x.ColorSpace
                assert cs == "/DeviceCMYK" or cs[0] == "/ICCBased", f"page {i}: an untagged image ({cs})"


def test_sample_preflight_flags_every_still_under_300_ppi(sample):
    pm = sample.page_map
    assert len(pm.stills) == 13
    from pipeline.build import prepare
    _, index = prepare(SAMPLE, Reporter(echo=False))
    flagged = {(d.message.split("'")[1], d.message.split(":")[0]) for d in sample.diagnostics if d.code == "X101"}
    expected = set()
    for page, _ch, src, w, h in pm.stills:
        info = index.images[src].info
        if effective_ppi((info.width, info.height), (w, h)) < 300:
            expected.add((src, f"page {pm.label(page)}"))
    assert expected and flagged == expected
    assert not [d for d in sample.diagnostics if d.severity == "error"]


def test_small_book_resolution_errors_and_warnings(small):
    _root, _out, result = small
    by_code = {}
    for d in result.diagnostics:
        by_code.setdefault(d.code, []).append(d)
    [blurred] = by_code["X006"]
    assert "stills/tiny.png" in blurred.message and " ppi" in blurred.message
    assert blurred.file == "one.md" and blurred.line == 5 and "at least" in blurred.hint
    [near] = by_code["X101"]
    assert "stills/mid.jpg" in near.message
    assert not any("sharp.jpg" in d.message for d in result.diagnostics)
    assert "R120" in by_code  # the build says it is not press-ready, and still wrote the PDF
    assert result.outputs[0].exists()


def test_page_count_under_the_services_minimum(small):
    _root, _out, result = small
    [short] = [d for d in result.diagnostics if d.code == "X003"]
    assert short.severity == "error" and "24" in short.message and "Amazon KDP" in short.message


def test_check_fails_on_a_still_under_150_ppi(small):
    root, out, _result = small
    done = run_cli("check", str(root), "--out", str(out))
    assert done.returncode == 1, done.stderr
    assert "[X006]" in done.stderr and "stills/tiny.png" in done.stderr and "[X003]" in done.stderr
    assert "NOT press-ready" in done.stderr and "spine" in done.stderr


def test_check_passes_the_sample(sample):
    out = sample.outputs[0].parent  # up to date: check replays what the build's preflight found
    done = run_cli("check", str(SAMPLE), "--out", str(out))
    assert done.returncode == 0, done.stderr
    # the 4 in line (tests/test_typesetting.py) prints the stills smaller: 3 under 300 ppi, not 13
    assert done.stderr.count("[X101]") == 3 and "38 pages for Amazon KDP, spine 0.0856 in" in done.stderr
    assert "press-ready" in done.stderr and "NOT" not in done.stderr
    assert run_cli("check", str(SAMPLE), "--out", str(out), "--strict").returncode == 3


def test_crop_marks_only_on_request(small, pdf):
    _root, _out, result = small
    assert all(p.MediaBox == p.obj.TrimBox for p in pdf.pages)  # the sample asks for none
    with pikepdf.open(result.outputs[0]) as doc:
        for page in doc.pages:
            trim, media = [float(v) for v in page.obj.TrimBox], [float(v) for v in page.MediaBox]
            assert trim == [0, 0, 432, 648] and [float(v) for v in page.obj.BleedBox] == trim
            assert media == [-30, -30, 462, 678]
            marks = [ops for ops, op in pikepdf.parse_content_stream(page) if str(op) == "l"]
            assert len(marks) >= 8
            assert all(not (0 < float(x) < 432 and 0 < float(y) < 648) for x, y in marks[-8:])  # outside the trim
    assert not [d for d in result.diagnostics if d.code in ("X001", "X002")]


def test_press_ready_pdf_is_byte_identical(small, tmp_path):
    root, out, result = small
    again = run_build(root, ["pdf"], tmp_path, Reporter(echo=False), use_cache=False)
    assert again.outputs[0].read_bytes() == result.outputs[0].read_bytes()
    with pikepdf.open(io.BytesIO(again.outputs[0].read_bytes())) as doc:
        assert str(doc.trailer.Info.GTS_PDFXVersion) == "PDF/X-4"
