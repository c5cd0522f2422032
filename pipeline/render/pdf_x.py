r"""The print PDF made press-ready: PDF/X-4, added to the assembled book with pikepdf.

Takes: the assembled book as an open :class:`pikepdf.Pdf` (from
:mod:`pipeline.render.pdf_assemble`, stitched or one-pass) and a :class:`Press`
(the dates and document id the metadata needs, and the bleed).
Gives: the same PDF, changed in place, as PDF/X-4 (ISO 15930-7) asks:

- an output intent ``/S /GTS_PDFX`` for FOGRA39 (coated offset, ISO 12647-2)
  with its CMYK profile embedded (``styles/icc/FOGRA39L_coated.icc``, see
  ``styles/icc/LICENSES.md``). WeasyPrint's ``pdf/x-4`` variant writes none
  without a profile, so it is added here;
- ``/GTS_PDFXVersion (PDF/X-4)``, ``/Trapped /False``, the title and dates in
  the Info dictionary, and the same in XMP metadata (``pdfxid:GTS_PDFXVersion``);
- a ``/TrimBox`` on every page (the page WeasyPrint laid out), and a
  ``/BleedBox`` only when the book bleeds (it has ``{.bleed}`` stills:
  :meth:`Press.with_bleed`). Then, as KDP asks of a book with bleed, *every*
  page grows by the bleed (:data:`BLEED_PT`, 0.125 in) at the top, the bottom
  and the outside (a recto's right, a verso's left; page 0 is a recto), but
  not at the spine: the MediaBox and BleedBox are that grown page. The content
  does not move (the MediaBox's origin goes negative, as WeasyPrint's own
  ``bleed`` does), so a ``{.bleed}`` still, drawn past the trim by
  ``print.css``, fills the bleed;
- crop marks only when asked (``crop-marks: true``): the MediaBox grows by
  :data:`MARKS_PT` on every side, outside the trim and the bleed, and each
  corner gets two hairlines in K black, offset :data:`MARK_OFFSET_PT` from the trim;
- text in pure K black: WeasyPrint paints black as ``0 0 0 rg`` / ``RG``
  (grey as ``g`` / ``G``); every exactly-black fill and stroke becomes
  ``0 0 0 1 k`` / ``K`` (DeviceCMYK), in page content and in Form XObjects;
- every other colour device-independent: each page and Form XObject
  gets ``/DefaultRGB`` and ``/DefaultGray`` (ICC-based sRGB and
  grey, ``styles/icc/sRGB.icc`` and ``Gray.icc``), and every DeviceRGB or
  DeviceGray image is tagged with those profiles (:mod:`pipeline.stills`
  makes every print still 8-bit sRGB or grey, untagged).

The cover (:mod:`pipeline.render.cover`) goes through the same treatment, its one page
laid out with its bleed: its TrimBox is the wrap inside the bleed, its BleedBox the
whole page (:func:`wrap_boxes`).

Fonts are embedded already (:mod:`pipeline.render.pdf_fonts`); nothing here
changes them. Same input, same bytes: nothing depends on the clock.

    >>> pdf_date("2024-03-05T10:20:30Z")
    'D:20240305102030Z'
    >>> black_operator("rg", [0, 0, 0]), black_operator("G", [0]), black_operator("rg", [0, 0, 0.2])
    ('k', 'K', None)
    >>> _BLACK_LINE.sub(lambda m: CMYK_LINE[m.group(1) or m.group(2)], b"q\n0 0 0 rg\n0.2 0 0 rg\n0 G\n10 0 0 RG")
    b'q\n0 0 0 1 k\n0.2 0 0 rg\n0 0 0 1 K\n10 0 0 RG'
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import re
import uuid
from dataclasses import dataclass
from decimal import Decimal
from xml.sax.saxutils import escape

import pikepdf
from pikepdf import Array, Dictionary, Name, Operator, String

from .. import ir
from ..print_services import BLEED_IN
from ..resources import STYLES
from .pdf_streams import deflated_stream

ICC = STYLES / "icc"
OUTPUT_PROFILE = "FOGRA39L_coated.icc"
OUTPUT_CONDITION = "FOGRA39"  # registered in the ICC's characterization data registry
OUTPUT_CONDITION_INFO = "Coated FOGRA39 (ISO 12647-2:2004 Amd 1, paper types 1 and 2, 60/cm)"
REGISTRY = "http://www.color.org"
PDFX_VERSION = "PDF/X-4"

BLEED_PT = BLEED_IN * 72  # 9 pt beyond the trim, where the book bleeds

# exactly-black RGB and grey fills and strokes → their CMYK operator
_BLACK = {"rg": ("k", 3), "RG": ("K", 3), "g": ("k", 1), "G": ("K", 1)}
_CMYK_BLACK = [0, 0, 0, 1]


@dataclass(frozen=True, slots=True)
class Press:
    """What the PDF/X metadata needs from the book: when it was last changed (``modified``,
    ISO 8601 UTC), a stable document id (``uuid:…``), and the bleed in points (0: none)."""

    modified: str
    document_id: str
    bleed_pt: float = 0.0
    crop_marks: bool = False

    def with_bleed(self, bleed_pages: list[int]) -> Press:
        """These press facts with the bleed set for a book whose ``bleed_pages`` hold ``{.bleed}``
        stills (:attr:`pipeline.render.pagemap.PageMap.bleed`), or none when there are none."""
        return dataclasses.replace(self, bleed_pt=BLEED_PT if bleed_pages else 0.0)

    @classmethod
    def for_book(cls, meta: ir.Meta, bleed_pt: float = 0.0, part: str = "") -> Press:
        """The press facts of a book: its ``modified`` time, an id derived from its identifier
        (and ``part``'s name, for a document of its own such as the ``cover``), and whether it
        asks for crop marks."""
        digest = hashlib.sha256((meta.identifier + (f"#{part}" if part else "")).encode()).digest()[:16]
        return cls(meta.modified, f"uuid:{uuid.UUID(bytes=digest, version=4)}", bleed_pt, meta.crop_marks)


def pdf_date(iso: str) -> str:
    """An ISO 8601 UTC time (``2024-03-05T10:20:30Z``) as a PDF date."""
    digits = "".join(c for c in iso if c.isdigit())[:14].ljust(14, "0")
    return f"D:{digits}Z"


def black_operator(op: str, operands: list) -> str | None:
    """The CMYK operator that replaces ``op`` when it sets exactly black, else None."""
    cmyk = _BLACK.get(op)
    if cmyk is None or len(operands) != cmyk[1]:
        return None
    try:
        return cmyk[0] if all(Decimal(str(v)) == 0 for v in operands) else None
    except ArithmeticError:
        return None


@functools.cache
def _profile(name: str) -> bytes:
    return (ICC / name).read_bytes()


class _Colour:
    """The profiles, embedded once per PDF, and the colour-space arrays that use them."""

    def __init__(self, pdf: pikepdf.Pdf, black_done: bool = False):
        self.pdf = pdf
        self.black_done = black_done
        self.rgb = pdf.make_indirect(Array([Name.ICCBased, self._icc("sRGB.icc", 3, Name.DeviceRGB)]))
        self.gray = pdf.make_indirect(Array([Name.ICCBased, self._icc("Gray.icc", 1, Name.DeviceGray)]))
        self.seen: set[tuple[int, int]] = set()

    def _icc(self, name: str, n: int, alternate: Name) -> pikepdf.Object:
        stream = deflated_stream(self.pdf, _profile(name))
        stream.N = n
        stream.Alternate = alternate
        return self.pdf.make_indirect(stream)

    def resources(self, holder: pikepdf.Object) -> None:
        """Default colour spaces in ``holder``'s resources (a page or a form); its images
        tagged, and the same inside its Form XObjects, their black made K."""
        res = holder.get("/Resources")
        if res is None:
            holder.Resources = res = Dictionary()
        spaces = res.get("/ColorSpace")
        if spaces is None:
            res.ColorSpace = spaces = Dictionary()
        spaces.DefaultRGB = self.rgb
        spaces.DefaultGray = self.gray
        for _name, xobj in res.get("/XObject", Dictionary()).items():
            if xobj.is_indirect:
                if xobj.objgen in self.seen:
                    continue
                self.seen.add(xobj.objgen)
            subtype = xobj.get("/Subtype")
            if subtype == Name.Image:
                self.image(xobj)
            elif subtype == Name.Form:
                if not self.black_done:
                    k_black(self.pdf, xobj)
                self.resources(xobj)

    def image(self, image: pikepdf.Object) -> None:
        """An untagged RGB or grey image becomes ICC-based sRGB or grey (a mask stays as it is)."""
        if image.get("/ImageMask", False):
            return
        space = image.get("/ColorSpace")
        if space == Name.DeviceRGB:
            image.ColorSpace = self.rgb
        elif space == Name.DeviceGray:
            image.ColorSpace = self.gray


# An exactly-black colour operator alone on its line, as pydyf (WeasyPrint's writer) puts
# every operator: the fast path, for streams whose literal strings are all empty
# (pydyf writes text as hex strings, and ``()`` between kerning offsets).
_BLACK_LINE = re.compile(rb"(?m)^(?:(?:0|0?\.0+) (?:0|0?\.0+) (?:0|0?\.0+) (rg|RG)|(?:0|0?\.0+) (g|G))$")
_NONEMPTY_STRING = re.compile(rb"\((?!\))")
CMYK_LINE = {b"rg": b"0 0 0 1 k", b"RG": b"0 0 0 1 K", b"g": b"0 0 0 1 k", b"G": b"0 0 0 1 K"}


def k_black(pdf: pikepdf.Pdf, holder: pikepdf.Object | pikepdf.Page) -> bool:
    """Rewrite exactly-black RGB and grey in ``holder``'s content (a page or a Form XObject)
    as CMYK black. Returns whether anything changed.

    A stream whose literal strings are all empty (WeasyPrint writes text as hex
    strings) is rewritten line by line: an operator line cannot then sit inside a string.
    Any other stream goes through pikepdf's content-stream parser.
    """
    page = isinstance(holder, pikepdf.Page)
    contents = holder.obj.get("/Contents") if page else holder
    # a page's content may be several streams (assembly stamps the folio in its own)
    streams = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
    if all(isinstance(st, pikepdf.Stream) for st in streams):
        datas = [st.read_bytes() for st in streams]
        if not any(_NONEMPTY_STRING.search(data) for data in datas):
            count = 0
            for st, data in zip(streams, datas):
                new, n = _BLACK_LINE.subn(lambda m: CMYK_LINE[m.group(1) or m.group(2)], data)
                if n:
                    st.write(new)
                    count += n
            return bool(count)
    out = []
    changed = False
    for operands, op in pikepdf.parse_content_stream(holder):
        cmyk = black_operator(str(op), list(operands))
        if cmyk is not None:
            out.append(pikepdf.ContentStreamInstruction(_CMYK_BLACK, Operator(cmyk)))
            changed = True
        else:
            out.append(pikepdf.ContentStreamInstruction(operands, op))
    if changed:
        data = pikepdf.unparse_content_stream(out)
        if page:
            holder.obj.Contents = pdf.make_stream(data)
        else:
            holder.write(data)
    return changed


def _xmp(info: pikepdf.Object, press: Press) -> bytes:
    """XMP metadata that says what the Info dictionary says, and PDF/X-4."""
    def text(key: str) -> str:
        return escape(str(info.get(key, "")))

    date = press.modified
    fields = [
        "<dc:format>application/pdf</dc:format>",
        f'<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{text("/Title")}</rdf:li></rdf:Alt></dc:title>',
    ]
    if "/Author" in info:
        fields.append(f"<dc:creator><rdf:Seq><rdf:li>{text('/Author')}</rdf:li></rdf:Seq></dc:creator>")
    if "/Subject" in info:
        fields.append(f'<dc:description><rdf:Alt><rdf:li xml:lang="x-default">{text("/Subject")}</rdf:li>'
                      "</rdf:Alt></dc:description>")
    if "/Keywords" in info:
        fields.append(f"<pdf:Keywords>{text('/Keywords')}</pdf:Keywords>")
    fields += [
        f"<xmp:CreateDate>{date}</xmp:CreateDate>", f"<xmp:ModifyDate>{date}</xmp:ModifyDate>",
        f"<xmp:MetadataDate>{date}</xmp:MetadataDate>", f"<xmp:CreatorTool>{text('/Creator')}</xmp:CreatorTool>",
        f"<pdf:Producer>{text('/Producer')}</pdf:Producer>", "<pdf:Trapped>False</pdf:Trapped>",
        f"<xmpMM:DocumentID>{press.document_id}</xmpMM:DocumentID>",
        f"<xmpMM:InstanceID>{press.document_id}</xmpMM:InstanceID>",
        "<xmpMM:VersionID>1</xmpMM:VersionID>", "<xmpMM:RenditionClass>default</xmpMM:RenditionClass>",
        f"<pdfxid:GTS_PDFXVersion>{PDFX_VERSION}</pdfxid:GTS_PDFXVersion>",
    ]
    packet = (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:pdf="http://ns.adobe.com/pdf/1.3/" '
        'xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/" xmlns:pdfxid="http://www.npes.org/pdfx/ns/id/">\n'
        + "\n".join(fields) +
        "\n</rdf:Description>\n</rdf:RDF>\n</x:xmpmeta>\n<?xpacket end=\"w\"?>"
    )
    return packet.encode()


def output_intent(pdf: pikepdf.Pdf) -> pikepdf.Object:
    """The GTS_PDFX output intent with the CMYK profile embedded."""
    profile = deflated_stream(pdf, _profile(OUTPUT_PROFILE))
    profile.N = 4
    return pdf.make_indirect(Dictionary(
        Type=Name.OutputIntent, S=Name.GTS_PDFX, OutputConditionIdentifier=String(OUTPUT_CONDITION),
        OutputCondition=String(OUTPUT_CONDITION_INFO), Info=String(OUTPUT_CONDITION_INFO),
        RegistryName=String(REGISTRY), DestOutputProfile=pdf.make_indirect(profile)))


MARK_OFFSET_PT = 9.0   # crop marks start this far from the trim (0.125 in: clear of the bleed)
MARK_LENGTH_PT = 18.0  # and run this long
MARKS_PT = MARK_OFFSET_PT + MARK_LENGTH_PT + 3.0  # the room added around the page for them


def page_boxes(page: pikepdf.Page, bleed_pt: float, marks: bool, recto: bool = True) -> None:
    """TrimBox on the page (its MediaBox as laid out); with a bleed, the MediaBox and a BleedBox grow
    by ``bleed_pt`` at the top, the bottom and the outside (right of a ``recto``, left of a verso);
    with crop marks, a BleedBox (the trim, or the bleed) and a MediaBox that holds the marks too.

    >>> pdf = pikepdf.new(); _ = pdf.add_blank_page(page_size=(432, 648))
    >>> page_boxes(pdf.pages[0], 9, False, recto=False)
    >>> [float(v) for v in pdf.pages[0].obj.MediaBox], [float(v) for v in pdf.pages[0].obj.TrimBox]
    ([-9.0, -9.0, 432.0, 657.0], [0.0, 0.0, 432.0, 648.0])
    """
    x0, y0, x1, y1 = (float(v) for v in page.obj.MediaBox)
    page.obj.TrimBox = Array([x0, y0, x1, y1])
    b = bleed_pt
    if b:
        x0, y0, x1, y1 = (x0, y0 - b, x1 + b, y1 + b) if recto else (x0 - b, y0 - b, x1, y1 + b)
        page.obj.MediaBox = Array([x0, y0, x1, y1])
    if b or marks:
        page.obj.BleedBox = Array([x0, y0, x1, y1])
    elif "/BleedBox" in page.obj:
        del page.obj["/BleedBox"]
    if marks:
        m = MARKS_PT
        page.obj.MediaBox = Array([x0 - m, y0 - m, x1 + m, y1 + m])
    if "/CropBox" in page.obj and (b or marks):
        page.obj.CropBox = page.obj.MediaBox


def wrap_boxes(page: pikepdf.Page, bleed_pt: float, marks: bool) -> None:
    """The boxes of a page laid out with its bleed already (the cover's wrap: WeasyPrint's ``@page``
    ``bleed``): the BleedBox is its MediaBox, the TrimBox that inset by ``bleed_pt`` on every side;
    with crop marks, a MediaBox that holds the marks too.

    >>> pdf = pikepdf.new(); _ = pdf.add_blank_page(page_size=(882, 666))
    >>> wrap_boxes(pdf.pages[0], 9, False)
    >>> [float(v) for v in pdf.pages[0].obj.TrimBox], [float(v) for v in pdf.pages[0].obj.BleedBox]
    ([9.0, 9.0, 873.0, 657.0], [0.0, 0.0, 882.0, 666.0])
    """
    x0, y0, x1, y1 = (float(v) for v in page.obj.MediaBox)
    b = bleed_pt
    page.obj.TrimBox = Array([x0 + b, y0 + b, x1 - b, y1 - b])
    page.obj.BleedBox = Array([x0, y0, x1, y1])
    if marks:
        m = MARKS_PT
        page.obj.MediaBox = Array([x0 - m, y0 - m, x1 + m, y1 + m])
        if "/CropBox" in page.obj:
            page.obj.CropBox = page.obj.MediaBox


def crop_marks(trim: list[float]) -> bytes:
    """Content that draws the crop marks around ``trim`` (x0, y0, x1, y1): two hairlines per corner
    in K black, each along a trim edge, starting :data:`MARK_OFFSET_PT` outside the trim.

    >>> crop_marks([0, 0, 10, 10]).count(b" l")
    8
    """
    x0, y0, x1, y1 = trim
    o, n = MARK_OFFSET_PT, MARK_OFFSET_PT + MARK_LENGTH_PT
    lines = []
    for x, sx in ((x0, -1), (x1, 1)):
        for y, sy in ((y0, -1), (y1, 1)):
            lines.append(f"{x + sx * o:g} {y:g} m {x + sx * n:g} {y:g} l")  # along the horizontal edge
            lines.append(f"{x:g} {y + sy * o:g} m {x:g} {y + sy * n:g} l")  # along the vertical edge
    return ("Q\nq\n0.25 w 0 0 0 1 K\n" + "\n".join(lines) + "\nS\nQ\n").encode()


def make_press_ready(pdf: pikepdf.Pdf, press: Press, black_done: bool = False, wrap: bool = False) -> None:
    """Turn the assembled book into PDF/X-4, in place (see the module's docstring).
    With ``black_done``, every page and form was drawn under :func:`pipeline.render.weasyprint_patches.black_drawn_as_k`
    and is not read again. With ``wrap``, the pages were laid out with their bleed (the cover):
    their boxes are set by :func:`wrap_boxes` instead of :func:`page_boxes`."""
    colour = _Colour(pdf, black_done)
    marks: dict[tuple[float, ...], tuple[pikepdf.Object, pikepdf.Object]] = {}
    for i, page in enumerate(pdf.pages):
        if not black_done:
            k_black(pdf, page)
        colour.resources(page.obj)
        if wrap:
            wrap_boxes(page, press.bleed_pt, press.crop_marks)
        else:
            page_boxes(page, press.bleed_pt, press.crop_marks, recto=i % 2 == 0)
        if press.crop_marks:  # the page's content inside q … Q, then the marks; shared by same-size pages
            trim = tuple(float(v) for v in page.obj.TrimBox)
            if trim not in marks:
                marks[trim] = (pdf.make_stream(b"q\n"), pdf.make_stream(crop_marks(list(trim))))
            page.contents_add(marks[trim][0], prepend=True)
            page.contents_add(marks[trim][1], prepend=False)
    info = pdf.trailer.get("/Info")
    if info is None:
        pdf.trailer.Info = info = pdf.make_indirect(Dictionary())
    if not str(info.get("/Title", "")).strip():
        info.Title = String("Untitled")
    info.GTS_PDFXVersion = String(PDFX_VERSION)
    info.Trapped = Name("/False")
    info.CreationDate = info.ModDate = String(pdf_date(press.modified))
    pdf.Root.OutputIntents = Array([output_intent(pdf)])
    metadata = pikepdf.Stream(pdf, _xmp(info, press))
    metadata.Type = Name.Metadata
    metadata.Subtype = Name.XML
    pdf.Root.Metadata = pdf.make_indirect(metadata)
