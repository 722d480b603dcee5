"""Chunking: every line is owned by exactly one chunk, whatever the format and the chunk size."""

from __future__ import annotations

import bz2
import io
import random

import pytest

from kire.kg.bz2blocks import bz2_ranges, find_markers, read_bz2_range
from kire.kg.sources import json_ranges, read_json_range, stream_chunks


def random_lines(seed: int, n: int = 150) -> bytes:
    """Lines of very different lengths, some longer than a chunk, ending with or without a newline."""
    rng = random.Random(seed)
    lines = []
    for i in range(n):
        length = rng.choice([0, 1, 5, 40, 300, 2000, 9000])
        lines.append(f"{i:05d}".encode() + bytes(rng.choice(b"abcdefgh") for _ in range(length)))
    return b"\n".join(lines) + (b"\n" if seed % 2 else b"")


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
@pytest.mark.parametrize("chunk_bytes", [1, 333, 4096, 10**7])
def test_json_ranges_own_every_line_once(tmp_path, seed, chunk_bytes):
    data = random_lines(seed)
    path = tmp_path / "d.json"
    path.write_bytes(data)
    if chunk_bytes == 1:  # one byte per chunk: on a prefix only (one file open per byte)
        data = data[:20000]
        path.write_bytes(data)
    pieces = [read_json_range(path, s, e)[1] for s, e in json_ranges(len(data), chunk_bytes)]
    assert b"".join(pieces) == data


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("chunk_bytes", [5, 1000, 4096, 10**7])
def test_stream_chunks_own_every_line_once(seed, chunk_bytes):
    data = random_lines(seed)
    chunks = list(stream_chunks(io.BytesIO(data), chunk_bytes))
    assert [k for k, _, _ in chunks] == list(range(len(chunks)))
    assert b"".join(b"".join(c) for _, _, c in chunks) == data
    for _, offset, pieces in chunks:  # offsets locate each chunk in the stream
        piece = b"".join(pieces)
        assert data[offset:offset + len(piece)] == piece
        assert not piece or piece.endswith(b"\n") or offset + len(piece) == len(data)


def test_bz2_markers_are_found_at_any_bit_offset():
    data = bz2.compress(random_lines(4) * 3, compresslevel=1)  # blocks of 100 kB: several blocks
    markers = find_markers(data)
    blocks = [bit for bit, kind in markers if kind == "block"]
    assert blocks[0] == 32  # right after the 4-byte header
    assert len(blocks) > 3 and {bit % 8 for bit in blocks} != {0}
    assert markers[-1][1] == "eos"


@pytest.mark.parametrize("json_bytes_per_chunk", [10_000, 150_000, 10**8])
def test_bz2_ranges_own_every_line_once(tmp_path, json_bytes_per_chunk):
    text = random_lines(5) * 8
    # Two concatenated streams (as pbzip2 writes) with small blocks.
    half = text.rfind(b"\n", 0, len(text) // 2) + 1
    path = tmp_path / "d.json.bz2"
    path.write_bytes(bz2.compress(text[:half], 1) + bz2.compress(text[half:], 1))
    ranges = bz2_ranges(path, json_bytes_per_chunk)
    pieces = [read_bz2_range(path, s, e, first=(k == 0)) for k, (s, e) in enumerate(ranges)]
    assert b"".join(pieces) == text
    if json_bytes_per_chunk == 10_000:
        assert len(ranges) > 10


@pytest.mark.parametrize("threads", [1, 3])
def test_gzip_reader_parallel_or_not_gives_the_same_chunks(tmp_path, threads):
    import gzip as gz

    from kire.errors import InputError
    from kire.kg.sources import open_decompressed

    data = random_lines(6) * 20
    path = tmp_path / "d.json.gz"
    path.write_bytes(gz.compress(data, 6))
    with open_decompressed(path, threads) as fh:
        assert b"".join(b"".join(c) for _, _, c in stream_chunks(fh, 50_000)) == data
    broken = tmp_path / "broken.json.gz"
    broken.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(InputError, match="broken.json.gz"):
        with open_decompressed(broken, threads) as fh:
            for _ in stream_chunks(fh, 50_000, broken):
                pass


def test_parallel_gzip_reader_accepts_multi_member_files(tmp_path):
    import gzip as gz

    from kire.kg.sources import open_decompressed

    data = random_lines(7) * 5
    half = data.rfind(b"\n", 0, len(data) // 2) + 1
    path = tmp_path / "members.json.gz"
    path.write_bytes(gz.compress(data[:half]) + gz.compress(data[half:]))  # as bgzip or `cat a.gz b.gz`
    with open_decompressed(path, 3) as fh:
        assert b"".join(b"".join(c) for _, _, c in stream_chunks(fh, 50_000)) == data


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("chunk_bytes", [1, 5, 1000, 4096, 10**7])
def test_spool_slots_hold_the_same_chunks_as_stream_chunks(tmp_path, seed, chunk_bytes):
    """Decompressing straight into reused spool slots cuts the stream exactly as stream_chunks does
    (lines longer than a slot grow it; a slot is reused only once released)."""
    from kire.kg.spool import SpoolSlots, fill_chunks, map_spooled

    data = random_lines(seed)
    expected = [(k, offset, b"".join(p)) for k, offset, p in stream_chunks(io.BytesIO(data), chunk_bytes)]
    slots = SpoolSlots(tmp_path, 2, chunk_bytes + 7)
    got, lent = [], []
    try:
        for k, offset, slot, length in fill_chunks(io.BytesIO(data), chunk_bytes, slots):
            got.append((k, offset, bytes(map_spooled(str(slot.path), length)) if slot else b""))
            if slot is not None:
                slots.lend(k, slot)
                lent.append(k)
            if len(lent) == 2:  # both slots out: the next chunk needs one back
                slots.release(lent.pop(0))
    finally:
        slots.close()
    assert got == expected
    assert len(list(tmp_path.iterdir())) <= 2


@pytest.mark.parametrize("threads", [1, 3])
def test_gzip_stream_into_slots_checks_the_file(tmp_path, threads):
    import gzip as gz

    from kire.errors import InputError
    from kire.kg.sources import open_gzip_stream
    from kire.kg.spool import SpoolSlots, fill_chunks

    data = random_lines(8) * 20
    path = tmp_path / "d.json.gz"
    path.write_bytes(gz.compress(data[:len(data) // 3]) + gz.compress(data[len(data) // 3:]))  # 2 members
    (tmp_path / "slots").mkdir()
    slots = SpoolSlots(tmp_path / "slots", 1, 60_000)
    text = b""
    with open_gzip_stream(path, threads) as fh:
        for k, _, slot, length in fill_chunks(fh, 50_000, slots, path):
            text += slot.map[:length] if slot else b""
            if slot is not None:
                slots.give_back(slot)
    assert text == data
    broken = tmp_path / "broken.json.gz"
    broken.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(InputError, match="broken.json.gz"):
        with open_gzip_stream(broken, threads) as fh:
            for _, _, slot, _ in fill_chunks(fh, 50_000, slots, broken):
                if slot is not None:
                    slots.give_back(slot)
    slots.close()
