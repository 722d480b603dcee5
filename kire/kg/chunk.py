"""Extract one chunk of dump lines into Parquet parts: the unit of work a Dask task runs.

A chunk's outputs are ``<out>/<table>/part-<k>.parquet`` for every table,
``<out>/_chunks/part-<k>.rejects.jsonl`` and, written last, the marker ``<out>/_chunks/part-<k>.json``
with its counts (``<k>`` zero-padded, :func:`part_name`). A chunk whose marker exists is
finished: a rerun after a crash skips it.

A task's input is a *chunk spec* (:class:`ChunkSpec`): where chunk ``k``'s text is and how to read it.
One class per source, so that the dump format is decided once, where the specs are made
(kire.kg.extract):

- :class:`JsonRange`: a byte range of a plain ``.json`` dump, read by the task itself;
- :class:`Bz2Range`: a compressed byte range of a ``.json.bz2`` dump (kire.kg.bz2blocks);
- :class:`TextPieces`: decompressed gzip text held in memory (in-process runs);
- :class:`SpoolSlotText`: decompressed gzip text in a spool slot (local Dask workers, kire.kg.spool);
- :class:`SpoolFileText`: decompressed gzip text in a closed spool file (``--scheduler``), deleted
  once the chunk is finished.
"""

from __future__ import annotations

import abc
import contextlib
import gc
import json
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import msgspec

from kire.io import atomic_path, write_json_atomic, write_parquet_atomic
from kire.kg.records import entity_decoder
from kire.kg.schema import DICTIONARY_COLUMNS
from kire.kg.sources import read_json_range
from kire.kg.spool import map_spooled
from kire.kg.tables import ExtractOptions, TableRows

REJECT_PREVIEW = 300  # bytes of a rejected line kept in rejects.jsonl


def part_name(index: int) -> str:
    """File stem of chunk ``index``'s parts (sortable)."""
    return f"part-{index:06d}"


def marker_path(out: Path, index: int) -> Path:
    """The marker that says chunk ``index`` is finished."""
    return out / "_chunks" / f"{part_name(index)}.json"


def rejects_path(out: Path, index: int) -> Path:
    """The rejected lines of chunk ``index`` (JSON lines)."""
    return out / "_chunks" / f"{part_name(index)}.rejects.jsonl"


# ---- chunk specs: where a chunk's text is ---------------------------------------------------------

@dataclass(frozen=True)
class ChunkSpec(abc.ABC):
    """Chunk ``chunk`` of the dump; a subclass says where its text is. Sent to a Dask worker (pickled)."""

    chunk: int

    @abc.abstractmethod
    def read(self):
        """``(offset, text)``: the chunk's whole dump lines and the offset of their first byte in the
        decompressed dump (None when unknown). ``text`` is bytes or a read-only mmap."""

    def finished(self) -> None:
        """Called once the chunk's parts and marker are written (nothing to do for most sources)."""


@dataclass(frozen=True)
class JsonRange(ChunkSpec):
    """The lines of a plain JSON dump owned by the byte range ``[start, end)`` (kire.kg.sources)."""

    path: str
    start: int
    end: int

    def read(self):
        return read_json_range(self.path, self.start, self.end)


@dataclass(frozen=True)
class Bz2Range(ChunkSpec):
    """The lines owned by the compressed byte range ``[start, end)`` of a bz2 dump (kire.kg.bz2blocks).

    The offset in the decompressed dump is unknown (None): it would take decompressing every
    earlier block."""

    path: str
    start: int
    end: int

    def read(self):
        from kire.kg.bz2blocks import read_bz2_range

        return None, read_bz2_range(self.path, self.start, self.end, first=(self.chunk == 0))


@dataclass(frozen=True)
class TextPieces(ChunkSpec):
    """Decompressed text starting at ``offset``, in pieces whose concatenation is the chunk
    (kire.kg.sources.stream_chunks); the worker joins them."""

    offset: int
    pieces: list[bytes]

    def read(self):
        return self.offset, b"".join(self.pieces)


@dataclass(frozen=True)
class SpoolSlotText(ChunkSpec):
    """Decompressed text in the first ``length`` bytes of a spool slot (kire.kg.spool); the driver
    reuses the slot once the chunk's marker is back."""

    offset: int
    path: str
    length: int

    def read(self):
        return self.offset, map_spooled(self.path, self.length)


@dataclass(frozen=True)
class SpoolFileText(ChunkSpec):
    """Decompressed text in a closed spool file, deleted once the chunk is finished."""

    offset: int
    path: str

    def read(self):
        return self.offset, map_spooled(self.path, os.stat(self.path).st_size)

    def finished(self) -> None:
        # Only after the marker: a worker lost before this point leaves the file for Dask's retry.
        Path(self.path).unlink(missing_ok=True)


# ---- extracting a chunk's lines ----------------------------------------------------------------

@contextlib.contextmanager
def gc_paused():
    """Pause the cyclic garbage collector (reentrant).

    Decoding a chunk allocates millions of acyclic objects (structs, strings, row tuples); the
    collector would rescan the growing row lists again and again (measured: 2.5x slower).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def dump_lines(buf: bytes):
    """Yield ``(offset, line)`` for every entity line of ``buf`` (a run of whole dump lines).

    ``line`` is a memoryview without the trailing ``,`` and whitespace; the array brackets ``[`` and ``]``
    and blank lines are not yielded.
    """
    view = memoryview(buf)
    start, n = 0, len(buf)
    while start < n:
        end = buf.find(b"\n", start)
        if end < 0:
            end = n
        stop = end
        while stop > start and buf[stop - 1] in b" \t\r,":
            stop -= 1
        first = start
        while first < stop and buf[first] in b" \t":
            first += 1
        if stop > first and not (stop - first == 1 and buf[first] in b"[]"):
            yield start, view[first:stop]
        start = end + 1


def extract_lines(buf: bytes, index: int, base_offset: int | None, options: ExtractOptions):
    """Decode every line of ``buf``; return ``(TableRows, rejects)``.

    ``rejects`` are dicts {chunk, offset, dump_offset, error, line} where ``offset`` is the line's byte
    offset in the chunk's decompressed text and ``dump_offset`` the offset in the decompressed dump
    when known (``base_offset`` is the chunk's start offset, None when unknown, e.g. for bz2 blocks).
    """
    decoder = entity_decoder(options.languages, options.qualifiers)
    rows = TableRows(options)
    rejects = []
    with gc_paused():
        for offset, line in dump_lines(buf):
            try:
                rows.add_entity(decoder.decode(line))
            except (msgspec.DecodeError, msgspec.ValidationError, ValueError) as err:
                rejects.append({
                    "chunk": index, "offset": offset,
                    "dump_offset": None if base_offset is None else base_offset + offset,
                    "error": str(err),
                    "line": bytes(line[:REJECT_PREVIEW]).decode("utf-8", "replace"),
                })
    return rows, rejects


def write_chunk(out: Path, index: int, rows: TableRows, rejects: list[dict], extra: dict) -> dict:
    """Write chunk ``index``'s parts, rejects and (last) its marker; return the marker's content."""
    tables = rows.arrow_tables()
    for name, table in tables.items():
        write_parquet_atomic(table, out / name / f"{part_name(index)}.parquet",
                             use_dictionary=[c for c in table.column_names if c in DICTIONARY_COLUMNS])
    with atomic_path(rejects_path(out, index)) as tmp:
        with open(tmp, "w", encoding="utf-8") as fh:
            for rec in rejects:
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    marker = {
        "chunk": index,
        "rows": {name: table.num_rows for name, table in tables.items()},
        "counts": dict(rows.counts),
        "rejected": len(rejects),
        **extra,
    }
    write_json_atomic(marker_path(out, index), marker)
    return marker


def sum_counts(markers: list[dict]) -> dict:
    """Totals over chunk markers: rows per table, counts, rejected lines, input bytes."""
    rows, counts = Counter(), Counter()
    for m in markers:
        rows.update(m["rows"])
        counts.update(m["counts"])
    return {
        "rows": dict(sorted(rows.items())),
        "counts": dict(sorted(counts.items())),
        "rejected": sum(m["rejected"] for m in markers),
        "json_bytes": sum(m.get("json_bytes", 0) for m in markers),
    }
