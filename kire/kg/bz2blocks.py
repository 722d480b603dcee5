"""Decompress a byte range of a .bz2 file on its own, so that workers decompress bz2 in parallel.

A bzip2 stream is a header ``BZh1``..``BZh9`` and a sequence of blocks, each starting with the 48-bit
magic ``0x314159265359`` followed by the block's CRC, and an end-of-stream marker ``0x177245385090``
followed by the stream CRC. Blocks are not byte-aligned but are independent: the bits of a run of
consecutive blocks, copied into a new stream (header + blocks + end marker + combined CRC), decompress
with the standard library. A task owns the blocks whose magic starts inside its compressed byte range
and, like every chunk (see kire.kg.sources), the lines whose preceding newline falls in its
decompressed text; it decodes the following block(s) only as far as the newline that ends its last line.

Every block's CRC is checked by libbz2, so a corrupt block fails loudly. The 48-bit magic can occur by
chance inside compressed data (about once per 30 TB); such a false boundary makes the block fail its
CRC, and the extraction stops with an error naming the offset rather than returning wrong text.
"""

from __future__ import annotations

import bz2
import os
from pathlib import Path

from kire.errors import InputError

BLOCK_MAGIC = 0x314159265359
EOS_MAGIC = 0x177245385090
_READ_MORE = 1 << 20


def _patterns(magic: int) -> list[tuple[int, bytes, int, int, int, int]]:
    """For each bit shift s (0..7): (s, fixed middle bytes, first-byte mask/value, last-byte mask/value)."""
    out = []
    for s in range(8):
        window = magic << (8 - s)  # the magic at bit offset s of a 56-bit (7-byte) window
        raw = window.to_bytes(7, "big")
        first_mask = 0xFF >> s
        last_mask = (0xFF << (8 - s)) & 0xFF
        out.append((s, raw[1:6], first_mask, raw[0] & first_mask, last_mask, raw[6] & last_mask))
    return out


_BLOCK_PATTERNS = _patterns(BLOCK_MAGIC)
_EOS_PATTERNS = _patterns(EOS_MAGIC)


def find_markers(data: bytes, base: int = 0) -> list[tuple[int, str]]:
    """Sorted ``(bit_position, "block" | "eos")`` of every bit-aligned magic in ``data``.

    Positions are absolute bit offsets: ``base`` is the file offset of ``data[0]``.
    """
    found = []
    for kind, patterns in (("block", _BLOCK_PATTERNS), ("eos", _EOS_PATTERNS)):
        for s, middle, fmask, fval, lmask, lval in patterns:
            i = data.find(middle, 1)
            while i >= 0:
                b0 = i - 1
                if (data[b0] & fmask) == fval and (lmask == 0 or (
                        i + 5 < len(data) and (data[i + 5] & lmask) == lval)):
                    found.append(((base + b0) * 8 + s, kind))
                i = data.find(middle, i + 1)
    found.sort()
    return found


def _bits(data: bytes, base: int, start_bit: int, end_bit: int) -> int:
    """The bits ``[start_bit, end_bit)`` (absolute) of ``data`` (which starts at byte ``base``)."""
    lo, hi = start_bit // 8 - base, (end_bit + 7) // 8 - base
    value = int.from_bytes(data[lo:hi], "big")
    value >>= (hi - lo) * 8 - (end_bit - (start_bit // 8) * 8)
    return value & ((1 << (end_bit - start_bit)) - 1)


def _stream(data: bytes, base: int, blocks: list[tuple[int, int]]) -> bytes:
    """A complete bzip2 stream made of the consecutive blocks ``[(start_bit, end_bit)]``."""
    first, last = blocks[0][0], blocks[-1][1]
    payload = _bits(data, base, first, last)
    crc = 0
    for start, _ in blocks:
        block_crc = _bits(data, base, start + 48, start + 80)
        crc = (((crc << 1) | (crc >> 31)) & 0xFFFFFFFF) ^ block_crc
    n = last - first
    value = (int.from_bytes(b"BZh9", "big") << (n + 80)) | (payload << 80) | (EOS_MAGIC << 32) | crc
    total = 32 + n + 80
    pad = -total % 8
    return (value << pad).to_bytes((total + pad) // 8, "big")


class _Bz2Range:
    """Markers and bytes of a .bz2 file from ``start`` on, read further on demand."""

    def __init__(self, path: Path, start: int):
        self.path, self.start = path, start
        self.size = path.stat().st_size
        self.data = b""
        self.markers: list[tuple[int, str]] = []

    def read_to(self, end: int) -> None:
        end = min(end, self.size)
        if end <= self.start + len(self.data):
            return
        with open(self.path, "rb") as fh:
            fh.seek(self.start)
            self.data = fh.read(end - self.start)
        self.markers = find_markers(self.data, self.start)

    @property
    def at_eof(self) -> bool:
        return self.start + len(self.data) >= self.size

    def block_end(self, i: int) -> int | None:
        """End bit of the block at ``markers[i]`` (the next marker), reading more if needed."""
        while True:
            if i + 1 < len(self.markers):
                return self.markers[i + 1][0]
            if self.at_eof:
                return None
            self.read_to(self.start + len(self.data) + max(_READ_MORE, len(self.data)))

    def decode(self, blocks: list[tuple[int, int]]) -> bytes:
        """Decompressed text of consecutive blocks; InputError when a block is corrupt."""
        try:
            return bz2.decompress(_stream(self.data, self.start, blocks))
        except (OSError, ValueError, EOFError) as err:
            raise InputError(str(self.path), f"bz2 block at byte {blocks[0][0] // 8}", None,
                             f"corrupt compressed data: {err}") from err


def _runs(rng: _Bz2Range, indices: list[int]) -> list[list[tuple[int, int]]]:
    """Group block markers into runs of back-to-back blocks (a run ends at an end-of-stream marker)."""
    runs, current = [], []
    for i in indices:
        end = rng.block_end(i)
        if end is None:
            raise InputError(str(rng.path), f"bz2 block at byte {rng.markers[i][0] // 8}", None,
                             "truncated file: no end-of-stream marker after the last block")
        current.append((rng.markers[i][0], end))
        if rng.markers[i + 1][1] == "eos":
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    return runs


def read_bz2_range(path: str | os.PathLike, start: int, end: int, first: bool) -> bytes:
    """The dump lines owned by the compressed byte range ``[start, end)`` (whole lines)."""
    rng = _Bz2Range(Path(path), start)
    rng.read_to(end + _READ_MORE)
    mine = [i for i, (bit, kind) in enumerate(rng.markers) if kind == "block" and bit < end * 8]
    if first and not mine and rng.size > 0:
        raise InputError(str(path), None, None, "not a bzip2 file with blocks (no block magic found)")
    text = b"".join(rng.decode(run) for run in _runs(rng, mine))
    if not first:
        nl = text.find(b"\n")
        if nl < 0:  # no line starts in this range: a longer line, owned by an earlier chunk, spans it
            return b""
        text = text[nl + 1:]
    # Finish the last line with the following blocks, up to and including their first newline.
    tail = []
    i = mine[-1] + 1 if mine else next(
        (j for j, (bit, kind) in enumerate(rng.markers) if kind == "block" and bit >= end * 8), None)
    while i is not None:
        while i < len(rng.markers) and rng.markers[i][1] != "block":
            i += 1
        if i >= len(rng.markers):
            if rng.at_eof:
                break
            rng.read_to(rng.start + len(rng.data) + max(_READ_MORE, len(rng.data)))
            continue
        run = _runs(rng, [i])[0]
        piece = rng.decode(run)
        nl = piece.find(b"\n")
        if nl >= 0:
            tail.append(piece[: nl + 1])
            break
        tail.append(piece)
        i += 1
    return text + b"".join(tail)


def bz2_ranges(path: str | os.PathLike, json_bytes_per_chunk: int) -> list[tuple[int, int]]:
    """Compressed byte ranges of about ``json_bytes_per_chunk`` of JSON each.

    The compression ratio is estimated on the file's first blocks (decompressing at most ~1 MB).
    """
    path = Path(path)
    size = path.stat().st_size
    with open(path, "rb") as fh:
        head = fh.read(1 << 20)
    dec = bz2.BZ2Decompressor()
    try:
        out = dec.decompress(head, max_length=16 << 20)
    except OSError as err:
        raise InputError(str(path), None, None, f"corrupt bz2 data at the start: {err}") from err
    consumed = len(head) - len(dec.unused_data) if dec.eof else len(head)
    ratio = max(1.0, len(out) / consumed) if out else 8.0
    step = max(1, int(json_bytes_per_chunk / ratio))
    n = max(1, -(-size // step))
    return [(k * step, min((k + 1) * step, size)) for k in range(n)]
