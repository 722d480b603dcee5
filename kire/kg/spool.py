"""Spool slots: the gzip reader decompresses each chunk straight into a file that a local worker maps.

With gzip input one reader (the driver) decompresses the whole stream, so every CPU-second it spends
per chunk is serial. Writing a decompressed chunk to a fresh spool file costs it a copy plus the
allocation of the file's pages (about 0.4 CPU-s per GB over decompression alone, measured,
docs/kg.md). Instead the driver keeps a few *slots*: files in the spool folder (RAM under /dev/shm),
each memory-mapped once, into which the decompressor writes directly (``readinto``). A worker maps the
first ``length`` bytes of the slot its task names; when the task's marker comes back the slot is
free again, and its pages are reused by a later chunk. Decompressing a whole chunk per ``readinto``
call also keeps the reader from waiting for the GIL after every small block while the driver's other
threads (Dask's event loop, the cluster start) run Python code.

Only for workers on this machine: they see the driver's writes through the shared page cache. Workers
elsewhere (``--scheduler``) get closed, renamed spool files instead (kire.kg.extract._spooled).

Chunk ownership is the rule of :mod:`kire.kg.sources` (:func:`kire.kg.sources.stream_chunks` cuts the
same stream into the same chunks; tests compare the two).
"""

from __future__ import annotations

import mmap
import os
from pathlib import Path
from typing import Iterator

from kire.kg.sources import TAIL_BLOCK, readinto_or_fail


class Slot:
    """One spool file and the driver's writable mapping of it (``capacity`` bytes, grown on demand)."""

    def __init__(self, path: Path, capacity: int):
        self.path = path
        with open(path, "w+b") as fh:
            fh.truncate(capacity)
            self.map = mmap.mmap(fh.fileno(), capacity)  # keeps its own descriptor

    @property
    def capacity(self) -> int:
        return len(self.map)

    def ensure(self, size: int) -> None:
        """Make room for ``size`` bytes, keeping the content (a line longer than a chunk)."""
        if size > len(self.map):
            self.map.resize(max(size, 2 * len(self.map)))

    def close(self) -> None:
        self.map.close()


class SpoolSlots:
    """``count`` slots of ``capacity`` bytes in ``folder``; a slot is lent to a chunk until released."""

    def __init__(self, folder: Path, count: int, capacity: int):
        self.folder, self.count, self.capacity = folder, count, capacity
        self._free: list[Slot] = []
        self._lent: dict[int, Slot] = {}
        self._made = 0

    def take(self) -> Slot:
        if self._free:
            return self._free.pop()
        if self._made >= self.count:
            raise RuntimeError(f"all {self.count} spool slots are in use (chunks {sorted(self._lent)})")
        self._made += 1
        return Slot(self.folder / f"slot-{self._made - 1:03d}.txt", self.capacity)

    def lend(self, k: int, slot: Slot) -> None:
        """Chunk ``k``'s task reads ``slot`` until :meth:`release` (k)."""
        self._lent[k] = slot

    def give_back(self, slot: Slot) -> None:
        """Return a slot that was taken but not lent (a finished chunk skipped on resume)."""
        self._free.append(slot)

    def release(self, k: int) -> None:
        """Chunk ``k``'s task has finished: its slot may be overwritten (no-op for chunks without one)."""
        slot = self._lent.pop(k, None)
        if slot is not None:
            self._free.append(slot)

    def close(self) -> None:
        for slot in self._free + list(self._lent.values()):
            slot.close()
        self._free, self._lent = [], {}


def fill_chunks(
    fh, chunk_bytes: int, slots: SpoolSlots, path="dump",
) -> Iterator[tuple[int, int, Slot | None, int]]:
    """Yield ``(k, start_offset, slot, length)``: chunk ``k`` of the stream ``fh`` decompressed into
    the first ``length`` bytes of ``slot`` (``None`` and 0 for an empty chunk).

    ``fh`` needs ``readinto``. The caller lends each yielded slot (:meth:`SpoolSlots.lend`) or gives it
    back; the text after a chunk's last newline is copied to the start of the next chunk's slot.
    Chunks, offsets and lengths are exactly those of :func:`kire.kg.sources.stream_chunks`.
    """
    carry, start, k, eof = b"", 0, 0, False  # carry: text after the last cut, starting at `start`
    while True:
        boundary = (k + 1) * chunk_bytes
        if start - 1 >= boundary:  # the previous line already covered this whole range
            yield k, start, None, 0
            k += 1
            continue
        slot = slots.take()
        slot.ensure(len(carry) + TAIL_BLOCK)
        n = len(carry)
        slot.map[:n] = carry
        cut = -1  # offset in the slot of the newline that closes chunk k
        rel = boundary - start  # the boundary's offset in the slot
        if n > rel:
            cut = slot.map.find(b"\n", rel, n)
        while cut < 0 and not eof:
            want = rel + 1 - n
            size = want if want > 0 else TAIL_BLOCK
            slot.ensure(n + size)
            with memoryview(slot.map) as view:
                got = readinto_or_fail(fh, view[n:n + size], path)
            if not got:
                eof = True
                break
            if n + got > rel:
                cut = slot.map.find(b"\n", max(n, rel), n + got)
            n += got
        if cut < 0:  # end of stream: the rest is the last chunk
            if n or k == 0:
                yield k, start, slot, n
            else:
                slots.give_back(slot)
            return
        length = cut + 1
        carry = slot.map[length:n]
        yield k, start, slot, length
        start, k = start + length, k + 1


def map_spooled(path: str, length: int):
    """The first ``length`` bytes of a spool file, memory-mapped read-only (b"" when empty).

    Mapping shares the file's pages instead of copying them: reading 64 MB into a fresh bytes
    object cost a worker about 0.6 CPU-s per GB (measured)."""
    if length == 0:
        return b""
    fd = os.open(path, os.O_RDONLY)
    try:
        return mmap.mmap(fd, length, access=mmap.ACCESS_READ)
    finally:
        os.close(fd)
