#!/bin/bash
# pandoc-ebook-template (evangoer/pandoc-ebook-template), built from this folder.
#
# The author's EPUB command (Makefile, target `$(BUILD)/epub/my-book.epub`):
#   pandoc --toc --toc-depth=2 -S --epub-metadata=metadata.xml --epub-cover-image=images/cover.jpg \
#       -o build/epub/my-book.epub title.txt ch01.md ch02.md
# `-S` (smart punctuation) was removed in pandoc 2.0, where it is the default:
# it is dropped here. `-t epub3` is added (pandoc 3's default anyway).
#
#   ./build.sh pandoc   -> $OUT.epub with pandoc
#   ./build.sh ours     -> $OUT.epub and $OUT.pdf with the pipeline (same arguments)
cd "$(dirname "$0")" || exit 1
OUT=${OUT:-book}
case "${1:-ours}" in
pandoc) exec "${PANDOC:-pandoc}" --toc --toc-depth=2 --epub-metadata=metadata.xml \
            --epub-cover-image=images/cover.jpg -t epub3 -o "$OUT.epub" title.txt ch01.md ch02.md ;;
ours)   for f in epub pdf; do
            "${PYTHON:-python}" -m pipeline build --toc --toc-depth=2 --epub-metadata=metadata.xml \
                --epub-cover-image=images/cover.jpg -o "$OUT.$f" title.txt ch01.md ch02.md || exit $?
        done ;;
*) echo "usage: $0 pandoc|ours" >&2; exit 2 ;;
esac
