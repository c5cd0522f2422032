#!/bin/bash
# Seedcase guidebook (seedcase-project/guidebook): a Quarto book, built from this folder.
#
# The author's command: `quarto render` (a website; `quarto render --to epub`
# for an EPUB). Quarto is not run here. pandoc gets what Quarto would give it:
# the chapters and appendices of _quarto.yml in order, and the book's title,
# subtitle and authors (from `book:` in _quarto.yml) as metadata. Quarto's
# shortcodes ({{< include >}}, {{< fa >}}) and `part:` titles have no pandoc
# equivalent and stay as they are in pandoc's book.
#
#   ./build.sh pandoc   -> $OUT.epub with pandoc
#   ./build.sh ours     -> $OUT.epub and $OUT.pdf with the pipeline: the book folder itself
cd "$(dirname "$0")" || exit 1
OUT=${OUT:-book}
case "${1:-ours}" in
pandoc) exec "${PANDOC:-pandoc}" -f markdown --toc -t epub3 -o "$OUT.epub" \
            -M title="Guidebook to doing research software engineering in a team-setting" \
            -M subtitle="A living document for how we work and build things in the Seedcase project" \
            -M author="Luke W. Johnston" -M author="Signe Kirk Brødbæk" -M author="Kristiane Beicher" \
            -M author="Marton Vago" -M lang=en \
            index.qmd workflows/software.qmd workflows/commits.qmd workflows/prs.qmd \
            iterations/index.qmd iterations/start.qmd iterations/during.qmd iterations/end.qmd \
            python/code.qmd python/tests.qmd operations/security.qmd CONTRIBUTING.md CHANGELOG.md ;;
ours)   for f in epub pdf; do
            "${PYTHON:-python}" -m pipeline build . -o "$OUT.$f" || exit $?
        done ;;
*) echo "usage: $0 pandoc|ours" >&2; exit 2 ;;
esac
