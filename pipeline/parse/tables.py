"""Pandoc's four kinds of table: a markdown-it plugin, and the conversion of its tokens to IR.

Takes: Markdown lines that make a simple, multiline or grid table (pandoc's
``simple_tables``, ``multiline_tables`` and ``grid_tables``), and the pipe
tables markdown-it's own ``table`` rule reads (``pipe_tables``).
Gives: tokens ``ptable_open`` (``meta``: ``aligns``, ``widths``), per section
``ptable_section_open`` (``meta["section"]``: head, body or foot), per row
``ptable_row_open``, per cell ``ptable_cell_open`` (``meta``: ``colspan``,
``rowspan``) followed by the cell's content and the matching ``…_close``
tokens. A simple or multiline cell holds one ``inline`` token (pandoc reads
those cells as plain text); a grid cell holds the block tokens of its text,
parsed as Markdown, with line maps that point into the chapter. A pipe table's
``table_open`` token gets ``meta["widths"]``. A grid table whose borders do not
line up gives a ``ptable_malformed`` token (``meta["message"]``) and its lines
as a code block: the text is kept, and :func:`convert_malformed` warns (P110).

The rules follow pandoc 3's Markdown reader: the order in which the kinds are
tried, column alignment from the header's position over the dashed line,
widths relative to pandoc's ``--columns`` (72), grid tables with row and column
spans, several header rows and a foot.

    >>> from markdown_it import MarkdownIt
    >>> md = MarkdownIt("commonmark").enable("table").use(pandoc_tables_plugin)
    >>> tokens = md.parse("  Right  Left\\n-------  ------\\n      1  2\\n")
    >>> tokens[0].type, tokens[0].meta["aligns"]
    ('ptable_open', ['right', 'left'])
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.token import Token

from .. import ir

COLUMNS = 72  # pandoc's --columns: a table wider than this in the source gets relative widths
MAX_NESTING = 8  # grid tables inside grid cells, at most this deep; deeper ones stay text
_PAD = "\x00"  # stands for the second column of a wide (CJK) character in a grid table
_DASHED = re.compile(r"( {0,3})((?:-+[ \t]*)+)")
_RUN = re.compile(r"(-+)([ \t]*)")
_GRID_BORDER = re.compile(r"\+(?:[-=:]+\+)+")
_CAPTION_LINE = re.compile(r" {0,3}(?:[Tt]able)?:\s+\S")  # pandoc's 'Table: caption' or ': caption'
_FOOTER = re.compile(r"^[ \t>]*-[- \t]*(?:\n[ \t>]*(?:\n|\Z)|\Z)", re.M)  # a dashed line, then a blank line
_BORDER_RUN = re.compile(r"(?<=\+)[-=:]+(?=\+)")


# ---------------------------------------------------------------- reading lines


def _line(state: StateBlock, n: int, end: int) -> str | None:
    """Line ``n`` relative to the container's indent (tabs expanded), "" when blank,
    None past the end or outside the container."""
    if n >= end:
        return None
    text = state.src[state.bMarks[n] + state.tShift[n]: state.eMarks[n]]
    if not text.strip():
        return ""
    if state.sCount[n] < state.blkIndent:
        return None
    return " " * (state.sCount[n] - state.blkIndent) + text.expandtabs(4).rstrip()


def _dashed(line: str | None) -> tuple[int, list[tuple[int, int]]] | None:
    """A line of dash runs: (indent, [(dashes, dashes + spaces)]), as pandoc's ``dashedLine``."""
    if line is None:
        return None
    m = _DASHED.fullmatch(line)
    if not m:
        return None
    return len(m.group(1)), [(len(d), len(d) + len(s)) for d, s in _RUN.findall(m.group(2))]


def _split(line: str, indices: list[int]) -> list[str]:
    """The columns of ``line``: from each index to the next; the last runs to the line's end."""
    cuts = indices[:-1]
    return [line[a:b] for a, b in zip(cuts, cuts[1:])] + [line[cuts[-1]:]]


def _align(texts: list[str], dashes: int) -> str:
    """pandoc's ``alignType``: from the shortest non-empty text of a column over its dashes."""
    nonempty = sorted((t.rstrip() for t in texts if t.rstrip()), key=len)
    if not nonempty:
        return ""
    left, right = nonempty[0][0] in " \t", len(nonempty[0]) < dashes
    return {(True, False): "right", (False, True): "left", (True, True): "center"}.get((left, right), "")


def _widths(indices: list[int]) -> list[float]:
    """pandoc's ``widthsFromIndices``: each column's share of max(72, the table's width)."""
    lengths = [b - a for a, b in zip([0, *indices], indices)]
    if len(lengths) >= 2 and lengths[-1] < lengths[-2] and lengths[-2] - lengths[-1] <= 2:
        lengths[-1] = lengths[-2]  # intercolumn spaces count in every column but the last
    total = sum(lengths)
    quotient = max(total, max(COLUMNS, indices[-1]))
    return [n / quotient for n in lengths[1:]]


def _normalised(widths: list[float]) -> list[float]:
    """pandoc renormalises widths that add up to more than the text width; zeros mean 'none'."""
    total = sum(widths)
    if not widths or total <= 0:
        return []
    return [w / total for w in widths] if total >= 1 else widths


def _is_footer(lines: Callable[[int], str | None], n: int) -> bool:
    """A dashed line followed by a blank line or the end (pandoc's ``tableFooter``)."""
    return _dashed(lines(n)) is not None and not lines(n + 1)


# ---------------------------------------------------------------- simple and multiline tables


@dataclass
class _Parsed:
    """A table read from the source: what the token emitter needs."""

    aligns: list[str]
    widths: list[float]
    head: list[list[_CellText]]
    body: list[list[_CellText]]
    foot: list[list[_CellText]]
    end: int  # the first line after the table


@dataclass
class _CellText:
    """A cell's text and the line it starts on, counted from the table's first line."""

    text: str
    line: int
    colspan: int = 1
    rowspan: int = 1
    blocks: bool = False  # parse as blocks (grid) rather than as one line of inlines


def _simple(lines: Callable[[int], str | None], start: int, headless: bool) -> _Parsed | None:
    first = lines(start)
    if not first:
        return None
    sep = start if headless else start + 1
    dashed = _dashed(lines(sep))
    if dashed is None or (not headless and _dashed(first) is not None):
        return None
    indent, runs = dashed
    if not headless and len(runs) < 2:
        return None  # 'Text' over one run of dashes is a setext heading, in pandoc too
    indices = [indent]
    for _, total in runs:
        indices.append(indices[-1] + total)
    sample = lines(sep + 1) if headless else first
    if not sample or _is_footer(lines, sep + 1):
        return None
    raw_heads = _split(sample, indices)
    aligns = [_align([t], d) for t, (d, _) in zip(raw_heads, runs)]
    head = [] if headless else [[_CellText(t.strip(), 0) for t in raw_heads]]
    body: list[list[_CellText]] = []
    n = sep + 1
    while (text := lines(n)) and not _is_footer(lines, n):
        body.append([_CellText(t.strip(), n - start) for t in _split(text, indices)])
        n += 1
    if not body:
        return None
    if _is_footer(lines, n):
        n += 1
    elif headless:
        return None
    return _Parsed(aligns, [], head, body, [], n)


def _multiline(lines: Callable[[int], str | None], start: int, headless: bool) -> _Parsed | None:
    n = start
    header_lines: list[tuple[int, str]] = []
    if not headless:
        if _dashed(lines(n)) is None or not lines(n + 1):
            return None
        n += 1
        while (text := lines(n)) is not None and _dashed(text) is None:
            header_lines.append((n, text))
            n += 1
        if not header_lines:
            return None
    dashed = _dashed(lines(n))
    if dashed is None:
        return None
    indent, runs = dashed
    indices = [indent]
    for _, total in runs:
        indices.append(indices[-1] + total)
    indices[-1] += 1  # pandoc: the last column gets the intercolumn space the others have
    if headless:
        sample = lines(n + 1)
        if not sample:
            return None
        columns = [[t] for t in _split(sample, indices)]
    else:
        columns = [list(col) for col in zip(*(_split(t, indices) for _, t in header_lines))]
    aligns = [_align(col, d) for col, (d, _) in zip(columns, runs)]
    head = [] if headless else [[_CellText("\n".join(t.strip() for t in col).strip(), header_lines[0][0] - start)
                                 for col in columns]]
    n += 1
    body: list[list[_CellText]] = []
    while True:
        row_lines: list[tuple[int, str]] = []
        while (text := lines(n)) and not _is_footer(lines, n):
            row_lines.append((n, text))
            n += 1
        if not row_lines:
            break
        cols = zip(*(_split(t, indices) for _, t in row_lines))
        body.append([_CellText("\n".join(t.strip() for t in col).strip(), row_lines[0][0] - start) for col in cols])
        while lines(n) == "":
            n += 1
    if not body or not _is_footer(lines, n):
        return None
    return _Parsed(aligns, _normalised(_widths(indices)), head, body, [], n + 1)


# ---------------------------------------------------------------- grid tables


class GridError(ValueError):
    """A grid table whose borders do not line up; ``line`` is its 0-based line in the table."""

    def __init__(self, message: str, line: int):
        super().__init__(message)
        self.line = line


def _columns(text: str) -> list[str]:
    """A line as display columns: a wide character takes two (the second is a pad)."""
    out: list[str] = []
    for ch in text:
        out.append(ch)
        if unicodedata.east_asian_width(ch) in ("W", "F"):
            out.append(_PAD)
    return out


def parse_grid(lines: list[str]) -> _Parsed:
    """Read a grid table (its lines, the first one a ``+---+`` border) into cells with spans.

    Cells are traced as rectangles from their top-left corners, so spans come
    out as they are drawn. Raises :class:`GridError` on ragged or broken borders.

    >>> t = parse_grid(["+---+---+", "| a | b |", "+===+===+", "| spans |", "+-------+"])
    >>> [[c.text.strip() for c in row] for row in t.head], [(c.text.strip(), c.colspan) for c in t.body[0]]
    ([['a', 'b']], [('spans', 2)])
    """
    grid = [_columns(line) for line in lines]
    width = len(grid[0])
    for k, row in enumerate(grid):
        if len(row) != width:
            raise GridError(f"line {k + 1} of the grid table is {len(row)} columns wide, "
                            f"its top border {width}", k)
        if row[0] not in "+|" or row[-1] not in "+|":
            raise GridError("a line of the grid table does not start and end with '|' or '+'", k)
    borders = ["".join(r) for r in grid]
    eq_lines = [k for k, t in enumerate(borders) if k and _GRID_BORDER.fullmatch(t) and "=" in t]
    foot_start = eq_lines[-2] if len(eq_lines) >= 2 and eq_lines[-1] == len(grid) - 1 else None
    head_sep = eq_lines[0] if eq_lines and eq_lines[0] != foot_start and eq_lines[0] != len(grid) - 1 else None
    for k, t in enumerate(borders):  # '=' and ':' in borders read as '-'
        grid[k] = list(_BORDER_RUN.sub(lambda m: "-" * len(m.group(0)), t))
    cells = _trace(grid)
    # a '+' on any cell's edge marks a row or column boundary, so a '+' that splits
    # one cell's border makes its neighbour span two columns (or rows), as pandoc reads it
    rows = sorted({r for top, left, bottom, right in cells for r in range(top, bottom + 1)
                   if grid[r][left] == "+" or grid[r][right] == "+"})
    cols = sorted({c for top, left, bottom, right in cells for c in range(left, right + 1)
                   if grid[top][c] == "+" or grid[bottom][c] == "+"})
    marks = borders[head_sep] if head_sep is not None else borders[0]
    aligns = []
    for a, b in zip(cols, cols[1:]):
        left, right = marks[a + 1] == ":", marks[b - 1] == ":"
        aligns.append({(True, False): "left", (False, True): "right", (True, True): "center"}.get((left, right), ""))
    lengths = [b - a for a, b in zip(cols, cols[1:])]
    quotient = max(sum(lengths), COLUMNS)
    sections: dict[str, list[list[_CellText]]] = {"head": [], "body": [], "foot": []}
    by_row: dict[int, list[tuple[int, _CellText]]] = {r: [] for r in rows[:-1]}
    for top, left, bottom, right in cells:
        text = _cell_text(grid, top, left, bottom, right)
        cell = _CellText(text, top + 1, cols.index(right) - cols.index(left),
                         rows.index(bottom) - rows.index(top), blocks=True)
        by_row[top].append((left, cell))
    for r in rows[:-1]:
        section = ("head" if head_sep is not None and r < head_sep else
                   "foot" if foot_start is not None and r >= foot_start else "body")
        sections[section].append([c for _, c in sorted(by_row[r], key=lambda x: x[0])])
    return _Parsed(aligns, _normalised([n / quotient for n in lengths]),
                   sections["head"], sections["body"], sections["foot"], len(lines))


def _trace(grid: list[list[str]]) -> list[tuple[int, int, int, int]]:
    """Every cell as (top, left, bottom, right): the lines and columns of its corners."""
    bottom_line, right_col = len(grid) - 1, len(grid[0]) - 1
    if grid[0][0] != "+" or grid[bottom_line][0] != "+":
        raise GridError("a grid table starts and ends with a '+---+' border", 0)
    done = [0] * right_col  # per column, the line down to which cells are traced
    corners = [(0, 0)]
    cells = []
    while corners:
        top, left = corners.pop(0)
        if top == bottom_line or left == right_col or top < done[left]:
            continue
        found = _scan_cell(grid, top, left)
        if found is None:
            continue
        bottom, right = found
        if any(done[c] != top for c in range(left, right)):
            raise GridError("cells of the grid table overlap", top)
        for c in range(left, right):
            done[c] = bottom
        cells.append((top, left, bottom, right))
        corners.extend([(top, right), (bottom, left)])
        corners.sort()
    for c, line in enumerate(done):
        if line != bottom_line:
            raise GridError(f"the grid table's borders are broken near column {c + 1}", line)
    return cells


def _scan_cell(grid: list[list[str]], top: int, left: int) -> tuple[int, int] | None:
    """The bottom-right corner of the cell whose top-left corner is at (top, left), if it closes."""
    line = grid[top]
    for right in range(left + 1, len(line)):
        ch = line[right]
        if ch == "+":
            bottom = _scan_down(grid, top, left, right)
            if bottom is not None:
                return bottom, right
        elif ch != "-":
            return None
    return None


def _scan_down(grid: list[list[str]], top: int, left: int, right: int) -> int | None:
    for bottom in range(top + 1, len(grid)):
        ch = grid[bottom][right]
        if ch == "+":
            if _closes(grid, top, left, bottom, right):
                return bottom
        elif ch != "|":
            return None
    return None


def _closes(grid: list[list[str]], top: int, left: int, bottom: int, right: int) -> bool:
    """Whether the bottom edge runs back to the left corner and the left edge up to the top."""
    if grid[bottom][left] != "+" or any(grid[bottom][c] not in "-+" for c in range(left + 1, right)):
        return False
    return all(grid[r][left] in "|+" for r in range(top + 1, bottom))


def _cell_text(grid: list[list[str]], top: int, left: int, bottom: int, right: int) -> str:
    """A cell's text: its lines, less one leading space when every line has one (as pandoc)."""
    lines = ["".join(grid[r][left + 1:right]).replace(_PAD, "").rstrip() for r in range(top + 1, bottom)]
    if all(not t or t.startswith(" ") for t in lines):
        lines = [t[1:] for t in lines]
    return "\n".join(lines).strip("\n") + "\n" if any(lines) else ""


# ---------------------------------------------------------------- the block rules


def _reader(state: StateBlock, end: int) -> Callable[[int], str | None]:
    return lambda n: _line(state, n, end)


def _pandoc_table(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """Simple and multiline tables, tried in pandoc's order."""
    lines = _reader(state, end)
    if state.sCount[start] - state.blkIndent >= 4 and not (
            start + 1 < end and state.sCount[start + 1] - state.blkIndent < 4 and _dashed(lines(start + 1))):
        return False  # indented code, unless it is a header row whose first cell is empty
    first = lines(start)
    if not first or (first.lstrip()[0] != "-" and _dashed(lines(start + 1)) is None):
        return False
    # every kind but a simple table with a header ends with a dashed line and a blank line:
    # without one further on, they are not tried (else each '---' line would read to the end)
    footer = start + 1 < end and _footer_after(state, state.bMarks[start + 1], state.eMarks[end - 1] + 1)
    parsed = ((_multiline(lines, start, False) or _simple(lines, start, True)) if footer else None) \
        or _simple(lines, start, False) or (_multiline(lines, start, True) if footer else None)
    if parsed is None:
        return False
    if not silent:
        _emit(state, parsed, start)
    state.line = parsed.end
    return True


def _footer_after(state: StateBlock, pos: int, limit: int) -> bool:
    """Whether a dashed line and a blank line follow ``pos``; the last answer is remembered,
    so a chapter of many '---' lines is searched once, not once per line."""
    cache = state.env.get("_ptable_footer")
    if cache and cache[0] is state.src and cache[1] <= pos and cache[3] == limit \
            and (cache[2] is None or cache[2] >= pos):
        return cache[2] is not None
    m = _FOOTER.search(state.src, pos, limit)
    state.env["_ptable_footer"] = (state.src, pos, m.start() if m else None, limit)
    return m is not None


def _grid_table(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """Grid tables: ``+---+`` borders, ``|`` between cells."""
    if state.sCount[start] - state.blkIndent >= 4:
        return False
    lines = _reader(state, end)
    first = lines(start)
    if not first:
        return False
    indent = len(first) - len(first.lstrip(" "))
    if not _GRID_BORDER.fullmatch(first[indent:]):
        return False
    table = [first[indent:]]
    n = start + 1
    while (text := lines(n)) and text[:indent].strip() == "" and text[indent:indent + 1] in ("+", "|"):
        table.append(text[indent:])
        n += 1
    if len(table) < 2:
        return False
    if silent:
        return True
    depth = state.env.get("_ptable_depth", 0)
    try:
        if depth >= MAX_NESTING:
            raise GridError(f"grid tables nested more than {MAX_NESTING} deep", 0)
        parsed = parse_grid(table)
    except GridError as exc:
        token = state.push("ptable_malformed", "", 0)
        token.map = [start + exc.line, start + exc.line + 1]
        token.meta = {"message": str(exc)}
        token = state.push("code_block", "code", 0)
        token.content = "\n".join(table) + "\n"
        token.map = [start, n]
        state.line = n
        return True
    state.env["_ptable_depth"] = depth + 1
    try:
        _emit(state, parsed, start)
    finally:
        state.env["_ptable_depth"] = depth
    state.line = n
    return True


def _emit(state: StateBlock, table: _Parsed, start: int) -> None:
    token = state.push("ptable_open", "table", 1)
    token.map = [start, table.end]
    token.meta = {"aligns": table.aligns, "widths": table.widths}
    for name, rows in (("head", table.head), ("body", table.body), ("foot", table.foot)):
        if not rows:
            continue
        state.push("ptable_section_open", "t" + name, 1).meta = {"section": name}
        for row in rows:
            state.push("ptable_row_open", "tr", 1)
            for cell in row:
                token = state.push("ptable_cell_open", "td", 1)
                token.meta = {"colspan": cell.colspan, "rowspan": cell.rowspan}
                token.map = [start + cell.line, start + cell.line + 1]
                if cell.blocks:
                    first = len(state.tokens)
                    state.md.block.parse(cell.text, state.md, state.env, state.tokens)
                    for t in state.tokens[first:]:
                        if t.map:
                            t.map = [t.map[0] + start + cell.line, t.map[1] + start + cell.line]
                elif cell.text:
                    token = state.push("inline", "", 0)
                    token.content = cell.text
                    token.map = [start + cell.line, start + cell.line + 1]
                    token.children = []
                state.push("ptable_cell_close", "td", -1)
            state.push("ptable_row_close", "tr", -1)
        state.push("ptable_section_close", "t" + name, -1)
    state.push("ptable_close", "table", -1)


_PIPE_SEP_CELL = re.compile(r"\s*(:?)(-+)(:?)\s*")


def _pipe_widths(state: StateBlock, start: int, end: int) -> list[float]:
    """pandoc's widths for a pipe table: when a line of it is longer than 72 characters,
    each column gets the share of the separator line's dashes (and colons) it has."""
    lines = [state.src[state.bMarks[n] + state.tShift[n]: state.eMarks[n]].strip() for n in range(start, end)]
    if len(lines) < 2 or max(len(t) for t in lines) <= COLUMNS:
        return []
    sep = lines[1].strip()
    sep = sep[1:] if sep.startswith("|") else sep
    sep = sep[:-1] if sep.endswith("|") else sep
    lengths = []
    for part in sep.split("|"):
        m = _PIPE_SEP_CELL.fullmatch(part)
        lengths.append(len(m.group(1) + m.group(2) + m.group(3)) if m else 0)
    total = sum(lengths)
    return [n / total for n in lengths] if total else []


def pandoc_tables_plugin(md: MarkdownIt) -> None:
    """Add grid, simple and multiline tables before markdown-it's pipe tables, and give
    pipe tables pandoc's relative widths."""
    rule = next(r for r in md.block.ruler.__rules__ if r.name == "table")
    pipe = rule.fn

    def pipe_table(state: StateBlock, start: int, end: int, silent: bool) -> bool:
        first = len(state.tokens)
        if not pipe(state, start, end, silent):
            return False
        if not silent and first < len(state.tokens) and state.tokens[first].type == "table_open":
            state.tokens[first].meta = {"widths": _pipe_widths(state, start, state.line)}
        return True

    md.block.ruler.at("table", pipe_table, {"alt": list(rule.alt)})
    md.block.ruler.before("table", "grid_table", _grid_table)
    md.block.ruler.before("table", "pandoc_table", _pandoc_table)
    deflist = next((r for r in md.block.ruler.__rules__ if r.name == "deflist"), None)
    if deflist is None:
        return
    starts_table = (_grid_table, _pandoc_table, pipe_table)
    definitions = deflist.fn

    def table_at(state: StateBlock, n: int, end: int) -> bool:
        line = state.line
        try:
            return n < end and any(rule(state, n, end, True) for rule in starts_table)
        finally:
            state.line = line

    def deflist_unless_caption(state: StateBlock, start: int, end: int, silent: bool) -> bool:
        """A table's caption is no definition (': caption' looks like one): neither a caption
        right after a table, nor a paragraph, then ': caption', then a table."""
        lines = _reader(state, end)
        if _CAPTION_LINE.match(lines(start) or "") and state.tokens and \
                state.tokens[-1].type in ("ptable_close", "table_close"):
            return False
        n = start + 1 if lines(start + 1) else start + 2
        if _CAPTION_LINE.match(lines(n) or ""):
            while lines(n):
                n += 1
            while lines(n) == "":
                n += 1
            if table_at(state, n, end):
                return False
        return definitions(state, start, end, silent)

    md.block.ruler.at("deflist", deflist_unless_caption, {"alt": list(deflist.alt)})


# ---------------------------------------------------------------- tokens to IR


class _Converts(Protocol):
    """What the Markdown converter offers the table rules (see ``markdown._Converter``)."""

    tokens: list[Token]

    def line(self, token: Token) -> int: ...
    def warn(self, code: str, message: str, hint: str, line: int) -> None: ...
    def blocks(self, i: int, end: int, stop: str | None) -> tuple[tuple[ir.Block, ...], int]: ...
    def inlines(self, children: list[Token], inline: Token, line: int) -> tuple[ir.Inline, ...]: ...


def convert_table(conv: _Converts, i: int) -> tuple[list[ir.Block], int]:
    """``ptable_open`` … ``ptable_close`` as an :class:`ir.Table`."""
    tokens = conv.tokens
    t = tokens[i]
    line = conv.line(t)
    sections: dict[str, list[tuple[ir.Cell, ...]]] = {"head": [], "body": [], "foot": []}
    rows = sections["body"]
    row: list[ir.Cell] = []
    j = i + 1
    while tokens[j].type != "ptable_close":
        tk = tokens[j]
        if tk.type == "ptable_section_open":
            rows = sections[tk.meta["section"]]
        elif tk.type == "ptable_row_open":
            row = []
        elif tk.type == "ptable_row_close":
            rows.append(tuple(row))
        elif tk.type == "ptable_cell_open":
            blocks: tuple[ir.Block, ...] = ()
            if tokens[j + 1].type == "inline":
                inline = tokens[j + 1]
                cell_line = conv.line(inline) or line
                inlines = conv.inlines(inline.children or [], inline, cell_line)
                blocks = (ir.Para(inlines, line=cell_line),) if inlines else ()
                j += 1
            elif tokens[j + 1].type != "ptable_cell_close":
                blocks, j = conv.blocks(j + 1, len(tokens), "ptable_cell_close")
                j -= 1
            row.append(ir.Cell(blocks, tk.meta["colspan"], tk.meta["rowspan"]))
            j += 1  # the cell's close
        j += 1
    table = make_table(t.meta["aligns"], sections["head"], sections["body"], t.meta["widths"],
                       sections["foot"], line)
    return [table], j + 1


def make_table(aligns: list[str] | tuple[str, ...], head: list[tuple[ir.Cell, ...]],
               body: list[tuple[ir.Cell, ...]], widths: list[float] | tuple[float, ...] = (),
               foot: list[tuple[ir.Cell, ...]] | tuple[tuple[ir.Cell, ...], ...] = (), line: int = 0) -> ir.Table:
    """An :class:`ir.Table`; a header of only empty cells is no header (no empty ``<th>``)."""
    if all(not c.blocks for r in head for c in r):
        head = []
    return ir.Table((), tuple(aligns), tuple(head), tuple(body), tuple(widths), tuple(foot), line=line)


def convert_malformed(conv: _Converts, i: int) -> tuple[list[ir.Block], int]:
    """A grid table that could not be read: a warning; its text follows as a code block."""
    t = conv.tokens[i]
    conv.warn("P110", f"this grid table cannot be read ({t.meta['message']}); its text is kept as it is",
              "line up every '+' and '|' of the table: each line as wide as its top border, "
              "each cell closed by '+' corners", conv.line(t))
    return [], i + 1


__all__ = ["pandoc_tables_plugin", "parse_grid", "convert_table", "convert_malformed", "make_table",
           "GridError", "COLUMNS"]
