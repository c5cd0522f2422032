"""Stills made right for each edition: decoded once, one variant per edition, cached by content.

Takes: a still of the book (already checked by :func:`pipeline.images.facts`),
its content hash, and an edition's image :class:`Policy` (print keeps full
resolution; the EPUB is held to ``epub-image-megapixels``, default 4).
Gives: a :class:`Variant` per edition (bytes, media type, pixel size),
:func:`prepare` (every still of a book, each decoded at most once for all the
editions being built) and :func:`variant_facts` (the size and type of a
variant without its bytes, for ``<img width height>``).

Every raster variant is:

- the right way up: the EXIF orientation is applied (``ImageOps.exif_transpose``)
  and no EXIF is written;
- 8-bit sRGB: RGB, L for grey, RGBA only when the alpha channel is used.
  CMYK, 16-bit grey (I;16, I), palette (P, PA), grey with alpha (LA), and RGBA
  whose alpha is all opaque are converted. An embedded ICC profile is honoured
  (LittleCMS through ``ImageCms``, perceptual intent, into its built-in sRGB);
  a CMYK still without one is converted with Pillow's own formula,
  R = (255 − C)(255 − K)/255 and so on, as browsers show an untagged CMYK
  JPEG, and warns ``I111``. A grey still's profile is dropped (grey is
  written as grey). No profile is written: untagged is sRGB;
- a photo (a JPEG source, or continuous tone: many colours, none dominant) is
  a baseline JPEG (quality 85 for the EPUB, 92 for print, optimised Huffman
  tables, no metadata); line art (few colours, or an alpha channel in use)
  is a PNG at zlib's default level (level 9 made files 4–5% smaller and took
  five times as long: 1.9 s for the sample's cover alone);
- for the EPUB, at most ``epub-image-megapixels`` megapixels (Lanczos);
  print keeps every pixel.

An RGB or grey JPEG (baseline or progressive) that needs none of this keeps its compressed data
as it is: only its metadata segments (EXIF, XMP, IPTC, comments, an sRGB
profile) are removed, so it is not compressed a second time. An animated GIF
keeps its first frame (``I112``). SVG is kept only as
:func:`pipeline.images.clean_svg` makes it safe (a DTD is refused, ``I008``).

Variants are stored in the build cache (kinds ``still`` and ``still-facts``)
under the still's content hash, the policy and the code version, so a rebuild
decodes nothing; with the cache off they are kept in this process, which
the PDF's forked workers share. Same input, same bytes.
"""

from __future__ import annotations

import dataclasses
import io
import math
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from PIL import Image as PILImage
from PIL import ImageCms, ImageFile, ImageOps

from .cache import Cache, key, known_hash, remember_hash
from .diagnostics import Diagnostic, Reporter, from_dict, to_dict
from .editions import Edition
from .images import MEDIA_TYPES, _looks_like_svg, clean_svg

DEFAULT_EPUB_MEGAPIXELS = 4.0
JPEG_QUALITY = {"epub": 85, "pdf": 92}
PNG_LEVEL = 6  # zlib's default: level 9 (Pillow's optimize) is five times slower for 4–5% smaller files
PHOTO_SAMPLE = 256  # colours are counted on a sample at most this many pixels across
_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


@dataclass(frozen=True, slots=True)
class Policy:
    """What an edition wants of its stills: ``name`` ('pdf' or 'epub') and a pixel limit (0: none)."""

    name: str
    megapixels: float = 0.0

    @property
    def max_pixels(self) -> int:
        """The most pixels a variant may have; 0 keeps full resolution."""
        return int(self.megapixels * 1_000_000)


@dataclass(frozen=True, slots=True)
class VariantFacts:
    """A variant without its bytes: media type, pixel size (0 × 0 for SVG) and the warnings made."""

    media_type: str
    width: int
    height: int
    warnings: tuple[Diagnostic, ...] = ()

    def to_json(self) -> dict:
        """Plain data for the cache."""
        return {"media_type": self.media_type, "width": self.width, "height": self.height,
                "warnings": [to_dict(d) for d in self.warnings]}

    @classmethod
    def from_json(cls, data: dict) -> VariantFacts:
        """The facts :meth:`to_json` wrote."""
        return cls(data["media_type"], data["width"], data["height"],
                   tuple(from_dict(d) for d in data.get("warnings", [])))


@dataclass(frozen=True, slots=True)
class Variant:
    """A still as one edition carries it."""

    data: bytes
    facts: VariantFacts


# what this process knows: facts always, bytes only when there is no cache to hold them
_FACTS: dict[tuple[str, Policy], VariantFacts] = {}
_DATA: dict[tuple[str, Policy], bytes] = {}
_CACHES: dict[tuple[str, Policy], Cache] = {}  # where prepare() stored a variant (the PDF's fetcher has no cache)


def policy_for(edition: Edition) -> Policy:
    """The image policy of an edition row."""
    return Policy(edition.images, edition.image_megapixels)


def _key(digest: str, policy: Policy) -> str:
    return key("still", digest, dataclasses.astuple(policy))


def variant_facts(path: Path, policy: Policy, cache: Cache | None = None, digest: str = "") -> VariantFacts:
    """The media type and size of ``path``'s variant for ``policy`` (made now if not known)."""
    digest = digest or known_hash(path)
    known = _known(digest, policy, cache)
    if known is not None:
        return known
    return _make(path, digest, (policy,), cache, "")[policy].facts


def variant(path: Path, policy: Policy, cache: Cache | None = None, digest: str = "") -> Variant:
    """``path`` as an edition with ``policy`` carries it: from this process, the cache, or made now."""
    digest = digest or known_hash(path)
    facts = _known(digest, policy, cache)
    if facts is not None:
        data = _DATA.get((digest, policy))
        cache = cache if cache is not None else _CACHES.get((digest, policy))
        if data is None and cache is not None:
            data = cache.get("still", _key(digest, policy))
        if data is not None:
            return Variant(data, facts)
    return _make(path, digest, (policy,), cache, "")[policy]


def prepare(root: Path, srcs: Iterable[str], policies: Iterable[Policy], cache: Cache | None,
            reporter: Reporter | None = None, digests: dict[str, str] | None = None) -> dict[str, str]:
    """Make sure every still in ``srcs`` has a variant for each policy, decoding each at most once.

    Returns each still's content hash by path. Warnings (I111, I112) are reported each time,
    also when the variants come from the cache.
    """
    policies = tuple(dict.fromkeys(policies))
    out: dict[str, str] = {}
    for src in dict.fromkeys(srcs):
        path = root / src
        given = (digests or {}).get(src)
        if given:
            remember_hash(path, given)
        digest = given or known_hash(path)
        out[src] = digest
        if cache is not None and cache.root is not None:
            _CACHES.update({(digest, p): cache for p in policies})
        missing = tuple(p for p in policies if _known(digest, p, cache) is None
                        or ((digest, p) not in _DATA and (cache is None or cache.root is None)))
        if missing:
            _make(path, digest, missing, cache, src)
        if reporter is not None and policies:
            facts = _known(digest, policies[0], cache)
            if facts is not None:
                reporter.replay(facts.warnings)
    return out


def _known(digest: str, policy: Policy, cache: Cache | None) -> VariantFacts | None:
    cache = cache if cache is not None else _CACHES.get((digest, policy))
    facts = _FACTS.get((digest, policy))
    if facts is None and cache is not None:
        stored = cache.get_json("still-facts", _key(digest, policy))
        if isinstance(stored, dict):
            facts = _FACTS[(digest, policy)] = VariantFacts.from_json(stored)
    return facts


def _make(path: Path, digest: str, policies: tuple[Policy, ...], cache: Cache | None,
          shown: str) -> dict[Policy, Variant]:
    """Decode ``path`` once and write its variant for each of ``policies``."""
    shown = shown or path.name
    data = path.read_bytes()
    made: dict[Policy, Variant] = {}
    if path.suffix.lower() == ".svg" or _looks_like_svg(data[:1024]):
        svg = clean_svg(data, shown)
        for p in policies:
            made[p] = Variant(svg, VariantFacts(MEDIA_TYPES["SVG"], 0, 0))
    else:
        reporter = Reporter(echo=False)
        im, source = _decode(data, shown, reporter)
        photo = source["format"] in ("JPEG", "MPO") or _is_photo(im)
        for p in policies:
            made[p] = _encode(im, source, data, photo, p, tuple(reporter.warnings))
    if len(_DATA) > 512:  # a long watch session: forget, the cache still has them
        _DATA.clear()
    for p, v in made.items():
        _FACTS[(digest, p)] = v.facts
        if cache is not None and cache.root is not None:
            cache.put("still", _key(digest, p), v.data)
            cache.put_json("still-facts", _key(digest, p), v.facts.to_json())
        else:
            _DATA[(digest, p)] = v.data
    return made


def _decode(data: bytes, shown: str, reporter: Reporter) -> tuple[PILImage.Image, dict]:
    """The still upright, as 8-bit sRGB (L, RGB or RGBA with its alpha in use); what the source was."""
    lenient, ImageFile.LOAD_TRUNCATED_IMAGES = ImageFile.LOAD_TRUNCATED_IMAGES, False
    try:
        with PILImage.open(io.BytesIO(data)) as src:
            fmt = src.format or ""
            if getattr(src, "n_frames", 1) > 1 and fmt == "GIF":
                reporter.warn("I112", f"animated GIF '{shown}': only its first frame is kept",
                              "EPUB readers and print show one frame; pick the frame you want and save it as PNG",
                              shown)
            src.seek(0)
            src.load()
            orientation = src.getexif().get(0x0112, 1)
            info = {"format": fmt, "mode": src.mode, "orientation": orientation,
                    "progressive": bool(src.info.get("progressive") or src.info.get("progression")),
                    "icc": src.info.get("icc_profile") or b"", "size": src.size}
            im = ImageOps.exif_transpose(src)
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = lenient
    im = _to_srgb(im, info["icc"], shown, reporter)
    im.info = {}
    return im, info


def _is_srgb(profile: ImageCms.ImageCmsProfile) -> bool:
    return "srgb" in (ImageCms.getProfileDescription(profile) or "").lower().replace(" ", "")


def _to_srgb(im: PILImage.Image, icc: bytes, shown: str, reporter: Reporter) -> PILImage.Image:
    mode = im.mode
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):  # 16-bit grey: 0…65535 onto 0…255
        return im.convert("I").point(lambda v: v * (1 / 257)).convert("L")
    if mode == "F":
        return im.convert("L")
    if mode == "1":
        return im.convert("L")
    if mode in ("P", "PA"):
        im = im.convert("RGBA" if mode == "PA" or "transparency" in im.info else "RGB")
        mode = im.mode
    if mode == "LA":
        return im.convert("L") if im.getchannel("A").getextrema() == (255, 255) else im.convert("RGBA")
    if mode == "L":
        return im
    alpha = im.getchannel("A") if mode == "RGBA" else None
    if alpha is not None and alpha.getextrema() == (255, 255):
        alpha = None
    colour = im.convert("RGB") if mode in ("RGBA", "RGBX", "YCbCr", "LAB", "HSV") else im
    profile = None
    if icc:
        try:
            profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        except (ImageCms.PyCMSError, OSError, ValueError):
            reporter.warn("I113", f"image '{shown}' has a colour profile that cannot be read; it is ignored",
                          "re-export the image with its profile, or converted to sRGB", shown)
    if profile is not None and (colour.mode == "CMYK" or not _is_srgb(profile)):
        try:
            colour = ImageCms.profileToProfile(colour, profile, _SRGB, outputMode="RGB",
                                               renderingIntent=ImageCms.Intent.PERCEPTUAL)
        except ImageCms.PyCMSError:
            reporter.warn("I113", f"image '{shown}' has a colour profile that cannot be applied; it is ignored",
                          "re-export the image converted to sRGB", shown)
            profile = None
    if colour.mode == "CMYK" and profile is None:
        reporter.warn("I111", f"CMYK image '{shown}' has no colour profile; its colours are converted "
                      "to sRGB by a plain formula and may shift",
                      "export it as sRGB, or embed the CMYK profile it was separated with", shown)
    colour = colour.convert("RGB") if colour.mode != "RGB" else colour
    if alpha is not None:
        colour.putalpha(alpha)
    return colour


def _is_photo(im: PILImage.Image) -> bool:
    """Continuous tone: many colours on a sample, and the 16 commonest cover under 60% of it."""
    if im.mode == "RGBA":
        return False  # an alpha channel in use: PNG keeps it
    sample = im
    if max(im.size) > PHOTO_SAMPLE:
        scale = PHOTO_SAMPLE / max(im.size)
        sample = im.resize((max(1, round(im.width * scale)), max(1, round(im.height * scale))),
                           PILImage.Resampling.NEAREST)
    total = sample.width * sample.height
    colours = sample.getcolors(maxcolors=total) or []
    if im.mode == "RGB" and len(colours) <= 256:
        return False
    top = sum(sorted((c for c, _ in colours), reverse=True)[:16])
    return top < 0.6 * total


def _encode(im: PILImage.Image, source: dict, data: bytes, photo: bool, policy: Policy,
            warnings: tuple[Diagnostic, ...]) -> Variant:
    w, h = im.size
    limit = policy.max_pixels
    if limit and w * h > limit:
        scale = math.sqrt(limit / (w * h))
        w, h = max(1, int(w * scale)), max(1, int(h * scale))
        im = im.resize((w, h), PILImage.Resampling.LANCZOS, reducing_gap=3.0)
    elif (source["format"] == "JPEG" and source["mode"] in ("RGB", "L") and source["orientation"] == 1
          and im.mode == source["mode"]
          and (not source["icc"] or _icc_is_srgb(source["icc"]))):
        stripped = strip_jpeg(data)
        if stripped is not None:
            return Variant(stripped, VariantFacts("image/jpeg", w, h, warnings))
    out = io.BytesIO()
    if photo and im.mode in ("RGB", "L"):
        im.save(out, "JPEG", quality=JPEG_QUALITY.get(policy.name, 85), optimize=True, progressive=False)
        return Variant(out.getvalue(), VariantFacts("image/jpeg", w, h, warnings))
    im.save(out, "PNG", compress_level=PNG_LEVEL)
    return Variant(out.getvalue(), VariantFacts("image/png", w, h, warnings))


def _icc_is_srgb(icc: bytes) -> bool:
    try:
        return _is_srgb(ImageCms.ImageCmsProfile(io.BytesIO(icc)))
    except (ImageCms.PyCMSError, OSError, ValueError):
        return False


_KEEP_APP = {0xE0, 0xEE}  # JFIF, Adobe (its colour transform flag decides how the data decodes)


def strip_jpeg(data: bytes) -> bytes | None:
    """``data`` without its metadata segments (APP1–APP13, APP15, comments); None if it is not plain JPEG.

    The compressed data is copied unchanged.

    >>> strip_jpeg(b"\\xff\\xd8\\xff\\xe1\\x00\\x04ab\\xff\\xda\\x00\\x02rest") == b"\\xff\\xd8\\xff\\xda\\x00\\x02rest"
    True
    """
    if not data.startswith(b"\xff\xd8"):
        return None
    out = bytearray(b"\xff\xd8")
    i = 2
    while i + 4 <= len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker == 0xDA:  # start of scan: the rest is image data
            out += data[i:]
            return bytes(out)
        (length,) = struct.unpack(">H", data[i + 2:i + 4])
        segment = data[i:i + 2 + length]
        if len(segment) < 2 + length:
            return None
        if not (0xE0 <= marker <= 0xEF or marker == 0xFE) or marker in _KEEP_APP:
            out += segment
        i += 2 + length
    return None
