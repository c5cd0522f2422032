"""Math: TeX formulas as MathML for the EPUB and as vector SVG for the print PDF.

Takes: the TeX of an :class:`~pipeline.ir.Math` node (what stood between ``$…$``,
``$$…$$``, ``\\(…\\)`` or ``\\[…\\]``) and whether it is displayed.
Gives:

- :func:`problem`: why a formula cannot be converted, or ``""`` (the parser
  calls it, so a bad formula is reported with its file and line and kept as
  code text);
- :func:`mathml`: ``<math xmlns=… alttext="TeX" display="inline|block">`` made by
  latex2mathml, for the EPUB (whose manifest then declares ``properties="mathml"``);
- :func:`svg`: the formula drawn by ziamath as SVG paths in its bundled STIX Two
  Math font (no text, so no installed font is ever used), with its size and
  depth below the baseline in ems, so that ``vertical-align`` puts its baseline
  on the line's; :func:`print_html` wraps it for WeasyPrint.

Every conversion is cached per formula. The same TeX always gives the same bytes.

    >>> mathml("x^2", False).replace(MATHML_NS, "…")
    '<math xmlns="…" alttext="x^2" display="inline"><mrow><msup><mi>x</mi><mn>2</mn></msup></mrow></math>'
    >>> problem(r"\\frac{a}{b"), problem(r"\\foo x"), unknown_commands(r"\\foo x"), problem(r"\\frac{a}{b}")
    ('unbalanced braces', '', ('\\\\foo',), '')
"""

from __future__ import annotations

import functools
import re
import warnings
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from .. import ir

MATHML_NS = "http://www.w3.org/1998/Math/MathML"
SVG_SIZE = 20.0  # ziamath's font size: SVG user units per em
_UNKNOWN = re.compile(r"<m(?:i|o|text)\b[^>]*>(\\[A-Za-z]+)</m")
_BARE_AMP = re.compile(r"&(?!#x?[0-9A-Fa-f]+;|[A-Za-z]+;)")
_XML_CHARS = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\n": "&#10;", "\t": "&#9;"})


def _balanced(tex: str) -> bool:
    depth = 0
    i = 0
    while i < len(tex):
        c = tex[i]
        if c == "\\":
            i += 2
            continue
        depth += (c == "{") - (c == "}")
        if depth < 0:
            return False
        i += 1
    return depth == 0


@functools.lru_cache(maxsize=8192)
def _convert(tex: str, display: bool) -> tuple[str, str]:
    """latex2mathml's MathML and the reason it is wrong, or ``(mathml, "")``. An author's own
    command (``\\FV``, defined in their LaTeX template) is set as its name, upright, as
    ``\\operatorname{FV}`` (see :func:`unknown_commands`)."""
    from latex2mathml.converter import convert

    if not tex.strip():
        return "", "the formula is empty"
    if not _balanced(tex):
        return "", "unbalanced braces"
    tex = _known(tex)[0]
    try:
        out = convert(tex.strip(), display="block" if display else "inline")
    except Exception as exc:  # latex2mathml raises its own and built-in errors for malformed TeX
        return "", f"{type(exc).__name__}: {exc}".strip(": ")[:200]
    unknown = _UNKNOWN.search(out)
    if unknown:
        return "", f"unknown command {unknown.group(1)}"
    return _BARE_AMP.sub("&amp;", out), ""  # latex2mathml leaves an alignment '&' outside an environment bare


@functools.lru_cache(maxsize=8192)
def _known(tex: str) -> tuple[str, tuple[str, ...]]:
    """``tex`` with every command latex2mathml does not know set as its name; and those commands."""
    from latex2mathml.converter import convert

    found: list[str] = []
    for _ in range(8):
        try:
            out = convert(tex.strip())
        except Exception:  # malformed: _convert reports it
            break
        names = sorted(set(_UNKNOWN.findall(out)) - set(found))
        if not names:
            break
        for name in names:
            found.append(name)
            tex = re.sub(re.escape(name) + r"(?![A-Za-z])", lambda m, n=name[1:]: rf"\operatorname{{{n}}}", tex)
    return tex, tuple(found)


def unknown_commands(tex: str) -> tuple[str, ...]:
    """The commands in ``tex`` that are set as their names because no converter knows them."""
    return _known(tex)[1] if _balanced(tex) else ()


def problem(tex: str, display: bool = False) -> str:
    """Why ``tex`` cannot be converted (``""`` if it can)."""
    return _convert(tex, display)[1]


@functools.lru_cache(maxsize=8192)
def mathml(tex: str, display: bool) -> str:
    """The formula as MathML with its TeX as ``alttext``; raises ValueError if it cannot be converted."""
    out, why = _convert(tex, display)
    if why:
        raise ValueError(why)
    head = f'<math xmlns="{MATHML_NS}"'
    assert out.startswith(head)
    return f'{head} alttext="{tex.strip().translate(_XML_CHARS)}"{out[len(head):]}'


@dataclass(frozen=True)
class Svg:
    """A formula drawn as paths: the ``<svg>`` element, its size and its depth below the baseline, in ems."""

    xml: str
    width: float
    height: float
    depth: float


@functools.lru_cache(maxsize=8192)
def _svg(tex: str, display: bool) -> Svg | str:
    import ziamath

    ziamath.config.svg2 = False  # plain <path>s: no <symbol>/<use> ids that could clash in one HTML page
    ziamath.config.precision = 3
    try:
        with warnings.catch_warnings():  # ziamath loads its font through a deprecated importlib call
            warnings.simplefilter("ignore", DeprecationWarning)
            drawn = ziamath.Latex(_known(tex)[0].strip(), size=SVG_SIZE, inline=not display)
            root = drawn.svgxml()
    except Exception as exc:  # ziamath fails on MathML it does not lay out
        return f"{type(exc).__name__}: {exc}".strip(": ")[:200]
    width, height = float(root.attrib.pop("width")), float(root.attrib.pop("height"))
    top = float(root.attrib["viewBox"].split()[1])  # the baseline is y = 0
    depth = height + top
    w, h, d = (round(v / SVG_SIZE, 4) for v in (width, height, depth))
    root.attrib["style"] = f"width: {w}em; height: {h}em; vertical-align: {-d}em"
    root.attrib["aria-hidden"] = "true"
    return Svg(ET.tostring(root, encoding="unicode"), w, h, d)


def svg(tex: str, display: bool) -> Svg:
    """The formula drawn as SVG paths; raises ValueError if it cannot be drawn."""
    out = _svg(tex, display)
    if isinstance(out, str):
        raise ValueError(out)
    return out


def svg_problem(tex: str, display: bool) -> str:
    """Why ziamath cannot draw ``tex`` (``""`` if it can)."""
    out = _svg(tex, display)
    return out if isinstance(out, str) else ""


def _kind(node: ir.Math) -> str:
    return "display" if node.display else "inline"


def fallback_html(node: ir.Math, attrs: str = "") -> str:
    """A formula that cannot be converted: its TeX as code text, with its delimiters."""
    from .html import text

    mark = "$$" if node.display else "$"
    return f'<code{attrs} class="math-tex">{text(mark + node.text + mark)}</code>'


def epub_html(node: ir.Math, attrs: str = "") -> str:
    """MathML for the EPUB (``attrs``: the node's id, as the writer serialises it)."""
    try:
        out = mathml(node.text, node.display)
    except ValueError:
        return fallback_html(node, attrs)
    return out.replace("<math ", f"<math{attrs} ", 1) if attrs else out


def print_html(node: ir.Math, attrs: str = "") -> str:
    """The SVG for print, in a span WeasyPrint lays out inline (or as a centred block); the TeX in
    ``data-tex`` is the formula's /Alt in the tagged screen PDF."""
    from .html import attr_value

    try:
        drawn = svg(node.text, node.display)
    except ValueError:
        return fallback_html(node, attrs)
    return f'<span{attrs} class="math {_kind(node)}" data-tex="{attr_value(node.text.strip())}">{drawn.xml}</span>'


def print_problems(chapter: ir.Chapter) -> list[tuple[str, str]]:
    """``(TeX, why)`` for each formula of ``chapter`` the print edition cannot draw."""
    out = []
    for node in ir.query(chapter, ir.Math):
        why = svg_problem(node.text, node.display)
        if why:
            out.append((node.text.strip(), why))
    return out
