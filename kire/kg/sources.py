"""Read a Wikidata dump (.json, .json.gz, .json.bz2) as chunks of whole lines.

Line ownership (the same rule for every format, so chunks never overlap or miss a line): with chunk
boundaries ``b_k``, chunk ``k`` owns the lines whose preceding newline lies in ``[b_k, b_{k+1})``, and
chunk 0 also owns the first line. So a chunk starts right after the first newline at or after ``b_k``
and ends with the first newline at or after ``b_{k+1}`` (reading past its range to finish its last line).

- ``.json``: boundaries are file offsets; every task reads its own byte range (no central reader).
- ``.json.gz``: one reader decompresses (isal; rapidgzip's parallel threads when many workers need
  feeding) and cuts the stream at boundaries every ``chunk_bytes`` of JSON; tasks receive the bytes
  (in-process) or a spool file holding them (Dask workers, see kire.kg.extract.spool_dir).
- ``.json.bz2``: see :mod:`kire.kg.bz2blocks` (tasks decompress their own bz2 blocks).
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Iterator

from kire.errors import InputError

READ_BLOCK = 4 << 20
TAIL_BLOCK = 1 << 20  # read size while looking for the newline that closes a chunk


def dump_format(path: str | os.PathLike) -> str:
    """'json', 'gzip' or 'bz2', from the file's magic bytes (the suffix is only checked for agreement)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(str(path), None, None, "dump file not found")
    with open(path, "rb") as fh:
        head = fh.read(3)
    if head[:2] == b"\x1f\x8b":
        return "gzip"
    if head == b"BZh":
        return "bz2"
    if path.suffix in (".gz", ".bz2"):
        raise InputError(str(path), None, None,
                         f"file ends in {path.suffix} but is not {path.suffix[1:]}-compressed")
    return "json"


@contextlib.contextmanager
def open_decompressed(path: str | os.PathLike, threads: int = 1, position: dict | None = None):
    """A binary file object over the decompressed dump; gzip decompresses with ``threads`` threads.

    ``position`` (a dict), when given, receives ``"compressed_tell"``: a callable returning the bytes
    of the compressed file read so far (one-thread gzip only; the progress of an extraction whose
    decompressed size is unknown)."""
    fmt = dump_format(path)
    if fmt == "json":
        fh = open(path, "rb")
    elif fmt == "gzip":
        if threads > 1:
            fh = _SizeCheckedGzip(Path(path), threads)
        else:
            from isal import igzip

            fh = igzip.open(path, "rb")
            if position is not None:
                position["compressed_tell"] = fh.fileobj.tell
    else:
        import bz2

        fh = bz2.open(path, "rb")
    try:
        yield fh
    finally:
        fh.close()


GZIP_INPUT_BUFFER = 8 << 20  # compressed bytes the isal reader takes per refill (see open_gzip_stream)


@contextlib.contextmanager
def open_gzip_stream(path: str | os.PathLike, threads: int = 1, position: dict | None = None):
    """A raw reader over a gzip file's decompressed text whose ``readinto`` decompresses straight into
    the caller's buffer (kire.kg.spool); ``threads`` > 1 uses rapidgzip as :func:`open_decompressed`,
    ``position`` as there.

    The isal reader refills its compressed input 8 MB at a time: every refill takes the GIL back
    after a nogil stretch, and with the default 512 KB refills a reader sharing the process with
    busy Python threads (Dask's event loop, the cluster start) waited for the GIL 3x longer than it
    decompressed (measured, docs/kg.md).
    """
    if threads > 1:
        fh = _SizeCheckedGzip(Path(path), threads)
        try:
            yield fh
        finally:
            fh.close()
        return
    from isal import isal_zlib

    with open(path, "rb", buffering=0) as raw:
        if position is not None:
            position["compressed_tell"] = raw.tell
        # The C reader behind igzip.open (a private name; isal is pinned and tests cover this path).
        yield isal_zlib._GzipReader(raw, GZIP_INPUT_BUFFER)


class _SizeCheckedGzip:
    """rapidgzip's parallel gzip reader, plus the end-of-file check it lacks.

    rapidgzip can end silently at the point where a truncated file stops. At the end of the stream
    this reader compares the decompressed size with the gzip trailer's ISIZE (size mod 2**32); on a
    mismatch (a truncated file, or a valid multi-member file such as bgzip output) one strict
    sequential pass with isal decides, raising InputError for a broken file.
    """

    def __init__(self, path: Path, threads: int):
        import rapidgzip

        self.path, self.total, self.checked = path, 0, False
        with open(path, "rb") as fh:
            fh.seek(-4, os.SEEK_END)
            self.isize = int.from_bytes(fh.read(4), "little")
        self._fh = rapidgzip.open(str(path), parallelization=threads)

    def read(self, size: int = -1) -> bytes:
        data = self._fh.read(size)
        self._count(len(data))
        return data

    def readinto(self, buffer) -> int:
        n = self._fh.readinto(buffer)
        self._count(n)
        return n

    def _count(self, n: int) -> None:
        self.total += n
        if not n and not self.checked:
            self.checked = True
            if self.total % (1 << 32) != self.isize:
                _verify_gzip_strictly(self.path)

    def close(self) -> None:
        self._fh.close()


def _verify_gzip_strictly(path: Path) -> None:
    """Decompress the whole file with isal (which checks every member's CRC and length)."""
    from isal import igzip

    with igzip.open(path, "rb") as fh:
        while _read_or_fail(fh, READ_BLOCK, path):
            pass


@contextlib.contextmanager
def _decompression_errors(path):
    """Turn a decompressor's failure inside the block into an InputError naming ``path``."""
    try:
        yield
    except (OSError, EOFError, ValueError, RuntimeError) as err:
        raise InputError(str(path), None, None,
                         f"corrupt or truncated compressed data: {err}") from err


def _read_or_fail(fh, size: int, path) -> bytes:
    """Read up to ``size`` bytes, turning a decompression failure into an InputError."""
    with _decompression_errors(path):
        return fh.read(size)


def read_decompressed(path: str | os.PathLike, size: int) -> bytes:
    """Up to ``size`` bytes of the decompressed dump from its start (kire.kg.shape reads its head);
    InputError naming ``path`` for corrupt or truncated compressed data."""
    with open_decompressed(path) as fh:
        return _read_or_fail(fh, size, path)


def readinto_or_fail(fh, view, path) -> int:
    """``fh.readinto(view)``, turning a decompression failure into an InputError."""
    with _decompression_errors(path):
        return fh.readinto(view)


def stream_chunks(fh, chunk_bytes: int, path="dump") -> Iterator[tuple[int, int, list[bytes]]]:
    """Yield ``(k, start_offset, pieces)``: chunk ``k`` of the decompressed stream, whole lines only.

    ``b"".join(pieces)`` is the chunk's text. Boundaries are ``b_k = k * chunk_bytes`` (see the module
    docstring). A chunk can be empty when a single line spans its whole range; it is still yielded so
    that chunk numbering is fixed. The text is read in blocks of at most ``READ_BLOCK`` and left in
    pieces: joining 64 MB in the reader would cost it as much as decompressing (measured), and the
    reader is the one serial step, so the workers join.
    """
    carry, start, k, eof = b"", 0, 0, False  # carry: text after the last cut, starting at `start`
    while True:
        boundary = (k + 1) * chunk_bytes
        if start - 1 >= boundary:  # the previous line already covered this whole range
            yield k, start, []
            k += 1
            continue
        pieces, end = ([carry] if carry else []), start + len(carry)
        cut = -1  # stream offset of the newline that closes chunk k
        if carry and end > boundary:
            i = carry.find(b"\n", boundary - start)
            cut = start + i if i >= 0 else -1
        while cut < 0 and not eof:
            want = boundary + 1 - end
            block = _read_or_fail(fh, min(READ_BLOCK, want) if want > 0 else TAIL_BLOCK, path)
            if not block:
                eof = True
                break
            if end + len(block) > boundary:
                i = block.find(b"\n", max(0, boundary - end))
                cut = end + i if i >= 0 else -1
            pieces.append(block)
            end += len(block)
        if cut < 0:  # end of stream: the rest is the last chunk
            if pieces or k == 0:
                yield k, start, pieces
            return
        last = pieces[-1]
        keep = cut + 1 - (end - len(last))
        carry = last[keep:]
        pieces[-1] = last[:keep]
        yield k, start, pieces
        start, k = cut + 1, k + 1


def json_ranges(size: int, chunk_bytes: int) -> list[tuple[int, int]]:
    """Boundaries ``[(b_k, b_{k+1})]`` of a plain JSON file of ``size`` bytes."""
    n = max(1, -(-size // chunk_bytes))
    return [(k * chunk_bytes, min((k + 1) * chunk_bytes, size)) for k in range(n)]


def _through_newline(fh, path) -> bytes:
    """Bytes from the current position through the next newline (or to end of file); the file is
    left positioned just after that newline."""
    parts = []
    while True:
        block = _read_or_fail(fh, 1 << 20, path)
        if not block:
            break
        nl = block.find(b"\n")
        if nl >= 0:
            parts.append(block[: nl + 1])
            fh.seek(nl + 1 - len(block), os.SEEK_CUR)  # leave the file just after the newline
            break
        parts.append(block)
    return b"".join(parts)


def read_json_range(path: str | os.PathLike, start: int, end: int) -> tuple[int, bytes]:
    """The lines of a plain JSON file owned by the range ``[start, end)``; returns (offset, data)."""
    with open(path, "rb") as fh:
        fh.seek(start)
        if start > 0:
            head = _through_newline(fh, path)
            start += len(head)
            if start > end:  # the range held no newline: a longer line owns it
                return start, b""
        # The last owned line ends at the first newline at or after `end`.
        data = fh.read(end - start) + _through_newline(fh, path)
        return start, data
