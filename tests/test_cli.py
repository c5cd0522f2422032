"""The command line, and every bad input the build must answer with a clear message."""

from __future__ import annotations

from pathlib import Path

from conftest import image_bytes, outputs, run_cli, write_files

from pipeline import ir

GOOD = {
    "book.yaml": "title: Good Book\nlang: en\nauthor: A. Writer\n",
    "chapters/01-one.md": "# One\n\nSome text.\n",
    "chapters/02-two.md": "# Two\n\nMore text.\n\n![A still](../stills/a.png){alt=\"A circle.\"}\n",
    "stills/a.png": image_bytes("PNG"),
}


def _book(tmp_path: Path, changes: dict[str, str | bytes] | None = None) -> Path:
    """The GOOD book in tmp_path/x, with some files replaced."""
    return write_files(tmp_path / "x", {**GOOD, **(changes or {})})


def test_help_documents_the_interface() -> None:
    result = run_cli("build", "--help")
    assert result.returncode == 0
    for word in ("SOURCE", "--to", "--out", "--strict", "alt="):
        assert word in result.stdout


def test_build_writes_both_formats(tmp_path: Path) -> None:
    _book(tmp_path)
    result = run_cli("build", "x", "--out", "dist", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "dist" / "x.pdf").read_bytes().startswith(b"%PDF")
    assert (tmp_path / "dist" / "x.epub").read_bytes().startswith(b"PK")


def test_a_build_leaves_nothing_in_the_temporary_folder(tmp_path: Path) -> None:
    _book(tmp_path)
    temp = tmp_path / "tmp"
    temp.mkdir()
    result = run_cli("build", "x", "--to", "pdf", "-j", "2", "--out", "dist", cwd=tmp_path, env={"TMPDIR": str(temp)})
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "dist" / "x.pdf").exists()
    assert sorted(p.name for p in temp.iterdir()) == []  # WeasyPrint's font files went with their process


def test_to_limits_formats_and_default_out_is_build(tmp_path: Path) -> None:
    _book(tmp_path)
    result = run_cli("build", "x", "--to", "epub", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in outputs(tmp_path / "build")) == ["x.epub"]


def test_unknown_format_is_a_usage_error(tmp_path: Path) -> None:
    _book(tmp_path)
    result = run_cli("build", "x", "--to", "docx", cwd=tmp_path)
    assert result.returncode == 2
    assert "unknown format 'docx'" in result.stderr


def test_ir_prints_versioned_json(tmp_path: Path) -> None:
    import json

    _book(tmp_path)
    result = run_cli("ir", "x", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["pipeline-ir-version"] == list(ir.IR_VERSION)
    assert doc["ir"]["t"] == "Book" and len(doc["ir"]["chapters"]) == 2


# ---------------------------------------------------------------- bad input


def test_missing_image_names_file_and_line(tmp_path: Path) -> None:
    _book(tmp_path, {"chapters/02-two.md": "# Two\n\nText.\n\n\n![A still](stills/a.jpg){alt=\"x\"}\n"})
    result = run_cli("build", "x", cwd=tmp_path)
    assert result.returncode == 1
    assert "x/chapters/02-two.md:6: error: image 'stills/a.jpg' not found" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "build").exists() or not any(outputs(tmp_path / "build"))


def test_invalid_yaml_names_file_and_line(tmp_path: Path) -> None:
    _book(tmp_path, {"book.yaml": "title: Good\nlang: en\nauthor: [unclosed\n"})
    result = run_cli("build", "x", cwd=tmp_path)
    assert result.returncode == 1
    assert "x/book.yaml:" in result.stderr and "invalid YAML" in result.stderr
    line = int(result.stderr.split("x/book.yaml:")[1].split(":")[0])
    assert line in (3, 4)


def test_front_matter_yaml_error_counts_lines_from_file_start(tmp_path: Path) -> None:
    (tmp_path / "essay.md").write_text("---\ntitle: T\nlang: en\nbad: : :\n---\n# H\n")
    result = run_cli("build", "essay.md", cwd=tmp_path)
    assert result.returncode == 1
    assert "essay.md:4: error: invalid YAML" in result.stderr


def test_not_utf8_names_the_file(tmp_path: Path) -> None:
    _book(tmp_path, {"chapters/01-one.md": "# One\n\nCaf\xe9 in Latin-1.\n".encode("latin-1")})
    result = run_cli("build", "x", cwd=tmp_path)
    assert result.returncode == 1
    assert "x/chapters/01-one.md:3: error: 'x/chapters/01-one.md' is not UTF-8" in result.stderr


def test_missing_title_and_language_get_stated_defaults(tmp_path: Path) -> None:
    _book(tmp_path, {"book.yaml": "author: Someone\n"})
    result = run_cli("build", "x", "--to", "epub", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "no 'title' in the metadata; using 'x'" in result.stderr
    assert "no 'lang' in the metadata; using 'en'" in result.stderr
    assert result.stderr.rstrip().endswith("2 warnings: M102 ×1, M103 ×1")  # the closing summary
    strict = run_cli("build", "x", "--to", "epub", "--strict", cwd=tmp_path)
    assert strict.returncode == 3
    # an up-to-date build reports the same warnings, and the same summary
    assert "2 warnings: M102 ×1, M103 ×1" in strict.stderr


def test_wrong_metadata_type_is_an_error(tmp_path: Path) -> None:
    _book(tmp_path, {"book.yaml": "lang: en\ntitle: [1, 2]\n"})
    result = run_cli("build", "x", cwd=tmp_path)
    assert result.returncode == 1
    assert "x/book.yaml:2: error: 'title' must be text, not a list" in result.stderr  # the line that sets it


def test_unsafe_yaml_tags_are_refused(tmp_path: Path) -> None:
    _book(tmp_path, {"book.yaml": "title: !!python/object/apply:os.system ['echo pwned']\nlang: en\n"})
    result = run_cli("build", "x", cwd=tmp_path)
    assert result.returncode == 1
    assert "invalid YAML" in result.stderr and "pwned" not in result.stdout


def test_duplicate_yaml_keys_are_refused(tmp_path: Path) -> None:
    _book(tmp_path, {"book.yaml": "title: A\nlang: en\ntitle: B\n"})
    result = run_cli("build", "x", cwd=tmp_path)
    assert result.returncode == 1
    assert "x/book.yaml:3: error: invalid YAML: duplicate key 'title' (first on line 1)" in result.stderr


def test_still_without_alt_text_gets_a_warning_naming_it(tmp_path: Path) -> None:
    _book(tmp_path, {"chapters/02-two.md": "# Two\n\n![Harbour at dusk](../stills/a.png)\n"})
    result = run_cli("build", "x", "--to", "epub", cwd=tmp_path)
    assert result.returncode == 0
    assert "x/chapters/02-two.md:3: warning: still 'stills/a.png' has no alt text" in result.stderr


def test_unknown_metadata_key_warns_contributor_key_does_not(tmp_path: Path) -> None:
    _book(tmp_path, {"book.yaml": "title: T\nlang: en\nillustrator: I. Lustrator\nsource: somewhere\ncolour: blue\n"})
    result = run_cli("build", "x", "--to", "epub", cwd=tmp_path)
    assert result.returncode == 0
    assert "unknown metadata key 'colour'" in result.stderr
    assert "illustrator" not in result.stderr and "'source'" not in result.stderr


def test_failed_build_keeps_last_good_output_and_leaves_no_partial_file(tmp_path: Path) -> None:
    _book(tmp_path)
    assert run_cli("build", "x", cwd=tmp_path).returncode == 0
    out = tmp_path / "build"
    before = {p.name: p.read_bytes() for p in outputs(out)}
    (tmp_path / "x" / "stills" / "a.png").unlink()
    result = run_cli("build", "x", cwd=tmp_path)
    assert result.returncode == 1
    assert {p.name: p.read_bytes() for p in outputs(out)} == before


def test_corrupt_image_is_a_clear_error(tmp_path: Path) -> None:
    _book(tmp_path, {"stills/a.png": b"\x89PNG\r\n\x1a\nthis is not really a png"})
    result = run_cli("build", "x", cwd=tmp_path)
    assert result.returncode == 1
    assert "x/chapters/02-two.md:5: error: image '../stills/a.png' cannot be read" in result.stderr


def test_image_outside_the_manuscript_is_refused(tmp_path: Path) -> None:
    (tmp_path / "secret.png").write_bytes(image_bytes("PNG"))
    _book(tmp_path, {"chapters/02-two.md": "# Two\n\n![S](../../secret.png){alt=\"s\"}\n"})
    result = run_cli("build", "x", cwd=tmp_path)
    assert result.returncode == 1
    assert "outside the manuscript folder" in result.stderr


def test_missing_manuscript(tmp_path: Path) -> None:
    result = run_cli("build", "nowhere", cwd=tmp_path)
    assert result.returncode == 1
    assert "manuscript 'nowhere' not found" in result.stderr
