"""The README's pictures of the sample book: a page spread of the print PDF, and its cover.

Takes: ``build/the-salt-lantern.pdf`` and ``build/the-salt-lantern.cover.pdf`` (``make`` builds them).
Gives: ``manuscripts/the-salt-lantern/previews/the-salt-lantern-spread.png`` and ``…-cover.png``, drawn with pypdfium2.

    .venv/bin/python tests/make_previews.py [FIRST_PAGE_LABEL]
"""

from __future__ import annotations

import sys
from pathlib import Path

import pypdfium2
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "manuscripts" / "the-salt-lantern" / "previews"


def spread(pdf: Path, left_label: str, scale: float = 1.4) -> Image.Image:
    """The verso labelled ``left_label`` and the recto after it, side by side, framed in grey."""
    doc = pypdfium2.PdfDocument(pdf)
    import pypdf

    labels = list(pypdf.PdfReader(pdf).page_labels)
    i = labels.index(left_label)
    pages = [doc[i + k].render(scale=scale).to_pil().convert("RGB") for k in (0, 1)]
    w, h = pages[0].size
    out = Image.new("RGB", (2 * w + 24, h + 24), (200, 200, 200))
    out.paste(pages[0], (12, 12))
    out.paste(pages[1], (12 + w, 12))
    return out


def main(argv: list[str]) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    build = ROOT / "build"
    spread(build / "the-salt-lantern.pdf", argv[0] if argv else "4").save(OUT / "the-salt-lantern-spread.png",
                                                                          optimize=True)
    cover = pypdfium2.PdfDocument(build / "the-salt-lantern.cover.pdf")[0].render(scale=0.8).to_pil().convert("RGB")
    cover.save(OUT / "the-salt-lantern-cover.png", optimize=True)


if __name__ == "__main__":
    main(sys.argv[1:])
