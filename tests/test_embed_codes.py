"""Export of one code per attribute triple and its reader; the `kire embed` steps end to end."""

from __future__ import annotations

import argparse
import json

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import torch

from embed_kg import write_small_kg
from kire.embed.autoencoder import AttributeEncoder
from kire.embed.cli import register
from kire.embed.codes import encode_sequences, entity_offsets, read_attribute_codes, write_attribute_codes
from kire.embed.glove import load_glove
from kire.embed.lookup import LPLookup
from kire.errors import InputError


def _kire_embed(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers())
    args = parser.parse_args(["embed", *map(str, argv)])
    return args.func(args)


def test_codes_follow_sequences_and_identical_sequences_share_a_code():
    torch.manual_seed(0)
    enc = AttributeEncoder(dim=50, hidden=3)
    lp = LPLookup(load_glove(None))
    seqs = [["label", "Berlin"], ["alias", "Berlin", ",", "Germany"], [], ["label", "Berlin"]]
    codes = encode_sequences(enc, lp, seqs, batch_size=2)
    assert codes.shape == (4, 6) and codes.dtype == np.float32
    assert np.array_equal(codes[0], codes[3]) and not np.array_equal(codes[0], codes[1])
    assert np.array_equal(codes[2], np.zeros(6, np.float32))
    with torch.no_grad():
        direct = enc(torch.from_numpy(lp.matrix(seqs[1]))[None]).numpy()[0]
    assert np.allclose(codes[1], direct, atol=1e-6)


def test_write_and_read_codes(tmp_path):
    ids = ["Q1", "Q2", "Q3"]
    table = pa.table({"entity": ["Q1", "Q1", "Q3"], "triple": pa.array([0, 1, 0], pa.int32()),
                      "attribute": ["label", "alias", "label"], "value": ["a", "b", "c"],
                      "tokens": [["label", "a"], ["alias", "b"], ["label", "c"]]})
    codes = np.arange(12, dtype=np.float32).reshape(3, 4)
    write_attribute_codes(tmp_path / "codes", ids, table, codes, {"note": "test"})
    back = read_attribute_codes(tmp_path / "codes")
    assert back.entity_ids == ids and back.code_dim == 4
    assert back.offsets.tolist() == [0, 2, 2, 3]
    assert np.array_equal(back.codes_of("Q1"), codes[:2])
    assert back.codes_of("Q2").shape == (0, 4) and back.codes_of("Q9").shape == (0, 4)
    meta = json.loads((tmp_path / "codes" / "meta.json").read_text())
    assert meta["triples"] == 3 and meta["entities"] == 3 and meta["note"] == "test"
    assert pq.read_table(tmp_path / "codes" / "triples.parquet").column("value").to_pylist() == ["a", "b", "c"]


def test_offsets_reject_unknown_or_ungrouped_entities():
    with pytest.raises(InputError, match="not in the entity list"):
        entity_offsets(["Q1"], ["Q1", "Q7"])
    with pytest.raises(InputError, match="grouped"):
        entity_offsets(["Q1", "Q2"], ["Q2", "Q1"])
    with pytest.raises(InputError, match="not found"):
        read_attribute_codes("/nonexistent/codes")


def test_embed_steps_end_to_end(tmp_path):
    kg = write_small_kg(tmp_path / "kg")
    nodes = tmp_path / "nodes.parquet"
    pq.write_table(pa.table({"qid": ["Q64", "Q84", "Q404"]}), nodes)
    assert _kire_embed("sequences", "--kg", kg, "--out", tmp_path / "seq") == 0
    assert _kire_embed("chars", "--sequences", tmp_path / "seq", "--epochs", "2",
                       "--out", tmp_path / "chars") == 0
    assert _kire_embed("pretrain", "--sequences", tmp_path / "seq", "--chars", tmp_path / "chars",
                       "--max-epochs", "2", "--heldout", "0.2", "--no-progress",
                       "--out", tmp_path / "model") == 0
    assert _kire_embed("encode", "--sequences", tmp_path / "seq", "--chars", tmp_path / "chars",
                       "--model", tmp_path / "model", "--entities", nodes,
                       "--entities-column", "qid", "--out", tmp_path / "codes") == 0
    report = json.loads((tmp_path / "model" / "report.json").read_text())
    assert report["epochs_run"] == 2 and report["lp_coverage"]["zero"] == 0.0  # chars cover all
    codes = read_attribute_codes(tmp_path / "codes")
    assert codes.entity_ids == ["Q64", "Q84"] and codes.code_dim == 100
    assert codes.codes_of("Q64").shape == (6, 100)
    assert {p.name for p in (tmp_path / "model").iterdir()} == {
        "encoder.safetensors", "encoder.json", "autoencoder.safetensors", "report.json"}
