"""Build: run the stages, the plan's units and the assembly steps; write the outputs.

Takes: a manuscript path, the editions wanted (``pdf``, ``epub``, ``screen-pdf``), an output
folder and options (worker processes, cache, one-pass layout, progress).
Gives: ``<out>/<slug>.pdf``, ``<out>/<slug>.epub``, ``<out>/<slug>.screen.pdf`` and
``<out>/<slug>.cover.pdf``, written atomically, and
a :class:`BuildResult`: the paths, the print edition's page map, every
diagnostic, the time of each stage and which units ran or came from the cache.

The stages::

    load (load.py) → parse (parse/) → transforms (transforms/) → index (index.py)
        → units (plan.py: one per product × chapter, cached in OUT/.cache)
        → assembly (render/pdf_assemble.py, render/epub.py) → write (output.py)

The PDF's chapters are laid out in worker processes while this process
lays out the screen PDF (one pass: :mod:`pipeline.render.pdf_screen`) and
packs the EPUB. Built with the PDF, the EPUB carries the print page numbers
(:mod:`pipeline.render.page_list`), so it is packed once the PDF's page map
is known; ``--to epub`` alone packs it at once, without them. The cover's spine
needs the print PDF's final page count: ``--to cover`` lays the print PDF out
too (its chapters usually come from the cache) without writing it. A build
whose inputs have not changed since the last one (same manuscript files,
images, stylesheets, fonts, options and code) is up to date: it reads and
writes nothing else, and says so.

    >>> book = build_book("manuscripts/the-salt-lantern")   # doctest: +SKIP
    >>> build("manuscripts/the-salt-lantern", ["epub"])      # doctest: +SKIP
"""

from __future__ import annotations

import functools
import hashlib
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .cache import Cache, key
from .diagnostics import BuildError, Diagnostic, Reporter, error, from_dict, to_dict
from .editions import NAMES, edition, for_book
from .interpreter_stack import roomy
from .load import Manuscript, check_file, display_path, load
from .output import write_atomic
from .progress import Progress, quiet
from .resources import STYLES

if TYPE_CHECKING:  # the stages after the up-to-date check are imported when a build runs them
    from . import ir
    from .images import ImageFacts
    from .index import BookIndex
    from .render.pagemap import PageMap

FORMATS = ("pdf", "epub")


@dataclass
class BuildResult:
    """What a build did: outputs, the print page map, diagnostics, timings and units."""

    outputs: list[Path] = field(default_factory=list)
    page_map: PageMap | None = None         # when a PDF was made
    diagnostics: list[Diagnostic] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    ran: list[str] = field(default_factory=list)      # chapters laid out by this build
    cached: list[str] = field(default_factory=list)   # chapters taken from the cache
    units: dict[str, list[str]] = field(default_factory=dict)  # every unit, by what happened to it
    up_to_date: bool = False

    def report(self) -> dict:
        """The result as plain data, for ``--report``."""
        pm = self.page_map
        return {"outputs": [str(p) for p in self.outputs], "up_to_date": self.up_to_date,
                "stages": {k: round(v, 3) for k, v in self.timings.items()},
                "units": {"run": len(self.units.get("ran", [])), "cached": len(self.units.get("cached", [])),
                          "chapters_laid_out": self.ran, "names_run": self.units.get("ran", []),
                          "names_cached": self.units.get("cached", [])},
                "pages": pm.total_pages if pm is not None else None,
                "page_map": pm.to_json() if pm is not None else None,
                "diagnostics": [to_dict(d) for d in self.diagnostics]}


class _Timer:
    def __init__(self, timings: dict[str, float]):
        self.timings = timings
        self.last = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.timings[stage] = self.timings.get(stage, 0.0) + now - self.last
        self.last = now


def prepare(source: Path | str | Manuscript, reporter: Reporter | None = None,
            cache: Cache | None = None, jobs: int = 1) -> tuple[ir.Book, BookIndex]:
    """Load, parse (a long book in ``jobs`` processes) and transform a manuscript; compute its index."""
    from .index import build_index
    from .parse import parse_book  # markdown-it: not needed to find a build up to date
    from .transforms import run_transforms

    reporter = reporter or Reporter()
    manuscript = source if isinstance(source, Manuscript) else load(source)
    images: dict[str, ImageFacts] = {}
    book = run_transforms(parse_book(manuscript, reporter, cache=cache, images=images, jobs=jobs), reporter)
    if book.meta.cover_image:
        _check_cover(book, manuscript.metadata_file, images, cache)
    for css in book.meta.css:
        check_file(manuscript.root, css, "css", manuscript.metadata_file, "M019")
    return book, build_index(book, images)


def build_book(source: Path | str | Manuscript, reporter: Reporter | None = None) -> ir.Book:
    """Load, parse and transform a manuscript into a Book ready to render."""
    return prepare(source, reporter)[0]


def _check_cover(book: ir.Book, meta_file: str, images: dict[str, ImageFacts], cache: Cache | None) -> None:
    from .images import facts

    path = check_file(Path(book.root), book.meta.cover_image, "cover-image", meta_file, "M015").resolve()
    images[book.meta.cover_image] = facts(path, book.meta.cover_image, meta_file, cache=cache)


def _prepare_stills(book: ir.Book, index: BookIndex, formats: list[str] | tuple[str, ...], cache: Cache,
                    reporter: Reporter) -> None:
    """Each still's variant for every edition built, each still decoded at most once (before the
    PDF's workers start, so they share what was made)."""
    from .stills import policy_for
    from .stills import prepare as prepare_stills

    policies = [policy_for(for_book(book.meta, fmt)) for fmt in formats]
    prepare_stills(Path(book.root), sorted(index.images), policies, cache, reporter,
                   {src: f.sha256 for src, f in index.images.items()})


def _preflight(pdf: bytes, page_map: PageMap, book: ir.Book, index: BookIndex, reporter: Reporter) -> None:
    """The print preflight's findings, reported; R120 when the PDF is not press-ready."""
    from .preflight import preflight

    checked = preflight(pdf, page_map, book, index)
    reporter.replay(checked.diagnostics)
    if checked.errors:
        codes = ", ".join(sorted({d.code for d in checked.errors}))
        reporter.warn("R120", f"the print PDF is not press-ready: {len(checked.errors)} preflight error(s) "
                      f"({codes}); it is written anyway", "fix the errors above; `pipeline check` lists them, "
                      "and `build --strict` fails on them")


def _preflight_cover(cover: bytes, where: str, reporter: Reporter) -> None:
    """The cover's preflight findings, reported; R170 when the cover is not press-ready."""
    from .preflight import check_cover

    found = check_cover(cover, where)
    reporter.replay(found)
    errors = sorted({d.code for d in found if d.severity == "error"})
    if errors:
        reporter.warn("R170", f"the cover PDF is not press-ready: preflight error(s) {', '.join(errors)}; "
                      "it is written anyway", "fix the errors above; `build --strict` fails on them", where)


def _check_formats(formats: list[str] | tuple[str, ...]) -> None:
    for fmt in formats:
        if fmt not in NAMES:
            raise error("R002", f"unknown format '{fmt}'", "use --to pdf, epub or screen-pdf, or several: pdf,epub")


# ---------------------------------------------------------------- up to date?


def _stat(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_size, st.st_mtime_ns


@functools.cache
def _styles_stat() -> list:
    return [(p.relative_to(STYLES).as_posix(), *_stat(p)) for p in sorted(STYLES.rglob("*")) if p.is_file()]


def _inputs_key(manuscript: Manuscript, formats: list[str] | tuple[str, ...], one_pass: bool,
                images: list[str]) -> str | None:
    """A key of everything a build reads, from the files alone (no parsing); None if an image is gone.

    The manuscript's text is hashed; images, stylesheets and fonts are known by
    size and modification time, as make knows its inputs (their content
    hashes key the units themselves).
    """
    root = manuscript.root
    try:
        stats = [_stat(root / rel) for rel in images]
    except OSError:
        return None
    texts = hashlib.sha256()
    for s in manuscript.sources:
        texts.update(s.path.encode() + b"\0" + s.text.encode() + b"\0")
    return key("inputs", sorted(formats), one_pass, manuscript.metadata_file, repr(manuscript.metadata),
               manuscript.resource_paths, manuscript.split_at_h1,
               texts.hexdigest(), images, stats, _styles_stat(),
               os.environ.get("SOURCE_DATE_EPOCH", ""), display_path(root))


def _outputs_intact(stamp: dict) -> bool:
    for name, signature in stamp.get("outputs", {}).items():
        try:
            if list(_stat(Path(name))) != signature:
                return False
        except OSError:
            return False
    return True


# ---------------------------------------------------------------- build


def run_build(source: Path | str | Manuscript, formats: list[str] | tuple[str, ...] = FORMATS,
              out_dir: Path | str = "build", reporter: Reporter | None = None, *, jobs: int = 0,
              use_cache: bool = True, one_pass: bool = False, progress: Progress = quiet,
              cache_dir: Path | None = None) -> BuildResult:
    """Build ``source`` to each edition in ``formats``; see the module's docstring.

    The cache lives in ``OUT/.cache`` unless ``cache_dir`` says otherwise.

    Everything is rendered before anything is written, so a failure in any
    edition leaves every previous output untouched. The build runs with room on the
    interpreter's frame stack (:mod:`pipeline.interpreter_stack`).
    """
    return roomy(_run_build, source, formats, out_dir, reporter, jobs=jobs, use_cache=use_cache,
                 one_pass=one_pass, progress=progress, cache_dir=cache_dir)


def _run_build(source: Path | str | Manuscript, formats: list[str] | tuple[str, ...], out_dir: Path | str,
               reporter: Reporter | None, *, jobs: int, use_cache: bool, one_pass: bool, progress: Progress,
               cache_dir: Path | None) -> BuildResult:
    reporter = reporter or Reporter()
    _check_formats(formats)
    result = BuildResult()
    timer = _Timer(result.timings)
    out = Path(out_dir)
    cache = Cache((cache_dir or out / ".cache") if use_cache else None)
    manuscript = source if isinstance(source, Manuscript) else load(source)
    timer.lap("load")

    stamp = cache.get_json("stamps", manuscript.slug)  # what the last build of this book read and wrote
    targets = {fmt: out / edition(fmt).file_name(manuscript.slug) for fmt in formats}
    if isinstance(stamp, dict) and set(stamp.get("outputs", {})) == {str(p) for p in targets.values()}:
        if stamp.get("key") == _inputs_key(manuscript, formats, one_pass, stamp.get("images", [])) \
                and _outputs_intact(stamp):
            result.diagnostics = [from_dict(d) for d in stamp.get("diagnostics", [])]
            reporter.replay(result.diagnostics)
            result.outputs = list(targets.values())
            result.up_to_date = True
            timer.lap("check")
            return result
    timer.lap("check")

    unit_reporter = Reporter(echo=reporter.echo, stream=reporter.stream)
    from .margins import check_gutter, estimate_pages
    from .plan import default_jobs

    book, index = prepare(manuscript, unit_reporter, cache, jobs or default_jobs())
    timer.lap("parse")
    _prepare_stills(book, index, formats, cache, unit_reporter)
    timer.lap("stills")
    products: list[tuple[Path, bytes]] = []
    pdf_run = None
    print_pdf = "pdf" in formats or "cover" in formats  # the cover's spine needs the print page count
    if print_pdf:
        from .render.pdf_units import start_pdf

        pdf_edition = for_book(book.meta, "pdf", estimate_pages(book))  # the gutter grows with the pages
        if not one_pass:
            pdf_run = start_pdf(book, index, pdf_edition, cache, jobs, progress)
    screen_data = None
    if "screen-pdf" in formats:  # one pass in this process, while the print chapters' workers run
        from .render.pdf_screen import render_screen_pdf

        screen_data = render_screen_pdf(book, index, for_book(book.meta, "screen-pdf"), unit_reporter, cache,
                                        with_print=print_pdf).data
        timer.lap("screen-pdf")
    epub_data = None
    if "epub" in formats and not print_pdf:
        from .render.epub import render_epub

        epub_data = render_epub(book, index, for_book(book.meta, "epub"), unit_reporter).data
        timer.lap("epub")
    cover_data = None
    if print_pdf:
        from .render.pdf_units import finish_pdf, render_pdf

        if pdf_run is not None:
            rendered = finish_pdf(pdf_run, book, index, pdf_edition, unit_reporter, progress)
            chapters = {c.id for c in book.chapters}
            result.ran = [n for n in pdf_run.ran if n in chapters]
            result.cached = [n for n in pdf_run.cached if n in chapters]
            result.units = {"ran": pdf_run.ran, "cached": pdf_run.cached}
            result.timings.update(pdf_run.timings)
        else:
            rendered = render_pdf(book, index, pdf_edition, reporter=unit_reporter, one_pass=True)
        result.page_map = rendered.page_map
        check_gutter(pdf_edition, rendered.page_map.total_pages, unit_reporter)
        timer.lap("pdf")
        if "pdf" in formats:  # the print PDF is written: is it ready for press?
            _preflight(rendered.data, rendered.page_map, book, index, unit_reporter)
            timer.lap("preflight")
        if "epub" in formats:  # with the print page numbers: it needs the PDF's page map
            from .render.epub import render_epub

            epub_data = render_epub(book, index, for_book(book.meta, "epub"), unit_reporter,
                                    page_map=rendered.page_map).data
            timer.lap("epub")
        if "cover" in formats:
            from .render.cover import render_cover

            image = index.images.get(book.meta.cover_image)
            cover_data = render_cover(book, for_book(book.meta, "cover"), rendered.page_map.total_pages,
                                      unit_reporter, cache, manuscript.metadata_file, image.sha256 if image else "")
            _preflight_cover(cover_data, display_path(targets["cover"]), unit_reporter)
            timer.lap("cover")
    for fmt in formats:
        data = {"pdf": rendered.data if print_pdf else None, "epub": epub_data, "cover": cover_data,
                "screen-pdf": screen_data}[fmt]
        assert data is not None
        products.append((targets[fmt], data))
    write_atomic(products)
    timer.lap("write")
    progress.done()
    result.outputs = [p for p, _ in products]
    result.diagnostics = unit_reporter.warnings
    reporter.warnings.extend(unit_reporter.warnings)
    # the files a rebuild must notice: images, and the bibliography and CSL files citations read
    images = sorted({*index.images, *book.meta.bibliography, *([book.meta.csl] if book.meta.csl else [])})
    cache.put_json("stamps", manuscript.slug, {
        "key": _inputs_key(manuscript, formats, one_pass, images), "images": images,
        "outputs": {str(p): list(_stat(p)) for p in result.outputs},
        "diagnostics": [to_dict(d) for d in result.diagnostics]})
    return result


def build(source: Path | str, formats: list[str] | tuple[str, ...] = FORMATS,
          out_dir: Path | str = "build", reporter: Reporter | None = None, **options: object) -> list[Path]:
    """Build ``source`` to each format; returns the paths written (see :func:`run_build` for options)."""
    return run_build(source, formats, out_dir, reporter, **options).outputs  # type: ignore[arg-type]


def _build_one(args: tuple) -> BuildResult | BuildError:
    source, formats, out_dir, options = args
    try:
        return run_build(source, formats, out_dir, Reporter(echo=False), **options)
    except BuildError as exc:
        return exc


def build_many(sources: list[Path | str], formats: list[str] | tuple[str, ...] = FORMATS,
               out_dir: Path | str = "build", reporter: Reporter | None = None, *, jobs: int = 0,
               **options: object) -> list[BuildResult]:
    """Build several books, as many at once as there are cores (each book's chapters then in
    one process). Warnings are reported book by book as each finishes; the first error is
    raised once every book has been tried."""
    reporter = reporter or Reporter()
    if len(sources) == 1:  # its chapters across the cores (multiprocessing is not needed to find it up to date)
        return [run_build(sources[0], formats, out_dir, reporter, jobs=jobs, **options)]  # type: ignore[arg-type]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from .plan import default_jobs

    jobs = jobs or default_jobs()
    if jobs == 1:
        return [run_build(s, formats, out_dir, reporter, jobs=jobs, **options)  # type: ignore[arg-type]
                for s in sources]
    work = [(s, formats, out_dir, {**options, "jobs": 1}) for s in sources]
    results: list[BuildResult] = []
    errors: list[BuildError] = []
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=min(jobs, len(sources)), mp_context=context) as pool:
        for outcome in pool.map(_build_one, work):
            if isinstance(outcome, BuildError):
                errors.append(outcome)
                continue
            reporter.replay(outcome.diagnostics)
            results.append(outcome)
    if errors:
        found = [d for e in errors for d in e.diagnostics]
        raise BuildError(found[0], tuple(found[1:]))
    return results
