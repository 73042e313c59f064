"""Raw deflate, inflate and CRC-32 for the parts of a workbook package, as fast as the machine allows.

A 100,000-line holder sheet is about 60 MB of XML: packing it with the
standard library's :mod:`zlib` took longer than everything else a refresh
does together.  ISA-L (the ``isal`` package) makes the same deflate streams
three to four times faster, and a little smaller; where it is not installed
(a platform without a wheel, Pyodide), :mod:`zlib` is used.  Either way the
output is plain deflate that Excel, LibreOffice and :mod:`zipfile` read.

``BACKEND`` names the one in use (``"isal"`` or ``"zlib"``).
"""

from __future__ import annotations

import os
import zlib
from concurrent.futures import ThreadPoolExecutor

try:  # pragma: no cover - which branch runs depends on the platform
    from isal import isal_zlib as _fast

    BACKEND = "isal"
except ImportError:  # pragma: no cover
    _fast = zlib
    BACKEND = "zlib"

#: The level of a large part: ISA-L's level 1 is both faster and tighter than zlib's (both know level 1).
_LARGE_LEVEL = 1

__all__ = ["BACKEND", "crc32", "deflate", "inflate"]

#: Parts larger than this are packed fast (level 1) and in parallel slices.
LARGE = 4 << 20
_SLICE = 4 << 20


def crc32(data: bytes) -> int:
    return _fast.crc32(data)


def deflate(data: bytes, level: int = 6) -> bytes:
    """Raw deflate (no header) of *data*.

    Small parts use *level* with :mod:`zlib` (the bytes stay the same on every
    machine, so a build is reproducible); parts over ``LARGE`` use the fast
    backend at its level 1, slices compressed in parallel threads and joined
    as one stream.
    """
    if len(data) <= LARGE:
        c = zlib.compressobj(level, zlib.DEFLATED, -15)
        return c.compress(data) + c.flush()
    view = memoryview(data)
    slices = [view[i:i + _SLICE] for i in range(0, len(data), _SLICE)]

    def one(k: int) -> bytes:
        c = _fast.compressobj(_LARGE_LEVEL, _fast.DEFLATED, -15)
        # Each slice but the last ends on a byte boundary (sync flush) so the pieces join into one stream.
        return c.compress(slices[k]) + c.flush(_fast.Z_FINISH if k == len(slices) - 1 else _fast.Z_SYNC_FLUSH)

    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        return b"".join(pool.map(one, range(len(slices))))


def inflate(raw: bytes, limit: int) -> bytes | None:
    """The bytes a raw deflate stream unpacks to, or None if they pass *limit* bytes.

    Raises :class:`zlib.error` (or the backend's own error, re-raised as one)
    for a damaged stream, and :class:`EOFError` for one cut short.
    """
    d = _fast.decompressobj(-15)
    try:
        out = d.decompress(raw, limit + 1)
    except _fast.error as exc:  # isal's error is its own class; callers handle zlib's
        raise zlib.error(str(exc)) from None
    if len(out) > limit:
        return None
    if not d.eof:
        raise EOFError("the compressed data ends before the part does")
    return out
