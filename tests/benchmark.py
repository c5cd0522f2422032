"""Benchmark: our builds side by side with pandoc 3.9, per book, in the same run.

Takes: book names (default: all of them), on the command line::

    python tests/benchmark.py                      # every book (War and Peace alone takes many minutes)
    python tests/benchmark.py --quick              # the sample only
    python tests/benchmark.py --books 50k,the-salt-lantern
    python tests/benchmark.py --skip-pandoc        # our builds only
    python tests/benchmark.py --watch 10           # watch: 10 saves of the sample, against pandoc's EPUB
    python tests/benchmark.py --books wp --repeat 3  # cold PDFs three times, ours and pandoc's in turn
    make bench BENCH_ARGS=--quick                  # installs pandoc (pypandoc-binary) first

The books: ``the-salt-lantern`` (the sample, alias ``sample``), the two books in
``../shared/corpus`` (``the-worst-journey-in-the-world``, ``war-and-peace``;
skipped with a note when absent) and generated books of ``50k``, ``200k`` and
``800k`` words (``tests/bench_books.py``). Each is copied to a temporary
folder first, so nothing outside it is modified.

Gives: a table, one row per book, then each run's details. Per book it times,
each as a separate process:

- our cold PDF and cold EPUB (``python -m pipeline build SRC --to pdf|epub``,
  each into a fresh ``--out``, so OUT/.cache is empty);
- pandoc 3.9 from inside the book folder: ``pandoc --metadata-file=book.yaml
  CHAPTERS -o out.epub`` and ``-o out.pdf --pdf-engine=weasyprint`` (the
  venv's WeasyPrint);
- our no-op rebuild: ``--to pdf,epub`` twice into the cold PDF's folder; the
  second run is the one shown (the first fills the cache with the EPUB);
- our one-chapter edit: a sentence appended to the middle chapter, then
  ``--to pdf`` into the same folder; the new PDF is searched for the sentence.

With ``--repeat N``, the cold PDFs are made N times, ours and pandoc's in turn
(each of ours into a fresh ``--out``), and the table shows the median of each:
on a shared machine a minute can be 20% slower than the next, and a single
pair of runs measures the hour as much as the builds. Every run is listed in
the details.

It also reports the EPUB's image bytes before (the sizes of the source files
the book shows, the cover included, each file once) and after (the images in
our EPUB), as :mod:`pipeline.stills` makes them.

And the blank at page feet before stills in our PDF (``tests/pdf_holes.py``):
pages more than 25% blank before a page a still opens, and the blank of all
such pages, in pages of text block.

``--watch N`` measures ``watch`` instead: the sample is built once and warmed up as
``python -m pipeline watch`` does it, then N times a sentence is appended to a
paragraph of its chapter 3 and both formats are rebuilt in this process, as the
watcher rebuilds on a save; after each rebuild pandoc makes the sample's EPUB
alone. It prints each pair and the medians.

Times are wall-clock seconds. Peak RSS comes from ``os.wait4`` on the command:
the largest resident set of the process and of the children it waited for
(not a sum of processes alive at once). When the build's ``--report`` JSON
gives ``peak_rss_mb`` (main, workers), stage times or unit counts, they are
shown too; missing keys are left out. Ratios are ours / pandoc.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import yaml
from bench_books import generate

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "manuscripts" / "the-salt-lantern"
CORPUS = ROOT.parent / "shared" / "corpus"
VENV_BIN = ROOT / ".venv" / "bin" if (ROOT / ".venv" / "bin" / "python").exists() else Path(sys.executable).parent
PYTHON = str(VENV_BIN / "python")

GENERATED = {"50k": 50_000, "200k": 200_000, "800k": 800_000}
ALL_BOOKS = ("the-salt-lantern", "50k", "200k", "the-worst-journey-in-the-world", "war-and-peace", "800k")
ALIASES = {"sample": "the-salt-lantern"}

EDIT_SENTENCE = "The benchmark edit XQ7319 ends here."


@dataclass
class Run:
    """One measured command."""

    label: str
    status: int
    seconds: float
    rss_mb: float
    error: str = ""  # the last line printed, when it failed
    report: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == 0


@dataclass
class BookResult:
    """Everything measured for one book."""

    name: str
    words: int = 0
    runs: dict[str, Run] = field(default_factory=dict)
    pages: dict[str, int | None] = field(default_factory=dict)
    edit_seen: bool | None = None
    notes: list[str] = field(default_factory=list)
    image_bytes: tuple[int, int] | None = None  # the EPUB's images: sources' bytes, bytes in the EPUB
    holes: tuple[int, float] | None = None  # print PDF: pages over 25% blank before a still, blank in pages
    medians: dict[str, Run] = field(default_factory=dict)  # with --repeat: the median cold PDF, ours and pandoc's


# --- measuring ----------------------------------------------------------------------------------------------------

def measure(label: str, cmd: list[str], cwd: Path, log: Path, env: dict[str, str] | None = None) -> Run:
    """Run ``cmd`` to completion; wall time and peak RSS (ru_maxrss of it and its waited-for children)."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here: Popen must not wait again
    error = ""
    if proc.returncode != 0:
        lines = [ln.strip() for ln in log.read_text(errors="replace").splitlines() if ln.strip()]
        error = lines[-1] if lines else "no output"
    return Run(label, proc.returncode, seconds, usage.ru_maxrss / 1024, error)  # KiB → MiB on Linux


def holes_of(pdf: Path) -> tuple[int, float] | None:
    """tests/pdf_holes.py's summary, measured in a process of its own: reading 2,000 pages takes
    gigabytes, and a child started later would inherit this process's peak in its ru_maxrss."""
    done = subprocess.run([PYTHON, str(Path(__file__).with_name("pdf_holes.py")), "--summary", str(pdf)],
                          capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        return None
    over, blank = json.loads(done.stdout)
    return over, blank


def read_report(path: Path) -> dict:
    """The build's --report JSON, or {} when it was not written (yet) or is not JSON."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def ours(label: str, src: Path, formats: str, out: Path, work: Path, jobs: int | None) -> Run:
    """``python -m pipeline build SRC --to FORMATS --out OUT --report …``, measured."""
    report = work / "logs" / f"{src.name}-{label}.json"
    report.unlink(missing_ok=True)
    cmd = [PYTHON, "-m", "pipeline", "build", str(src), "--to", formats, "--out", str(out),
           "--report", str(report), "--quiet"]
    if jobs:
        cmd += ["-j", str(jobs)]
    run = measure(label, cmd, work, work / "logs" / f"{src.name}-{label}.log")  # not ROOT: PYTHONPATH decides
    run.report = read_report(report)
    return run


def pandoc_binary() -> Path | None:
    """pypandoc-binary's bundled pandoc (never ``get_pandoc_path()``, which may find Debian's older one)."""
    try:
        import pypandoc
    except ImportError:
        return None
    path = Path(pypandoc.__file__).parent / "files" / "pandoc"
    return path if path.is_file() else None


def pandoc(label: str, pandoc_bin: Path, book: Path, out_file: Path, work: Path) -> Run:
    """pandoc from inside the book folder, chapters in order; PDFs through the venv's WeasyPrint."""
    chapters = [str(p.relative_to(book)) for p in chapter_files(book)]
    folders = sorted({str(Path(c).parent) for c in chapters} - {"."})
    cmd = [str(pandoc_bin), "--metadata-file=book.yaml", *chapters, "-o", str(out_file)]
    if folders:  # image paths are relative to the chapter files
        cmd.append("--resource-path=" + ":".join([".", *folders]))
    if out_file.suffix == ".pdf":
        cmd.append("--pdf-engine=weasyprint")
    env = {**os.environ, "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    out_file.parent.mkdir(parents=True, exist_ok=True)
    return measure(label, cmd, book, work / "logs" / f"{book.name}-{label}.log", env)


# --- books --------------------------------------------------------------------------------------------------------

def chapter_files(book: Path) -> list[Path]:
    """The chapters as the README orders them: book.yaml's ``chapters``, else chapters/*.md, else *.md."""
    meta = yaml.safe_load((book / "book.yaml").read_text(encoding="utf-8")) or {}
    if isinstance(meta.get("chapters"), list):
        return [book / c for c in meta["chapters"]]
    return sorted((book / "chapters").glob("*.md")) or sorted(book.glob("*.md"))


def count_words(book: Path) -> int:
    """Whitespace-separated tokens of the chapter files (Markdown markup included)."""
    return sum(len(p.read_text(encoding="utf-8").split()) for p in chapter_files(book))


def prepare(name: str, work: Path, result: BookResult) -> Path | None:
    """A private copy of the book (or a freshly generated one) under ``work/src``; None when absent."""
    dest = work / "src"
    if name in GENERATED:
        started = time.perf_counter()
        book = generate(GENERATED[name], dest / f"bench-{name}")
        result.notes.append(f"generated in {time.perf_counter() - started:.2f} s")
        return book
    origin = SAMPLE if name == "the-salt-lantern" else CORPUS / name
    if not (origin / "book.yaml").is_file():
        return None
    return Path(shutil.copytree(origin, dest / name))


def pdf_pages(path: Path) -> int | None:
    from pypdf import PdfReader

    try:
        return len(PdfReader(path).pages)
    except Exception:  # a missing or broken PDF: no count
        return None


def pdf_contains(path: Path, sentence: str, near: float) -> bool:
    """Whether the PDF's text holds ``sentence`` (spaces and hyphens ignored), searching out from ``near``."""
    from pypdf import PdfReader

    squeeze = re.compile(r"[\s\u00ad\u2010-]+")
    wanted = squeeze.sub("", sentence)
    pages = PdfReader(path).pages
    start = round(near * (len(pages) - 1))
    for i in sorted(range(len(pages)), key=lambda i: abs(i - start)):
        if wanted in squeeze.sub("", pages[i].extract_text() or ""):
            return True
    return False


def append_to_middle_chapter(book: Path) -> tuple[Path, float]:
    """Append EDIT_SENTENCE as a new paragraph to the middle chapter; the file and its place in the book (0–1)."""
    chapters = chapter_files(book)
    index = len(chapters) // 2
    with chapters[index].open("a", encoding="utf-8") as f:
        f.write(f"\n\n{EDIT_SENTENCE}\n")
    return chapters[index], (index + 1) / len(chapters)


# --- one book -----------------------------------------------------------------------------------------------------

def progress(book: str, run: Run) -> None:
    state = f"{run.seconds:.1f} s, {run.rss_mb:.0f} MB" if run.ok else f"FAILED: {run.error}"
    print(f"  {book}: {run.label}: {state}", file=sys.stderr, flush=True)


def bench_book(name: str, work_root: Path, pandoc_bin: Path | None, jobs: int | None,
               repeat: int = 1) -> BookResult:
    """Every run for one book, in a folder of its own under ``work_root``."""
    result = BookResult(name)
    work = work_root / name
    book = prepare(name, work, result)
    if book is None:
        result.notes.append(f"skipped: {CORPUS / name} not found")
        return result
    result.words = count_words(book)
    print(f"{name}: {result.words:,} words", file=sys.stderr, flush=True)
    out_pdf, out_epub, out_pandoc = work / "out-pdf", work / "out-epub", work / "pandoc"

    def record(run: Run) -> Run:
        result.runs[run.label] = run
        progress(name, run)
        return run

    if record(ours("pdf", book, "pdf", out_pdf, work, jobs)).ok:
        result.pages["ours"] = run_pages(result.runs["pdf"], out_pdf / f"{book.name}.pdf")
        result.holes = holes_of(out_pdf / f"{book.name}.pdf")
    if pandoc_bin and record(pandoc("pandoc-pdf", pandoc_bin, book, out_pandoc / "out.pdf", work)).ok:
        result.pages["pandoc"] = pdf_pages(out_pandoc / "out.pdf")
    for n in range(2, repeat + 1):  # ours and pandoc's in turn, each of ours cold
        again = work / f"out-pdf-{n}"
        record(ours(f"pdf #{n}", book, "pdf", again, work, jobs))
        shutil.rmtree(again, ignore_errors=True)
        if pandoc_bin:
            record(pandoc(f"pandoc-pdf #{n}", pandoc_bin, book, out_pandoc / f"out-{n}.pdf", work))
    for label in ("pdf", "pandoc-pdf"):
        runs = [run for name, run in result.runs.items() if name.split(" #")[0] == label and run.ok]
        if len(runs) > 1:
            middle = sorted(runs, key=lambda run: run.seconds)[(len(runs) - 1) // 2]
            result.medians[label] = dataclasses.replace(middle, rss_mb=max(run.rss_mb for run in runs))
    if record(ours("epub", book, "epub", out_epub, work, jobs)).ok:
        result.image_bytes = epub_image_bytes(book, out_epub / f"{book.name}.epub", work)
    if pandoc_bin:
        record(pandoc("pandoc-epub", pandoc_bin, book, out_pandoc / "out.epub", work))
    record(ours("fill-cache", book, "pdf,epub", out_pdf, work, jobs))
    record(ours("no-op", book, "pdf,epub", out_pdf, work, jobs))
    chapter, place = append_to_middle_chapter(book)
    result.notes.append(f"edit: appended to {chapter.relative_to(book)}")
    if record(ours("edit", book, "pdf", out_pdf, work, jobs)).ok:
        result.edit_seen = pdf_contains(out_pdf / f"{book.name}.pdf", EDIT_SENTENCE, place)
    return result


def epub_image_bytes(book: Path, epub: Path, work: Path) -> tuple[int, int] | None:
    """(bytes of the source images the book shows, bytes of the images in its EPUB), or None."""
    import zipfile

    done = subprocess.run([PYTHON, "-m", "pipeline", "ir", str(book)], cwd=work, capture_output=True, text=True)
    if done.returncode != 0 or not epub.is_file():
        return None
    srcs: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("t") == "Image" and isinstance(node.get("src"), str):
                srcs.add(node["src"])
            if node.get("t") == "Meta" and node.get("cover_image"):
                srcs.add(node["cover_image"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(json.loads(done.stdout))
    before = sum((book / s).stat().st_size for s in srcs if (book / s).is_file())
    with zipfile.ZipFile(epub) as z:
        after = sum(i.file_size for i in z.infolist() if i.filename.startswith("EPUB/images/"))
    return before, after


def run_pages(run: Run, pdf: Path) -> int | None:
    pages = run.report.get("pages")
    return pages if isinstance(pages, int) else pdf_pages(pdf)


# --- printing -----------------------------------------------------------------------------------------------------

def secs(run: Run | None) -> str:
    if run is None:
        return "–"
    return f"{run.seconds:.2f}" if run.ok else "failed"


def mb(run: Run | None) -> str:
    return f"{run.rss_mb:.0f}" if run is not None and run.ok else "–"


def ratio(a: Run | None, b: Run | None) -> str:
    if a is None or b is None or not (a.ok and b.ok) or b.seconds <= 0:
        return "–"
    return f"{a.seconds / b.seconds:.2f}×"


def row(r: BookResult) -> tuple[str, ...]:
    def g(label: str) -> Run | None:
        return r.medians.get(label) or r.runs.get(label)

    pages = f"{r.pages.get('ours') or '–'}/{r.pages.get('pandoc') or '–'}"
    seen = {True: "yes", False: "NO", None: "–"}[r.edit_seen]
    return (r.name, f"{r.words:,}" if r.words else "–", pages,
            secs(g("pdf")), mb(g("pdf")), secs(g("pandoc-pdf")), mb(g("pandoc-pdf")), ratio(g("pdf"), g("pandoc-pdf")),
            secs(g("epub")), secs(g("pandoc-epub")), ratio(g("epub"), g("pandoc-epub")),
            secs(g("no-op")), secs(g("edit")), seen,
            f"{r.holes[0]} / {r.holes[1]:.2f}" if r.holes else "–")


HEAD = ("book", "words", "pages ours/pandoc", "PDF s", "MB", "pandoc PDF s", "MB", "ratio",
        "EPUB s", "pandoc EPUB s", "ratio", "no-op s", "edit s", "edit in PDF", "holes >25% / blank pp")


def print_table(results: list[BookResult]) -> None:
    lines = [HEAD, *(row(r) for r in results)]
    widths = [max(len(line[i]) for line in lines) for i in range(len(HEAD))]
    for k, line in enumerate(lines):
        print("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(line, widths))))
        if k == 0:
            print("  ".join("-" * w for w in widths))
    print("s: wall seconds; MB: peak RSS of the largest single process (os.wait4); ratio: ours / pandoc.\n"
          "no-op: a second --to pdf,epub into the same --out; edit: --to pdf after one sentence is appended to the\n"
          "middle chapter ('edit in PDF': the sentence is in the new PDF). pandoc's PDF is A4, ours 6x9 in.\n"
          "holes: pages of our PDF more than 25% blank at the foot before a page a still opens / the blank at the\n"
          "foot of every such page, in pages of text block (tests/pdf_holes.py).")
    repeated = sorted({len([k for k in r.runs if k.split(" #")[0] == "pdf"]) for r in results if r.medians})
    if repeated:
        print(f"PDF s, pandoc PDF s (and their ratio): the median of {'/'.join(map(str, repeated))} cold runs, "
              "ours and pandoc's in turn (--repeat); MB: the largest of them.")


def describe(run: Run) -> str:
    """One run's figures: time, peak RSS, and whatever the report holds."""
    if not run.ok:
        return f"FAILED (exit {run.status}): {run.error}"
    parts = [f"{run.seconds:.2f} s", f"peak {run.rss_mb:.0f} MB"]
    rep = run.report
    rss = rep.get("peak_rss_mb")
    if isinstance(rss, dict) and rss:
        parts.append("report RSS " + ", ".join(f"{k} {v:.0f} MB" for k, v in rss.items() if isinstance(v, int | float)))
    units = rep.get("units")
    if isinstance(units, dict) and units:
        shown = {k: (len(v) if isinstance(v, list) else v) for k, v in units.items()}  # lists: how many
        parts.append("units " + ", ".join(f"{k} {v}" for k, v in shown.items()))
    if "up_to_date" in rep:
        parts.append(f"up to date: {rep['up_to_date']}")
    stages = rep.get("stages")
    if isinstance(stages, dict) and stages:
        parts.append("stages: " + ", ".join(f"{k} {v:.2f}" for k, v in stages.items()
                                            if isinstance(v, int | float)))
    return "; ".join(parts)


def print_details(results: list[BookResult]) -> None:
    for r in results:
        print(f"\n{r.name}" + (f" ({'; '.join(r.notes)})" if r.notes else ""))
        if r.image_bytes:
            before, after = r.image_bytes
            share = f" ({after / before:.0%})" if before else ""
            print(f"  EPUB images: {before / 1e6:.2f} MB of source images → {after / 1e6:.2f} MB in the EPUB{share}")
        for label, run in r.runs.items():
            print(f"  {label:<12} {describe(run)}")


def print_header(pandoc_bin: Path | None, work: Path) -> None:
    def version(pkg: str) -> str:
        try:
            return metadata.version(pkg)
        except metadata.PackageNotFoundError:
            return "not installed"

    pandoc_version = "skipped"
    if pandoc_bin:
        out = subprocess.run([str(pandoc_bin), "--version"], capture_output=True, text=True).stdout
        pandoc_version = (out.splitlines() or ["?"])[0] + f" ({pandoc_bin})"
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    where = subprocess.run([PYTHON, "-c", "import pipeline; print(pipeline.__file__)"], cwd=work,
                           capture_output=True, text=True).stdout.strip()
    print(f"{time.strftime('%Y-%m-%d %H:%M')}  {os.cpu_count()} cores, load {load}  Python {platform.python_version()}"
          f"  WeasyPrint {version('weasyprint')}  {pandoc_version}", file=sys.stderr)
    print(f"pipeline: {where or '(cannot import)'}  work folder: {work}", file=sys.stderr, flush=True)


# --- main ---------------------------------------------------------------------------------------------------------

def bench_watch(work: Path, pandoc_bin: Path | None, saves: int) -> None:
    """``--watch``: our rebuild of both formats after a one-paragraph save, against pandoc's EPUB."""
    import statistics

    sys.path.insert(0, str(ROOT))
    from pipeline.build import run_build
    from pipeline.diagnostics import Reporter
    from pipeline.render.pdf_units import warm

    book = work / "src" / "watch"
    shutil.copytree(SAMPLE, book, ignore=shutil.ignore_patterns("build", ".cache"))
    out = work / "out-watch"
    chapter = book / "chapters" / "03-sound.md"
    run_build(book, ["pdf", "epub"], out, Reporter(echo=False))
    warm()
    ours, theirs = [], []
    for n in range(1, saves + 1):
        heading, paragraph, rest = chapter.read_text(encoding="utf-8").split("\n\n", 2)
        chapter.write_text("\n\n".join([heading, f"{paragraph} Save number {n}.", rest]), encoding="utf-8")
        started = time.perf_counter()
        result = run_build(book, ["pdf", "epub"], out, Reporter(echo=False))
        ours.append(time.perf_counter() - started)
        line = f"save {n}: ours {ours[-1]:.3f} s ({len(result.ran)} chapter laid out)"
        if pandoc_bin is not None:
            run = pandoc("pandoc-epub", pandoc_bin, book, work / "pandoc" / "watch.epub", work)
            theirs.append(run.seconds)
            line += f", pandoc's EPUB {run.seconds:.3f} s"
        print(line, flush=True)
    summary = f"watch, {saves} saves: ours median {statistics.median(ours):.3f} s (min {min(ours):.3f})"
    if theirs:
        summary += (f"; pandoc's EPUB median {statistics.median(theirs):.3f} s (min {min(theirs):.3f}); "
                    f"ratio of medians {statistics.median(ours) / statistics.median(theirs):.2f}×")
    print(summary)


def choose_books(args: argparse.Namespace, parser: argparse.ArgumentParser) -> list[str]:
    if args.quick:
        return ["the-salt-lantern"]
    if not args.books:
        return list(ALL_BOOKS)
    names = [ALIASES.get(n.strip(), n.strip()) for n in args.books.split(",") if n.strip()]
    unknown = [n for n in names if n not in ALL_BOOKS]
    if unknown:
        parser.error(f"unknown book(s) {', '.join(unknown)}; choose from sample, {', '.join(ALL_BOOKS)}")
    return names


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="the sample manuscript only")
    parser.add_argument("--books", metavar="A,B", help=f"comma-separated, from: sample, {', '.join(ALL_BOOKS)}")
    parser.add_argument("--skip-pandoc", action="store_true", help="time our builds only")
    parser.add_argument("-j", "--jobs", type=int, metavar="N", help="pass -j N to our builds (default: theirs)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary work folder (outputs, logs)")
    parser.add_argument("--watch", type=int, metavar="N", help="time N watch rebuilds of the sample instead")
    parser.add_argument("--repeat", type=int, default=1, metavar="N",
                        help="make the cold PDFs N times, ours and pandoc's in turn; the table shows medians")
    args = parser.parse_args(argv)
    books = [] if args.watch else choose_books(args, parser)

    pandoc_bin = None if args.skip_pandoc else pandoc_binary()
    if not args.skip_pandoc and pandoc_bin is None:
        print("note: pypandoc-binary is not installed (pip install -e '.[test]'): pandoc skipped", file=sys.stderr)
    work = Path(tempfile.mkdtemp(prefix="pipeline-bench-"))
    print_header(pandoc_bin, work)
    try:
        if args.watch:
            bench_watch(work, pandoc_bin, args.watch)
            return 0
        results = [bench_book(name, work, pandoc_bin, args.jobs, args.repeat) for name in books]
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print()
    print_table(results)
    print_details(results)
    failed = any(not run.ok for r in results for label, run in r.runs.items() if not label.startswith("pandoc"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
