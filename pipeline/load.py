"""Load stage: find a manuscript's files and read them safely.

Takes: a path, either a folder with ``book.yaml`` or a single ``.md`` file with
a YAML front-matter block.
Gives: a :class:`Manuscript`: the root folder, the raw metadata mapping, and
the chapter sources as text, in reading order. Nothing here knows Markdown
beyond the front-matter fence.

Chapter order in a folder: the ``chapters:`` list in ``book.yaml``, else
``chapters/*.md``, else the folder's own ``*.md``, in name order.

Text is decoded as strict UTF-8 (a BOM is dropped), line ends become ``\\n``,
and NUL becomes U+FFFD, as CommonMark asks.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "essay.md").write_text("---\\ntitle: T\\nlang: en\\n---\\n# One\\n")
    >>> m = load(d / "essay.md")
    >>> m.metadata["title"], m.sources[0].first_line, m.slug
    ('T', 5, 'essay')
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .diagnostics import Diagnostic, error

METADATA_FILE = "book.yaml"


@dataclass(frozen=True, slots=True)
class Source:
    """One Markdown file: its path relative to the root, its text, the line its text starts on,
    and the ``title`` its own front matter gives it (Quarto's way to title a chapter), if any, and its
    ``type`` (front or back matter: ``dedication``, ``colophon``…, see :mod:`pipeline.matter`)."""

    path: str
    text: str
    first_line: int = 1
    title: str = ""
    matter: str = ""


@dataclass(frozen=True, slots=True)
class Manuscript:
    """A manuscript as found on disk, before parsing."""

    root: Path
    slug: str
    metadata: dict[str, Any]
    metadata_file: str
    sources: tuple[Source, ...]
    notes: tuple[Diagnostic, ...] = ()  # warnings found while loading; the parse stage reports them
    resource_paths: tuple[str, ...] = ()  # root-relative folders where images are also looked for
    split_at_h1: bool = False  # pandoc's way: each level-1 heading opens a chapter, whatever file it is in


def check_file(root: Path, rel: str, key: str, meta_file: str, code: str = "C001") -> Path:
    """The path of a file the metadata names under ``key`` (a bibliography, a style, the cover):
    inside the manuscript folder, and there; else the error ``code`` naming both."""
    path = root / rel
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        raise error(code, f"'{key}' names '{rel}', which is outside the manuscript folder",
                    "copy the file into the manuscript folder and give its path from there", meta_file) from None
    if not path.is_file():
        raise error(code, f"'{key}' names '{rel}', which does not exist",
                    "give the file's path relative to the manuscript folder (where book.yaml is)", meta_file)
    return path


def display_path(path: Path, cwd: Path | None = None) -> str:
    """``path`` relative to the working directory (``cwd``, resolved) when it is under it, for messages."""
    try:
        return str(path.resolve().relative_to(cwd or Path.cwd().resolve()))
    except ValueError:
        return str(path)


def read_text(path: Path, shown: str = "") -> str:
    """Read a text file as UTF-8, with a clear error naming the file (as ``shown``) if it is not."""
    shown = shown or display_path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise error("M001", f"cannot read '{shown}': {exc.strerror}",
                    "check that the file exists and is readable", shown) from None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise error("M002", f"'{shown}' is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})",
                    "re-save the file as UTF-8, e.g. `iconv -f windows-1252 -t utf-8`",
                    shown, line) from None
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\0" in text:
        text = text.replace("\0", "\ufffd")
    return text


MAX_YAML_ALIASES = 64


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe YAML loader that refuses duplicate keys and alias bombs.

    Only plain data is built (no ``!!python/…`` tags). A "billion laughs"
    document, whose aliases multiply into billions of nodes, is refused after
    :data:`MAX_YAML_ALIASES` aliases; real metadata uses a handful at most.
    """

    aliases = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            self.aliases += 1
            if self.aliases > MAX_YAML_ALIASES:
                event = self.peek_event()
                raise yaml.composer.ComposerError(
                    None, None, f"more than {MAX_YAML_ALIASES} aliases (*name): refused as an alias bomb",
                    event.start_mark)
        return super().compose_node(parent, index)


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if isinstance(key, (list, dict)):
            continue  # let SafeLoader report the unhashable key
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key '{key}' (first on line {seen[key]})", key_node.start_mark)
        seen[key] = key_node.start_mark.line + 1
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def parse_yaml(text: str, file: str, first_line: int = 1) -> dict[str, Any]:
    """Parse a YAML mapping safely; errors name the file and line."""
    data = _load_yaml(text, file, first_line)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise error("M004", "the metadata must be a mapping of keys to values",
                    "write one 'key: value' per line, e.g. 'title: My Book'", file, first_line)
    return data


def _load_yaml(text: str, file: str, first_line: int) -> Any:
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = first_line + mark.line if mark else first_line
        what = exc.problem or exc.context or "invalid YAML"
        raise error("M003", f"invalid YAML: {what}",
                    "fix the metadata syntax; quote values that contain ':' or start with '*', '&', '!'",
                    file, line) from None
    except yaml.YAMLError as exc:
        raise error("M003", f"invalid YAML: {exc}", "fix the metadata syntax", file, first_line) from None
    return data


# As in pandoc, the opening '---' must not be followed by a blank line (that is a thematic break).
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(?![ \t]*\n)(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)


def front_matter(text: str, file: str) -> tuple[dict[str, Any] | None, str, int]:
    """Split a ``---``-fenced YAML mapping off the top of ``text``.

    Returns (the mapping or None, the rest, the line the rest starts on). As in
    pandoc, a fenced block that is valid YAML but not a mapping (``---``, ``Foo``,
    ``---``) is Markdown, not metadata; invalid YAML is an error.
    """
    m = _FRONT_MATTER.match(text)
    if not m:
        return None, text, 1
    data = _load_yaml(m.group(1) or "", file, 2)
    if not isinstance(data, dict):
        return None, text, 1
    return data, text[m.end():], text[: m.end()].count("\n") + 1


def book_slug(name: str) -> str:
    return re.sub(r"[^\w.-]+", "-", name, flags=re.ASCII).strip("-") or "book"


def load(path: Path | str) -> Manuscript:
    """Load a manuscript folder or a single Markdown file."""
    path = Path(path)
    if path.is_dir():
        return _load_folder(path)
    if path.is_file():
        return _load_file(path)
    raise error("M005", f"manuscript '{path}' not found",
                "give a folder with book.yaml or a .md file", str(path))


MARKDOWN_SUFFIXES = (".md", ".markdown", ".qmd", ".txt", ".text")
# pandoc's title block: '% title', '% author; author', '% date'; a line starting with a space continues one
_TITLE_BLOCK = re.compile(r"\A((?:%[^\n]*\n(?:[ \t]+[^\n]*\n)*){1,3})")


def title_block(text: str) -> tuple[dict[str, Any], str, int]:
    r"""Pandoc's ``%`` title block at the top of ``text``: (metadata, the rest, its first line).

    >>> title_block("% The Title\n% Ann; Bob\n% 2001\n\n# One\n")
    ({'title': 'The Title', 'author': ['Ann', 'Bob'], 'date': '2001'}, '\n# One\n', 4)
    """
    m = _TITLE_BLOCK.match(text)
    if not m:
        return {}, text, 1
    fields: list[str] = []
    for line in m.group(1).splitlines():
        if line.startswith("%"):
            fields.append(line[1:].strip())
        else:
            fields[-1] += " " + line.strip()
    meta: dict[str, Any] = {}
    for key, value in zip(("title", "author", "date"), fields):
        if value:
            meta[key] = [a.strip() for a in value.split(";") if a.strip()] if key == "author" else value
    return meta, text[m.end():], m.group(1).count("\n") + 1


def _load_file(path: Path) -> Manuscript:
    shown = display_path(path)
    _check_markdown(path, shown)
    text = read_text(path)
    meta, body, first = front_matter(text, shown)
    if meta is None:
        meta, body, first = title_block(text)
    root = path.parent.resolve()
    return Manuscript(root, book_slug(path.stem), meta or {}, shown,
                      (Source(path.name, body, first),))


def _check_markdown(path: Path, shown: str) -> None:
    if path.suffix.lower() not in MARKDOWN_SUFFIXES:
        raise error("M016", f"'{shown}' is not a Markdown file",
                    "a chapter is a .md (or .qmd, .markdown) file; project files such as _quarto.yml "
                    "or metadata.yaml are not chapters", shown)


def _load_folder(folder: Path) -> Manuscript:
    meta_path = folder / METADATA_FILE
    if not meta_path.is_file():
        from .projects import find_project  # pandoc's metadata.yml and defaults files, Quarto's _quarto.yml

        found = find_project(folder)
        if found is not None:
            return found
    shown_meta = display_path(meta_path)
    meta: dict[str, Any] = {}
    if meta_path.is_file():
        meta = parse_yaml(read_text(meta_path), shown_meta)
    root = folder.resolve()
    files = _chapter_files(folder, meta, shown_meta)
    if not files:
        raise error("M006", f"no chapters found in '{display_path(folder)}'",
                    "list them under 'chapters:' in book.yaml, or add chapters/*.md", shown_meta)
    sources, notes = read_sources(files, root, meta, shown_meta)
    return Manuscript(root, book_slug(folder.resolve().name), meta, shown_meta, sources, notes)


def read_sources(files: list[Path], root: Path, meta: dict[str, Any], shown_meta: str,
                 first_is_metadata: bool = False, chapter_keys_to_book: bool = True,
                 ) -> tuple[tuple[Source, ...], tuple[Diagnostic, ...]]:
    """Read the chapter ``files`` (resolved, inside ``root``); their front matter goes into ``meta``.

    The first file's ``%`` title block (or, with ``first_is_metadata``, its YAML
    front matter, as pandoc reads joined files) is the book's metadata. Any other
    front matter's ``title`` titles its chapter (Quarto); its other keys become
    the book's metadata, with a warning (M105), unless ``meta`` already has them
    (or ``chapter_keys_to_book`` is off, as in a Quarto book, where they describe
    the chapter: then they are ignored, with the same warning).
    """
    sources = []
    notes: list[Diagnostic] = []
    cwd = Path.cwd().resolve()
    for n, f in enumerate(files):
        shown = str(f.relative_to(cwd)) if f.is_relative_to(cwd) else str(f)
        _check_markdown(f, shown)
        text = read_text(f, shown)
        chapter_meta, body, first = front_matter(text, shown)
        if n == 0 and (chapter_meta is None or first_is_metadata):
            if chapter_meta is None:
                chapter_meta, body, first = title_block(text)  # pandoc reads it from the first file
            meta.update({k: v for k, v in chapter_meta.items() if k not in meta or first_is_metadata})
            chapter_meta = None
        title = matter = ""
        for key, value in (chapter_meta or {}).items():
            if key == "title":
                title = str(value)  # the chapter's own title (Quarto), never the book's
            elif key == "type":
                matter = str(value)  # front or back matter: 'type: dedication' (pipeline.matter)
            elif not chapter_keys_to_book:
                notes.append(Diagnostic("M105", "warning", f"'{key}' in the front matter of a chapter is not used: "
                                        "a chapter's own metadata is not printed", "remove it, or set the book's "
                                        f"metadata in {shown_meta}", shown))
            elif key in meta:
                notes.append(Diagnostic("M105", "warning", f"'{key}' in the front matter of a chapter is ignored: "
                                        f"{shown_meta} sets it", "set the book's metadata in one place", shown))
            else:
                meta[key] = value
                notes.append(Diagnostic("M105", "warning", f"'{key}' in the front matter of a chapter is used as "
                                        "the book's metadata", f"move it to {shown_meta}", shown))
        sources.append(Source(f.relative_to(root).as_posix(), body, first, title, matter))
    return tuple(sources), tuple(notes)


def _chapter_files(folder: Path, meta: dict[str, Any], shown_meta: str) -> list[Path]:
    """The chapter files in reading order, each checked to be inside the manuscript."""
    listed = meta.get("chapters")
    if listed is not None:
        if not isinstance(listed, list) or not all(isinstance(x, str) for x in listed):
            raise error("M007", "'chapters' must be a list of file paths",
                        "write one '- chapters/01.md' line per chapter", shown_meta)
        found = [folder / name for name in listed]
        for name, p in zip(listed, found):
            if not p.is_file():
                raise error("M008", f"chapter file '{name}' not found",
                            "fix the path under 'chapters:'; paths are relative to book.yaml", shown_meta)
    else:
        sub = folder / "chapters"
        found = sorted((sub if sub.is_dir() else folder).glob("*.md"))
    root = folder.resolve()
    return [_inside(p, root, shown_meta) for p in found]


def _inside(path: Path, root: Path, shown: str) -> Path:
    """``path`` resolved, checked to be inside ``root`` (resolved)."""
    resolved = path.resolve()
    if not resolved.is_relative_to(root):
        raise error("M009", f"'{path}' is outside the manuscript folder",
                    "keep every file of the book inside its folder", shown)
    return resolved
