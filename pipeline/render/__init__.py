"""Renderers: one module per target. Each reads the IR, never Markdown.

- ``html.py``: the XHTML serialiser both targets share;
- ``pdf.py``: the print PDF, through WeasyPrint;
- ``epub.py``: the EPUB 3, through ebooklib.
"""
