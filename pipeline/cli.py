"""The command line: ``pipeline build``, ``pipeline cover``, ``pipeline check``, ``pipeline watch`` and ``pipeline ir``.

Takes: command-line arguments.
Gives: outputs in ``build/`` (or ``--out``), messages on stderr, and an exit
status: 0 on success, 1 when the build failed (with a message naming the
file and line), 2 for a usage error, 3 with ``--strict`` when there were warnings.
``cover`` is ``build --to cover``: the print cover, ``<slug>.cover.pdf``.
``check`` builds the print PDF (or reuses it) and prints its preflight: exit
status 1 when it is not press-ready (an ``X0xx`` error), 3 with ``--strict``
when there were preflight warnings.
``watch`` builds, then rebuilds on every save in the manuscript's folder and
prints what it rebuilt and how long it took, until Ctrl-C (exit status 0).
A progress display (by stage and by chapter, with the time left) shows on
stderr when it is a terminal, unless ``--quiet``.

    python -m pipeline build manuscripts/the-salt-lantern
    python -m pipeline build essay.md --to epub --out dist
    python -m pipeline cover manuscripts/the-salt-lantern --out dist
    python -m pipeline watch manuscripts/the-salt-lantern --to pdf,epub
    python -m pipeline ir manuscripts/the-salt-lantern > book.json
    python -m pipeline check manuscripts/the-salt-lantern
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import time
from pathlib import Path

from .diagnostics import BuildError, Reporter
from .load import display_path
from .pandoc_options import WRITERS, add_options, book_options

EPILOG = """\
A manuscript is a folder with book.yaml and its chapter files, or a single .md
file with YAML front matter. See README.md for the metadata keys and the
figure syntax: ![Caption with *italics*](stills/a.jpg){alt="What it shows"}.

exit status: 0 success, 1 build failed, 2 usage error, 3 warnings with --strict,
130/143 interrupted (SIGINT/SIGTERM; earlier outputs are kept)
"""


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="pipeline",
                                description="Turn a Markdown manuscript into a print PDF and an EPUB 3.",
                                epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    b = sub.add_parser("build", help="build PDF and EPUB", epilog=EPILOG,
                       formatter_class=argparse.RawDescriptionHelpFormatter,
                       description="Build each SOURCE to OUT/<slug>.pdf and OUT/<slug>.epub. "
                                   "The slug is the folder name or the file stem.")
    b.add_argument("sources", nargs="*", metavar="SOURCE",
                   help="a manuscript folder or a .md file; with -o, the files joined into one book")
    b.add_argument("-t", "--to", "-w", "--write", metavar="FORMATS",
                   help="comma-separated formats: pdf, epub (pandoc's epub3 too), screen-pdf, cover "
                        "(default: pdf,epub, "
                        "or what -o's extension says)")
    b.add_argument("--out", default="build", metavar="DIR", help="output folder (default: build)")
    b.add_argument("--strict", action="store_true", help="exit 3 if there were warnings")
    b.add_argument("-j", "--jobs", type=int, default=0, metavar="N",
                   help="worker processes for PDF layout (default: all cores)")
    b.add_argument("--no-cache", action="store_true", help="ignore and do not write OUT/.cache")
    b.add_argument("--one-pass", action="store_true",
                   help="lay the PDF out in one WeasyPrint pass (slow; the reference for the stitched build)")
    b.add_argument("-q", "--quiet", action="store_true", help="no progress display")
    b.add_argument("-v", "--verbose", action="store_true", help="say what each stage took and which units ran")
    b.add_argument("--report", metavar="FILE", help="write a JSON report: stage times, units run and cached, pages")
    c = sub.add_parser("cover", help="build the print cover (back, spine, front with bleed)",
                       description="Build each SOURCE's print cover, OUT/<slug>.cover.pdf: the same as "
                                   "`build --to cover`. The spine is sized from the print PDF's page count, "
                                   "so the print PDF is laid out too (from the cache when it can be).")
    c.add_argument("sources", nargs="+", metavar="SOURCE", help="a manuscript folder or a .md file")
    c.add_argument("--out", default="build", metavar="DIR", help="output folder (default: build)")
    c.add_argument("--strict", action="store_true", help="exit 3 if there were warnings")
    c.add_argument("-j", "--jobs", type=int, default=0, metavar="N",
                   help="worker processes for PDF layout (default: all cores)")
    c.add_argument("--no-cache", action="store_true", help="ignore and do not write OUT/.cache")
    c.add_argument("-q", "--quiet", action="store_true", help="no progress display")
    c.add_argument("-v", "--verbose", action="store_true", help="say what each stage took and which units ran")
    c.add_argument("--report", metavar="FILE", help="write a JSON report: stage times, units run and cached, pages")
    c.set_defaults(to="cover", one_pass=False)
    w = sub.add_parser("watch", help="build, then rebuild on every save",
                       description="Build SOURCE like `build`, then watch its folder and rebuild on every "
                                   "save, printing what was rebuilt and how long it took. A failed build "
                                   "prints its error and the watch goes on. Ctrl-C stops it (exit status 0).")
    w.add_argument("source", metavar="SOURCE", help="a manuscript folder or a .md file")
    w.add_argument("--to", default="pdf,epub", metavar="FORMATS",
                   help="comma-separated formats: pdf, epub, screen-pdf (default: pdf,epub)")
    w.add_argument("--out", default="build", metavar="DIR", help="output folder (default: build)")
    w.add_argument("-j", "--jobs", type=int, default=0, metavar="N",
                   help="worker processes for PDF layout (default: all cores)")
    w.add_argument("-q", "--quiet", action="store_true", help="no progress display")
    k = sub.add_parser("check", help="preflight the print PDF: is it ready for press?",
                       description="Build SOURCE's print PDF (or reuse it) and report its preflight: trim and "
                                   "bleed boxes, the page count against the print service's limits, fonts, "
                                   "each still's resolution, colour, and the spine width. Exit status 1 when "
                                   "there is an error.")
    k.add_argument("source", metavar="SOURCE", help="a manuscript folder or a .md file")
    k.add_argument("--out", default="build", metavar="DIR", help="output folder (default: build)")
    k.add_argument("--strict", action="store_true", help="exit 3 if there were preflight warnings")
    k.add_argument("-j", "--jobs", type=int, default=0, metavar="N",
                   help="worker processes for PDF layout (default: all cores)")
    i = sub.add_parser("ir", help="print the intermediate representation as JSON",
                       description="Print SOURCE's IR (after transforms) as JSON, for inspection and filters.")
    i.add_argument("source", metavar="SOURCE")
    i.add_argument("--indent", type=int, default=1, help="JSON indent (default: 1)")
    add_options(b)
    add_options(c)
    return p


def warning_summary(warnings: list) -> str:
    """One closing line: how many warnings, by code, most frequent first.

    >>> from pipeline.diagnostics import Diagnostic
    >>> print(warning_summary([Diagnostic("L101", "warning", "x")] * 3 + [Diagnostic("I101", "warning", "y")]))
    4 warnings: L101 ×3, I101 ×1
    """
    counts: dict[str, int] = {}
    for d in warnings:
        counts[d.code] = counts.get(d.code, 0) + 1
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    noun = "warning" if len(warnings) == 1 else "warnings"
    return f"{len(warnings)} {noun}: " + ", ".join(f"{code} ×{n}" for code, n in ranked)


class Terminated(BaseException):
    """SIGTERM arrived: unwind like Ctrl-C, so temporary files are removed."""


def _on_sigterm(signum: int, frame: object) -> None:
    raise Terminated()


def _formats(text: str, parser: argparse.ArgumentParser) -> list[str]:
    formats = []
    for name in (f.strip().lower() for f in text.split(",") if f.strip()):
        if name not in WRITERS:
            parser.error(f"unknown format '{name}': this builds pdf, epub (pandoc's epub3, epub2 too), "
                         "screen-pdf and cover")
        formats.append(WRITERS[name])
    return list(dict.fromkeys(formats))


def _books(args: argparse.Namespace, parser: argparse.ArgumentParser
           ) -> tuple[list, list[str], Path, Path | None]:
    """What ``build`` builds: the books (paths or joined Manuscripts), the formats, the output
    folder and the cache folder. Usage errors exit 2."""
    import dataclasses

    from .load import load
    from .projects import apply_options, manuscript_from_options

    opts = book_options(args)
    output = opts.output
    if not opts.inputs:
        parser.error("give a SOURCE (a manuscript folder or .md files), or -d with input-files")
    if not output:  # each SOURCE its own book; pandoc's metadata options apply to each
        formats = _formats(args.to or "pdf,epub", parser)
        if not (opts.metadata or opts.metadata_files or opts.resource_path or opts.notes or opts.epub_metadata):
            return list(opts.inputs), formats, Path(args.out), None
        books = [apply_options(load(src), opts) for src in opts.inputs]
        return books, formats, Path(args.out), None
    target = Path(output)
    if args.to or opts.to:
        formats = _formats(args.to or opts.to, parser)
        if len(formats) != 1 or target.suffix.lower() not in ("", f".{formats[0]}"):
            parser.error(f"-o {output}: the extension must match the one format asked for (-t {args.to or opts.to})")
    elif target.suffix.lower() in (".epub", ".pdf"):
        formats = [target.suffix.lower()[1:]]
    else:
        parser.error(f"-o {output}: write .epub or .pdf (pandoc's other formats are not made here)")
    if len(opts.inputs) == 1 and Path(opts.inputs[0]).is_dir():
        m = apply_options(load(opts.inputs[0]), opts)
    else:
        if any(Path(i).is_dir() for i in opts.inputs):
            parser.error("with -o, give the book's files (or one book folder), not several folders")
        m = manuscript_from_options(opts)
    m = dataclasses.replace(m, slug=target.stem or m.slug)
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "pipeline"
    return [m], formats, target.parent, cache


def _errors(exc: BuildError) -> None:
    for d in exc.diagnostics:
        print(d, file=sys.stderr)
    if exc.more:
        print(warning_summary(list(exc.diagnostics)).replace("warning", "error") + "; nothing was written",
              file=sys.stderr)


def _verbose(result: object) -> None:
    for stage, seconds in result.timings.items():  # type: ignore[attr-defined]
        print(f"  {stage:<18} {seconds:7.3f} s", file=sys.stderr)
    for what, names in result.units.items():  # type: ignore[attr-defined]
        if names:
            print(f"  units {what}: {', '.join(names)}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "cover":  # build --to cover
        args.command = "build"
    if args.command == "build":
        try:
            books, formats, out, cache_dir = _books(args, parser)
        except BuildError as exc:
            _errors(exc)
            return 1
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _on_sigterm)
    reporter = Reporter()
    try:
        if args.command == "ir":
            from .build import build_book
            from .ir import to_json
            sys.stdout.write(to_json(build_book(args.source, reporter), indent=args.indent) + "\n")
        elif args.command == "check":
            from .preflight import check_book
            checked = check_book(args.source, args.out, reporter, jobs=args.jobs)
            print(checked.summary(), file=sys.stderr)
            if checked.errors:
                return 1
            if args.strict and checked.diagnostics:
                return 3
        elif args.command == "watch":
            from .watch import watch
            return watch(args.source, [f.strip() for f in args.to.split(",") if f.strip()], Path(args.out),
                         jobs=args.jobs, quiet=args.quiet)
        else:
            from .build import build_many
            from .progress import for_terminal, quiet
            started = time.perf_counter()
            progress = for_terminal(not args.quiet) if len(books) == 1 else quiet
            results = build_many(books, formats, out, reporter, jobs=args.jobs, use_cache=not args.no_cache,
                                 one_pass=args.one_pass, progress=progress, cache_dir=cache_dir)
            reports = []
            for book, result in zip(books, results):
                name = book if isinstance(book, str) else display_path(book.root)
                if result.up_to_date:
                    print(f"{name} is up to date ({', '.join(str(p) for p in result.outputs)})",
                          file=sys.stderr)
                else:
                    for path in result.outputs:
                        print(f"wrote {path}", file=sys.stderr)
                    ran = f"; {len(result.ran)} chapter(s) laid out, {len(result.cached)} from the cache" \
                        if result.ran or result.cached else ""
                    total = sum(v for k, v in result.timings.items() if "." not in k)  # "pdf.x" are parts of "pdf"
                    print(f"built {name} in {total:.1f} s{ran}", file=sys.stderr)
                if args.verbose:
                    _verbose(result)
                reports.append(result.report())
            if len(results) > 1:
                print(f"built {len(results)} books in {time.perf_counter() - started:.1f} s", file=sys.stderr)
            if args.report:
                import json
                Path(args.report).write_text(json.dumps(reports[0] if len(reports) == 1 else reports,
                                                        ensure_ascii=False, indent=1), encoding="utf-8")
    except BuildError as exc:
        _errors(exc)
        return 1
    except RecursionError:
        print("error: the manuscript is nested too deeply to build [R003]\n"
              "  hint: simplify deeply nested quotes, lists or emphasis", file=sys.stderr)
        return 1
    except (KeyboardInterrupt, Terminated) as exc:
        print("interrupted; previous outputs are untouched", file=sys.stderr)
        return 143 if isinstance(exc, Terminated) else 130
    if args.command == "build" and reporter.warnings:
        print(warning_summary(reporter.warnings), file=sys.stderr)
    if args.command == "build" and (args.strict or args.fail_if_warnings) and reporter.warnings:
        print(f"{len(reporter.warnings)} warning(s) and --strict: failing", file=sys.stderr)
        return 3
    return 0
