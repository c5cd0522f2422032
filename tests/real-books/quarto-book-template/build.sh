#!/bin/bash
# Quarto book template (UCD-SERG/quarto-book-template), built from this folder.
#
# The author's command: `quarto render` (formats html, pdf, docx and epub).
# Quarto is not run here. pandoc gets what Quarto would give it: the chapters
# of _quarto.yml in order, the book's title and author, the bibliography (with
# --citeproc, which Quarto always runs when there is one) and the epub format's
# options (toc, number-sections) and MathML, Quarto's math for EPUB.
#
#   ./build.sh pandoc   -> $OUT.epub with pandoc
#   ./build.sh ours     -> $OUT.epub and $OUT.pdf with the pipeline: the book folder itself
cd "$(dirname "$0")" || exit 1
OUT=${OUT:-book}
case "${1:-ours}" in
pandoc) exec "${PANDOC:-pandoc}" -f markdown --toc --number-sections --citeproc --mathml -t epub3 -o "$OUT.epub" \
            -M title="Your Book Title" -M author="Your Name" -M bibliography=references.bib -M lang=en \
            index.qmd chapter1.qmd chapter2.qmd references.qmd ;;
ours)   for f in epub pdf; do
            "${PYTHON:-python}" -m pipeline build . -o "$OUT.$f" || exit $?
        done ;;
*) echo "usage: $0 pandoc|ours" >&2; exit 2 ;;
esac
