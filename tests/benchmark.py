"""Benchmark: time each stage of the pipeline per book, with page count, sizes and peak memory.

Usage::

    python tests/benchmark.py                  # the sample, plus every book in ../shared/corpus
    python tests/benchmark.py BOOK [BOOK...]   # the sample, plus these manuscript folders or files
    python tests/benchmark.py --quick          # the sample only

For each book it times, separately: load + parse + transforms (``build_book``),
the EPUB render and the PDF render; then it prints the PDF's page count
(pypdf), both output sizes and the peak resident memory. Nothing is written to
disk.

Each book runs in its own child process (``--one BOOK``), so the peak RSS
(``resource.getrusage(...).ru_maxrss``) is that book's alone, and every book
pays the same import costs, which are outside the timings.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "manuscripts" / "the-salt-lantern"
CORPUS = ROOT.parent / "shared" / "corpus"


def peak_rss_mb() -> float:
    """This process's peak resident set size in MiB (ru_maxrss is KiB on Linux, bytes on macOS)."""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


def measure(book_path: str) -> dict:
    """Run every stage on one book in this process; return timings, sizes and peak memory."""
    sys.path.insert(0, str(ROOT))
    from pypdf import PdfReader

    from pipeline import build_book
    from pipeline.render.epub import render_epub  # imported before timing: WeasyPrint takes a while
    from pipeline.render.pdf import render_pdf

    result: dict = {"book": Path(book_path).name}
    t = time.perf_counter()
    book = build_book(book_path)
    result["parse_s"] = time.perf_counter() - t
    result["chapters"] = len(book.chapters)
    result["rss_parse_mb"] = peak_rss_mb()

    t = time.perf_counter()
    epub = render_epub(book)
    result["epub_s"] = time.perf_counter() - t
    result["epub_bytes"] = len(epub)
    del epub

    t = time.perf_counter()
    pdf = render_pdf(book)
    result["pdf_s"] = time.perf_counter() - t
    result["pdf_bytes"] = len(pdf)
    result["pages"] = len(PdfReader(io.BytesIO(pdf)).pages)
    result["peak_rss_mb"] = peak_rss_mb()
    return result


def run_child(book: Path) -> dict:
    """Measure one book in a fresh interpreter; on failure, say what went wrong."""
    proc = subprocess.run([sys.executable, __file__, "--one", str(book)], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        return {"book": book.name, "error": last}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def size(n: int) -> str:
    return f"{n / 1e6:.2f} MB" if n >= 1e6 else f"{n / 1e3:.0f} kB"


def print_table(rows: list[dict]) -> None:
    head = ("book", "chapters", "parse s", "epub s", "pdf s", "pages", "epub size", "pdf size",
            "RSS after parse", "peak RSS")
    lines = [head]
    for r in rows:
        if "error" in r:
            lines.append((r["book"], "FAILED: " + r["error"]) + ("",) * (len(head) - 2))
            continue
        lines.append((r["book"], str(r["chapters"]), f"{r['parse_s']:.2f}", f"{r['epub_s']:.2f}",
                      f"{r['pdf_s']:.2f}", str(r["pages"]), size(r["epub_bytes"]), size(r["pdf_bytes"]),
                      f"{r['rss_parse_mb']:.0f} MB", f"{r['peak_rss_mb']:.0f} MB"))
    widths = [max(len(row[i]) for row in lines if i < len(row)) for i in range(len(head))]
    for k, row in enumerate(lines):
        print("  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths))))
        if k == 0:
            print("  ".join("-" * w for w in widths))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("books", nargs="*", type=Path,
                        help="manuscript folders or .md files (the sample always runs)")
    parser.add_argument("--quick", action="store_true", help="benchmark the sample manuscript only")
    parser.add_argument("--one", metavar="BOOK", help=argparse.SUPPRESS)  # child mode: print one JSON line
    args = parser.parse_args(argv)

    if args.one:
        print(json.dumps(measure(args.one)))
        return 0

    books = [SAMPLE]
    if not args.quick:
        books += args.books or sorted(p for p in CORPUS.glob("*") if p.is_dir())
    rows = []
    for book in books:
        print(f"… {book.name}", file=sys.stderr, flush=True)
        rows.append(run_child(book))
    print_table(rows)
    return 1 if any("error" in r for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
