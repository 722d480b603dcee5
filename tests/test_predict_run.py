"""`kire predict` on a raw paragraph with a run trained here on the bundled sample, and the
knowledge steps for new documents (linking, relation renumbering) on a hand-made KG."""

from __future__ import annotations

import argparse
import json

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

PARAGRAPH = ("Albert Einstein was born in Ulm, Germany, in 1879. Later, Einstein moved to Berlin, "
             "the capital of Germany. Marie Curie worked in Paris, France.")


@pytest.fixture(scope="module")
def run_dir(sample, tmp_path_factory):
    """A base BiLSTM run folder (one epoch on the sample), laid out as results/<d>/<m>/<v>/seed<k>."""
    from kire.train.loop import TrainConfig
    from kire.train.run import run_training

    src = sample / "docred"
    if not (src / "train.json").is_file():
        pytest.skip("bundled sample not found (resources/sample/docred)")
    root = tmp_path_factory.mktemp("results")
    # a few documents keep the test fast: the run only has to be real, not good
    for split, n in (("train", 4), ("dev", 2)):
        (root / f"{split}.json").write_text(json.dumps(json.loads((src / f"{split}.json").read_text())[:n]))
    out = root / "sample_docred" / "bilstm" / "base" / "seed1"
    run_training(train=str(root / "train.json"), dev=str(root / "dev.json"), test=None,
                 rel_info=str(src / "rel_info.json"), model="bilstm", out_dir=str(out),
                 cfg=TrainConfig(epochs=1, patience=1, batch_size=4, seed=1, progress=False),
                 model_settings={"hidden_size": 32})
    return out


def cli(argv: list[str]) -> int:
    from kire.predict.cli import register

    parser = argparse.ArgumentParser()
    register(parser.add_subparsers())
    args = parser.parse_args(argv)
    return args.func(args)


def test_predict_on_a_raw_paragraph(run_dir, sample, tmp_path, capsys):
    text = tmp_path / "einstein.txt"
    text.write_text(PARAGRAPH)
    rel_info = sample / "docred" / "rel_info.json"
    names = json.loads(rel_info.read_text())
    out = tmp_path / "found.json"
    # theta 0: every pair x relation is reported, so the count is known independently
    assert cli(["predict", "--run", str(run_dir), str(text), "--out", str(out), "--rel-info", str(rel_info),
                "--no-link", "--theta", "0"]) == 0
    records = json.loads(out.read_text())
    from kire.coref.parse import load_spacy
    from kire.models.checkpoint import read_model_meta
    from kire.predict.text import document_from_text
    from kire.predict.types import documents_in_run_scheme

    run_types = read_model_meta(run_dir)["space"]["ner_types"]
    (doc,), _ = documents_in_run_scheme([document_from_text(PARAGRAPH, load_spacy(), "einstein")],
                                        run_types, "einstein.txt", from_text=True)
    n = len(doc.entities)
    assert {x[k]["type"] for x in records for k in ("head", "tail")} <= set(run_types)
    assert len(records) == n * (n - 1) * len(names)
    r = records[0]
    assert set(r) == {"title", "h_idx", "t_idx", "r", "r_label", "score", "head", "tail"}
    assert r["title"] == "einstein" and r["r_label"] == names[r["r"]]
    assert set(r["head"]) == {"name", "type", "kb_id"} and r["head"]["kb_id"] is None
    assert [x["score"] for x in records] == sorted((x["score"] for x in records), reverse=True)
    assert "Albert Einstein [PER]" in capsys.readouterr().out

    # the run's own theta: exactly the records at or above it
    theta = json.loads((run_dir / "theta.json").read_text())["theta"]
    assert cli(["predict", "--run", str(run_dir), str(text), "--out", str(out), "--rel-info", str(rel_info),
                "--no-link"]) == 0
    kept = {(x["h_idx"], x["t_idx"], x["r"]): x["score"] for x in json.loads(out.read_text())}
    assert all(score >= theta - 1e-6 for score in kept.values())  # scores are rounded to 6 decimals
    assert {k for k, v in ((( x["h_idx"], x["t_idx"], x["r"]), x["score"]) for x in records)
            if v > theta + 1e-6} <= set(kept) <= {(x["h_idx"], x["t_idx"], x["r"]) for x in records}


def test_new_words_get_their_lp_vectors(run_dir):
    from kire.models.word_model import word_vectors_for
    from kire.predict.run import extend_vocabulary, load_run
    from kire.predict.text import Document, Entity, Mention

    doc = Document("t", [["Zanzibar", "borders", "Tanganyika", "."]],
                   [Entity([Mention(0, 0, 1, "Zanzibar", "LOC")], "LOC"),
                    Entity([Mention(0, 2, 3, "Tanganyika", "LOC")], "LOC")])
    pipeline, _ = load_run(run_dir, [doc])
    model = pipeline.model
    unseen = [w for w in doc.sents[0] if w not in model.word_index]
    assert unseen and extend_vocabulary(model, [doc]) == len(unseen)
    expected = word_vectors_for(sorted(unseen), model.settings["word_vectors"], model.settings["char_vectors"])
    rows = [model.word_index[w] for w in sorted(unseen)]
    np.testing.assert_allclose(model.word_emb.weight[rows].numpy(), expected, rtol=1e-6)
    assert not model.word_emb.weight.requires_grad and extend_vocabulary(model, [doc]) == 0


def write_kg(root):
    """A KG folder in the kire.kg.schema layout: Ulm, Germany, Berlin and human, with aliases."""
    from kire.kg.schema import KG_TABLES

    rows = {
        "entities": [("Q3012", "item", "Ulm", "city in Germany", None, 100, 50),
                     ("Q183", "item", "Germany", "country in Europe", None, 300, 900),
                     ("Q64", "item", "Berlin", "capital of Germany", None, 250, 400),
                     ("Q5", "item", "human", "species", None, 10, 10),
                     ("P17", "property", "country", "", "wikibase-item", 0, 0),
                     ("P36", "property", "capital", "", "wikibase-item", 0, 0)],
        "aliases": [("Q3012", "en", "Ulm", True), ("Q183", "en", "Germany", True),
                    ("Q183", "en", "Deutschland", False), ("Q64", "en", "Berlin", True)],
        "relation_triples": [("Q3012", "P17", "Q183", "normal", "s1"), ("Q183", "P36", "Q64", "normal", "s2"),
                             ("Q64", "P17", "Q183", "normal", "s3")],
        "attribute_triples": [], "qualifiers": [],
    }
    for name, schema in KG_TABLES.items():
        folder = root / name
        folder.mkdir(parents=True)
        cols = list(zip(*rows[name])) if rows.get(name) else [[] for _ in schema]  # e.g. sitelinks
        pq.write_table(pa.table({f.name: pa.array(list(c), f.type) for f, c in zip(schema, cols)}, schema=schema),
                       folder / "part-00000.parquet")
    return root


def test_linking_and_relation_renumbering(tmp_path):
    from kire.coref.parse import load_spacy
    from kire.subgraph.build import SubgraphConfig, build_subgraphs
    from kire.predict.knowledge import kb_ids_of, link_documents, renumber_relations
    from kire.predict.text import document_from_text

    kg = write_kg(tmp_path / "kg")
    doc = document_from_text("Ulm is a city in Germany. Berlin is the capital of Germany.", load_spacy(), "t")
    links = link_documents([doc], kg)
    ids = {doc.entities[e].name: q for (_, e), q in kb_ids_of(links).items()}
    assert ids == {"Ulm": "Q3012", "Germany": "Q183", "Berlin": "Q64"}

    # the new documents' subgraph numbers P17, P36 as 0, 1; the run was trained with P36 = 0, P999 = 1,
    # P17 unknown: P36 triples are renumbered, P17 triples dropped
    pq.write_table(links, tmp_path / "links.parquet")
    build_subgraphs(tmp_path / "links.parquet", kg, kg, tmp_path / "sub", SubgraphConfig(), splits=("predict",))
    trained = tmp_path / "trained_relations.parquet"
    pq.write_table(pa.table({"rel": pa.array([0, 1], pa.int32()), "property": ["P36", "P999"],
                             "label": ["capital", "x"]}), trained)
    counts = renumber_relations(tmp_path / "sub", trained)
    edges = pq.read_table(tmp_path / "sub" / "predict" / "edges.parquet")
    assert counts == {"edges": 1, "dropped": 2} and edges.column("rel").to_pylist() == [0]
    assert pq.read_table(tmp_path / "sub" / "relations.parquet").column("property").to_pylist() == ["P36", "P999"]


def test_predict_with_a_knowledge_run(run_dir, sample, tmp_path, caplog):
    """A KB-graph run trained here on four sample documents linked to a hand-made KG: prediction
    links the paragraph, builds its subgraph in the run's relation vocabulary and injects it."""
    from kire.docs.docred import read_docred
    from kire.subgraph.build import SubgraphConfig, build_subgraphs
    from kire.predict.knowledge import link_documents
    from kire.train.loop import TrainConfig
    from kire.train.run import run_training

    kg = write_kg(tmp_path / "kg")
    root = run_dir.parents[3]
    parts = []
    for split in ("train", "dev"):
        links = link_documents(read_docred(root / f"{split}.json"), kg)
        parts.append(links.set_column(links.schema.get_field_index("split"), "split",
                                      pa.array([split] * len(links), pa.string())))
    pq.write_table(pa.concat_tables(parts), tmp_path / "links.parquet")
    build_subgraphs(tmp_path / "links.parquet", kg, kg, tmp_path / "subgraph", SubgraphConfig(),
                    splits=("train", "dev"))
    run = root / "sample_docred" / "bilstm" / "kb_graph" / "seed1"
    run_training(train=str(root / "train.json"), dev=str(root / "dev.json"), test=None,
                 rel_info=str(sample / "docred" / "rel_info.json"), model="bilstm", out_dir=str(run),
                 cfg=TrainConfig(epochs=1, patience=1, batch_size=4, seed=1, progress=False),
                 model_settings={"hidden_size": 32}, variant="kb_graph",
                 variant_settings={"subgraph": str(tmp_path / "subgraph"), "init_from": str(run_dir),
                                   "d_ent": 8})
    text = tmp_path / "ulm.txt"
    text.write_text("Ulm is a city in Germany. Berlin is the capital of Germany.")
    out = tmp_path / "found.json"
    caplog.set_level("INFO")
    assert cli(["predict", "--run", str(run), str(text), "--out", str(out), "--kg", str(kg),
                "--filtered", str(kg), "--config", str(tmp_path / "none.yaml"), "--theta", "0"]) == 0
    records = json.loads(out.read_text())
    ids = {r["head"]["name"]: r["head"]["kb_id"] for r in records}
    assert ids == {"Ulm": "Q3012", "Germany": "Q183", "Berlin": "Q64"}
    n_relations = len(json.loads((sample / "docred" / "rel_info.json").read_text()))
    assert len(records) == 3 * 2 * n_relations
    assert all(r["r_label"] == r["r"] for r in records)  # no rel_info given: relations by id
    # the layer was fed the paragraph's three linked entities and their KG neighbourhood
    assert "predict knowledge: 0 coreference triples, 3 links, 3 nodes" in caplog.text


def test_predict_states_the_training_size_and_warns_when_tiny(run_dir, sample, tmp_path, capsys, caplog):
    """The bundled sample trains on 16 documents: prediction says so and warns."""
    text = tmp_path / "einstein.txt"
    text.write_text(PARAGRAPH)
    argv = ["predict", "--run", str(run_dir), str(text), "--out", str(tmp_path / "f.json"), "--no-link",
            "--config", str(tmp_path / "none.yaml")]
    assert cli(argv) == 0
    assert "training size unknown" in capsys.readouterr().out
    train = run_dir.parents[3] / "docs" / "sample_docred" / "train"
    train.mkdir(parents=True)
    pq.write_table(pa.table({"doc": pa.array(range(16), pa.int32())}), train / "docs.parquet")
    caplog.set_level("WARNING")
    assert cli(argv) == 0
    out = capsys.readouterr().out
    # said once: as the warning, not also as the stdout header
    assert "trained on" not in out
    assert caplog.text.count("trained on 16 documents") == 1
    assert "bilstm base, trained on 16 documents" in caplog.text and "fewer than 100" in caplog.text
    assert "a demonstration of the pipeline" in caplog.text
    pq.write_table(pa.table({"doc": pa.array(range(3053), pa.int32())}), train / "docs.parquet")
    caplog.clear()
    assert cli(argv) == 0
    assert "trained on 3053 documents" in capsys.readouterr().out and "demonstration" not in caplog.text
