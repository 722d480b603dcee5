"""A tiny knowledge-injection dataset shared by the inject/train tests: 4 train and 4 dev copies of
one document, its KG subgraph, coreference table and AutoEncoder attribute codes (real formats)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

RELATIONS = {"P19": "place of birth", "P17": "country", "P108": "employer"}


def tiny_document(i: int):
    """Alice Smith, Paris, France, Acme: 4 entities, one pronoun mention, 3 labels."""
    from kire.docs.model import Document, Entity, Label, Mention

    sents = [["Alice", "Smith", "was", "born", "in", "Paris", "."],
             ["She", "lives", "in", "France", "and", "works", "for", "Acme", "."]]
    entities = [Entity([Mention(0, 0, 2, "Alice Smith", "PER"), Mention(1, 0, 1, "She", "PER")], "PER"),
                Entity([Mention(0, 5, 6, "Paris", "LOC")], "LOC"), Entity([Mention(1, 3, 4, "France", "LOC")], "LOC"),
                Entity([Mention(1, 7, 8, "Acme", "ORG")], "ORG")]
    labels = [Label(0, 1, "P19", [0]), Label(1, 2, "P17", [0, 1]), Label(0, 3, "P108", [1])]
    return Document(f"doc{i}", sents, entities, labels)


def write_tiny_knowledge(root: Path) -> Path:
    """Write docs/, subgraph/, coref/, codes/ and rel_info.json under ``root``; return ``root``."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from kire.coref.table import Triple, triples_to_table
    from kire.docs.model import write_documents
    from kire.embed.codes import write_attribute_codes
    from kire.io import write_parquet_atomic

    (root / "rel_info.json").write_text(json.dumps(RELATIONS))
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
