"""Images: check the stills a manuscript uses and convert what a target cannot carry.

Takes: image files in the manuscript folder.
Gives: :func:`inspect` (format, size, checked to open), :func:`facts` (the
same with the file's content hash, decoded once and then cached by that hash),
:func:`clean_svg` and :func:`make_cover`. What each edition carries of a
still (8-bit sRGB JPEG or PNG, upright, sized for the edition) is made by
:mod:`pipeline.stills`; these two are the only modules that import Pillow.

Every raster image is decoded once (at reduced size where the format allows)
so that a truncated or corrupt file is an error at build time, not a hole in
the book; a file claiming more than :data:`MAX_PIXELS` pixels is refused
before it is decoded. SVG is parsed without DTDs or entities (no XXE, no
"billion laughs"), and scripts, event handlers, ``foreignObject`` and
references to anything outside the file are removed.
"""

from __future__ import annotations

import dataclasses
import functools
import io
import re
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image as PILImage
from PIL import ImageFile

from .cache import Cache, known_hash
from .diagnostics import error

MEDIA_TYPES = {
    "JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp",
    "TIFF": "image/tiff", "SVG": "image/svg+xml",
}
EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif",
              "image/webp": ".webp", "image/svg+xml": ".svg"}
MAX_PIXELS = 80_000_000


@dataclass(frozen=True, slots=True)
class ImageInfo:
    """What :func:`inspect` found: Pillow's format name, pixel size and mode."""

    format: str
    width: int
    height: int
    mode: str

    @property
    def media_type(self) -> str:
        """The IANA media type of the file as it is."""
        return MEDIA_TYPES[self.format]


@dataclass(frozen=True, slots=True)
class ImageFacts:
    """A checked image: its content hash and what :func:`inspect` found."""

    sha256: str
    info: ImageInfo


def facts(path: Path, shown: str = "", file: str = "", line: int = 0, cache: Cache | None = None) -> ImageFacts:
    """Check ``path`` once per content: a file whose hash the cache knows is not decoded again."""
    digest = known_hash(path)
    if digest not in _KNOWN:
        stored = cache.get_json("image-facts", digest) if cache else None
        if stored is not None:
            info = ImageInfo(**stored)
        else:
            info = inspect(path, shown, file, line)
            if cache:
                cache.put_json("image-facts", digest, dataclasses.asdict(info))
        _KNOWN[digest] = ImageFacts(digest, info)
    return _KNOWN[digest]


_KNOWN: dict[str, ImageFacts] = {}  # by content hash: what this process checked (watch: each image once)


def inspect(path: Path, shown: str = "", file: str = "", line: int = 0) -> ImageInfo:
    """Open ``path`` and check it is an image we accept; errors name the Markdown file and line."""
    shown = shown or path.name
    with open(path, "rb") as f:
        head = f.read(1024)
    if path.suffix.lower() == ".svg" or _looks_like_svg(head):
        clean_svg(path.read_bytes(), shown, file, line)
        return ImageInfo("SVG", 0, 0, "")
    # WeasyPrint turns LOAD_TRUNCATED_IMAGES on when it is imported; a check must not accept them
    lenient, ImageFile.LOAD_TRUNCATED_IMAGES = ImageFile.LOAD_TRUNCATED_IMAGES, False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", PILImage.DecompressionBombWarning)
            with PILImage.open(path) as im:
                fmt, (w, h), mode = im.format or "", im.size, im.mode
                if w * h > MAX_PIXELS:
                    raise PILImage.DecompressionBombError(f"{w}×{h}")
                im.draft("RGB", (max(1, w // 8), max(1, h // 8)))  # JPEG: decode at 1/8 scale
                im.load()
    except (PILImage.DecompressionBombError, PILImage.DecompressionBombWarning):
        raise error("I006", f"image '{shown}' is too large: more than {MAX_PIXELS // 1_000_000} megapixels",
                    "scale it down; 300 dpi across a page is under 10 megapixels", file, line) from None
    except Exception as exc:  # Pillow raises many kinds for broken files
        raise error("I002", f"image '{shown}' cannot be read ({exc.__class__.__name__}: {exc})",
                    "re-export it as JPEG or PNG", file, line) from None
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = lenient
    if fmt not in MEDIA_TYPES:
        raise error("I007", f"image '{shown}' is {fmt or 'an unknown format'}",
                    "use JPEG, PNG, GIF, WebP, TIFF or SVG", file, line)
    return ImageInfo(fmt, w, h, mode)


def _looks_like_svg(head: bytes) -> bool:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return b"<svg" in head and text.startswith((b"<svg", b"<?xml", b"<!DOCTYPE", b"<!--"))


SVG_NS = "{http://www.w3.org/2000/svg}"
_SVG_DROP = {"script", "foreignObject", "iframe", "object", "embed", "audio", "video", "handler", "listener"}


def _outside_ref(css: str) -> bool:
    """True if CSS text imports or points at anything but a fragment of the same file."""
    return "@import" in css or bool(re.search(r"url\(\s*['\"]?(?!#)", css))


_PLAIN_DOCTYPE = re.compile(rb'<!DOCTYPE\s+svg(?:\s+(?:PUBLIC\s+"[^"<>\[]*"\s+"[^"<>\[]*"|SYSTEM\s+"[^"<>\[]*"))?\s*>')


def clean_svg(data: bytes, shown: str = "", file: str = "", line: int = 0) -> bytes:
    """Parse an SVG safely and return it without scripts, handlers or outside references."""
    from xml.etree import ElementTree as ET

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    # the usual '<!DOCTYPE svg PUBLIC "…" "…svg11.dtd">' names a DTD and declares nothing: it is
    # dropped (never fetched); a DOCTYPE with an internal subset ([<!ENTITY …>]) is refused
    data = _PLAIN_DOCTYPE.sub(b"", data, count=1)
    try:
        root = fromstring(data, forbid_dtd=True)
    except DefusedXmlException:
        raise error("I008", f"SVG '{shown}' declares a DTD or entities, which are refused (XXE)",
                    "remove the <!DOCTYPE …> and entity declarations from the SVG", file, line) from None
    except ET.ParseError as exc:
        raise error("I002", f"SVG '{shown}' cannot be read ({exc})", "re-export it from your drawing program",
                    file, line) from None
    if root.tag != SVG_NS + "svg":
        raise error("I002", f"SVG '{shown}' has no <svg> root element", "re-export it as SVG", file, line)
    for parent in list(root.iter()):
        for child in list(parent):
            local = child.tag.split("}")[-1] if isinstance(child.tag, str) else ""
            if local in _SVG_DROP or not local or (local == "style" and _outside_ref(child.text or "")):
                parent.remove(child)
        for name in list(parent.attrib):
            value = parent.attrib[name].strip()
            local = name.split("}")[-1].lower()
            if local.startswith("on") or (
                    local == "href" and not value.startswith(("#", "data:image/png", "data:image/jpeg"))):
                del parent.attrib[name]
            elif _outside_ref(value):
                del parent.attrib[name]
    ET.register_namespace("", "http://www.w3.org/2000/svg")
    ET.register_namespace("xlink", "http://www.w3.org/1999/xlink")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


@functools.lru_cache(maxsize=8)
def make_cover(title: str, subtitle: str, author: str, font_dir: Path) -> bytes:
    """A plain typographic cover (1600×2560 PNG) for a book that has no cover image.

    Drawn with the shipped fonts only, so it is the same on every machine.
    """
    from PIL import ImageDraw, ImageFont

    w, h = 1600, 2560
    im = PILImage.new("RGB", (w, h), (38, 41, 46))
    draw = ImageDraw.Draw(im)
    draw.rectangle((80, 80, w - 80, h - 80), outline=(200, 180, 130), width=6)
    regular = font_dir / "EBGaramond12-Regular.otf"
    italic = font_dir / "EBGaramond12-Italic.otf"

    def block(text: str, font_path: Path, size: int, top: int, fill: tuple[int, int, int]) -> int:
        font = ImageFont.truetype(str(font_path), size)
        lines: list[str] = []
        for word in text.split():
            if lines and draw.textlength(lines[-1] + " " + word, font=font) <= w - 320:
                lines[-1] += " " + word
            else:
                lines.append(word)
        for line in lines:
            lw = draw.textlength(line, font=font)
            draw.text(((w - lw) / 2, top), line, font=font, fill=fill)
            top += int(size * 1.2)
        return top

    y = block(title, regular, 150, 700, (240, 232, 214))
    if subtitle:
        y = block(subtitle, italic, 80, y + 60, (220, 210, 190))
    if author:
        block(author, regular, 90, h - 600, (200, 180, 130))
    out = io.BytesIO()
    im.save(out, "PNG")
    return out.getvalue()
