"""The test-pair leakage filter (policies, audit) and the per-split subgraphs built on its output."""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest

from kire.errors import KireError
from kire.subgraph.filter import FilterConfig, LinkedDataset, filter_relation_triples
from kire.kg.schema import KG_TABLES
from kire.subgraph.build import SUBGRAPH_SCHEMAS, SubgraphConfig, build_subgraphs, read_subgraph
from kire.linking.link import LinkingConfig, link_dataset
from kire_linking_fixtures import doc, write_kg, write_splits

ITEMS = {"Q64": ("Berlin", 286, 89), "Q183": ("Germany", 300, 100), "Q84": ("London", 271, 68),
         "Q145": ("United Kingdom", 300, 200), "Q142": ("France", 339, 114), "Q90": ("Paris", 250, 90),
         "Q515": ("city", 10, 1), "Q1055": ("Hamburg", 200, 80)}
TRIPLES = [
    ("Q64", "P17", "Q183"),    # 0: Berlin -> Germany: both in test doc 0 -> removed
    ("Q183", "P36", "Q64"),    # 1: the reverse direction -> removed
    ("Q142", "P47", "Q183"),   # 2: France -> Germany: France in no test doc -> stays
    ("Q64", "P31", "Q515"),    # 3: to an entity outside the test documents -> stays
    ("Q84", "P17", "Q145"),    # 4: London -> UK co-occur in train only -> stays
    ("Q142", "P36", "Q90"),    # 5: France/Paris in test doc 1 only with labeled_pairs off -> removed
    ("Q1055", "P17", "Q183"),  # 6: Hamburg and Germany are in different test documents -> stays
]


@pytest.fixture()
def linked(tmp_path):
    kg = write_kg(tmp_path / "kg", ITEMS, triples=TRIPLES, attributes=[("Q64", "P1082", "3,500,000")])
    splits = {
        "train": [doc("tr", [("London", "LOC"), ("United Kingdom", "LOC"), ("France", "LOC")])],
        "dev": [doc("dv", [("Paris", "LOC")])],
        "test": [doc("t0", [("Berlin", "LOC"), ("Germany", "LOC"), ("Atlantis", "LOC")], labels=[(0, 1, "P17")]),
                 doc("t1", [("Paris", "LOC"), ("capital", "MISC"), ("France", "LOC")], labels=[]),
                 doc("t2", [("Hamburg", "LOC")], labels=[])],
    }
    docs = write_splits(tmp_path / "docs", splits)
    link_dataset("toy", docs, kg, tmp_path / "links", LinkingConfig())
    return kg, [LinkedDataset("toy", tmp_path / "links" / "links.parquet", docs)]


def kept_ids(out_dir):
    table = pq.read_table(out_dir / "relation_triples")
    assert table.schema.equals(KG_TABLES["relation_triples"])
    return {int(s.split("$")[1]) for s in table.column("statement_id").to_pylist()}


def test_cooccurrence_drops_test_pairs_both_directions_and_keeps_the_rest(tmp_path, linked):
    kg, datasets = linked
    audit = filter_relation_triples(kg, datasets, tmp_path / "filtered", FilterConfig())
    assert kept_ids(tmp_path / "filtered") == {2, 3, 4, 6}
    assert audit["removed"] == 3 and audit["triples_in"] == 7 and audit["triples_out"] == 4
    assert audit["removed_by_property"] == {"P36": 2, "P17": 1}
    assert audit["protected_pairs"] == 2  # {Berlin, Germany} and {France, Paris}
    example = next(e for e in audit["examples"] if e["property"] == "P17")
    assert example == {"head": "Q64", "head_label": "Berlin", "property": "P17", "tail": "Q183",
                       "tail_label": "Germany", "dataset": "toy", "split": "test", "doc": 0}
    assert (tmp_path / "filtered" / "audit.json").exists()


def test_policies_are_configurable(tmp_path, linked):
    kg, datasets = linked
    # dev's one document is unlabeled and pairless: labeled_pairs protects test alone here
    filter_relation_triples(kg, datasets, tmp_path / "labeled", FilterConfig(policy="labeled_pairs", splits=["test"]))
    assert kept_ids(tmp_path / "labeled") == {2, 3, 4, 5, 6}   # only the labeled pair (Berlin, Germany)
    filter_relation_triples(kg, datasets, tmp_path / "none", FilterConfig(policy="none"))
    assert kept_ids(tmp_path / "none") == set(range(len(TRIPLES)))
    filter_relation_triples(kg, datasets, tmp_path / "train", FilterConfig(splits=["train", "test"]))
    assert kept_ids(tmp_path / "train") == {2, 3, 6}            # London/UK of train protected too
    with pytest.raises(KireError, match="filter.policy must be one of"):
        FilterConfig(policy="everything")


def test_every_scored_split_is_protected_by_default(tmp_path):
    kg = write_kg(tmp_path / "kg", ITEMS, triples=TRIPLES)
    docs = write_splits(tmp_path / "docs", {"train": [doc("a", [("Berlin", "LOC")])],
                                            "dev": [doc("b", [("London", "LOC"), ("United Kingdom", "LOC")])],
                                            "test": [doc("c", [("Berlin", "LOC"), ("Germany", "LOC")])]})
    link_dataset("toy", docs, kg, tmp_path / "links", LinkingConfig())
    datasets = [LinkedDataset("toy", tmp_path / "links" / "links.parquet", docs)]
    assert FilterConfig().splits == ["dev", "test"]
    audit = filter_relation_triples(kg, datasets, tmp_path / "f", FilterConfig())
    assert kept_ids(tmp_path / "f") == {2, 3, 5, 6}  # London/UK of dev and Berlin/Germany of test dropped
    assert audit["splits"] == ["dev", "test"] and {e["split"] for e in audit["examples"]} == {"dev", "test"}


def test_labeled_pairs_refuses_unlabeled_test_split(tmp_path):
    kg = write_kg(tmp_path / "kg", ITEMS, triples=TRIPLES)
    docs = write_splits(tmp_path / "docs", {"train": [doc("a", [("Berlin", "LOC")])],
                                            "dev": [doc("b", [("Berlin", "LOC")])],
                                            "test": [doc("c", [("Berlin", "LOC"), ("Germany", "LOC")])]})
    link_dataset("toy", docs, kg, tmp_path / "links", LinkingConfig())
    datasets = [LinkedDataset("toy", tmp_path / "links" / "links.parquet", docs)]
    with pytest.raises(KireError, match="needs labels"):
        filter_relation_triples(kg, datasets, tmp_path / "f", FilterConfig(policy="labeled_pairs"))
    # the default policy does not need them
    filter_relation_triples(kg, datasets, tmp_path / "f", FilterConfig())
    assert kept_ids(tmp_path / "f") == {2, 3, 4, 5, 6}


def test_subgraph_uses_filtered_triples_caps_and_maps_document_entities(tmp_path, linked):
    kg, datasets = linked
    filter_relation_triples(kg, datasets, tmp_path / "filtered", FilterConfig())
    report = build_subgraphs(datasets[0].links, kg, tmp_path / "filtered", tmp_path / "sub",
                             SubgraphConfig(hops=1, neighbour_cap=1, attribute_cap=3))
    test = read_subgraph(tmp_path / "sub", "test")
    for name, table in test.items():
        assert table.schema.equals(SUBGRAPH_SCHEMAS[name]), name
    nodes = {r["qid"]: r for r in test["nodes"].to_pylist()}
    seeds = {q for q, r in nodes.items() if r["hop"] == 0}
    assert seeds == {"Q64", "Q183", "Q90", "Q142", "Q1055"}
    assert [r["node"] for r in test["nodes"].to_pylist()] == list(range(len(nodes)))
    # Berlin's one allowed new neighbour is city (its only filtered neighbour outside the seeds)
    assert nodes["Q515"]["hop"] == 1
    rel = {r["rel"]: r["property"] for r in test["relations"].to_pylist()}
    qid = {r["node"]: r["qid"] for r in test["nodes"].to_pylist()}
    edges = {(qid[r["src"]], rel[r["rel"]], qid[r["dst"]]) for r in test["edges"].to_pylist()}
    assert ("Q64", "P17", "Q183") not in edges and ("Q142", "P36", "Q90") not in edges
    assert {("Q142", "P47", "Q183"), ("Q64", "P31", "Q515"), ("Q1055", "P17", "Q183")} <= edges
    berlin = [r for r in test["attributes"].to_pylist() if r["node"] == nodes["Q64"]["node"]]
    assert [(r["property"], r["value"]) for r in berlin] == [
        ("label", "Berlin"), ("description", "desc of Berlin"), ("P31", "city")]  # capped at 3
    mapped = {(r["doc"], r["entity"]): qid[r["node"]] for r in test["doc_entities"].to_pylist()}
    assert mapped[(0, 0)] == "Q64" and mapped[(1, 2)] == "Q142" and (0, 2) not in mapped
    assert report["splits"]["test"]["seeds"] == 5
    # the train split keeps London -> UK (not a test pair)
    train = read_subgraph(tmp_path / "sub", "train")
    assert len(train["edges"]) >= 1 and (tmp_path / "sub" / "relations.parquet").exists()
    with pytest.raises(KireError, match="run `kire subgraph` first"):
        read_subgraph(tmp_path / "nosub", "test")


def test_write_shards_splits_by_rows_and_keeps_the_schema(tmp_path):
    import pyarrow as pa

    from kire.subgraph.filter import write_shards

    schema = KG_TABLES["relation_triples"]
    rows = [{"head": f"Q{i}", "property": "P1", "tail": "Q0", "rank": "normal", "statement_id": f"s{i}"}
            for i in range(25)]
    batches = pa.Table.from_pylist(rows, schema=schema).to_batches(max_chunksize=7)
    assert write_shards(iter(batches), tmp_path, schema, max_rows=10) == 25
    parts = sorted(tmp_path.glob("part-*.parquet"))
    assert [pq.read_metadata(p).num_rows for p in parts] == [10, 10, 5]
    assert pq.read_table(tmp_path).column("statement_id").to_pylist() == [f"s{i}" for i in range(25)]
    (tmp_path / "empty").mkdir()
    assert write_shards(iter([]), tmp_path / "empty", schema) == 0
    assert pq.read_table(tmp_path / "empty").schema.equals(schema)
