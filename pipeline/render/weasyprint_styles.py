"""Computed styles shared between the documents one process lays out with the same stylesheets.

Takes: WeasyPrint's style computation (``StyleFor.set_computed_styles``), while
:func:`styles_shared` is active. Gives: an element's computed style taken
from an earlier document of this process when it would be computed from the
same cascade, the same parent style and the same stylesheets, instead of
being computed again. A patch of WeasyPrint 70's internals, pinned like
:mod:`pipeline.render.weasyprint_patches`.

Within one document WeasyPrint already shares a computed style between
elements whose parents share one and whose matching rules and attribute
declarations are the same (``StyleFor.__init__``), and its code copies a
shared style before changing it. A book is laid out chapter by chapter, each
a document of its own, so each chapter computed the same styles again: the
root's, the body's, every paragraph's and the anonymous styles of their
text. Here the key is the element's cascaded declarations by value with a
token for its parent's style, so a chapter's root takes the previous
chapter's root style, and everything below follows. A page's style and its
margin boxes' are shared between pages that match the same @page rules.
Pseudo-elements are computed as before.

    >>> from weasyprint import HTML
    >>> from weasyprint.text.fonts import FontConfiguration
    >>> fonts = FontConfiguration()  # one per process in a build, as styles are made once
    >>> with styles_shared():
    ...     one = HTML(string="<p>One</p>").render(font_config=fonts)
    ...     two = HTML(string="<p>Two</p>").render(font_config=fonts)
    >>> paragraph = lambda doc: doc.pages[0]._page_box.children[0].children[0].children[0]
    >>> paragraph(one).style is paragraph(two).style
    True
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterator
from typing import Any

# Properties that concern an element alone: not inherited, and read from the parent by no child (a child
# reads its parent's inherited properties, 'page' and the text decorations, and what it declares 'inherit').
# An element that declares one has a style of its own; its children's keys leave them out.
PERSONAL = frozenset({"anchor", "link", "counter_reset", "counter_increment", "counter_set", "string_set",
                      "bookmark_label", "bookmark_level", "bookmark_state"})
_SHARED_MAX = 20_000  # styles kept per process; past it the tables start again
_STYLES: dict[tuple, Any] = {}  # (parent's token, cascade, where) → the style of elements with no PERSONAL property
_TWINS: dict[tuple, Any] = {}  # the same key without PERSONAL properties → a style to copy for an element with some
_TOKENS: dict[tuple, int] = {}  # the twins' keys → a number that stands for the style in its children's keys
_PAGES: dict[tuple, tuple] = {}  # (the page rules a page matches, root style) → its page and margin box styles
_NUMBERS = itertools.count(1)  # never reused: a style kept from before the tables started again keeps its own


@contextlib.contextmanager
def styles_shared() -> Iterator[None]:
    """While active, documents share computed element styles (see the module's docstring).

    An element with a :data:`PERSONAL` property (an anchor from its ``id``, as
    every paragraph of ours has; a chapter's note counter) gets a style of its
    own, copied from the values computed for a twin, an element with the same
    cascade but for those properties, which are computed afresh. Its
    children's styles are shared: the token their keys hold for their
    parent's style leaves those properties out."""
    from weasyprint.css import StyleFor
    from weasyprint.layout import page

    original = StyleFor.set_computed_styles

    def set_computed_styles(self, element, parent, root=None, pseudo_type=None, base_url=None,  # noqa: ANN001, ANN202
                            target_collector=None):
        computed_styles = self.get_computed_styles()
        parent_style = None if parent is None else computed_styles[parent, None]
        parent_token = 0 if parent_style is None else parent_style.__dict__.get("_share_token")
        if pseudo_type is not None or parent_token is None or not hasattr(element, "tag"):
            return original(self, element, parent, root, pseudo_type, base_url, target_collector)
        cascaded = self.get_cascaded_styles().get((element, None), {})
        where = (base_url, tuple(id(sheet) for sheet, _, _ in self._sheets), id(self.font_config))
        own = tuple(cascaded.items())
        personal = not PERSONAL.isdisjoint(cascaded)
        twin_key = (parent_token, tuple(item for item in own if item[0] not in PERSONAL) if personal else own, where)
        try:
            style = _TWINS.get(twin_key) if personal else _STYLES.get(twin_key)
        except TypeError:  # a declared value that is not hashable: computed here, as WeasyPrint does
            return original(self, element, parent, root, pseudo_type, base_url, target_collector)
        if style is None:
            original(self, element, parent, root, pseudo_type, base_url, target_collector)
            style = computed_styles[element, None]
            if len(_TWINS) >= _SHARED_MAX:
                for table in (_STYLES, _TWINS, _TOKENS, _PAGES):
                    table.clear()
            _TWINS.setdefault(twin_key, style)
            if not personal:
                _STYLES[twin_key] = style
        else:
            if personal:
                style = style.copy()  # the twin's values so far; the rest computed from this element's cascade
                for name in PERSONAL:
                    style.pop(name, None)
                style.cascaded, style.parent_style = cascaded, parent_style
            computed_styles[element, None] = style
            if target_collector and style["anchor"]:
                target_collector.collect_anchor(style["anchor"])
        if "_share_token" not in style.__dict__:
            style._share_token = _TOKENS.get(twin_key) or _TOKENS.setdefault(twin_key, next(_NUMBERS))
        return None

    def set_page_type_computed_styles(page_type, html, style_for):  # noqa: ANN001, ANN202
        computed_styles = style_for.get_computed_styles()
        root_style = computed_styles[html.etree_element, None]
        key = (_page_rules_matched(style_for, page_type), id(root_style), html.base_url)
        kept = _PAGES.get(key)
        if kept is None:
            page_styles(page_type, html, style_for)
            kept = _PAGES[key] = (root_style, {pseudo: style for (owner, pseudo), style in computed_styles.items()
                                               if owner == page_type})
        for pseudo, style in kept[1].items():
            computed_styles[page_type, pseudo] = style

    page_styles = page.set_page_type_computed_styles
    StyleFor.set_computed_styles = set_computed_styles
    page.set_page_type_computed_styles = set_page_type_computed_styles
    try:
        yield
    finally:
        StyleFor.set_computed_styles = original
        page.set_page_type_computed_styles = page_styles


def _page_rules_matched(style_for, page_type) -> tuple[tuple[int, int, int], ...]:  # noqa: ANN001
    """The @page selectors ``page_type`` matches, as (stylesheet, rule, selector): with the root's style,
    all that a page's style and its margin boxes' are computed from (``StyleFor.add_page_declarations``)."""
    return tuple((id(sheet), i, j) for sheet, _, _ in style_for._sheets
                 for i, (_, selectors, _) in enumerate(sheet.page_rules)
                 for j, (_, _, selector) in enumerate(selectors)
                 if style_for._page_type_match(selector, page_type))
