"""Synthetic books for the benchmark: seeded random prose of a given length.

Takes: a size in words (``50k``, ``200k``, ``800k`` or a plain number) and a folder.
Gives: a manuscript folder laid out like the books in ``../shared/corpus``:
``book.yaml`` (title, author, lang, identifier, date) and one chapter per file,
``NN-chapter-NN.md`` (``NNN-…`` past 99 chapters), each of about 4,000–6,000
words with ``## `` sections, a few footnotes (``[^n]``, numbered across the
book, defined at the end of their file) and a few italic spans.

The text is drawn from a fixed word list with a generator seeded by the size,
so the same size always gives the same bytes. 800k words take about a second.

    python tests/bench_books.py 50k 200k 800k            # into build/bench-books/<name>/
    python tests/bench_books.py 50k --out /tmp/books

From Python: ``generate(50_000, Path("/tmp/bench-50k"))``.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

WORDS = """
the a an and but or of to in on at by for with from into over under after before between through
about against among around behind beyond during without within upon across along toward
he she they we it his her their our its this that these those there here then now once again
was were had has been would could should might must will shall did said went came saw took made
found kept left held stood turned walked looked thought knew felt heard seemed began gave told
light water tide marsh harbour lantern window door stair room house road field river shore coast
morning evening night winter summer autumn spring wind rain fog snow cloud sky sea sand stone salt
bell boat ship sail rope net lamp fire smoke ash glass paper letter book page line word voice song
mother father daughter son brother sister keeper stranger neighbour captain doctor teacher friend
old young long short small great quiet loud dark pale bright cold warm grey white black green slow
certain strange ordinary careful sudden patient narrow distant familiar heavy empty open silent
always never often seldom slowly quickly quietly almost nearly perhaps surely rather simply still
remember question answer silence memory distance horizon harvest journey moment season evening
ordinary particular beautiful difficult important necessary possible impossible uncertain
conversation understanding recollection observation interruption arrangement disappointment
""".split()

TITLE_WORDS = [w for w in WORDS if len(w) > 4]


def parse_size(text: str) -> int:
    """``"50k"`` → 50000, ``"1.5m"`` → 1500000, ``"1200"`` → 1200."""
    text = text.strip().lower()
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text[:-1] if scale > 1 else text) * scale)


def size_name(words: int) -> str:
    """50000 → ``"50k"``: the name the benchmark uses for a generated book."""
    return f"{words // 1000}k" if words % 1000 == 0 else str(words)


def sentence(rng: random.Random, italics: bool = False) -> str:
    """One sentence of 6–24 words, capitalised, sometimes with a comma or an italic span."""
    words = rng.choices(WORDS, k=rng.randint(6, 24))
    if len(words) > 10 and rng.random() < 0.4:
        words[rng.randint(3, len(words) - 4)] += ","
    if italics:
        start = rng.randint(1, len(words) - 3)
        end = start + rng.randint(1, 3)
        words[start] = "*" + words[start]
        words[end - 1] = words[end - 1].rstrip(",") + "*"
    words[0] = words[0].capitalize()
    return " ".join(words) + ("?" if rng.random() < 0.05 else ".")


def paragraph(rng: random.Random, target: int) -> str:
    """Sentences until about ``target`` words; one paragraph in six opens with an italic span."""
    out: list[str] = []
    count = 0
    italic = rng.random() < 1 / 6
    while count < target:
        s = sentence(rng, italics=italic and not out)
        out.append(s)
        count += s.count(" ") + 1
    return " ".join(out)


def chapter(rng: random.Random, number: int, words: int, first_note: int) -> tuple[str, int]:
    """One chapter file's Markdown and the number of footnotes it defines."""
    title = " ".join(rng.choices(TITLE_WORDS, k=rng.randint(1, 3))).title()
    lines = [f"# Chapter {number}: {title}", ""]
    notes: list[str] = []
    written = 0
    next_section = rng.randint(800, 1500)
    while written < words:
        if written >= next_section:
            lines += [f"## {' '.join(rng.choices(TITLE_WORDS, k=rng.randint(1, 4))).capitalize()}", ""]
            next_section = written + rng.randint(800, 1500)
        para = paragraph(rng, min(rng.randint(40, 160), words - written))
        written += para.count(" ") + 1
        if rng.random() < 1 / 8:
            label = first_note + len(notes)
            note = paragraph(rng, rng.randint(10, 50))
            written += note.count(" ") + 1
            para += f"[^{label}]"
            notes.append(f"[^{label}]: {note}")
        lines += [para, ""]
    for note in notes:
        lines += [note, ""]
    return "\n".join(lines), len(notes)


def chapter_sizes(rng: random.Random, words: int) -> list[int]:
    """Split ``words`` into chapters of about 4,000–6,000 words that add up exactly."""
    raw = [rng.uniform(4000, 6000) for _ in range(max(1, round(words / 5000)))]
    sizes = [round(r * words / sum(raw)) for r in raw]
    sizes[-1] += words - sum(sizes)
    return sizes


def book_yaml(words: int) -> str:
    name = size_name(words)
    ident = uuid.uuid5(uuid.NAMESPACE_URL, f"https://example.org/pipeline-bench/{name}")
    return (f'title: "A Benchmark Book of {name} Words"\n'
            'author: "Pipeline Bench"\n'
            "lang: en-GB\n"
            f'identifier: "urn:uuid:{ident}"\n'
            'date: "2026-01-01"\n')


def generate(words: int, dest: Path, seed: int | None = None) -> Path:
    """Write a book of ``words`` words into ``dest`` (emptied first); returns ``dest``."""
    rng = random.Random(words if seed is None else seed)
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    (dest / "book.yaml").write_text(book_yaml(words), encoding="utf-8")
    sizes = chapter_sizes(rng, words)
    width = 2 if len(sizes) <= 99 else 3
    note = 1
    for number, size in enumerate(sizes, 1):
        text, notes = chapter(rng, number, size, note)
        note += notes
        (dest / f"{number:0{width}d}-chapter-{number:0{width}d}.md").write_text(text, encoding="utf-8")
    return dest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sizes", nargs="+", help="word counts: 50k, 200k, 800k, 12000 ...")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "bench-books",
                        help="parent folder (default: build/bench-books); each book goes in OUT/bench-<size>")
    args = parser.parse_args(argv)
    for text in args.sizes:
        words = parse_size(text)
        started = time.perf_counter()
        dest = generate(words, args.out / f"bench-{size_name(words)}")
        files = sorted(dest.glob("*.md"))
        actual = sum(len(f.read_text(encoding="utf-8").split()) for f in files)
        print(f"{dest}: {len(files)} chapters, {actual:,} Markdown tokens, "
              f"{time.perf_counter() - started:.2f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
