"""Dumps as users bring them (issue 15 §1): other JSON shapes are read or refused naming the shape,
an extraction with nothing in it or with too many rejects fails without a manifest, rejects are
reported on stderr, language codes are checked, `kire kg query | head` is quiet, progress is shown.

Every dump here is small and invented, written by the test."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from kire.cli import main
from kire.errors import InputError, KireError
from kire.kg.extract import extract
from kire.kg.tables import ExtractOptions
from tests.conftest import ROOT

OPTS = ExtractOptions(("en",))


def entity(qid: str, label: str, population: str | None = None) -> dict:
    claims = {}
    if population:
        claims["P1082"] = [{
            "mainsnak": {"snaktype": "value", "property": "P1082", "datatype": "quantity",
                         "datavalue": {"type": "quantity", "value": {"amount": f"+{population}", "unit": "1"}}},
            "type": "statement", "id": f"{qid}$pop", "rank": "preferred"}]
    return {"type": "item", "id": qid, "labels": {"en": {"language": "en", "value": label}},
            "descriptions": {}, "aliases": {}, "claims": claims,
            "sitelinks": {"enwiki": {"site": "enwiki", "title": label, "badges": []}}}


ENTITIES = [entity("Q910001", "Aldwick", "1200"), entity("Q910002", "Brenfield"),
            entity("Q910003", "Corvale", "56")]


def official(entities=ENTITIES) -> bytes:
    return ("[\n" + ",\n".join(json.dumps(e) for e in entities) + "\n]\n").encode()


def rows(out: Path) -> dict:
    return {t: sorted(map(str, pq.read_table(out / t).to_pylist()))
            for t in ("entities", "aliases", "attribute_triples", "sitelinks")}


@pytest.fixture(scope="module")
def expected(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("official")
    (folder / "dump.json").write_bytes(official())
    extract(folder / "dump.json", folder / "kg", OPTS, workers=0)
    return rows(folder / "kg")


SHAPES = {
    "one-line array": json.dumps(ENTITIES).encode(),
    "pretty array": json.dumps(ENTITIES, indent=2).encode(),
    "pretty object": json.dumps(ENTITIES[0], indent=4).encode(),
    "api response": json.dumps({"entities": {e["id"]: e for e in ENTITIES}, "success": 1}).encode(),
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
@pytest.mark.parametrize("suffix", [".json", ".json.gz"])
def test_other_json_shapes_are_read_as_the_official_one(shape, suffix, expected, tmp_path, caplog):
    data = SHAPES[shape]
    dump = tmp_path / f"dump{suffix}"
    dump.write_bytes(gzip.compress(data) if suffix == ".json.gz" else data)
    manifest = extract(dump, tmp_path / "kg", OPTS, workers=0)
    got = rows(tmp_path / "kg")
    if shape == "pretty object":
        assert manifest["rows"]["entities"] == 1 and "Aldwick" in got["entities"][0]
    else:
        assert got == expected and manifest["rejected"] == 0
    assert manifest["input"]["shape"] != "one entity per line"
    assert "not the Wikidata dump shape" in caplog.text or "is a" in caplog.text
    assert not (tmp_path / "kg" / "_chunks" / "dump-lines.json").exists()


@pytest.mark.parametrize("content, seen", [
    (b"", "an empty file"),
    (b"\n  \n", "an empty file"),
    (b"[\n]\n", "an empty JSON array"),
    (b"[]", "an empty JSON array"),
    (b"id\tlabel\nQ1\tUniverse\n", "not JSON"),
])
def test_empty_or_non_json_dumps_fail_naming_the_shape(content, seen, tmp_path):
    dump = tmp_path / "dump.json"
    dump.write_bytes(content)
    with pytest.raises(InputError) as err:
        extract(dump, tmp_path / "kg", OPTS, workers=0)
    message = str(err.value)
    assert str(dump) in message and seen in message and "one entity object per line" in message
    assert not (tmp_path / "kg" / "manifest.json").exists()


def test_malformed_json_in_another_shape_names_the_shape(tmp_path):
    dump = tmp_path / "dump.json"
    dump.write_bytes(SHAPES["pretty array"][:-40])
    with pytest.raises(InputError) as err:
        extract(dump, tmp_path / "kg", OPTS, workers=0)
    assert "pretty-printed JSON array" in str(err.value) and "not valid JSON" in str(err.value)


def test_zero_entities_fail_without_manifest(tmp_path):
    lexeme = {"type": "lexeme", "id": "L1", "lemmas": {}, "claims": {}}
    dump = tmp_path / "dump.json"
    dump.write_bytes(official([lexeme, dict(lexeme, id="L2")]))
    with pytest.raises(KireError) as err:
        extract(dump, tmp_path / "kg", OPTS, workers=0)
    assert "no item or property extracted (2 lexeme skipped)" in str(err.value)
    assert not (tmp_path / "kg" / "manifest.json").exists() and not (tmp_path / "kg" / "kg.duckdb").exists()


def test_rejects_above_the_share_fail_and_are_reported(tmp_path, capsys, caplog):
    lines = official().decode().splitlines()
    lines.insert(2, '{"type": "item", "labels": {}},')  # no id
    dump = tmp_path / "dump.json"
    dump.write_text("\n".join(lines) + "\n")
    out = tmp_path / "kg"
    assert main(["kg", "extract", str(dump), "--out", str(out), "--workers", "0"]) == 1
    err = capsys.readouterr().err
    assert "1 of 4 lines rejected" in err and str(out / "rejects.jsonl") in err
    offset = len("\n".join(lines[:2])) + 1
    assert f"first at byte {offset}" in err and "max_reject_share = 0.01" in err
    assert not (out / "manifest.json").exists()
    # raised: accepted (finished chunks are reused), and still reported (the warning of logging,
    # which is stderr outside pytest: see test_query_into_head_is_quiet_and_progress_lines_are_plain)
    caplog.clear()
    assert main(["kg", "extract", str(dump), "--out", str(out), "--workers", "0",
                 "--max-reject-share", "0.5"]) == 0
    assert json.loads(capsys.readouterr().out)["rejected"] == 1 and (out / "manifest.json").is_file()
    assert "1 of 4 lines rejected" in caplog.text and str(out / "rejects.jsonl") in caplog.text


@pytest.mark.parametrize("value, ok", [("en,de", True), ("zh-hans,be-tarask", True), ("en de", False),
                                       ("EN", False), ("en;de", False), ("e", False)])
def test_language_codes_are_checked(value, ok, tmp_path, capsys):
    dump = tmp_path / "dump.json"
    dump.write_bytes(official())
    args = ["kg", "extract", str(dump), "--out", str(tmp_path / "kg"), "--workers", "0", "--languages", value]
    if ok:
        assert main(args) == 0
        return
    with pytest.raises(SystemExit):
        main(args)
    err = capsys.readouterr().err
    assert f"invalid language code {value!r}" in err or f"invalid language code '{value.split()[0]}" in err
    if " " in value:
        assert "separate codes with commas" in err


def test_query_into_head_is_quiet_and_progress_lines_are_plain(tmp_path):
    lines = official().decode().splitlines()
    lines.insert(1, '{"type": "item", "id": 5},')
    dump = tmp_path / "dump.json"
    dump.write_text("\n".join(lines) + "\n")
    kire = [sys.executable, "-m", "kire"]
    proc = subprocess.run(kire + ["kg", "extract", str(dump), "--out", str(tmp_path / "kg"), "--workers", "0",
                                  "--max-reject-share", "0.3"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    progress = [x for x in proc.stderr.splitlines() if x.startswith("kg extract:")]
    assert progress[0] == "kg extract: started" and "chunk/s" in progress[-1] and "MB of JSON" in progress[-1]
    assert "\r" not in proc.stderr
    # the rule log (stderr) names the rejects: count, first offset, file
    assert f"1 of 4 lines rejected as malformed (first at byte 2; all in {tmp_path / 'kg' / 'rejects.jsonl'})" \
        in proc.stderr
    query = " ".join(kire) + f" kg query {tmp_path / 'kg'} 'SELECT * FROM range(300000)' --limit 300000 | head -n 2"
    piped = subprocess.run(["bash", "-o", "pipefail", "-c", query], cwd=ROOT, capture_output=True, text=True,
                           timeout=120)
    assert piped.stdout.splitlines()[0].strip() == "range"
    assert "Traceback" not in piped.stderr and "BrokenPipe" not in piped.stderr, piped.stderr
    assert piped.returncode == 141


def test_gzip_progress_estimates_the_chunk_count(tmp_path, monkeypatch, capsys):
    """A .json.gz has no known size of JSON: the chunk total is estimated from the share of the
    compressed file read, so that the ETA shows; the last line gives the real count."""
    monkeypatch.setenv("KIRE_PROGRESS_SECONDS", "0")
    many = [entity(f"Q{920000 + k}", f"Place {k}", str(k)) for k in range(400)]
    dump = tmp_path / "dump.json.gz"
    dump.write_bytes(gzip.compress(official(many)))
    manifest = extract(dump, tmp_path / "kg", OPTS, workers=0, chunk_mb=0.02)
    n = manifest["chunks"]
    lines = [x for x in capsys.readouterr().err.splitlines() if x.startswith("kg extract:")]
    assert n > 3 and lines[-1].startswith(f"kg extract: {n}/{n} chunk (100%)")
    assert len(lines) == n + 2 and all("ETA" in x for x in lines[1:-1])


def test_gzip_chunk_estimate_scales_by_the_compressed_share_read():
    from kire.kg.extract import _gzip_chunks_estimate

    assert _gzip_chunks_estimate({"chunks": 3, "compressed_tell": lambda: 250}, 1000) == 12
    assert _gzip_chunks_estimate({"chunks": 3, "compressed_tell": lambda: 1000}, 1000) == 3

    def closed():
        raise ValueError("I/O operation on closed file")

    assert _gzip_chunks_estimate({"chunks": 7, "compressed_tell": closed}, 1000) == 7
