"""Streams added to a PDF at assembly, deflated once per process instead of once per save.

Takes: a :class:`pikepdf.Pdf` and the bytes of a stream that assembly adds to
it: an ICC profile, a merged font subset.
Gives: :func:`deflated_stream`, the stream with its data already compressed
(``/FlateDecode``), so that saving the PDF copies it instead of compressing it.

pikepdf (qpdf) compresses every unfiltered stream when it saves, at zlib's
level 6. The profiles are the same on every build, and a merged subset is the
same as long as the glyphs a book uses are; compressing them again took 3–5
ms of each ``watch`` save. :func:`deflated` keeps the compressed bytes of the
last few inputs, compressed as qpdf would, so the PDF is byte for byte the
one qpdf writes itself.

    >>> import zlib
    >>> zlib.decompress(deflated(b"ICC" * 100)) == b"ICC" * 100
    True
"""

from __future__ import annotations

import functools
import zlib

import pikepdf

LEVEL = 6  # qpdf's own (Z_DEFAULT_COMPRESSION): the same bytes as when qpdf compresses at save


@functools.lru_cache(maxsize=32)
def deflated(data: bytes) -> bytes:
    """``data`` compressed as qpdf compresses a stream when it saves a PDF."""
    return zlib.compress(data, LEVEL)


def deflated_stream(pdf: pikepdf.Pdf, data: bytes) -> pikepdf.Stream:
    """A stream of ``pdf`` holding ``data``, stored compressed (``/Filter /FlateDecode``)."""
    stream = pikepdf.Stream(pdf, b"")
    stream.write(deflated(data), filter=pikepdf.Name.FlateDecode)
    return stream
