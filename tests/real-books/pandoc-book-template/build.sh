#!/bin/bash
# pandoc-book-template (wikiti/pandoc-book-template), built from this folder.
#
# The author's EPUB command (Makefile, target `epub`; the chapters reach pandoc
# concatenated on stdin by `awk`, which is what pandoc does with several inputs):
#   awk ... chapters/*.md | pandoc --toc --toc-depth 2 --webtex --metadata-file metadata.yml \
#       --template templates/epub.html --epub-cover-image images/cover.png -o build/epub/book.epub
# Left out here: --webtex (fetches formula images from the web) and --template
# (templates/ is not vendored). Added: `-t epub3` (pandoc 3's default anyway) and, for
# pandoc only, `--mathml` in place of --webtex: math as MathML, what EPUB 3 readers render.
#
#   ./build.sh pandoc   -> $OUT.epub with pandoc
#   ./build.sh ours     -> $OUT.epub and $OUT.pdf with the pipeline (same arguments)
cd "$(dirname "$0")" || exit 1
OUT=${OUT:-book}
case "${1:-ours}" in
pandoc) exec "${PANDOC:-pandoc}" chapters/*.md --toc --toc-depth 2 --metadata-file metadata.yml \
            --epub-cover-image images/cover.png --mathml -t epub3 -o "$OUT.epub" ;;
ours)   for f in epub pdf; do
            "${PYTHON:-python}" -m pipeline build chapters/*.md --toc --toc-depth 2 --metadata-file metadata.yml \
                --epub-cover-image images/cover.png -o "$OUT.$f" || exit $?
        done ;;
*) echo "usage: $0 pandoc|ours" >&2; exit 2 ;;
esac
