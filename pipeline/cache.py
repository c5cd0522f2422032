"""The content-addressed cache of build units, at ``OUT/.cache``.

Takes: a key made of everything a unit reads (:func:`key`) and the unit's result.
Gives: the result back on a later build with the same key, or ``None``.

Entries are files named by the SHA-256 of their key, under a folder per kind
(``pdf-chapter``, ``image-facts``…). They are written atomically (temporary
file, then rename), so two builds sharing a cache, or a build killed midway,
never leave a torn entry. A disabled cache (``--no-cache``) misses every
lookup and stores nothing. Nothing is ever trusted beyond its key: change
any input and the key changes.

    >>> import tempfile, pathlib
    >>> c = Cache(pathlib.Path(tempfile.mkdtemp()))
    >>> k = key("pdf-chapter", b"text", {"trim": "6in"})
    >>> c.get("pdf-chapter", k) is None
    True
    >>> c.put("pdf-chapter", k, b"%PDF"); c.get("pdf-chapter", k)
    b'%PDF'
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from . import __version__


@functools.cache
def code_version() -> str:
    """The pipeline's version and a hash of its own source, so any code change misses the cache."""
    h = hashlib.sha256(__version__.encode())
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        h.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:16]


def key(*parts: Any) -> str:
    """The SHA-256 of ``parts`` (bytes, str, or JSON-able values) and :func:`code_version`."""
    h = hashlib.sha256(code_version().encode())
    for part in parts:
        if isinstance(part, bytes):
            data = part
        elif isinstance(part, str):
            data = part.encode()
        else:
            data = json.dumps(part, sort_keys=True, ensure_ascii=False, default=str).encode()
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


def file_hash(path: Path) -> str:
    """The SHA-256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


_HASHES: dict[tuple[str, int, int], str] = {}


def known_hash(path: Path) -> str:
    """:func:`file_hash`, remembered in this process by the file's size and modification time:
    a rebuild (``watch``) hashes no unchanged image again."""
    st = path.stat()
    k = (str(path), st.st_size, st.st_mtime_ns)
    if k not in _HASHES:
        _HASHES[k] = file_hash(path)
    return _HASHES[k]


def remember_hash(path: Path, digest: str) -> None:
    """Tell :func:`known_hash` the hash of ``path`` as it is now (found by another way)."""
    st = path.stat()
    _HASHES[(str(path), st.st_size, st.st_mtime_ns)] = digest


class Cache:
    """Unit results by key, under ``root``; ``root=None`` is a cache that holds nothing."""

    def __init__(self, root: Path | None):
        self.root = root

    def _path(self, kind: str, k: str) -> Path:
        assert self.root is not None
        return self.root / kind / k[:2] / k

    def get(self, kind: str, k: str) -> bytes | None:
        """The stored bytes for ``k``, or None."""
        if self.root is None:
            return None
        try:
            return self._path(kind, k).read_bytes()
        except OSError:
            return None

    def has(self, kind: str, k: str) -> bool:
        """Whether ``k`` is stored (without reading it)."""
        return self.root is not None and self._path(kind, k).is_file()

    def put(self, kind: str, k: str, data: bytes) -> None:
        """Store ``data`` under ``k``; a failure to store (full disk) only costs the next build time."""
        if self.root is None:
            return
        path = self._path(kind, k)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".", suffix=".part", dir=path.parent)
        except OSError:
            return
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, path)
        except OSError:
            Path(tmp).unlink(missing_ok=True)

    def get_json(self, kind: str, k: str) -> Any:
        """A stored JSON value, or None."""
        data = self.get(kind, k)
        try:
            return None if data is None else json.loads(data)
        except ValueError:  # a torn or foreign entry is a miss
            return None

    def put_json(self, kind: str, k: str, value: Any) -> None:
        """Store a JSON value."""
        self.put(kind, k, json.dumps(value, ensure_ascii=False, sort_keys=True).encode())
