"""BiLSTM+KIRE end to end on a tiny hand-made dataset: two-stage training through kire.train."""

from __future__ import annotations

import json

import numpy as np
import pytest

pa = pytest.importorskip("pyarrow")
pytest.importorskip("kire.train.run", reason="the training stage (kire.train) is not in the tree")
pytest.importorskip("kire.coref.table", reason="the coreference stage (kire.coref) is not in the tree")
pytest.importorskip("kire.embed.codes", reason="the AutoEncoder stage (kire.embed.codes) is not in the tree")


def tiny_document(i: int):
    from kire.docs.model import Document, Entity, Label, Mention

    sents = [["Alice", "Smith", "was", "born", "in", "Paris", "."],
             ["She", "lives", "in", "France", "and", "works", "for", "Acme", "."]]
    entities = [Entity([Mention(0, 0, 2, "Alice Smith", "PER"), Mention(1, 0, 1, "She", "PER")], "PER"),
                Entity([Mention(0, 5, 6, "Paris", "LOC")], "LOC"), Entity([Mention(1, 3, 4, "France", "LOC")], "LOC"),
                Entity([Mention(1, 7, 8, "Acme", "ORG")], "ORG")]
    labels = [Label(0, 1, "P19", [0]), Label(1, 2, "P17", [0, 1]), Label(0, 3, "P108", [1])]
    return Document(f"doc{i}", sents, entities, labels)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """Docs, KG subgraph, coreference table and attribute codes of 4 train and 4 dev documents."""
    import pyarrow.parquet as pq

    from kire.coref.table import Triple, triples_to_table
    from kire.docs.model import write_documents
    from kire.embed.codes import write_attribute_codes
    from kire.io import write_parquet_atomic

    root = tmp_path_factory.mktemp("kire_tiny")
    (root / "rel_info.json").write_text(json.dumps({"P19": "place of birth", "P17": "country", "P108": "employer"}))
    for split in ("train", "dev"):
        write_documents([tiny_document(i) for i in range(4)], root / "docs" / split)
        sg = root / "subgraph" / split
        sg.mkdir(parents=True)
        pq.write_table(pa.table({"node": pa.array(range(5), pa.int32()), "qid": ["Q1", "Q90", "Q142", "Q5", "Q6"],
                                 "hop": pa.array([0, 0, 0, 1, 1], pa.int8()),
                                 "label": ["Alice Smith", "Paris", "France", "human", "Acme"]}), sg / "nodes.parquet")
        pq.write_table(pa.table({"src": pa.array([0, 1, 0], pa.int32()), "rel": pa.array([0, 1, 2], pa.int32()),
                                 "dst": pa.array([1, 2, 3], pa.int32())}), sg / "edges.parquet")
        pq.write_table(pa.table({"doc": pa.array([d for d in range(4) for _ in range(3)], pa.int32()),
                                 "entity": pa.array([0, 1, 2] * 4, pa.int32()),
                                 "node": pa.array([0, 1, 2] * 4, pa.int32())}), sg / "doc_entities.parquet")
        write_parquet_atomic(triples_to_table({d: [Triple((0, 2), (7, 8), "annotations", 1.0)] for d in range(4)}),
                             root / "coref" / f"{split}.parquet")
    pq.write_table(pa.table({"rel": pa.array([0, 1, 2], pa.int32()), "property": ["P19", "P17", "P31"],
                             "label": ["place of birth", "country", "instance of"]}),
                   root / "subgraph" / "relations.parquet")
    sequences = pa.table({"entity": ["Q1", "Q1", "Q142", "Q90"], "triple": pa.array([0, 1, 0, 0], pa.int32()),
                          "attribute": ["label", "description", "label", "label"],
                          "value": ["Alice Smith", "person", "France", "Paris"]})
    write_attribute_codes(root / "codes", sorted(["Q1", "Q90", "Q142", "Q5", "Q6"]), sequences,
                          np.random.RandomState(0).randn(4, 100).astype(np.float32))
    return root


def test_bilstm_kire_two_stage_training(tiny):
    from kire.models.checkpoint import load_tensors
    from kire.train.loop import TrainConfig
    from kire.train.run import run_training

    common = dict(train=str(tiny / "docs/train"), dev=str(tiny / "docs/dev"), test=None,
                  rel_info=str(tiny / "rel_info.json"), model="bilstm",
                  cfg=TrainConfig(epochs=1, batch_size=2, progress=False))
    base = run_training(out_dir=str(tiny / "base"), **common)
    settings = {"subgraph": str(tiny / "subgraph"), "coref": str(tiny / "coref/{split}.parquet"),
                "codes": str(tiny / "codes"), "init_from": str(tiny / "base")}
    summary = run_training(out_dir=str(tiny / "kire"), variant="kire", variant_settings=settings, **common)
    assert base["dev_f1"] <= summary["dev_f1"] <= 1.0  # epoch 0 (the base model itself) competes
    start, row = (json.loads(line) for line in (tiny / "kire" / "metrics.jsonl").read_text().splitlines())
    # epoch 0 is the starting point, scored with the fresh layer: exactly the base model's dev score
    assert start["epoch"] == 0 and "loss" not in start and start["dev_f1"] == base["dev_f1"]
    assert row["loss_cr"] > 0 and row["loss_kg"] > 0  # both auxiliary losses were trained
    weights = load_tensors(tiny / "kire" / "model.safetensors")
    assert any(k.startswith("inject.layer.graph.") for k in weights)
    assert any(k.startswith("inject.layer.reconciler.") for k in weights)


def test_unknown_settings_and_missing_inputs_are_clear_errors(tiny):
    from kire.errors import KireError
    from kire.inject.training import kire_variant, no_kg_variant

    class Model:
        hidden_size = 8

    with pytest.raises(KireError, match="subgrph"):
        kire_variant(Model(), {"subgrph": "x"}, {})
    with pytest.raises(KireError, match="'subgraph'"):
        kire_variant(Model(), {}, {})
    with pytest.raises(KireError, match="relations.parquet"):
        kire_variant(Model(), {"subgraph": str(tiny / "nowhere"), "codes": str(tiny / "codes")}, {})
    parts = no_kg_variant(Model(), {"coref": str(tiny / "coref/{split}.parquet")}, {"dev": [0] * 4})
    assert parts.spec["inject"]["kg"] is False
    with pytest.raises(KireError, match="'full' ablation"):
        kire_variant(Model(), {"ablation": "no_kg"}, {})
