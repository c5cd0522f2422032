#!/bin/bash
# Write You a Haskell (sdiehl/write-you-a-haskell), built from this folder.
#
# The author's EPUB command (Makefile, target `epub`):
#   pandoc --filter includes.hs -f markdown --standalone --toc --toc-depth=2 \
#       --mathjax="http://cdn.mathjax.org/..." --highlight-style pygments \
#       --epub-cover-image=img/cover-kindle.jpg -o WYAH.epub title.md 0*.md
# Left out here: --filter includes.hs (a compiled Haskell filter that pastes
# source files from the chapterN/ folders, which are not vendored, into code
# blocks marked include=...; those blocks stay empty in both builds) and
# --mathjax (a remote script): pandoc gets `--mathml` in its place (EPUB 3's math;
# without it pandoc 3.9 writes math as plain HTML text). `-t epub3` is added.
#
#   ./build.sh pandoc   -> $OUT.epub with pandoc
#   ./build.sh ours     -> $OUT.epub and $OUT.pdf with the pipeline (same arguments)
cd "$(dirname "$0")" || exit 1
OUT=${OUT:-book}
case "${1:-ours}" in
pandoc) exec "${PANDOC:-pandoc}" -f markdown --standalone --toc --toc-depth=2 --highlight-style pygments \
            --epub-cover-image=img/cover-kindle.jpg --mathml -t epub3 -o "$OUT.epub" title.md 0*.md ;;
ours)   for f in epub pdf; do
            "${PYTHON:-python}" -m pipeline build -f markdown --standalone --toc --toc-depth=2 \
                --highlight-style pygments --epub-cover-image=img/cover-kindle.jpg -o "$OUT.$f" title.md 0*.md \
                || exit $?
        done ;;
*) echo "usage: $0 pandoc|ours" >&2; exit 2 ;;
esac
