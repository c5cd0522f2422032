"""The contents' page numbers set at assembly, in a front matter laid out before they are known.

Takes: the front matter's :class:`~pipeline.render.pdf.LaidOut` piece, laid
out with :data:`PLACEHOLDER` for every contents entry's page number; the
number of each entry (``toc-eN`` → ``"123"``); and the sample folios'
PDF (:mod:`pipeline.render.pdf_folios`), which shows WeasyPrint's glyph and
advance for every digit of the body face.
Gives: :func:`stamp`, the piece with each placeholder replaced by its
number, right-aligned where the placeholder ended, or None when that cannot
be done exactly (the caller then lays the front matter out again with the
numbers written in).

The print stylesheet keeps a contents entry's number in a column of its own
(``nav.toc .toc-page``, positioned at the entry's right edge): its width moves
no other box, so the front matter laid out with placeholders is the front
matter laid out with the numbers, but for the digits. It can therefore be laid
out with the chapters, from the start of a build, and be kept in the cache
when an edit moves page numbers. WeasyPrint writes each text run as a text
matrix (``Tm``), perhaps a font (``Tf``), and the glyphs (``TJ``); a
placeholder is a run of exactly the placeholder's glyphs in the body face.
The numbers are stamped when the runs found on each page are the entries
that the page's anchors say it holds, in order, and every number fits the
placeholder's width; otherwise nothing is stamped.

    >>> PLACEHOLDER
    '0000'
"""

from __future__ import annotations

import dataclasses
import io
import re

import pikepdf

from .pdf import LaidOut
from .pdf_folios import GLYPH, Folios, face, glyph_run, pdf_number

PLACEHOLDER = "0000"  # up to 9999 pages; a wider number is laid out in its own place
_TM = re.compile(rb"^1 0 0 -1 (-?[\d.]+) (-?[\d.]+) Tm$")  # one operator a line, as pydyf writes them
_TF = re.compile(rb"^/(\S+) (-?[\d.]+) Tf$")
_TJ = re.compile(rb"^\[((?:<[0-9a-fA-F]+>-?[\d.]*)+)\] TJ$")


def stamp(piece: LaidOut, numbers: dict[str, str], folio_samples: bytes) -> LaidOut | None:
    """``piece`` with each entry's placeholder replaced by ``numbers[entry]`` (see the module's
    docstring), or None when the placeholders found are not the entries expected."""
    if any(not n.isdigit() or len(n) > len(PLACEHOLDER) for n in numbers.values()):
        return None
    with pikepdf.new() as scratch:
        digits = Folios(scratch, folio_samples)
    faces = digits.faces
    placeholder = [digits.glyphs[d] for d in PLACEHOLDER]
    wanted = [g.lower() for g in placeholder]
    by_page: dict[int, list[str]] = {}
    for name in numbers:  # in the contents' order, which is the order they are drawn in
        if name in piece.anchors:
            by_page.setdefault(piece.anchors[name][0], []).append(name)
    found = 0
    with pikepdf.open(io.BytesIO(piece.pdf)) as pdf:
        for index, page in enumerate(pdf.pages):
            entries = by_page.get(index, [])
            fonts = {f"/{k.lstrip('/')}": face(v) for k, v in page.obj.get("/Resources", {}).get(
                "/Font", {}).items()}
            contents = page.obj.get("/Contents")
            if contents is None or isinstance(contents, pikepdf.Array):
                if entries:
                    return None
                continue
            lines = contents.read_bytes().split(b"\n")
            font, size, tm = "", 0.0, -1
            spots = []
            for i, line in enumerate(lines):
                if line.endswith(b" Tm") and (m := _TM.match(line)):
                    tm = i
                elif line.endswith(b" Tf") and (m := _TF.match(line)):
                    font, size = fonts.get("/" + m.group(1).decode(), ""), float(m.group(2))
                elif line.endswith(b" TJ") and (m := _TJ.match(line)) and font in faces and tm >= 0:
                    if [g.lower() for g in GLYPH.findall(m.group(1))] == wanted:
                        spots.append((i, tm, size))
            if len(spots) != len(entries):
                return None
            for (i, tm, size), entry in zip(spots, entries):
                glyphs = [digits.glyphs[d] for d in numbers[entry]]
                spare = digits.width(placeholder, size) - digits.width(glyphs, size)
                if spare < -1e-6:
                    return None
                m = _TM.match(lines[tm])
                assert m is not None
                x = float(m.group(1)) + spare
                lines[tm] = b"1 0 0 -1 %s %s Tm" % (pdf_number(x), m.group(2))
                lines[i] = glyph_run(glyphs)
            if spots:
                contents.write(b"\n".join(lines))
                found += len(spots)
        if found != len(numbers):
            return None
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True)
    return dataclasses.replace(piece, pdf=out.getvalue())
