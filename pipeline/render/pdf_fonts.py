"""Merge font subsets: one embedded subset per font file in an assembled PDF.

Takes: a :class:`pikepdf.Pdf` stitched from pieces that each embed their own
subset of the same shipped fonts.
Gives: the same PDF where every font of the same name is one font object:
its glyphs are the union of what the pieces used, subset once more from the
shipped font file (with HarfBuzz, :mod:`.hb_subset`), with the union of their
widths and Unicode maps.

WeasyPrint subsets with HarfBuzz keeping glyph ids (``RETAIN_GIDS``), so a
glyph id means the same glyph in every piece and the pages' text needs no
change: only the font objects are replaced. A font that is not one of the
shipped files (it cannot happen unless a font is added without a file) is
left as it is.

    >>> parse_widths([1, [250], 13, [250, 300]])
    {1: 250, 13: 250, 14: 300}
"""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Iterator

import pikepdf
from pikepdf import Array, Dictionary, Name

from .hb_subset import subset
from .html import STYLES
from .pdf_streams import deflated_stream
from .weasyprint_patches import SHIPPED_FONT

_BFCHAR = re.compile(rb"<([0-9a-fA-F]{4})>\s*<([0-9a-fA-F]+)>")


def parse_widths(w: list | Array) -> dict[int, float]:
    """A CIDFont ``/W`` array as ``{glyph id: width}`` (both of its forms)."""
    out: dict[int, float] = {}
    items = list(w)
    i = 0
    while i < len(items):
        first = int(items[i])
        nxt = items[i + 1]
        if isinstance(nxt, (list, Array)):
            for k, width in enumerate(nxt):
                out[first + k] = _num(width)
            i += 2
        else:
            for gid in range(first, int(nxt) + 1):
                out[gid] = _num(items[i + 2])
            i += 3
    return out


def _num(x: object) -> float:
    value = float(x)  # type: ignore[arg-type]
    return int(value) if value == int(value) else value


def _to_unicode(stream: pikepdf.Stream) -> dict[int, bytes]:
    return {int(g, 16): u for g, u in _BFCHAR.findall(stream.read_bytes())}


def _cmap_stream(pdf: pikepdf.Pdf, mapping: dict[int, bytes]) -> pikepdf.Stream:
    lines = [b"/CIDInit /ProcSet findresource begin", b"12 dict begin", b"begincmap",
             b"/CIDSystemInfo", b"<< /Registry (Adobe)", b"/Ordering (UCS)", b"/Supplement 0", b">> def",
             b"/CMapName /Adobe-Identity-UCS def", b"/CMapType 2 def",
             b"1 begincodespacerange", b"<0000> <ffff>", b"endcodespacerange"]
    items = sorted(mapping.items())
    for start in range(0, len(items), 100):
        batch = items[start:start + 100]
        lines.append(f"{len(batch)} beginbfchar".encode())
        lines.extend(b"<%04x> <%s>" % (g, u) for g, u in batch)
        lines.append(b"endbfchar")
    lines += [b"endcmap", b"CMapName currentdict /CMap defineresource pop", b"end", b"end"]
    return pikepdf.Stream(pdf, b"\n".join(lines))


def _widths_array(widths: dict[int, float]) -> Array:
    out: list = []
    run: list = []
    start = prev = -2
    for gid in sorted(widths):
        if gid != prev + 1:
            if run:
                out += [start, Array(run)]
            start, run = gid, []
        run.append(widths[gid])
        prev = gid
    if run:
        out += [start, Array(run)]
    return Array(out)


@functools.cache
def shipped_fonts() -> dict[str, str]:
    """PostScript name → path of every shipped font file."""
    from fontTools.ttLib import TTFont

    names = {}
    for path in sorted((STYLES / "fonts").glob("*.[ot]tf")):
        with TTFont(path, lazy=True) as font:
            names[font["name"].getDebugName(6)] = str(path)
    return names


def _font_resources(pdf: pikepdf.Pdf) -> Iterator[Dictionary]:
    """Every ``/Font`` resource dictionary: the pages' and their form XObjects' (folio overlays)."""
    seen: set[tuple[int, int]] = set()
    stack = [page.obj.get("/Resources") for page in pdf.pages]
    while stack:
        res = stack.pop()
        if res is None or (res.is_indirect and res.objgen in seen):
            continue
        if res.is_indirect:
            seen.add(res.objgen)
        fonts = res.get("/Font")
        if fonts is not None and not (fonts.is_indirect and fonts.objgen in seen):
            if fonts.is_indirect:
                seen.add(fonts.objgen)
            yield fonts
        for xobj in res.get("/XObject", Dictionary()).values():
            if xobj.get("/Subtype") == Name.Form and "/Resources" in xobj:
                stack.append(xobj.Resources)


def merge_fonts(pdf: pikepdf.Pdf) -> int:
    """Make each font name one font object with one subset; returns how many objects were merged away."""
    resources = list(_font_resources(pdf))
    groups: dict[str, dict[tuple[int, int], pikepdf.Object]] = {}
    for fonts in resources:
        for font in fonts.values():
            if font.get("/Subtype") == Name.Type0:
                groups.setdefault(str(font.BaseFont), {})[font.objgen] = font
    replace: dict[tuple[int, int], pikepdf.Object] = {}
    for members in groups.values():
        if len(members) > 1 or _named_only(next(iter(members.values()))):
            merged = _merge(pdf, list(members.values()))
            if merged is not None:
                replace.update({objgen: merged for objgen in members})
    for fonts in resources:
        for key, font in list(fonts.items()):
            if font.is_indirect and font.objgen in replace:
                fonts[key] = replace[font.objgen]
    return len(replace) - len({m.objgen for m in replace.values()})


def _font_file_key(font: pikepdf.Object) -> str | None:
    descriptor = font.DescendantFonts[0].FontDescriptor
    return next((k for k in ("/FontFile3", "/FontFile2") if k in descriptor), None)


def _named_only(font: pikepdf.Object) -> bool:
    """True if a piece named a shipped font instead of embedding it (see ``render.pdf``)."""
    key = _font_file_key(font)
    return key is not None and font.DescendantFonts[0].FontDescriptor[key].read_bytes().startswith(SHIPPED_FONT)


def _shipped_path(program: bytes) -> str | None:
    """The shipped file a font program is (a subset of), or None."""
    from fontTools.ttLib import TTFont

    if program.startswith(SHIPPED_FONT):
        return str(STYLES / "fonts" / program[len(SHIPPED_FONT):].decode())
    with TTFont(io.BytesIO(program), lazy=True) as sample:
        ps_name = sample["name"].getDebugName(6) if "name" in sample else None
    return shipped_fonts().get(ps_name or "")


def _merge(pdf: pikepdf.Pdf, fonts: list[pikepdf.Object]) -> pikepdf.Object | None:
    first = fonts[0]
    cid = first.DescendantFonts[0]
    descriptor = cid.FontDescriptor
    key = _font_file_key(first)
    if key is None:
        return None
    path = _shipped_path(descriptor[key].read_bytes())
    if path is None:
        return None
    widths: dict[int, float] = {}
    to_unicode: dict[int, bytes] = {}
    for font in fonts:
        widths.update(parse_widths(font.DescendantFonts[0].get("/W", Array())))
        if "/ToUnicode" in font:
            to_unicode.update(_to_unicode(font.ToUnicode))
    program = subset(path, tuple(sorted({0, *widths})))
    file_stream = deflated_stream(pdf, program)
    for k, v in descriptor[key].stream_dict.items():
        if k in ("/Subtype",):
            file_stream[k] = v
    new_descriptor = Dictionary({k: v for k, v in descriptor.items() if k != key})
    new_cid = Dictionary({k: v for k, v in cid.items() if k not in ("/W", "/FontDescriptor")})
    if program[:4] == b"OTTO" and key == "/FontFile2" and cid.get("/CIDToGIDMap", Name.Identity) == Name.Identity:
        # a piece that named a CFF (.otf) font was taken by WeasyPrint for TrueType: embed it as
        # what it is, OpenType CFF in a CIDFontType0 (CIDs are its glyph ids, as the Identity map said)
        key = "/FontFile3"
        file_stream.Subtype = Name.OpenType
        new_cid.Subtype = Name.CIDFontType0
        if "/CIDToGIDMap" in new_cid:
            del new_cid["/CIDToGIDMap"]
    if key == "/FontFile2":
        file_stream.Length1 = len(program)
    new_descriptor[key] = file_stream
    new_cid.W = _widths_array(widths)
    new_cid.FontDescriptor = pdf.make_indirect(new_descriptor)
    new_font = Dictionary({k: v for k, v in first.items() if k not in ("/DescendantFonts", "/ToUnicode")})
    new_font.DescendantFonts = Array([pdf.make_indirect(new_cid)])
    new_font.ToUnicode = pdf.make_indirect(_cmap_stream(pdf, to_unicode))
    return pdf.make_indirect(new_font)
