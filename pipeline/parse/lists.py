"""Pandoc's list kinds for markdown-it: fancy ordered lists, example lists and task lists.

Takes: Markdown list items. Besides CommonMark's ``-``, ``1.`` and ``1)``, the
ordered markers of pandoc's ``fancy_lists`` and ``example_lists``: ``(1)``,
``a.``, ``A)``, ``(iv)``, ``IV.``, ``#.`` (the next number), ``(@)`` and
``(@label)`` (examples); and task items ``- [ ]``, ``- [x]``.
Gives: markdown-it's own list tokens, with what pandoc keeps in
``ListAttributes`` in ``ordered_list_open.meta`` (``style``, ``delim``,
``example``) and, on ``list_item_open.meta``, an example's ``label`` and a
task's ``checked``. :func:`task_glyph` and :class:`Examples` turn those into IR.

Pandoc's rules, checked against pandoc 3.9:

- a list ends, and a new one starts, when the numbering style or the
  delimiter changes (``1.`` then ``a.``; ``a.`` then ``b)``); ``#`` stands for
  a decimal number;
- a single letter ``i``/``I`` starts a roman list, any other single letter an
  alphabetic one; inside a list, a marker is read in the list's own style
  (``h. i. j.`` is alphabetic);
- an upper-case letter followed by a period needs two spaces (or a tab)
  after it, so that "B. Russell" stays a paragraph; so does a one-letter
  upper-case roman numeral (``I.``, ``V.``, ``X.``…);
- a fancy marker never interrupts a paragraph (outside a list item), as in
  pandoc; CommonMark's ``1.``/``1)``/``-`` still may, as CommonMark says.

    >>> parse_marker("(iv) four")
    Marker(end=4, number=4, style='lower-roman', delim='two-parens', label='', example=False, hash=False)
    >>> parse_marker("B. Russell") is None, parse_marker("B.  Russell").style
    (True, 'upper-alpha')
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_block.list import markTightParagraphs, skipBulletListMarker

from .. import ir

# an opening parenthesis, the number (digits, '#', '@label' or letters), the delimiter
_MARKER = re.compile(r"(\()?([0-9]{1,9}|#|@[\w-]*|[A-Za-z]{1,12})([.)])")
_ROMAN = re.compile(r"M{0,4}(CM|CD|D?C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})")
_ROMAN_VALUES = {"M": 1000, "D": 500, "C": 100, "L": 50, "X": 10, "V": 5, "I": 1}
UNCHECKED, CHECKED = "\u2610", "\u2612"  # ☐ ☒, as pandoc's task_lists writes them


@dataclass(frozen=True, slots=True)
class Marker:
    """An ordered list marker: where its text ends, its number, style and delimiter."""

    end: int
    number: int
    style: str        # one of ir.LIST_STYLES
    delim: str        # one of ir.LIST_DELIMS
    label: str = ""   # (@label)
    example: bool = False
    hash: bool = False  # '#': numbered by its place


def roman_value(letters: str) -> int:
    """The value of a roman numeral in one case, or 0 when it is not one.

    >>> roman_value("xiv"), roman_value("IIII"), roman_value("ic")
    (14, 0, 0)
    """
    upper = letters.upper()
    if not upper or not _ROMAN.fullmatch(upper) or not (letters.islower() or letters.isupper()):
        return 0
    total = 0
    for i, c in enumerate(upper):
        v = _ROMAN_VALUES[c]
        total += -v if i + 1 < len(upper) and _ROMAN_VALUES[upper[i + 1]] > v else v
    return total


def _readings(body: str) -> list[tuple[str, int]]:
    """The (style, number) readings of a marker's letters, most likely first."""
    case = "lower" if body.islower() else "upper" if body.isupper() else ""
    if not case:
        return []
    out = []
    if len(body) == 1:
        out.append((f"{case}-alpha", ord(body.lower()) - ord("a") + 1))
    value = roman_value(body)
    if value:
        roman = (f"{case}-roman", value)
        out.insert(0 if body in "iI" else len(out), roman)  # 'i' alone starts a roman list, 'c' an alphabetic one
    return out


def parse_marker(line: str, expect: tuple[str, str] | None = None) -> Marker | None:
    """Read an ordered list marker at the start of ``line`` (pandoc's ``fancy_lists``).

    ``expect`` is the (style, delimiter) of the list being continued: an
    ambiguous marker (``i.``, ``v.``) is read in that style when it can be.
    """
    m = _MARKER.match(line)
    if not m:
        return None
    paren, body, close = m.groups()
    if paren and close != ")":
        return None
    delim = "two-parens" if paren else "period" if close == "." else "one-paren"
    rest = line[m.end():]
    if rest and rest[0] not in " \t":
        return None
    if body.isdigit():
        return Marker(m.end(), int(body), "decimal", delim)
    if body == "#":
        return Marker(m.end(), 1, "decimal", delim, hash=True)
    if body.startswith("@"):
        return Marker(m.end(), 1, "decimal", delim, label=body[1:], example=True)
    readings = _readings(body)
    if expect:
        readings.sort(key=lambda r: r[0] != expect[0])
    if not readings:
        return None
    style, number = readings[0]
    if (delim == "period" and style.startswith("upper") and len(body) == 1
            and not (rest.startswith("  ") or rest.startswith("\t"))):
        return None  # "B. Russell": an initial, not a list item
    return Marker(m.end(), number, style, delim)


def _continues(first: Marker, marker: Marker | None) -> bool:
    """Whether ``marker`` is an item of the list that ``first`` opened."""
    return (marker is not None and marker.style == first.style and marker.delim == first.delim
            and marker.example == first.example)


def _ordered_marker(state: StateBlock, line: int, expect: tuple[str, str] | None = None) -> Marker | None:
    start = state.bMarks[line] + state.tShift[line]
    marker = parse_marker(state.src[start:state.eMarks[line]], expect)
    return None if marker is None else Marker(start + marker.end, marker.number, marker.style, marker.delim,
                                              marker.label, marker.example, marker.hash)


def _commonmark(marker: Marker) -> bool:
    """``1.`` or ``1)``: a marker CommonMark knows, which may interrupt a paragraph."""
    return marker.style == "decimal" and marker.delim != "two-parens" and not (marker.hash or marker.example)


def _checkbox(src: str, pos: int, maximum: int) -> bool | None:
    """``[ ]`` (False) or ``[x]``/``[X]`` (True) followed by a space at ``pos``, else None."""
    if pos + 4 > maximum or src[pos] != "[" or src[pos + 2] != "]" or src[pos + 3] not in " \t":
        return None
    return {" ": False, "x": True, "X": True}.get(src[pos + 1])


def list_block(state: StateBlock, startLine: int, endLine: int, silent: bool) -> bool:
    """markdown-it's list rule with pandoc's markers: the rule as markdown-it-py 4 writes it,
    with the marker reader and the "same list" test replaced, and task boxes read."""
    if state.is_code_block(startLine):
        return False
    if (state.listIndent >= 0 and state.sCount[startLine] - state.listIndent >= 4
            and state.sCount[startLine] < state.blkIndent):
        return False
    terminating = silent and state.parentType == "paragraph" and state.sCount[startLine] >= state.blkIndent

    marker = _ordered_marker(state, startLine)
    if marker is not None:
        ordered = True
        posAfterMarker = marker.end
        if terminating and not (_commonmark(marker) and marker.number == 1) and state.listIndent < 0:
            return False
    else:
        ordered = False
        posAfterMarker = skipBulletListMarker(state, startLine)
        if posAfterMarker < 0:
            return False
    if terminating and state.skipSpaces(posAfterMarker) >= state.eMarks[startLine]:
        return False
    markerChar = state.src[posAfterMarker - 1]
    if silent:
        return True

    listTokIdx = len(state.tokens)
    if ordered:
        assert marker is not None
        first = marker
        token = state.push("ordered_list_open", "ol", 1)
        if marker.number != 1:
            token.attrs = {"start": marker.number}
        token.meta = {"style": marker.style, "delim": marker.delim, "example": marker.example}
    else:
        token = state.push("bullet_list_open", "ul", 1)
    token.map = listLines = [startLine, 0]
    token.markup = markerChar

    nextLine = startLine
    prevEmptyEnd = False
    tight = True
    terminatorRules = state.md.block.ruler.getRules("list")
    oldParentType = state.parentType
    state.parentType = "list"

    while nextLine < endLine:
        pos = posAfterMarker
        maximum = state.eMarks[nextLine]
        initial = offset = state.sCount[nextLine] + posAfterMarker - (state.bMarks[startLine] + state.tShift[startLine])
        while pos < maximum:
            ch = state.src[pos]
            if ch == "\t":
                offset += 4 - (offset + state.bsCount[nextLine]) % 4
            elif ch == " ":
                offset += 1
            else:
                break
            pos += 1
        contentStart = pos
        indentAfterMarker = 1 if contentStart >= maximum else offset - initial
        if indentAfterMarker > 4:
            indentAfterMarker = 1
        indent = initial + indentAfterMarker

        token = state.push("list_item_open", "li", 1)
        token.markup = markerChar
        token.map = itemLines = [startLine, 0]
        token.meta = {}
        if ordered and marker is not None and marker.example:
            token.meta["label"] = marker.label

        oldTight = state.tight
        oldBMark = state.bMarks[startLine]
        oldTShift = state.tShift[startLine]
        oldSCount = state.sCount[startLine]
        oldListIndent = state.listIndent
        state.listIndent = state.blkIndent
        state.blkIndent = indent
        state.tight = True
        state.tShift[startLine] = contentStart - state.bMarks[startLine]
        state.sCount[startLine] = offset

        checked = None if state.is_code_block(startLine) else _checkbox(state.src, contentStart, maximum)
        if checked is not None:  # pandoc's task_lists: the box becomes ☐ or ☒ (see task_glyph)
            token.meta["checked"] = checked
            state.bMarks[startLine] = contentStart + 4
            state.tShift[startLine] = 0

        if contentStart >= maximum and state.isEmpty(startLine + 1):
            state.line = min(state.line + 2, endLine)
        else:
            state.md.block.tokenize(state, startLine, endLine)

        if (not state.tight) or prevEmptyEnd:
            tight = False
        prevEmptyEnd = (state.line - startLine) > 1 and state.isEmpty(state.line - 1)

        state.blkIndent = state.listIndent
        state.listIndent = oldListIndent
        state.bMarks[startLine] = oldBMark
        state.tShift[startLine] = oldTShift
        state.sCount[startLine] = oldSCount
        state.tight = oldTight

        token = state.push("list_item_close", "li", -1)
        token.markup = markerChar

        nextLine = startLine = state.line
        itemLines[1] = nextLine
        if nextLine >= endLine:
            break
        if state.sCount[nextLine] < state.blkIndent or state.is_code_block(startLine):
            break
        if any(rule(state, nextLine, endLine, True) for rule in terminatorRules):
            break
        if ordered:
            marker = _ordered_marker(state, nextLine, (first.style, first.delim))
            if not _continues(first, marker):
                break
            assert marker is not None
            posAfterMarker = marker.end
        else:
            posAfterMarker = skipBulletListMarker(state, nextLine)
            if posAfterMarker < 0 or markerChar != state.src[posAfterMarker - 1]:
                break

    token = state.push("ordered_list_close" if ordered else "bullet_list_close", "ol" if ordered else "ul", -1)
    token.markup = markerChar
    listLines[1] = nextLine
    state.line = nextLine
    state.parentType = oldParentType
    if tight:
        markTightParagraphs(state, listTokIdx)
    return True


def pandoc_lists_plugin(md: MarkdownIt) -> None:
    """Replace markdown-it's list rule with :func:`list_block` (same name, same place)."""
    md.block.ruler.at("list", list_block, {"alt": ["paragraph", "reference", "blockquote"]})


# ---------------------------------------------------------------- to IR


def task_glyph(blocks: tuple[ir.Block, ...], checked: bool) -> tuple[ir.Block, ...]:
    """A task item's blocks, opening with ☐ or ☒ and a space, as pandoc's reader makes them.

    >>> task_glyph((ir.Para((ir.Text("done"),)),), True)[0].inlines
    (Text(text='☒ done', attr=Attr(id='', classes=(), kv=())),)
    """
    box = ir.Text((CHECKED if checked else UNCHECKED) + " ")
    if blocks and isinstance(blocks[0], ir.Para):
        first = blocks[0]
        inlines = first.inlines
        if inlines and isinstance(inlines[0], ir.Text) and inlines[0].attr == ir.NO_ATTR:
            inlines = (ir.Text(box.text + inlines[0].text), *inlines[1:])
        else:
            inlines = (box, *inlines)
        return (ir.Para(inlines, first.attr, first.line), *blocks[1:])
    return (ir.Para((ir.Text(box.text.rstrip()),)), *blocks)


@dataclass
class Examples:
    """Pandoc's example lists through a whole book: the next number and each label's number."""

    next: int = 1
    labels: dict[str, int] = field(default_factory=dict)

    def number(self, label: str) -> tuple[int, bool]:
        """Number the next example; False when ``label`` was already given to another."""
        n = self.next
        self.next += 1
        if label and label in self.labels:
            return n, False
        if label:
            self.labels[label] = n
        return n, True


_REF = re.compile(r"(?<![\w@])(\(?)@(\w(?:[\w-]*\w)?)(\)?)")


def resolve_refs(blocks: tuple[ir.Block, ...], labels: dict[str, int],
                 unknown: list[tuple[str, int]] | None = None) -> tuple[ir.Block, ...]:
    """Replace ``@label`` (as in "see (@good)") by the number of that example, as pandoc does.

    A parenthesised ``(@label)`` that names no example is added to ``unknown``
    with its block's line; any other ``@word`` (a citation, Quarto's
    ``@fig-x``) is left alone.

    >>> resolve_refs((ir.Para((ir.Text("As (@good) shows, @x."),)),), {"good": 2})[0].inlines[0].text
    'As (2) shows, @x.'
    """
    missing: list[str] = []

    def swap(m: re.Match[str]) -> str:
        if m.group(2) in labels:
            return f"{m.group(1)}{labels[m.group(2)]}{m.group(3)}"
        if m.group(1) and m.group(3) and not re.match(r"(fig|tbl|sec)-", m.group(2)):
            missing.append(m.group(2))
        return m.group(0)

    def fix(node: object) -> object:
        if isinstance(node, ir.Text) and "@" in node.text:
            new = _REF.sub(swap, node.text)
            return node if new == node.text else ir.Text(new, node.attr)
        inlines = getattr(node, "inlines", None)
        if isinstance(inlines, tuple) and any(isinstance(x, ir.Cite) for x in inlines):
            return dataclasses.replace(node, inlines=tuple(cited(inlines)))
        return node

    def cited(inlines: tuple) -> list:
        """The citation parser reads '(@good)' as '(' + Cite(@good) + ')': an example's label
        wins over a citation key, as in pandoc."""
        out: list = []
        for k, x in enumerate(inlines):
            key = x.citations[0].key if isinstance(x, ir.Cite) and len(x.citations) == 1 \
                and x.citations[0].mode == "author-in-text" else None
            before = out[-1].text if out and isinstance(out[-1], ir.Text) else ""
            after = inlines[k + 1].text if k + 1 < len(inlines) and isinstance(inlines[k + 1], ir.Text) else ""
            if key is not None and key in labels:
                out.append(ir.Text(str(labels[key])))
            else:
                if key is not None and before.endswith("(") and after.startswith(")") \
                        and not re.match(r"(fig|tbl|sec|eq)-", key):
                    missing.append(key)
                out.append(x)
        return out

    out = []
    for block in blocks:
        out.append(ir.walk(block, fix))
        if unknown is not None:
            unknown.extend((label, getattr(block, "line", 0)) for label in missing)
        missing.clear()
    return tuple(out)
