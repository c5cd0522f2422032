"""Hostile and broken manuscripts: a clear error or a safe result, never a traceback or an escape.

Safe-result cases are bound into one "hostile book", one case per chapter,
built once to EPUB (checked by EPUBCheck) and PDF. Error cases run the real
command line and check its message and exit status. The README's table
"Bad input we test" lists every case here.
"""

from __future__ import annotations

import io
import os
import signal
import struct
import subprocess
import sys
import time
import zipfile
import zlib
from pathlib import Path

import pdfplumber
import pytest
from conftest import ROOT, epubcheck_messages, image_bytes, outputs, run_cli, write_files

from pipeline import build, build_book, ir
from pipeline.diagnostics import Reporter


def png_bomb(width: int = 100_000, height: int = 100_000) -> bytes:
    """A 60-byte PNG whose header claims width × height pixels."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0")) + chunk(b"IEND", b"")


def animated_gif() -> bytes:
    from PIL import Image

    frames = [Image.new("P", (60, 40), c) for c in (1, 2, 3)]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    return out.getvalue()


HOSTILE_SVG = b"""<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
  width="200" height="100" onload="alert(1)"><script>alert(2)</script>
<style>@import url(http://evil.example/x.css);</style>
<image xlink:href="http://evil.example/track.png" width="10" height="10"/>
<foreignObject><div xmlns="http://www.w3.org/1999/xhtml">x</div></foreignObject>
<rect width="200" height="100" fill="#446"/></svg>"""

XXE_SVG = b"""<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<svg xmlns="http://www.w3.org/2000/svg"><text>&xxe;</text></svg>"""

HOSTILE_BOOK = {
    "book.yaml": "title: Hostile\nlang: en\n",
    "chapters/01-raw-html.md": """\
# Raw HTML

<div class="box" onclick="steal()"><script>alert(1)</script><p>Unclosed <b>bold <i>misnested</b> text</i>
<iframe src="https://evil.example"></iframe><form action="x"><input name="q"></form>
<object data="x.swf"></object>

Inline <span onmouseover="x()">span</span>, <a href="javascript:alert(1)">a js link</a>, <em>unclosed.

Entities &amp; &copy; &#x2766; &bogus; and bare & ampersands < and > signs, AT&T.

[js](javascript:alert(1)) [vb](vbscript:x) [data](data:text/html,<script>x</script>)
""",
    "chapters/02-images.md": """\
# Images

![A PNG named .jpg](../img/png-named.jpg){alt="A circle."}

![An animated GIF](../img/anim.gif){alt="Flashing colours."}

![A CMYK TIFF](../img/cmyk.tif){alt="A circle in CMYK."}

![A scripted SVG](../img/hostile.svg){alt="A dark rectangle."}
""",
    "chapters/03-text.md": "# Text\r\n\r\nCRLF lines,\ttabs,\x00 a NUL byte and a BOM before.\r\n",
    "chapters/04-links.md": """\
# Links

[outside](../../../etc/passwd) [file](file:///etc/passwd) [missing](#nowhere) [abs](/etc/passwd)
""",
    "chapters/05-nesting.md": "# Nesting\n\n" + ">" * 3000 + " deep\n\n" + "*" * 3000 + "x" + "*" * 3000 + "\n\n"
                              + "[" * 2000 + "x" + "]" * 2000 + "\n\n" + "- " * 300 + "item\n",
    "chapters/06-ids.md": "# Same {#same}\n\n## Same {#same}\n\nNote.[^a]\n\n[^a]: Cycle[^a] here.\n",
    "chapters/07-scripts.md": "# 中文、日本語、한국어\n\nשלום עולם — مرحبا بالعالم — Ελληνικά — Русский.\n\n"
                              + "Long: " + "x" * 600 + " https://example.org/" + "a" * 400 + "\n",
    "chapters/08-empty.md": "",
    "img/png-named.jpg": image_bytes("PNG"),
    "img/anim.gif": animated_gif(),
    "img/cmyk.tif": image_bytes("TIFF", mode="CMYK", shade=120),
    "img/hostile.svg": HOSTILE_SVG,
}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("src") / "hostile"
    write_files(root, HOSTILE_BOOK)
    (root / "chapters" / "03-text.md").write_bytes(b"\xef\xbb\xbf" + (root / "chapters" / "03-text.md").read_bytes())
    reporter = Reporter(stream=io.StringIO())
    paths = build(root, ["epub", "pdf"], tmp_path_factory.mktemp("out"), reporter)
    return {"root": root, "warnings": reporter.warnings, **{p.suffix[1:]: p for p in paths}}


def _epub_text(epub: Path) -> dict[str, str]:
    with zipfile.ZipFile(epub) as z:
        return {n: z.read(n).decode("utf-8") for n in z.namelist() if n.endswith((".xhtml", ".opf", ".svg"))}


def test_hostile_book_passes_epubcheck(hostile: dict) -> None:
    assert epubcheck_messages(hostile["epub"]) == []


def test_no_script_handler_frame_form_or_javascript_survives(hostile: dict) -> None:
    from xml.etree import ElementTree as ET

    banned = {"script", "iframe", "form", "object", "input", "embed", "foreignObject"}
    for name, text in _epub_text(hostile["epub"]).items():
        for el in ET.fromstring(text.encode()).iter():
            assert el.tag.split("}")[-1] not in banned, (name, el.tag)
            for attr, value in el.attrib.items():
                assert not attr.split("}")[-1].lower().startswith("on"), (name, attr)
                assert not value.strip().lower().startswith(("javascript:", "vbscript:", "data:text")), (name, value)
                assert "evil.example" not in value, (name, value)


def test_entities_and_bare_ampersands(hostile: dict) -> None:
    text = _epub_text(hostile["epub"])["EPUB/text/ch-01-raw-html.xhtml"]
    assert "&amp; © ❦ &amp;bogus; and bare &amp; ampersands &lt; and &gt; signs, AT&amp;T." in text


def test_images_are_carried_or_converted(hostile: dict) -> None:
    with zipfile.ZipFile(hostile["epub"]) as z:
        names = [n for n in z.namelist() if n.startswith("EPUB/images/") and "cover" not in n]
        # every raster still is a JPEG or a PNG in the EPUB (pipeline.stills): the GIF becomes a PNG
        assert sorted(Path(n).suffix for n in names) == [".png", ".png", ".png", ".svg"]
        assert z.read(next(n for n in names if "png-named" in n)).startswith(b"\x89PNG")
    with pdfplumber.open(hostile["pdf"]) as pdf:
        drawn = sum(len(p.images) for p in pdf.pages)
    assert drawn == 3  # PNG, GIF (first frame), TIFF; the SVG is vectors


def test_text_normalised(hostile: dict) -> None:
    book = build_book(hostile["root"], Reporter(stream=io.StringIO()))
    text = ir.plain_text(book.chapters[2].blocks[1].inlines)
    assert text == "CRLF lines,\ttabs,\ufffd a NUL byte and a BOM before."


def test_links_out_of_the_book_become_text(hostile: dict) -> None:
    from xml.etree import ElementTree as ET

    chapter = ET.fromstring(_epub_text(hostile["epub"])["EPUB/text/ch-04-links.xhtml"].encode())
    assert [a.get("href") for a in chapter.iter("{http://www.w3.org/1999/xhtml}a")] == []
    codes = [w.code for w in hostile["warnings"]]
    assert codes.count("L101") >= 3


def test_duplicate_ids_and_note_cycles_are_reported(hostile: dict) -> None:
    codes = {w.code for w in hostile["warnings"]}
    assert {"L103", "P103", "P104", "P101", "P102"} <= codes


def test_long_words_wrap_inside_the_page(hostile: dict) -> None:
    with pdfplumber.open(hostile["pdf"]) as pdf:
        for page in pdf.pages:
            for c in page.chars:
                assert 0 <= c["x0"] and c["x1"] <= page.width - 36, (page.page_number, c["text"])


def test_every_script_is_set_in_a_shipped_font(hostile: dict) -> None:
    with pdfplumber.open(hostile["pdf"]) as pdf:
        fonts = {c["fontname"].split("+")[-1] for p in pdf.pages for c in p.chars}
    shipped = {f"Book-{family}{style}" for family in ("Serif", "Fallback", "Mono")
               for style in ("", "-Italic", "-Bold", "-Bold-Italic")} | {"Book-CJK", "Book-Hebrew", "Book-Arabic"}
    assert fonts <= shipped, fonts
    assert {"Book-CJK", "Book-Hebrew", "Book-Arabic"} <= fonts


# ---------------------------------------------------------------- clear errors, never a traceback

GOOD = {"book.yaml": "title: T\nlang: en\n", "chapters/01.md": "# One\n\n![A still](../a.png){alt=\"A.\"}\n",
        "a.png": image_bytes("PNG")}


def _fails(tmp_path: Path, files: dict[str, str | bytes], expected: str, *extra: str) -> str:
    write_files(tmp_path / "x", {**GOOD, **files})
    result = run_cli("build", "x", *extra, cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert expected in result.stderr, result.stderr
    out = tmp_path / "build"
    assert not out.exists() or not list(outputs(out))
    return result.stderr


@pytest.mark.parametrize("name,data,expected", [
    ("bomb", png_bomb(), "x/chapters/01.md:3: error: image '../a.png' is too large: more than 80 megapixels [I006]"),
    ("truncated", image_bytes("JPEG", (800, 600))[:1500], "error: image '../a.png' cannot be read"),
    ("zero", b"", "error: image '../a.png' cannot be read"),
    ("xxe", XXE_SVG, "error: SVG '../a.png' declares a DTD or entities, which are refused (XXE) [I008]"),
])
def test_broken_images(tmp_path: Path, name: str, data: bytes, expected: str) -> None:
    _fails(tmp_path, {"a.png": data}, expected)


@pytest.mark.parametrize("src,expected", [
    ("../../etc/passwd", "image '../../etc/passwd' is outside the manuscript folder [I005]"),
    ("/etc/passwd", "image '/etc/passwd' is an absolute path, and 'etc/passwd' is not in the book [I005]"),
])
def test_image_paths_that_escape(tmp_path: Path, src: str, expected: str) -> None:
    _fails(tmp_path, {"chapters/01.md": f"# One\n\n![x]({src}){{alt=\"x\"}}\n"}, expected)


def test_symlink_out_of_the_manuscript(tmp_path: Path) -> None:
    (tmp_path / "secret.png").write_bytes(image_bytes("PNG"))
    write_files(tmp_path / "x", GOOD)
    (tmp_path / "x" / "a.png").unlink()
    os.symlink(tmp_path / "secret.png", tmp_path / "x" / "a.png")
    _fails(tmp_path, {}, "image '../a.png' links outside the manuscript folder [I005]")


def test_chapter_symlinked_out_of_the_manuscript(tmp_path: Path) -> None:
    (tmp_path / "outside.md").write_text("# Secret\n")
    (tmp_path / "x").mkdir()
    os.symlink(tmp_path / "outside.md", tmp_path / "x" / "s.md")
    _fails(tmp_path, {"book.yaml": "title: T\nlang: en\nchapters: [chapters/01.md, s.md]\n"},
           "is outside the manuscript folder [M009]")


def test_pdf_renderer_fetches_nothing_else() -> None:
    from pipeline.render.pdf import _Fetcher

    fetcher = _Fetcher(ROOT / "manuscripts" / "the-salt-lantern")
    for url in ("https://example.org/x.png", "file:///etc/passwd", "data:image/png;base64,AAAA"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)


@pytest.mark.parametrize("yaml_text,expected", [
    ("title: T\nlang: en\nauthor: [a\n", "x/book.yaml:4: error: invalid YAML"),
    ("title: !!python/object/apply:os.system ['true']\n", "x/book.yaml:1: error: invalid YAML"),
    ("title: [1, 2]\nlang: en\n", "'title' must be text, not a list [M011]"),
    ("title: T\nlang: en\nlang: fr\n", "duplicate key 'lang' (first on line 2)"),
    ("a: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join(["*" + chr(97 + i)] * 9)
                                             + "]\n" for i in range(8)) + "title: *i\n",
     "refused as an alias bomb"),
])
def test_hostile_yaml(tmp_path: Path, yaml_text: str, expected: str) -> None:
    _fails(tmp_path, {"book.yaml": yaml_text}, expected)


def test_not_utf8(tmp_path: Path) -> None:
    _fails(tmp_path, {"chapters/01.md": "# Ünïcödé\n".encode("utf-16")}, "'x/chapters/01.md' is not UTF-8")


def test_empty_and_metadata_free_manuscripts_build(tmp_path: Path) -> None:
    (tmp_path / "empty.md").write_text("")
    (tmp_path / "bare.md").write_text("Just a line of text.\n")
    for name in ("empty.md", "bare.md"):
        result = run_cli("build", name, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
    assert "the manuscript has no text" in run_cli("build", "empty.md", "--to", "epub", cwd=tmp_path).stderr
    assert epubcheck_messages(tmp_path / "build" / "empty.epub") == []
    assert epubcheck_messages(tmp_path / "build" / "bare.epub") == []


# ---------------------------------------------------------------- outputs are never lost


def _big_book(root: Path, chapters: int) -> Path:
    para = "The tide came in over the marsh, slow and grey, and the light turned on the tower. " * 12
    files: dict[str, str | bytes] = {"book.yaml": "title: Big\nlang: en\n"}
    for c in range(chapters):
        files[f"chapters/{c:03}.md"] = f"# Chapter {c}\n\n" + "\n\n".join([para] * 40)
    return write_files(root, files)


@pytest.mark.parametrize("sig,code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_killed_build_keeps_previous_outputs(tmp_path: Path, sig: int, code: int) -> None:
    root = _big_book(tmp_path / "big", 1)
    assert run_cli("build", "big", cwd=tmp_path).returncode == 0
    before = {p.name: p.read_bytes() for p in outputs(tmp_path / "build")}
    _big_book(tmp_path / "big", 60)  # now long enough to be caught mid-build
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "build", "big"], cwd=tmp_path,
                            env={**os.environ, "PYTHONPATH": str(ROOT)},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # interrupted mid-work, once a new chapter's layout has landed in the cache (not after a fixed
    # time: on a loaded machine the signal could then arrive before Python has even started)
    laid_out = tmp_path / "build" / ".cache" / "pdf-chapter"
    before_units = len(list(laid_out.rglob("*")))
    deadline = time.monotonic() + 300
    while len(list(laid_out.rglob("*"))) == before_units and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert proc.poll() is None, "the build finished before it could be interrupted"
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == code, err
    assert "Traceback" not in err
    assert {p.name: p.read_bytes() for p in outputs(tmp_path / "build")} == before
    assert root.is_dir()


def test_concurrent_builds_do_not_corrupt_each_other(tmp_path: Path) -> None:
    write_files(tmp_path / "x", GOOD)
    assert run_cli("build", "x", "--out", "reference", cwd=tmp_path).returncode == 0
    procs = [subprocess.Popen([sys.executable, "-m", "pipeline", "build", "x"], cwd=tmp_path,
                              env={**os.environ, "PYTHONPATH": str(ROOT)},
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(3)]
    assert [p.wait(timeout=300) for p in procs] == [0, 0, 0]
    for name in ("x.pdf", "x.epub"):
        assert (tmp_path / "build" / name).read_bytes() == (tmp_path / "reference" / name).read_bytes()
    assert sorted(p.name for p in outputs(tmp_path / "build")) == ["x.epub", "x.pdf"]


def test_full_disk_is_a_clear_error(tmp_path: Path) -> None:
    out = tmp_path / "tiny"
    out.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", str(out)],
                      capture_output=True).returncode != 0:
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    try:
        write_files(tmp_path / "x", GOOD)
        result = run_cli("build", "x", "--out", str(out), cwd=tmp_path)
        assert result.returncode == 1
        assert "error: cannot write" in result.stderr and "No space left on device" in result.stderr
        assert "Traceback" not in result.stderr
        assert list(outputs(out)) == []
    finally:
        subprocess.run(["umount", str(out)], check=False)
