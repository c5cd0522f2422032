"""Print preflight: is the print PDF ready for press?

Takes: the print PDF's bytes, its :class:`~pipeline.render.pagemap.PageMap`
(where each still landed, at what size), the book and its
:class:`~pipeline.index.BookIndex` (each still's pixel size, the chapters'
files) and the book's print service and paper (:mod:`pipeline.print_services`).
Gives: :func:`preflight`, a :class:`Preflight`: coded diagnostics (errors
``X0xx``, warnings ``X1xx``) that name the page and the still and say how to
fix the problem, the page count and the spine width.

Every print build runs it and reports what it finds; ``pipeline check``
runs it alone (:func:`pipeline.cli.main`). The checks:

- a TrimBox on every page, one trim size for all, and a BleedBox (when there is
  one) around it; in a book with ``{.bleed}`` stills, every page's BleedBox
  0.125 in beyond the trim at the top, the bottom and the outside (a recto's
  right, a verso's left), none at the spine, inside the MediaBox (X021);
- the page count within the print service's limits;
- every font embedded;
- each still's effective resolution at its placed size: under 300 ppi a
  warning, under 150 ppi an error;
- colour: a GTS_PDFX output intent with its profile, no untagged RGB or
  grey image, ``/DefaultRGB`` on every page; transparency (soft masks) noted;
- no annotation that prints (links are for the screen);
- the spine width, as information.

:func:`check_cover` runs the cheap ones on the cover (``<slug>.cover.pdf``),
whenever a build makes it: its TrimBox the wrap inset by the bleed on every
side, its BleedBox the whole wrap (X030), and the colour, font and output-intent
checks above, its messages starting "the cover".

    >>> effective_ppi((1200, 800), (288.0, 192.0))   # 1200 px over 4 in
    300.0
    >>> effective_ppi((800, 1200), (288.0, 192.0))   # turned (EXIF): the long sides match
    300.0
"""

from __future__ import annotations

import dataclasses
import io
from dataclasses import dataclass, field

import pikepdf
from pikepdf import Name

from . import ir
from .diagnostics import Diagnostic, Reporter
from .index import BookIndex
from .print_services import SERVICES, spine_width_in
from .render.pagemap import PageMap

WARN_PPI = 300
ERROR_PPI = 150


@dataclass
class Preflight:
    """What the preflight found: diagnostics, the page count and the spine width in inches."""

    diagnostics: list[Diagnostic] = field(default_factory=list)
    pages: int = 0
    spine_in: float = 0.0
    service: str = "kdp"
    paper: str = "white"

    @property
    def errors(self) -> list[Diagnostic]:
        """The diagnostics that make the PDF not press-ready."""
        return [d for d in self.diagnostics if d.severity == "error"]

    def summary(self) -> str:
        """One line: pages, spine and whether the PDF is press-ready."""
        label = SERVICES[self.service].label
        verdict = (f"NOT press-ready: {len(self.errors)} error(s)" if self.errors else "press-ready")
        return (f"{self.pages} pages for {label}, spine {self.spine_in:.4f} in "
                f"({self.spine_in * 25.4:.2f} mm) on {self.paper} paper: {verdict}")


def effective_ppi(pixels: tuple[int, int], placed_pt: tuple[float, float]) -> float:
    """Pixels per inch of a still of ``pixels`` printed at ``placed_pt`` (width, height in points):
    the lower of the two axes. A still whose orientation differs from its placement
    (an EXIF rotation) is measured with its sides swapped."""
    (px_w, px_h), (w, h) = pixels, placed_pt
    if (px_w > px_h) != (w > h) and px_w != px_h and abs(w - h) > 0.5:
        px_w, px_h = px_h, px_w
    per_inch = [px / (pt / 72) for px, pt in ((px_w, w), (px_h, h)) if pt > 0]
    return round(min(per_inch), 1) if per_inch else 0.0


def _diag(code: str, severity: str, message: str, hint: str, file: str = "", line: int = 0) -> Diagnostic:
    return Diagnostic(code, severity, message, hint, file, line)


def _figure_lines(book: ir.Book) -> dict[tuple[str, str], tuple[str, int]]:
    """(chapter id, still) → (chapter file, line of its figure)."""
    found: dict[tuple[str, str], tuple[str, int]] = {}
    for ch in book.chapters:
        for fig in ir.query(ch, ir.Figure):
            found.setdefault((ch.id, fig.image.src), (ch.source, fig.line))
        for img in ir.query(ch, ir.Image):
            found.setdefault((ch.id, img.src), (ch.source, 0))
    return found


def check_stills(page_map: PageMap, book: ir.Book, index: BookIndex) -> list[Diagnostic]:
    """Each still's effective resolution at its placed size."""
    out = []
    places = _figure_lines(book)
    for page, chapter, src, w, h in page_map.stills:
        facts = index.images.get(src)
        if facts is None or facts.info.format == "SVG" or w <= 0 or h <= 0:
            continue
        ppi = effective_ppi((facts.info.width, facts.info.height), (w, h))
        if ppi >= WARN_PPI:
            continue
        file, line = places.get((chapter, src), ("", 0))
        need = (round(w / 72 * WARN_PPI), round(h / 72 * WARN_PPI))
        size = f"{w / 72:.2f} × {h / 72:.2f} in"
        at = f"page {page_map.label(page)}: still '{src}' prints at {ppi:.0f} ppi ({facts.info.width} × " \
             f"{facts.info.height} px over {size})"
        if ppi < ERROR_PPI:
            out.append(_diag("X006", "error", f"{at}, under {ERROR_PPI}: it will print blurred",
                             f"use a scan of at least {need[0]} × {need[1]} px, or print it smaller "
                             f"(at most {facts.info.width / ERROR_PPI:.2f} in wide for {ERROR_PPI} ppi)",
                             file, line))
        else:
            out.append(_diag("X101", "warning", f"{at}, under {WARN_PPI}",
                             f"for sharp print use a scan of at least {need[0]} × {need[1]} px, or print it "
                             f"at most {facts.info.width / WARN_PPI:.2f} in wide", file, line))
    return out


def check_pages(pdf: pikepdf.Pdf, page_map: PageMap, service: str) -> list[Diagnostic]:
    """Trim and bleed boxes on every page; the page count against the service's limits."""
    out = []
    no_trim = [i for i, p in enumerate(pdf.pages) if "/TrimBox" not in p.obj]
    if no_trim:
        labels = ", ".join(page_map.label(i) for i in no_trim[:12]) + (" …" if len(no_trim) > 12 else "")
        out.append(_diag("X001", "error", f"{len(no_trim)} page(s) without a TrimBox: {labels}",
                         "a printer places the page by its TrimBox; rebuild with this version of the pipeline "
                         "(the print build sets it on every page)"))
    for i, p in enumerate(pdf.pages):
        if "/BleedBox" in p.obj and "/TrimBox" in p.obj:
            t, b = [float(v) for v in p.obj.TrimBox], [float(v) for v in p.obj.BleedBox]
            if b[0] > t[0] or b[1] > t[1] or b[2] < t[2] or b[3] < t[3]:
                out.append(_diag("X002", "error", f"page {page_map.label(i)}: the BleedBox does not enclose "
                                 "the TrimBox", "the bleed must lie outside the trim on every side"))
                break
    out += check_bleed(pdf, page_map)
    row = SERVICES[service]
    pages = len(pdf.pages)
    if pages < row.min_pages:
        out.append(_diag("X003", "error", f"{pages} pages: under {row.label}'s minimum of {row.min_pages}",
                         f"add matter, choose a smaller trim-size, or a service with a lower minimum "
                         f"(print-service: {min(SERVICES.values(), key=lambda s: s.min_pages).name} "
                         f"takes {min(s.min_pages for s in SERVICES.values())})"))
    elif pages > row.max_pages:
        out.append(_diag("X004", "error", f"{pages} pages: over {row.label}'s maximum of {row.max_pages}",
                         "split the book into volumes, choose a larger trim-size, or a service with a "
                         f"higher maximum (print-service: {max(SERVICES.values(), key=lambda s: s.max_pages).name} "
                         f"takes {max(s.max_pages for s in SERVICES.values())})"))
    if pages % row.page_multiple:
        out.append(_diag("X102", "warning", f"{pages} pages: {row.label} prints a multiple of "
                         f"{row.page_multiple}; it will add {row.page_multiple - pages % row.page_multiple} "
                         "blank page(s)", "end the book on an even page (a colophon, or a blank verso)"))
    return out


def _box(page: pikepdf.Page, name: str) -> list[float] | None:
    box = page.obj.get(name)
    return [float(v) for v in box] if box is not None else None


def bleed_faults(trim: list[float], bleed: list[float] | None, media: list[float], recto: bool,
                 bleed_pt: float) -> str:
    """What is wrong with a page's boxes in a book that bleeds ('' if nothing): the BleedBox must lie
    ``bleed_pt`` beyond the TrimBox at the top, the bottom and the outside, on the trim at the spine,
    and inside the MediaBox.

    >>> bleed_faults([0, 0, 432, 648], [0, -9, 441, 657], [0, -9, 441, 657], True, 9)
    ''
    >>> bleed_faults([0, 0, 432, 648], [0, -9, 441, 657], [0, -9, 441, 657], False, 9)
    'the bleed is 0.0 pt at the outside and 9.0 pt at the spine (want 9.0 and 0)'
    """
    if bleed is None:
        return "no BleedBox"
    x0, y0, x1, y1 = trim
    b0, c0, b1, c1 = bleed
    outside, spine = (b1 - x1, x0 - b0) if recto else (x0 - b0, b1 - x1)
    faults = []
    if abs(outside - bleed_pt) > 0.01 or abs(spine) > 0.01:
        faults.append(f"the bleed is {outside:.1f} pt at the outside and {spine:.1f} pt at the spine "
                      f"(want {bleed_pt:.1f} and 0)")
    if abs(y0 - c0 - bleed_pt) > 0.01 or abs(c1 - y1 - bleed_pt) > 0.01:
        faults.append(f"the bleed is {c1 - y1:.1f} pt at the top and {y0 - c0:.1f} pt at the bottom "
                      f"(want {bleed_pt:.1f})")
    m0, n0, m1, n1 = media
    if b0 < m0 - 0.01 or c0 < n0 - 0.01 or b1 > m1 + 0.01 or c1 > n1 + 0.01:
        faults.append("the BleedBox runs past the MediaBox")
    return "; ".join(faults)


def check_bleed(pdf: pikepdf.Pdf, page_map: PageMap) -> list[Diagnostic]:
    """One trim size on every page; and, when the book has ``{.bleed}`` stills, every page grown by the
    bleed at the top, the bottom and the outside (as KDP asks of a book with bleed)."""
    from .render.pdf_x import BLEED_PT

    out = []
    trims = [_box(p, "/TrimBox") for p in pdf.pages]
    sizes = {(round(t[2] - t[0], 1), round(t[3] - t[1], 1)) for t in trims if t}
    if len(sizes) > 1:
        first = trims[0] or [0.0] * 4
        odd = next(i for i, t in enumerate(trims) if t and (round(t[2] - t[0], 1), round(t[3] - t[1], 1))
                   != (round(first[2] - first[0], 1), round(first[3] - first[1], 1)))
        out.append(_diag("X020", "error", f"the pages have {len(sizes)} trim sizes ("
                         + ", ".join(f"{w:g} × {h:g} pt" for w, h in sorted(sizes))
                         + f"); page {page_map.label(odd)} differs from the first",
                         "a printed book has one trim: rebuild with this version of the pipeline, and check "
                         "that no page of the PDF was replaced by hand"))
    if not page_map.bleed:
        return out
    stills = ", ".join(page_map.label(i) for i in page_map.bleed[:6])
    for i, page in enumerate(pdf.pages):
        trim = trims[i]
        if trim is None:
            continue  # X001 reports it
        fault = bleed_faults(trim, _box(page, "/BleedBox"), _box(page, "/MediaBox") or trim, i % 2 == 0, BLEED_PT)
        if fault:
            out.append(_diag("X021", "error", f"page {page_map.label(i)}: {fault}; the book has full-bleed "
                             f"stills (page {stills}), so every page needs {BLEED_PT / 72:g} in of bleed at "
                             "the top, the bottom and the outside",
                             "rebuild with this version of the pipeline (the print build grows every page by "
                             "the bleed), or drop {.bleed} from the stills to print without bleed"))
            break
    return out


def _font_embedded(font: pikepdf.Object) -> bool:
    if font.get("/Subtype") == Name.Type3:
        return True  # drawn by its own glyph procedures
    if font.get("/Subtype") == Name.Type0:
        font = font.DescendantFonts[0]
    desc = font.get("/FontDescriptor")
    return desc is not None and any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3"))


def check_resources(pdf: pikepdf.Pdf, page_map: PageMap) -> list[Diagnostic]:
    """Fonts embedded, images tagged, default colour spaces, soft masks: over every page and form."""
    missing: dict[str, int] = {}
    untagged: dict[str, int] = {}
    masked: list[int] = []
    no_default: list[int] = []
    seen: set[tuple[int, int]] = set()

    def visit(res: pikepdf.Object, page: int) -> None:
        for _n, font in res.get("/Font", {}).items():
            if font.objgen in seen:
                continue
            seen.add(font.objgen)
            if not _font_embedded(font):
                missing.setdefault(str(font.get("/BaseFont", "?"))[1:], page)
        for _n, xobj in res.get("/XObject", {}).items():
            if xobj.objgen in seen:
                continue
            seen.add(xobj.objgen)
            if xobj.get("/Subtype") == Name.Image:
                space = xobj.get("/ColorSpace")
                if space in (Name.DeviceRGB, Name.DeviceGray):
                    untagged.setdefault(str(space)[1:], page)
                if "/SMask" in xobj and page not in masked:
                    masked.append(page)
            elif xobj.get("/Subtype") == Name.Form and "/Resources" in xobj:
                visit(xobj.Resources, page)

    printed: list[int] = []
    for i, p in enumerate(pdf.pages):
        res = p.obj.get("/Resources", pikepdf.Dictionary())
        if "/DefaultRGB" not in res.get("/ColorSpace", {}):
            no_default.append(i)
        visit(res, i)
        if any(int(a.get("/F", 0)) & 4 and a.get("/Subtype") not in (Name.PrinterMark, Name.TrapNet)
               for a in p.obj.get("/Annots", ())):
            printed.append(i)
    out = []
    if printed:
        out.append(_diag("X010", "error", f"{len(printed)} page(s) with annotations that print (first: page "
                         f"{page_map.label(printed[0])})", "PDF/X-4 prints page content only: clear the "
                         "annotations' Print flag, or draw what they show in the page"))
    for name, page in sorted(missing.items()):
        out.append(_diag("X005", "error", f"font '{name}' (first on page {page_map.label(page)}) is not embedded",
                         "use the shipped fonts (styles/fonts/) or add the font's file to styles/fonts.css"))
    if "/OutputIntents" not in pdf.Root or not any(
            oi.get("/S") == Name.GTS_PDFX and "/DestOutputProfile" in oi for oi in pdf.Root.OutputIntents):
        out.append(_diag("X007", "error", "no PDF/X output intent (GTS_PDFX) with an embedded profile",
                         "rebuild with this version of the pipeline: the print build adds it"))
    for space, page in sorted(untagged.items()):
        out.append(_diag("X008", "error", f"an image in {space} without a colour profile (first on page "
                         f"{page_map.label(page)})", "the print build tags RGB and grey images with sRGB and "
                         "grey profiles; rebuild, or give the still an ICC profile"))
    if no_default:
        out.append(_diag("X009", "error", f"{len(no_default)} page(s) paint device RGB without /DefaultRGB "
                         f"(first: page {page_map.label(no_default[0])})",
                         "rebuild with this version of the pipeline: the print build adds it to every page"))
    if masked:
        shown = ", ".join(page_map.label(i) for i in masked[:12]) + (" …" if len(masked) > 12 else "")
        out.append(_diag("X103", "warning", f"transparency: stills with soft masks (alpha) on page(s) {shown}",
                         "PDF/X-4 allows it; if the printer asks for PDF/X-1a or PDF/X-3, flatten the stills "
                         "(save them without an alpha channel)"))
    return out


def cover_box_fault(page: pikepdf.Page, bleed_pt: float) -> str:
    """What is wrong with the cover's boxes ('' if nothing): a TrimBox ``bleed_pt`` inside the
    BleedBox on every side, and the BleedBox inside the MediaBox.

    >>> pdf = pikepdf.new(); _ = pdf.add_blank_page(page_size=(882, 666))
    >>> cover_box_fault(pdf.pages[0], 9)
    'no TrimBox or no BleedBox'
    >>> pdf.pages[0].obj.TrimBox = [9, 9, 873, 657]; pdf.pages[0].obj.BleedBox = [0, 0, 882, 666]
    >>> cover_box_fault(pdf.pages[0], 9)
    ''
    >>> pdf.pages[0].obj.TrimBox = [0, 0, 873, 657]; cover_box_fault(pdf.pages[0], 9)
    'the bleed is 0.0, 0.0, 9.0, 9.0 pt at the left, bottom, right and top (want 9.0 on every side)'
    """
    trim, bleed, media = _box(page, "/TrimBox"), _box(page, "/BleedBox"), _box(page, "/MediaBox")
    if trim is None or bleed is None or media is None:
        return "no TrimBox or no BleedBox"
    sides = [trim[0] - bleed[0], trim[1] - bleed[1], bleed[2] - trim[2], bleed[3] - trim[3]]
    faults = []
    if any(abs(side - bleed_pt) > 0.01 for side in sides):
        faults.append(f"the bleed is {', '.join(f'{side:.1f}' for side in sides)} pt at the left, bottom, right "
                      f"and top (want {bleed_pt:.1f} on every side)")
    if bleed[0] < media[0] - 0.01 or bleed[1] < media[1] - 0.01 or bleed[2] > media[2] + 0.01 \
            or bleed[3] > media[3] + 0.01:
        faults.append("the BleedBox runs past the MediaBox")
    return "; ".join(faults)


def check_cover(cover_data: bytes, where: str = "") -> list[Diagnostic]:
    """The cover's boxes (X030), and its fonts, colour and output intent as :func:`check_resources`
    checks the book's (their codes the same, their messages about the cover)."""
    from .render.pdf_x import BLEED_PT

    with pikepdf.open(io.BytesIO(cover_data)) as pdf:
        out = []
        fault = cover_box_fault(pdf.pages[0], BLEED_PT) if len(pdf.pages) == 1 else f"{len(pdf.pages)} pages"
        if fault:
            out.append(_diag("X030", "error", f"{fault}; the cover is one page, the wrap (back, spine and front) "
                             f"with {BLEED_PT / 72:g} in of bleed on every side",
                             "rebuild with this version of the pipeline (the cover build sets the boxes), and "
                             "check that the cover PDF was not replaced by hand"))
        out += check_resources(pdf, PageMap(0, 1))
    return [dataclasses.replace(d, message=d.message if d.code == "X030" else f"the cover: {d.message}",
                                file=where) for d in out]


def preflight(pdf_data: bytes, page_map: PageMap, book: ir.Book, index: BookIndex) -> Preflight:
    """Every check on the print PDF; see the module's docstring."""
    meta = book.meta
    with pikepdf.open(io.BytesIO(pdf_data)) as pdf:
        found = check_pages(pdf, page_map, meta.print_service) + check_resources(pdf, page_map)
        pages = len(pdf.pages)
    found += check_stills(page_map, book, index)
    return Preflight(found, pages, spine_width_in(pages, meta.print_service, meta.paper), meta.print_service,
                     meta.paper)


def check_book(source: str, out_dir: str, reporter: Reporter, **options: object) -> Preflight:
    """``pipeline check``: build the print PDF (or find it up to date, or reuse the cache's
    chapters), and return what its preflight found. The findings are the build's own:
    an up-to-date PDF replays those its build recorded."""
    from .build import run_build
    from .load import load
    from .metadata import normalise

    manuscript = load(source)
    meta = normalise(manuscript.metadata, manuscript.metadata_file, Reporter(echo=False))
    quiet = Reporter(echo=False)
    result = run_build(manuscript, ["pdf"], out_dir, quiet, **options)  # type: ignore[arg-type]
    found = [d for d in result.diagnostics if d.code.startswith("X")]
    reporter.replay(found)
    with pikepdf.open(result.outputs[0]) as pdf:
        pages = len(pdf.pages)
    return Preflight(found, pages, spine_width_in(pages, meta.print_service, meta.paper), meta.print_service,
                     meta.paper)
