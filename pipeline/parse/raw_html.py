"""Raw HTML in a manuscript, made safe: well-formed XHTML from an allowlist, or nothing.

Takes: a fragment of HTML as written in the Markdown (an ``html_block``).
Gives: well-formed XHTML text for :class:`pipeline.ir.RawBlock`, plus the
names of anything dropped, so the parser can warn.

Elements outside :data:`ALLOWED` lose their tags but keep their text;
``script``, ``style`` and embedding elements lose their content too. Attributes
other than :data:`ATTRIBUTES` are dropped, and so are links that are not
``http``, ``https``, ``mailto`` or ``#id``. Unclosed tags are closed, stray
closing tags are dropped, entities are decoded and the text re-escaped.

    >>> sanitise('<div class="x" onclick="evil()"><b>hi<script>alert(1)</script>')
    ('<div class="x"><b>hi</b></div>', ['onclick', 'script'])
"""

from __future__ import annotations

import ipaddress
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit
from xml.sax.saxutils import escape, quoteattr

ALLOWED = frozenset(
    "a abbr b bdi bdo blockquote br caption cite code col colgroup dd del dfn div dl dt em "
    "figcaption figure h1 h2 h3 h4 h5 h6 hr i ins kbd li mark ol p pre q rp rt ruby s samp "
    "section small span strong sub sup table tbody td tfoot th thead time tr u ul var wbr aside".split()
)
VOID = frozenset({"br", "hr", "wbr", "col"})
DROP_CONTENT = frozenset({"script", "style", "iframe", "object", "embed", "noscript", "template",
                          "textarea", "select", "svg", "math", "form", "canvas", "audio", "video",
                          "applet", "frame", "frameset", "head", "title"})
ATTRIBUTES = frozenset({"id", "class", "title", "lang", "dir", "href", "colspan", "rowspan",
                        "datetime", "cite", "span"})
SAFE_SCHEMES = ("http://", "https://", "mailto:", "#")
# Where an element may stand: its parent must be one of these (HTML's content model).
PARENTS = {
    "tr": {"table", "thead", "tbody", "tfoot"}, "td": {"tr"}, "th": {"tr"},
    "thead": {"table"}, "tbody": {"table"}, "tfoot": {"table"}, "caption": {"table"},
    "colgroup": {"table"}, "col": {"colgroup", "table"}, "li": {"ul", "ol"}, "dt": {"dl"}, "dd": {"dl"},
    "figcaption": {"figure"}, "rt": {"ruby"}, "rp": {"ruby"},
}
# Elements that hold only phrasing content, and the flow elements they may not contain.
PHRASING_ONLY = frozenset("p h1 h2 h3 h4 h5 h6 pre a abbr b bdi bdo cite code del dfn em i ins kbd mark q "
                          "rp rt ruby s samp small span strong sub sup time u var caption dt".split())
FLOW = frozenset("address aside blockquote div dl figure h1 h2 h3 h4 h5 h6 hr ol p pre section table ul".split())
# Containers where text other than white space is not allowed.
NO_TEXT = frozenset("table thead tbody tfoot tr colgroup ul ol dl ruby".split())
_LABEL = r"[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?"
_HOST = re.compile(rf"^{_LABEL}(?:\.{_LABEL})*\.?$")


def safe_href(url: str) -> bool:
    """True if a link target is one the book may carry: http(s) with a valid host, mailto, or #id.

    >>> safe_href("https://example.org/a"), safe_href("https://../"), safe_href("javascript:x")
    (True, False, False)
    """
    url = url.strip()
    if not url.lower().startswith(SAFE_SCHEMES):
        return False
    if url.lower().startswith(("http://", "https://")):
        try:
            parts = urlsplit(url)
            host = parts.hostname or ""
            _ = parts.port
        except ValueError:
            return False
        return bool(_HOST.match(host)) or _is_ip(host)
    return True


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


class _Sanitiser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.stack: list[str] = []
        self.skip_depth = 0
        self.skip_tag = ""
        self.dropped: list[str] = []

    def _drop(self, what: str) -> None:
        if what not in self.dropped:
            self.dropped.append(what)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skip_depth:
            if tag == self.skip_tag:
                self.skip_depth += 1
            return
        if tag in DROP_CONTENT:
            self._drop(tag)
            self.skip_tag, self.skip_depth = tag, 1
            return
        if tag not in ALLOWED or not self._fits(tag):
            self._drop(tag)
            return
        kept = []
        for name, value in attrs:
            value = value or ""
            if name not in ATTRIBUTES or (name in ("href", "cite") and not safe_href(value)):
                self._drop(name if name not in ("href", "cite") else f"{name}={value[:20]}")
                continue
            if name == "href" and tag != "a":
                continue
            kept.append(f" {name}={quoteattr(value)}")
        if tag in VOID:
            self.out.append(f"<{tag}{''.join(kept)}/>")
            return
        self.out.append(f"<{tag}{''.join(kept)}>")
        self.stack.append(tag)

    def _fits(self, tag: str) -> bool:
        """May ``tag`` open here, by HTML's content model?"""
        parent = self.stack[-1] if self.stack else ""
        if tag in PARENTS:
            return parent in PARENTS[tag]
        if parent in NO_TEXT:
            return False  # e.g. a <p> straight inside <table>
        if tag in FLOW and any(t in PHRASING_ONLY for t in self.stack):
            return False
        return not (tag == "a" and "a" in self.stack)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID and self.stack and self.stack[-1] == tag and not self.skip_depth:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.skip_depth:
            if tag == self.skip_tag:
                self.skip_depth -= 1
            return
        if tag not in self.stack:
            return
        while self.stack:
            open_tag = self.stack.pop()
            self.out.append(f"</{open_tag}>")
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if self.skip_depth:
            return
        if self.stack and self.stack[-1] in NO_TEXT and data.strip():
            self._drop("text directly inside <" + self.stack[-1] + ">")
            return
        self.out.append(escape(data))

    def handle_comment(self, data: str) -> None:
        pass

    def handle_decl(self, decl: str) -> None:
        self._drop("<!" + decl.split(" ")[0] + ">")

    def handle_pi(self, data: str) -> None:
        self._drop("<?…>")

    def unknown_decl(self, data: str) -> None:
        self._drop("<![…]>")


def sanitise(html: str) -> tuple[str, list[str]]:
    """Return (well-formed XHTML, names of what was dropped)."""
    s = _Sanitiser()
    s.feed(html)
    s.close()
    while s.stack:
        s.out.append(f"</{s.stack.pop()}>")
    return "".join(s.out).strip(), s.dropped


def parse_tag(html: str) -> tuple[str, str, dict[str, str]] | None:
    """Parse one inline tag: ('open'|'close'|'void', name, attributes), or None if not a tag.

    >>> parse_tag('<span class="x">')
    ('open', 'span', {'class': 'x'})
    """
    found: list[tuple[str, str, dict[str, str]]] = []

    class _One(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            found.append(("void" if tag in VOID else "open", tag, {k: v or "" for k, v in attrs}))

        def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            found.append(("void", tag, {k: v or "" for k, v in attrs}))

        def handle_endtag(self, tag: str) -> None:
            found.append(("close", tag, {}))

    p = _One(convert_charrefs=True)
    p.feed(html)
    p.close()
    return found[0] if len(found) == 1 else None
