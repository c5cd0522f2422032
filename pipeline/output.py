"""Output: write build products atomically, so a failed build never leaves half a file.

Takes: bytes and a destination path.
Gives: the file, complete, or no change at all: the bytes go to a temporary
file in the same folder, are flushed to disk, then renamed over the target.
The last good output stays in place until the new one is whole.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "book.epub"
    >>> write_atomic(p, b"data"); p.read_bytes()
    b'data'
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .diagnostics import error


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise error("R001", f"cannot write '{path}': {exc.strerror}",
                    "check free disk space and permissions on the output folder", str(path)) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
