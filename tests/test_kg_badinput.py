"""Bad input: malformed lines are rejected with their location, broken compressed files fail clearly,
and a crashed or killed run resumes from its finished chunks."""

from __future__ import annotations

import bz2
import gzip
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import kire.kg.extract as kg_extract
from kire.errors import InputError
from kire.kg.extract import extract
from kire.kg.tables import ExtractOptions
from tests.conftest import ROOT, shared_file

OPTS = ExtractOptions(("en",))


@pytest.fixture(scope="module")
def head_lines() -> list[bytes]:
    """The entity lines of the real dump head (each ending with ``,\\n``)."""
    lines = shared_file("wikidata/latest-all-head50.json").read_bytes().splitlines(keepends=True)
    return [line for line in lines if line.strip() not in (b"[", b"]")]


def write_dump(path: Path, lines: list[bytes]) -> Path:
    data = b"[\n" + b"".join(lines) + b"]\n"
    if path.suffix == ".gz":
        data = gzip.compress(data)
    elif path.suffix == ".bz2":
        data = bz2.compress(data)
    path.write_bytes(data)
    return path


def test_malformed_lines_go_to_rejects_with_chunk_and_offset(tmp_path, head_lines):
    broken = head_lines[3][: len(head_lines[3]) // 2] + b"\n"  # cut in the middle: invalid JSON
    wrong_shape = b'{"type":"item","labels":{}},\n'  # valid JSON without an id
    lines = head_lines[:3] + [broken] + head_lines[4:6] + [wrong_shape] + head_lines[6:8]
    dump = write_dump(tmp_path / "bad.json", lines)
    manifest = extract(dump, tmp_path / "kg", OPTS, workers=0, chunk_mb=0.05, max_reject_share=0.25)
    assert manifest["rejected"] == 2
    assert manifest["rows"]["entities"] == 7
    rejects = [json.loads(x) for x in (tmp_path / "kg" / "rejects.jsonl").read_text().splitlines()]
    assert len(rejects) == 2
    data = dump.read_bytes()
    for rec, expected in zip(rejects, [broken, wrong_shape]):
        assert data[rec["dump_offset"]:].startswith(expected.rstrip(b",\n"))
        assert isinstance(rec["chunk"], int) and rec["error"]
    assert "id" in rejects[1]["error"]  # msgspec names the missing field


@pytest.mark.parametrize("suffix", [".json.gz", ".json.bz2"])
@pytest.mark.parametrize("damage", ["truncate", "flip"])
def test_broken_compressed_input_fails_clearly(tmp_path, head_lines, suffix, damage):
    dump = write_dump(tmp_path / f"d{suffix}", head_lines[:20])
    data = bytearray(dump.read_bytes())
    if damage == "truncate":
        data = data[: len(data) * 2 // 3]
    else:
        data[len(data) // 2] ^= 0x55
    dump.write_bytes(bytes(data))
    out = tmp_path / "kg"
    with pytest.raises(InputError) as err:
        extract(dump, out, OPTS, workers=0, chunk_mb=0.2)
    assert str(dump) in str(err.value)
    assert not (out / "manifest.json").exists() and not (out / "kg.duckdb").exists()


def test_wrong_suffix_is_reported(tmp_path):
    dump = tmp_path / "plain.json.gz"
    dump.write_bytes(b"[\n]\n")
    with pytest.raises(InputError, match="not gz-compressed"):
        extract(dump, tmp_path / "kg", OPTS, workers=0)


def test_crash_then_rerun_reuses_finished_chunks(tmp_path, head_lines, monkeypatch):
    dump = write_dump(tmp_path / "d.json.gz", head_lines)
    out = tmp_path / "kg"
    real_run_chunk = kg_extract.run_chunk

    def crash_at_chunk_6(spec, out_dir, options):
        if spec.chunk == 6:
            raise RuntimeError("simulated crash")
        return real_run_chunk(spec, out_dir, options)

    monkeypatch.setattr(kg_extract, "run_chunk", crash_at_chunk_6)
    with pytest.raises(RuntimeError):
        extract(dump, out, OPTS, workers=0, chunk_mb=0.1)
    assert not (out / "manifest.json").exists() and not (out / "kg.duckdb").exists()
    finished = sorted((out / "_chunks").glob("part-*.json"))
    assert len(finished) == 6
    mtimes = {p.name: p.stat().st_mtime_ns for p in finished}

    monkeypatch.setattr(kg_extract, "run_chunk", real_run_chunk)
    manifest = extract(dump, out, OPTS, workers=0, chunk_mb=0.1)
    assert manifest["chunks_reused"] == 6
    assert {p.name: p.stat().st_mtime_ns for p in finished} == mtimes  # not rewritten
    fresh = extract(dump, tmp_path / "fresh", OPTS, workers=0, chunk_mb=0.1)
    assert manifest["rows"] == fresh["rows"] and manifest["counts"] == fresh["counts"]


def test_changed_options_start_over(tmp_path, head_lines):
    dump = write_dump(tmp_path / "d.json", head_lines[:10])
    out = tmp_path / "kg"
    extract(dump, out, OPTS, workers=0, chunk_mb=0.1)
    manifest = extract(dump, out, ExtractOptions(("de",)), workers=0, chunk_mb=0.1)
    assert manifest["chunks_reused"] == 0


def test_killed_extraction_resumes(tmp_path):
    """SIGKILL a real `kire kg extract` (a Dask LocalCluster) mid-run, then rerun."""
    dump = tmp_path / "synth.json"
    code = ("import sys; from kire.kg.synth import write_synthetic_dump as w; "
            "w(sys.argv[1], 4000, seed=3)")
    subprocess.run([sys.executable, "-c", code, str(dump)], check=True, cwd=ROOT)
    out = tmp_path / "kg"
    cmd = [sys.executable, "-c",
           "import sys; from kire.kg.commands import register; import argparse; "
           "p = argparse.ArgumentParser(); register(p.add_subparsers()); "
           "a = p.parse_args(sys.argv[1:]); sys.exit(a.func(a))",
           "extract", str(dump), "--out", str(out), "--workers", "2", "--chunk-mb", "0.25"]
    proc = subprocess.Popen(cmd, cwd=ROOT, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 60
        while time.time() < deadline and proc.poll() is None:
            if len(list((out / "_chunks").glob("part-*.json"))) >= 3:
                break
            time.sleep(0.01)
        assert proc.poll() is None, "extraction ended before it could be killed"
        os.killpg(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert not (out / "manifest.json").exists()
    finished = len(list((out / "_chunks").glob("part-*.json")))
    manifest = extract(dump, out, OPTS, workers=0, chunk_mb=0.25)
    assert manifest["chunks_reused"] >= 3 and manifest["chunks_reused"] == finished
    assert manifest["chunks_reused"] < manifest["chunks"]
    assert manifest["rows"]["entities"] == 4000 and manifest["rejected"] == 0


def test_gzip_spool_is_emptied_and_a_stale_spool_file_does_not_break_resume(
        tmp_path, head_lines, monkeypatch):
    """gzip with Dask workers: chunks go through spool files, which a run leaves behind empty; spool
    files left by a killed run are neither taken for finished chunks nor fed to the rerun."""
    import pyarrow.parquet as pq

    from kire.kg import chunk as chunks

    shm = tmp_path / "shm"
    shm.mkdir()
    monkeypatch.setattr(kg_extract, "SHM", shm)
    dump = write_dump(tmp_path / "d.json.gz", head_lines)
    out = tmp_path / "kg"
    manifest = extract(dump, out, OPTS, workers=2, chunk_mb=0.1)
    assert manifest["scheduler"] == "local" and manifest["chunks"] > 4
    assert list(shm.iterdir()) == [] and not (out / "_chunks" / "spool").exists()
    fresh = extract(dump, tmp_path / "fresh", OPTS, workers=0, chunk_mb=0.1)
    for table in OPTS.tables():  # the very same tables, part by part
        for k in range(manifest["chunks"]):
            name = f"{chunks.part_name(k)}.parquet"
            assert pq.read_table(out / table / name).equals(pq.read_table(tmp_path / "fresh" / table / name))

    # A run killed after chunk 2: later markers gone, half-written and complete spool files left over.
    for k in range(3, manifest["chunks"]):
        chunks.marker_path(out, k).unlink()
    spool = kg_extract.spool_dir(out, int(0.1 * (1 << 20)), 2, shared_fs=False)
    assert spool.parent == shm
    (spool / f"{chunks.part_name(3)}.txt").write_bytes(b'{"id": "Q1", "garbage": tru')
    (spool / f"{chunks.part_name(4)}.tmp").write_bytes(b"[\n")
    (out / "_chunks" / "spool").mkdir()
    (out / "_chunks" / "spool" / f"{chunks.part_name(5)}.txt").write_bytes(b"{}\n")
    again = extract(dump, out, OPTS, workers=2, chunk_mb=0.1)
    assert again["chunks_reused"] == 3 and again["rejected"] == 0
    assert again["rows"] == fresh["rows"] and again["counts"] == fresh["counts"]
    assert list(shm.iterdir()) == []


def test_gzip_with_an_existing_scheduler_uses_closed_spool_files(tmp_path, head_lines):
    """With --scheduler the workers may be on other machines: chunks go through closed spool files
    under the output folder (not /dev/shm slots), and the tables are those of an in-process run."""
    import pyarrow.parquet as pq
    from distributed import LocalCluster

    from kire.kg import chunk as chunks

    dump = write_dump(tmp_path / "d.json.gz", head_lines)
    out = tmp_path / "kg"
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        manifest = extract(dump, out, OPTS, scheduler=cluster.scheduler_address, chunk_mb=0.1)
    assert manifest["scheduler"] == cluster.scheduler_address and manifest["chunks"] > 4
    assert not (out / "_chunks" / "spool").exists()
    fresh = extract(dump, tmp_path / "fresh", OPTS, workers=0, chunk_mb=0.1)
    for table in OPTS.tables():
        for k in range(manifest["chunks"]):
            name = f"{chunks.part_name(k)}.parquet"
            assert pq.read_table(out / table / name).equals(pq.read_table(tmp_path / "fresh" / table / name))
