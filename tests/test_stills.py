"""Stills made right for each edition (pipeline/stills.py): a book of problem images, built to both editions.

Each kind of image that used to go wrong is generated here with Pillow: a 16-bit grey PNG, a JPEG
over the EPUB's pixel limit (the limit is lowered with ``epub-image-megapixels`` to keep it fast),
a JPEG stored sideways with an EXIF orientation, a PNG photo with an alpha channel it never uses,
CMYK JPEGs with and without a colour profile, a palette PNG, a grey-with-alpha PNG, and a cover
that is also a still. The EPUB is opened and every image read back; the PDF's images are read with
pypdf.
"""

from __future__ import annotations

import io
import random
import re
import shutil
import struct
import zipfile
from pathlib import Path

import pytest
from conftest import epubcheck_messages, write_files
from PIL import Image, ImageCms
from pypdf import PdfReader

from pipeline import images, stills
from pipeline.build import run_build
from pipeline.diagnostics import Reporter

LIMIT_MP = 0.1  # epub-image-megapixels in the test book: 100 000 pixels
RED, CYAN = (220, 20, 30), (0, 255, 255)


# ---------------------------------------------------------------- the problem images


def _png(im: Image.Image) -> bytes:
    out = io.BytesIO()
    im.save(out, "PNG")
    return out.getvalue()


def _photo(size: tuple[int, int], seed: int) -> Image.Image:
    """Continuous tone: a colour gradient with noise, as a photograph has."""
    rnd = random.Random(seed)
    w, h = size
    im = Image.new("RGB", size)
    im.putdata([(x * 255 // w, y * 255 // h, max(0, min(255, 128 + rnd.randint(-60, 60))))
                for y in range(h) for x in range(w)])
    return im


def grey16() -> bytes:
    """120 × 80, 16-bit grey: a ramp from 0 (left) to 65535 (right)."""
    im = Image.new("I;16", (120, 80))
    im.putdata([x * 65535 // 119 for _ in range(80) for x in range(120)])
    return _png(im)


def big_jpeg() -> bytes:
    """600 × 400 = 240 000 pixels: over the test book's limit of 100 000."""
    out = io.BytesIO()
    _photo((600, 400), 1).save(out, "JPEG", quality=90)
    return out.getvalue()


def rotated_jpeg() -> bytes:
    """Seen upright it is 90 × 60 with a red block at its top left; stored sideways, EXIF orientation 6."""
    upright = _photo((90, 60), 2)
    upright.paste(RED, (0, 0, 20, 20))
    stored = upright.transpose(Image.Transpose.ROTATE_90)  # exif_transpose turns orientation 6 back by 270°
    exif = Image.Exif()
    exif[0x0112] = 6
    out = io.BytesIO()
    stored.save(out, "JPEG", quality=95, exif=exif)
    return out.getvalue()


def alpha_photo() -> bytes:
    """A 110 × 70 photo saved as RGBA whose alpha is opaque everywhere."""
    return _png(_photo((110, 70), 3).convert("RGBA"))


def cmyk_profile() -> bytes:
    """A minimal ICC v2 input profile, CMYK → Lab, that maps pure cyan to red (so honouring it shows)."""
    def s15(v: float) -> bytes:
        return struct.pack(">i", round(v * 65536))

    def corner(c: int, m: int, y: int, k: int) -> tuple[float, float, float]:
        if k:
            return (0, 0, 0)
        return {(1, 0, 0): (54, 80, 67), (0, 0, 0): (100, 0, 0)}.get((c, m, y), (50, 0, 0))

    desc = b"desc" + b"\0" * 4 + struct.pack(">I", 10) + b"Test CMYK\0" + b"\0" * 78
    wtpt = b"XYZ " + b"\0" * 4 + s15(0.9642) + s15(1.0) + s15(0.8249)
    lut = bytearray(b"mft1" + b"\0" * 4 + bytes([4, 3, 2, 0]))
    lut += b"".join(s15(1.0 if r == c else 0.0) for r in range(3) for c in range(3))
    lut += bytes(range(256)) * 4
    for c, m, y, k in ((c, m, y, k) for c in (0, 1) for m in (0, 1) for y in (0, 1) for k in (0, 1)):
        L, a, b = corner(c, m, y, k)
        lut += bytes([round(L * 255 / 100), round(a + 128), round(b + 128)])
    lut += bytes(range(256)) * 3
    tags = [(b"desc", desc), (b"wtpt", wtpt), (b"cprt", b"text\0\0\0\0none\0"), (b"A2B0", bytes(lut))]
    offset = 128 + 4 + 12 * len(tags)
    table, body = struct.pack(">I", len(tags)), b""
    for sig, data in tags:
        body += b"\0" * (-(offset + len(body)) % 4)
        table += sig + struct.pack(">II", offset + len(body), len(data))
        body += data
    d50 = s15(0.9642) + s15(1.0) + s15(0.8249)
    header = (struct.pack(">I", offset + len(body)) + b"\0" * 4 + struct.pack(">I", 0x02100000)
              + b"scnrCMYKLab " + b"\0" * 12 + b"acsp" + b"\0" * 28 + d50 + b"\0" * 48)
    return header + table + body


def cmyk_jpeg(profile: bool) -> bytes:
    """100 × 50 (with) or 100 × 40 (without a profile), pure cyan."""
    im = Image.new("CMYK", (100, 50 if profile else 40), (255, 0, 0, 0))
    out = io.BytesIO()
    im.save(out, "JPEG", quality=95, **({"icc_profile": cmyk_profile()} if profile else {}))
    return out.getvalue()


def palette_png() -> bytes:
    """130 × 30 line art in four colours, palette mode."""
    im = Image.new("RGB", (130, 30), (255, 255, 255))
    im.paste((0, 0, 0), (0, 0, 40, 30))
    im.paste((200, 0, 0), (40, 0, 80, 30))
    im.paste((0, 0, 200), (80, 0, 100, 30))
    return _png(im.convert("P", palette=Image.Palette.ADAPTIVE, colors=4))


def la_png() -> bytes:
    """140 × 40 grey with alpha, its right half transparent."""
    im = Image.new("LA", (140, 40), (90, 255))
    im.paste((90, 0), (70, 0, 140, 40))
    return _png(im)


def cover_png() -> bytes:
    """150 × 240, also shown as a still."""
    im = Image.new("RGB", (150, 240), (30, 40, 50))
    im.paste((240, 230, 200), (20, 20, 130, 60))
    return _png(im)


STILLS = {  # file → (bytes, full size upright)
    "grey16.png": (grey16, (120, 80)),
    "big.jpg": (big_jpeg, (600, 400)),
    "rotated.jpg": (rotated_jpeg, (90, 60)),
    "alpha-photo.png": (alpha_photo, (110, 70)),
    "cmyk-icc.jpg": (lambda: cmyk_jpeg(True), (100, 50)),
    "cmyk-plain.jpg": (lambda: cmyk_jpeg(False), (100, 40)),
    "palette.png": (palette_png, (130, 30)),
    "la.png": (la_png, (140, 40)),
    "cover.png": (cover_png, (150, 240)),
}


def _book(folder: Path, extra: str = "") -> Path:
    figures = "\n\n".join(f"![{name}](stills/{name}){{alt=\"Still {name}.\"}}" for name in STILLS)
    files: dict[str, str | bytes] = {
        "book.yaml": f"title: Problem Stills\nlang: en\ncover-image: stills/cover.png\n"
                     f"epub-image-megapixels: {LIMIT_MP}\n",
        "chapters/01.md": f"# Stills\n\n{figures}\n\nAn inline ![mark](stills/palette.png){{width=50%}} here.{extra}\n",
    }
    files.update({f"stills/{name}": make() for name, (make, _) in STILLS.items()})
    write_files(folder, files)
    return folder


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("stills")
    book = _book(root / "book")
    reporter = Reporter(echo=False)
    result = run_build(book, ["epub", "pdf"], root / "out", reporter, jobs=1)
    again = run_build(book, ["epub", "pdf"], root / "again", Reporter(echo=False), jobs=1, use_cache=False)
    epub = root / "out" / "book.epub"
    return {"root": root, "book": book, "epub": epub, "pdf": root / "out" / "book.pdf", "again": again,
            "codes": [d.code for d in result.diagnostics], "zip": zipfile.ZipFile(epub)}


def _epub_images(z: zipfile.ZipFile) -> dict[str, Image.Image]:
    return {n: Image.open(io.BytesIO(z.read(n))) for n in z.namelist() if n.startswith("EPUB/images/")}


def _srcs(z: zipfile.ZipFile) -> dict[str, str]:
    """alt text's file name → the EPUB file its <img> shows."""
    xhtml = z.read("EPUB/text/ch-01.xhtml").decode()
    return {m.group(2): "EPUB/" + m.group(1)[3:]
            for m in re.finditer(r'<img src="([^"]+)" alt="Still ([^"]+)\."', xhtml)}


# ---------------------------------------------------------------- the EPUB


def test_epub_passes_epubcheck(built: dict) -> None:
    assert epubcheck_messages(built["epub"]) == []


def test_every_epub_image_is_8_bit_srgb_jpeg_or_png_within_the_limit(built: dict) -> None:
    found = _epub_images(built["zip"])
    assert found
    for name, im in found.items():
        assert im.format in ("JPEG", "PNG"), name
        assert im.mode in ("RGB", "L", "RGBA"), (name, im.mode)
        if im.mode == "RGBA":
            assert im.getchannel("A").getextrema()[0] < 255, f"{name}: an alpha channel it does not use"
        assert im.width * im.height <= LIMIT_MP * 1_000_000, name
        assert 0x0112 not in im.getexif() and "icc_profile" not in im.info and "exif" not in im.info, name


def test_each_problem_image_is_made_right_in_the_epub(built: dict) -> None:
    z = built["zip"]
    srcs = _srcs(z)
    assert set(srcs) == set(STILLS)
    im = {name: Image.open(io.BytesIO(z.read(path))) for name, path in srcs.items()}
    grey = im["grey16.png"]
    assert grey.mode == "L"  # continuous tone: a grey JPEG; not a black box, the ramp is all there
    lo, hi = grey.getextrema()
    assert lo <= 5 and hi >= 250 and grey.getpixel((60, 40)) in range(110, 146)
    assert im["big.jpg"].size == (387, 258)  # 600 × 400 held to 100 000 pixels, proportions kept
    upright = im["rotated.jpg"].convert("RGB")
    assert upright.size == (90, 60)
    assert _near(upright.getpixel((4, 4)), RED) and not _near(upright.getpixel((85, 55)), RED)
    assert im["alpha-photo.png"].format == "JPEG" and im["alpha-photo.png"].mode == "RGB"
    assert _near(im["cmyk-icc.jpg"].convert("RGB").getpixel((50, 25)), (253, 7, 10))  # the profile's red
    assert _near(im["cmyk-plain.jpg"].convert("RGB").getpixel((50, 20)), CYAN)      # the plain formula
    assert im["palette.png"].format == "PNG" and im["palette.png"].mode == "RGB"
    assert im["palette.png"].getpixel((60, 15)) == (200, 0, 0)
    la = im["la.png"]
    assert la.format == "PNG" and la.mode == "RGBA" and la.getpixel((10, 10)) == (90, 90, 90, 255)
    assert la.getpixel((100, 10))[3] == 0


def test_img_elements_carry_the_variant_size(built: dict) -> None:
    z = built["zip"]
    xhtml = z.read("EPUB/text/ch-01.xhtml").decode()
    tags = re.findall(r"<img [^>]*>", xhtml)
    assert len(tags) == len(STILLS) + 1
    for tag in tags:
        src = "EPUB/" + re.search(r'src="\.\./([^"]+)"', tag).group(1)
        w, h = Image.open(io.BytesIO(z.read(src))).size
        assert f'width="{w}" height="{h}"' in tag, tag
    inline = next(t for t in tags if 'alt="mark"' in t)  # the author's width=50% still rules, height follows
    assert 'style="width: 50%; height: auto"' in inline
    cover_page = z.read("EPUB/text/cover.xhtml").decode()
    assert re.search(r'<img [^>]*src="\.\./images/cover\.png" alt="[^"]+" width="150" height="240"', cover_page)


def test_a_cover_that_is_also_a_still_is_stored_once(built: dict) -> None:
    z = built["zip"]
    assert _srcs(z)["cover.png"] == "EPUB/images/cover.png"
    opf = z.read("EPUB/content.opf").decode()
    assert opf.count('href="images/cover.png"') == 1 and 'properties="cover-image"' in opf
    digests = [z.read(n) for n in z.namelist() if n.startswith("EPUB/images/")]
    assert len(digests) == len(set(digests))


def test_cmyk_without_a_profile_warns(built: dict) -> None:
    assert built["codes"].count("I111") == 1
    assert "I113" not in built["codes"]


# ---------------------------------------------------------------- the PDF


def _near(a: tuple, b: tuple, tolerance: int = 40) -> bool:
    return all(abs(x - y) <= tolerance for x, y in zip(a, b))


@pytest.fixture(scope="module")
def pdf_images(built: dict) -> dict[tuple[int, int], Image.Image]:
    found: dict[tuple[int, int], Image.Image] = {}
    for page in PdfReader(built["pdf"]).pages:
        for image in page.images:
            found[image.image.size] = image.image
    return found


def test_pdf_keeps_full_resolution_upright(pdf_images: dict) -> None:
    for name, (_, size) in STILLS.items():
        assert size in pdf_images, f"{name} not at {size} in the PDF (found {sorted(pdf_images)})"
    upright = pdf_images[(90, 60)].convert("RGB")
    assert _near(upright.getpixel((4, 4)), RED) and not _near(upright.getpixel((85, 55)), RED)


def test_pdf_grey16_is_a_ramp_not_noise(pdf_images: dict) -> None:
    grey = pdf_images[(120, 80)].convert("L")
    row = [grey.getpixel((x, 40)) for x in range(120)]
    assert row[0] <= 5 and row[-1] >= 250
    assert all(0 <= b - a <= 6 for a, b in zip(row, row[1:])), row  # rising smoothly, left to right


def test_pdf_colours_are_srgb(pdf_images: dict) -> None:
    assert pdf_images[(100, 50)].mode == "RGB"  # not DeviceCMYK
    assert _near(pdf_images[(100, 50)].getpixel((50, 25)), (253, 7, 10))
    assert _near(pdf_images[(100, 40)].convert("RGB").getpixel((50, 20)), CYAN)


# ---------------------------------------------------------------- same input, same bytes; decoded once


def test_builds_are_byte_identical(built: dict) -> None:
    again = {p.suffix: p.read_bytes() for p in built["again"].outputs}
    assert again[".epub"] == built["epub"].read_bytes()
    assert again[".pdf"] == built["pdf"].read_bytes()


def test_a_cached_rebuild_decodes_nothing(built: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    book = built["root"] / "edited"
    shutil.copytree(built["book"], book)
    chapter = book / "chapters" / "01.md"
    chapter.write_text(chapter.read_text() + "\nOne more line.\n")
    decoded: list[str] = []
    real_inspect, real_decode = images.inspect, stills._decode
    monkeypatch.setattr(images, "inspect", lambda *a, **k: decoded.append(str(a[0])) or real_inspect(*a, **k))
    monkeypatch.setattr(stills, "_decode", lambda *a, **k: decoded.append(a[1]) or real_decode(*a, **k))
    monkeypatch.setattr(stills, "_FACTS", {})  # forget this process's memory: only the cache may answer
    monkeypatch.setattr(stills, "_DATA", {})
    run_build(book, ["epub", "pdf"], built["root"] / "out", Reporter(echo=False), jobs=1)
    assert decoded == []
    (book / "stills" / "la.png").write_bytes(_png(Image.new("LA", (30, 30), (10, 0))))
    run_build(book, ["epub", "pdf"], built["root"] / "out", Reporter(echo=False), jobs=1)
    assert len(decoded) == 2  # the changed still: checked, then decoded once for both editions


# ---------------------------------------------------------------- the metadata key, SVG


def test_bad_megapixels_value_warns_and_uses_4(tmp_path: Path) -> None:
    from pipeline.metadata import normalise

    reporter = Reporter(echo=False)
    meta = normalise({"title": "T", "lang": "en", "epub-image-megapixels": "lots"}, "book.yaml", reporter)
    assert meta.epub_image_megapixels == 4.0 and [d.code for d in reporter.warnings] == ["I110"]
    assert normalise({"title": "T", "lang": "en", "epub-image-megapixels": 2}, "b.yaml").epub_image_megapixels == 2.0


def test_unsafe_svg_is_cleaned_and_a_dtd_refused(tmp_path: Path) -> None:
    svg = tmp_path / "a.svg"
    svg.write_bytes(b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>x()</script>'
                    b'<rect width="5" height="5"/></svg>')
    made = stills.variant(svg, stills.Policy("epub", 4.0))
    assert made.facts.media_type == "image/svg+xml"
    assert b"script" not in made.data and b"onload" not in made.data and b"<rect" in made.data
    svg.write_bytes(b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x "y">]>'
                    b'<svg xmlns="http://www.w3.org/2000/svg">&x;</svg>')
    with pytest.raises(Exception, match="I008"):
        stills.variant(svg, stills.Policy("epub", 4.0))


def test_colour_profile_is_used_for_cmyk() -> None:
    """The test profile itself: LittleCMS maps its cyan to red (so the EPUB check above means something)."""
    profile = ImageCms.ImageCmsProfile(io.BytesIO(cmyk_profile()))
    out = ImageCms.profileToProfile(Image.new("CMYK", (2, 2), (255, 0, 0, 0)), profile,
                                    ImageCms.createProfile("sRGB"), outputMode="RGB")
    assert _near(out.getpixel((0, 0)), (253, 7, 10), 10)
