#!/bin/bash
# Paradigms of Artificial Intelligence Programming (norvig/paip-lisp), a subset
# of its chapters (see SOURCE.md), built from this folder.
#
# The author's command (scripts/make-epub.sh, run from the repository root):
#   pandoc -o PAIP-alpha.epub meta/title.txt \
#       docs/{frontmatter.md,about.md,preface.md,chapter?.md,chapter??.md,appendix.md,bibliography.md} \
#       --epub-cover-image=docs/_media/paip-cover.gif --css=meta/stylesheet.css \
#       --epub-metadata=meta/metadata.xml --table-of-contents
# The same here, with `-t epub3` added; bibliography.md and the chapters not
# vendored are not listed, so brace expansion finds only the vendored files.
#
#   ./build.sh pandoc   -> $OUT.epub with pandoc
#   ./build.sh ours     -> $OUT.epub and $OUT.pdf with the pipeline (same arguments)
cd "$(dirname "$0")" || exit 1
OUT=${OUT:-book}
shopt -s nullglob
FILES=(meta/title.txt docs/{frontmatter.md,about.md,preface.md} docs/chapter?.md docs/chapter??.md docs/appendix.md)
case "${1:-ours}" in
pandoc) exec "${PANDOC:-pandoc}" -o "$OUT.epub" -t epub3 "${FILES[@]}" \
            --epub-cover-image=docs/_media/paip-cover.gif --css=meta/stylesheet.css \
            --epub-metadata=meta/metadata.xml --table-of-contents ;;
ours)   for f in epub pdf; do
            "${PYTHON:-python}" -m pipeline build -o "$OUT.$f" "${FILES[@]}" \
                --epub-cover-image=docs/_media/paip-cover.gif --css=meta/stylesheet.css \
                --epub-metadata=meta/metadata.xml --table-of-contents || exit $?
        done ;;
*) echo "usage: $0 pandoc|ours" >&2; exit 2 ;;
esac
