"""Books as pandoc and Quarto authors lay them out: pandoc's command line, metadata.yml,
defaults files and Quarto's _quarto.yml; image paths as pandoc resolves them."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pdfplumber
import pytest
from conftest import epubcheck_messages, image_bytes

from pipeline.build import build_book
from pipeline.diagnostics import BuildError, Reporter
from pipeline.load import load
from pipeline.projects import BookOptions, manuscript_from_options, read_defaults

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline", *args], cwd=cwd, capture_output=True, text=True,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "HOME": str(cwd),
                               "XDG_CACHE_HOME": str(cwd / ".xdg")})


def _essay(root: Path) -> Path:
    """The essay layout: chapters/ and stills/, the chapters naming stills from the book's root."""
    (root / "chapters").mkdir(parents=True)
    (root / "stills").mkdir()
    (root / "stills" / "dusk.png").write_bytes(image_bytes("PNG", (300, 200)))
    (root / "metadata.yaml").write_text("---\ntitle: Night Pictures\nauthor: Ann Vale\nlang: en\n---\n",
                                        encoding="utf-8")
    (root / "chapters" / "01-light.md").write_text(
        "# Light\n\nThe harbour at dusk.\n\n![Ozu, dir. *Late Spring*. 1949.](stills/dusk.png){alt=\"A quay.\"}\n"
        "\n# Shadow\n\nA second chapter in the same file.\n", encoding="utf-8")
    (root / "chapters" / "02-dark.md").write_text("# Dark\n\nThe end.\n", encoding="utf-8")
    (root / "README.md").write_text("# How to build\n\nRun make.\n", encoding="utf-8")
    return root


def test_metadata_yaml_folder_is_a_book(tmp_path: Path) -> None:
    m = load(_essay(tmp_path / "essay"))
    assert m.metadata["title"] == "Night Pictures"
    assert [s.path for s in m.sources] == ["chapters/01-light.md", "chapters/02-dark.md"]  # not README.md
    book = build_book(m, Reporter(echo=False))
    # a level-1 heading opens a chapter, as in pandoc; the still is found from the book's root
    assert [c.id for c in book.chapters] == ["ch-01-light", "shadow", "ch-02-dark"]


def test_essay_layout_builds_with_pandocs_command_line(tmp_path: Path) -> None:
    root = _essay(tmp_path / "essay")
    result = run("build", "-o", "dist/night.epub", "metadata.yaml", "chapters/01-light.md", "chapters/02-dark.md",
                 "--toc", "-s", "--template", "x.html", "-q", cwd=root)
    assert result.returncode == 0, result.stderr
    assert "'--template' is ignored" in result.stderr and "[M107]" in result.stderr
    epub = root / "dist" / "night.epub"
    assert epubcheck_messages(epub) == []
    names = zipfile.ZipFile(epub).namelist()
    assert any(n.startswith("EPUB/images/") for n in names)
    assert not (root / ".cache").exists() and not (root / "dist" / ".cache").exists()  # no litter
    result = run("build", "-o", "dist/night.pdf", "metadata.yaml", "chapters/01-light.md", "chapters/02-dark.md",
                 "-q", cwd=root)
    assert result.returncode == 0, result.stderr
    with pdfplumber.open(root / "dist" / "night.pdf") as pdf:
        text = "\n".join(p.extract_text() or "" for p in pdf.pages)
        assert pdf.pages and any(p.images for p in pdf.pages)
    assert "Night Pictures" in text and "A second chapter" in text


@pytest.mark.parametrize("args, message", [
    (["a.md", "--frobnicate"], "unrecognized arguments: --frobnicate"),
    (["a.md", "-o", "a.docx"], "write .epub or .pdf"),
    (["a.md", "-o", "a.epub", "-t", "pdf"], "the extension must match"),
    ([], "give a SOURCE"),
])
def test_usage_errors_exit_2_and_name_the_problem(tmp_path: Path, args: list[str], message: str) -> None:
    (tmp_path / "a.md").write_text("# A\n", encoding="utf-8")
    result = run("build", *args, cwd=tmp_path)
    assert result.returncode == 2 and message in result.stderr


def test_metadata_precedence_is_pandocs(tmp_path: Path) -> None:
    (tmp_path / "meta.yaml").write_text("title: From file\nsubtitle: File sub\npublisher: File Press\n")
    (tmp_path / "dc.xml").write_text('<dc:rights>CC BY 4.0</dc:rights>\n<dc:creator>Dee Sea</dc:creator>\n'
                                     '<dc:publisher>DC Press</dc:publisher>\n')
    (tmp_path / "a.md").write_text("---\ntitle: From document\nsubtitle: Doc sub\n---\n# A\n")
    (tmp_path / "b.md").write_text("# B\n")
    opts = BookOptions(tmp_path, ["a.md", "b.md"], "x.epub", metadata={"title": "From -M"},
                       metadata_files=["meta.yaml"], epub_metadata="dc.xml")
    m = manuscript_from_options(opts)
    # metadata files < the document's own block < -M; the Dublin Core file is the lowest
    assert (m.metadata["title"], m.metadata["subtitle"], m.metadata["publisher"]) == (
        "From -M", "Doc sub", "File Press")
    assert m.metadata["rights"] == "CC BY 4.0" and m.metadata["author"] == ["Dee Sea"]
    assert m.slug == "x"


def test_cli_metadata_and_resource_path(tmp_path: Path) -> None:
    (tmp_path / "art").mkdir()
    (tmp_path / "art" / "p.png").write_bytes(image_bytes("PNG", (120, 80)))
    (tmp_path / "a.md").write_text("---\ntitle: T\nlang: en\n---\n# A\n\n![Cap.](p.png){alt=\"x\"}\n")
    (tmp_path / "house.css").write_text("p { letter-spacing: 0.01em; }\n")
    result = run("build", "a.md", "-o", "out/a.epub", "--resource-path", "art", "-M", "title=Set on the line",
                 "-M", "author=One", "-M", "author=Two", "--css", "house.css", "-q", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    epub = zipfile.ZipFile(tmp_path / "out" / "a.epub")
    opf = epub.read("EPUB/content.opf").decode()
    assert "Set on the line" in opf and ">One<" in opf and ">Two<" in opf
    assert epub.read("EPUB/styles/author-1.css") == b"p { letter-spacing: 0.01em; }\n"
    chapter = next(epub.read(n).decode() for n in epub.namelist() if n.endswith("/a.xhtml"))
    assert chapter.index("styles/epub.css") < chapter.index("styles/author-1.css")  # after ours: it wins
    assert epubcheck_messages(tmp_path / "out" / "a.epub") == []
    outside = run("build", "a.md", "-o", "out/b.epub", "--resource-path", "..", cwd=tmp_path)
    assert outside.returncode == 1 and "[M017]" in outside.stderr


def test_defaults_file(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "one.md").write_text("# One\n")
    (tmp_path / "m.yml").write_text("---\ntitle: By defaults\nlang: en\n---\n")
    (tmp_path / "book.defaults.yaml").write_text(
        "input-files:\n  - src/one.md\nmetadata-files: [m.yml]\noutput-file: out/book.epub\ntoc: true\n"
        "toc-depth: 2\ntemplate: custom.html\nfilters: [wordcount.lua]\nfrobs: 3\nmetadata:\n  subtitle: Sub\n")
    opts = read_defaults(tmp_path / "book.defaults.yaml", tmp_path)
    assert opts.inputs == ["src/one.md"] and opts.output == "out/book.epub"
    assert opts.metadata == {"subtitle": "Sub", "toc": True, "toc-depth": 2}
    assert sorted(d.code for d in opts.notes) == ["M107", "M107", "M108"]
    assert any("filters are not run" in d.message for d in opts.notes)
    m = load(tmp_path)  # a folder whose defaults file lists input-files is a book
    assert m.metadata["title"] == "By defaults" and [s.path for s in m.sources] == ["src/one.md"]
    result = run("build", "-d", "book.defaults.yaml", "-q", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "book.epub").is_file()


QUARTO = """\
project:
  type: book
book:
  title: "A Quarto Book"
  author:
    - name: Jane Roe
      affiliation: Somewhere
  date: "2024-05-01"
  repo-url: https://example.org/repo
  chapters:
    - index.qmd
    - part: "First Things"
      chapters:
        - intro.qmd
    - summary.qmd
  appendices:
    - tools.qmd
lang: en
format:
  html:
    theme: cosmo
"""


def _quarto(root: Path) -> Path:
    (root / "images").mkdir(parents=True)
    (root / "images" / "a.png").write_bytes(image_bytes("PNG", (200, 100)))
    (root / "_quarto.yml").write_text(QUARTO)
    (root / "index.qmd").write_text("# Preface {.unnumbered}\n\nThis is a book.\n")
    (root / "intro.qmd").write_text('---\ntitle: "Introduction"\n---\n\nSee ![A pic.](/images/a.png){alt="pic"}.\n\n'
                                    "```{python}\n#| echo: true\nprint(1)\n```\n")
    (root / "summary.qmd").write_text("# Summary\n\nIn summary.\n")
    (root / "tools.qmd").write_text("# Tools\n\nA hammer.\n")
    return root


def test_quarto_book_project(tmp_path: Path) -> None:
    m = load(_quarto(tmp_path / "q"))
    assert m.metadata["title"] == "A Quarto Book" and m.metadata["author"] == [{"name": "Jane Roe"}]
    assert [s.path for s in m.sources] == ["index.qmd", "part-1", "intro.qmd", "summary.qmd", "part-2",
                                           "tools.qmd"]
    assert [d.code for d in m.notes] == ["M106"]  # the python cell; repo-url is a website setting, not warned
    reporter = Reporter(echo=False)
    book = build_book(m, reporter)
    titles = [book_title for book_title in (c.title for c in book.chapters)]
    from pipeline import ir
    assert [ir.plain_text(t) for t in titles] == ["Preface", "First Things", "Introduction", "Summary",
                                                  "Appendices", "Tools"]
    intro = book.chapters[2]
    code = next(ir.query(intro, ir.CodeBlock))
    assert code.language == "python" and code.text == "print(1)\n"  # the '#|' options are not shown
    assert next(ir.query(intro, ir.Image)).src == "images/a.png"  # '/images/…' from the project's root


def test_quarto_files_given_wrongly(tmp_path: Path) -> None:
    root = _quarto(tmp_path / "q")
    with pytest.raises(BuildError) as info:
        manuscript_from_options(BookOptions(root, ["_quarto.yml", "index.qmd"], "x.epub"))
    assert info.value.diagnostic.code == "M016" and "build the project's folder" in info.value.diagnostic.hint
    (root / "_quarto.yml").write_text("project:\n  type: website\n")
    with pytest.raises(BuildError) as info:
        load(root)
    assert info.value.diagnostic.code == "M018"


def test_every_missing_image_is_reported_in_one_run(tmp_path: Path) -> None:
    (tmp_path / "chapters").mkdir()
    (tmp_path / "metadata.yml").write_text("---\ntitle: E\nlang: en\n---\n")
    (tmp_path / "chapters" / "a.md").write_text('# A\n\n![x](nope1.png){alt="x"}\n\n![y](nope2.png){alt="y"}\n')
    (tmp_path / "chapters" / "b.md").write_text('# B\n\nText ![z](nope3.png) here.\n')
    result = run("build", ".", "--out", "out", "-q", cwd=tmp_path)
    assert result.returncode == 1
    lines = [ln for ln in result.stderr.splitlines() if "error:" in ln]
    assert [ln.split(": error")[0] for ln in lines] == ["chapters/a.md:3", "chapters/a.md:5", "chapters/b.md:3"]
    assert "3 errors: I001 ×3; nothing was written" in result.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").glob("*.*"))


def test_verbose_says_what_each_stage_took(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("---\ntitle: V\nlang: en\n---\n# A\n\nText.\n")
    result = run("build", "a.md", "--to", "epub", "--out", "out", "-q", "--verbose", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "  parse " in result.stderr and "  epub " in result.stderr


def test_quarto_shortcodes(tmp_path: Path) -> None:
    root = _quarto(tmp_path / "q")
    (root / "_variables.yml").write_text("version: 2.1\n")
    (root / "_part.qmd").write_text("Included *text*.\n")
    (root / "summary.qmd").write_text("# Summary\n\n{{< include _part.qmd >}}\n\nVersion {{< var version >}} of "
                                      '{{< meta title >}}. Press {{< kbd Ctrl-C >}}.\n\n{{< pagebreak >}}\n\n'
                                      "{{< video https://example.org/v.mp4 >}}\n")
    m = load(root)
    text = next(s.text for s in m.sources if s.path == "summary.qmd")
    assert "Included *text*." in text and "Version 2.1 of A Quarto Book. Press `Ctrl-C`." in text
    assert '<div class="page-break"></div>' in text and "{{<" not in text
    assert [(d.code, d.line) for d in m.notes if d.code == "P108"] == [("P108", 9)]


def test_syntax_left_as_text_is_never_silent(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("---\ntitle: L\nlang: en\n---\n# A\n\nA shortcode {{< video x.mp4 >}} here.\n\n"
                                   "Some \\begin{align} TeX.\n\n`code {{< is fine >}}`\n")
    reporter = Reporter(echo=False)
    build_book(tmp_path / "a.md", reporter)
    assert [(d.code, d.line) for d in reporter.warnings if d.code == "P107"] == [("P107", 7), ("P107", 9)]
