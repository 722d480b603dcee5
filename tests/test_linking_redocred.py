"""Real data: Re-DocRED dev documents linked against the benchmark KG (extracted by `kire kg extract`),
then the leakage filter with DocRED's unlabeled test documents."""

from __future__ import annotations

import json
from collections import defaultdict

import pyarrow.parquet as pq
import pytest

from conftest import shared_file
from kire.docs.prepare import DatasetSource, prepare_dataset
from kire.kg.extract import extract
from kire.subgraph.filter import FilterConfig, LinkedDataset, filter_relation_triples
from kire.kg.tables import ExtractOptions
from kire.linking.link import LinkingConfig, link_dataset, read_links


@pytest.fixture(scope="module")
def linked(tmp_path_factory):
    """Bench KG extracted, Re-DocRED dev as train and dev, DocRED's unlabeled test docs as test, linked."""
    bench = shared_file("bench/kg-bench.json.gz")
    redocred = shared_file("redocred/dev_revised.json")
    test = shared_file("docred/test_unlabeled.json")
    rel_info = shared_file("docred/rel_info.json")
    root = tmp_path_factory.mktemp("redocred")
    extract(bench, root / "kg", ExtractOptions(("en",)), workers=0, chunk_mb=64)
    source = DatasetSource("redocred", "docred", train=str(redocred), dev=str(redocred), test=str(test),
                           rel_info=str(rel_info))
    prepare = prepare_dataset(source, root / "docs")
    report = link_dataset("redocred", root / "docs", root / "kg", root / "links", LinkingConfig(), threads=2)
    return root, prepare, report


def entity_names(root, split):
    table = pq.read_table(root / "docs" / split / "entities.parquet", columns=["doc", "entity", "name"])
    return {(r["doc"], r["entity"]): r["name"] for r in table.to_pylist()}


def test_known_entities_land_on_their_wikidata_items(linked):
    root, prepare, _ = linked
    assert prepare["splits"]["dev"]["documents"] == 500 and prepare["splits"]["test"]["labeled"] == 0
    names = entity_names(root, "dev")
    qids_by_name = defaultdict(set)
    count = defaultdict(int)
    for r in read_links(root / "links").to_pylist():
        if r["split"] == "dev":
            qids_by_name[names[r["doc"], r["entity"]]].add(r["qid"])
            count[names[r["doc"], r["entity"]]] += 1
    assert qids_by_name["London"] == {"Q84"} and count["London"] >= 10
    assert qids_by_name["Berlin"] == {"Q64"} and count["Berlin"] >= 5
    assert qids_by_name["France"] == {"Q142"} and count["France"] >= 10
    # every dev entity named London/Berlin/France is linked
    assert count["London"] == sum(n == "London" for n in names.values())
    assert count["France"] == sum(n == "France" for n in names.values())


def test_linking_report_covers_splits_types_ambiguity_and_unlinked(linked):
    root, _, report = linked
    assert json.loads((root / "links" / "report.json").read_text()) == report
    dev = report["splits"]["dev"]
    assert dev["entities"] == 9684 and 0 < dev["linked"] < dev["entities"]
    assert set(dev["by_type"]) == {"ORG", "LOC", "TIME", "PER", "MISC", "NUM"}
    assert sum(t["entities"] for t in dev["by_type"].values()) == dev["entities"]
    # the bench KG holds DocRED train names: LOC links best, TIME (dates) hardly
    assert dev["by_type"]["LOC"]["coverage"] > dev["by_type"]["TIME"]["coverage"]
    totals = report["totals"]
    assert totals["by_method"] == {"alias": totals["linked"]} and totals["gold_links"] == 0
    assert 0 < totals["ambiguous"] < totals["with_candidates"] == totals["linked"]
    assert len(report["unlinked_samples"]["dev"]) == 20


def test_filter_removes_every_triple_between_test_document_entities(linked, tmp_path):
    root, _, _ = linked
    datasets = [LinkedDataset("redocred", root / "links" / "links.parquet", root / "docs")]
    audit = filter_relation_triples(root / "kg", datasets, tmp_path / "filtered", FilterConfig(splits=["test"]),
                                    threads=2)
    assert audit["removed"] > 0 and audit["triples_out"] + audit["removed"] == audit["triples_in"]
    # independent check: pairs of distinct linked entities per test document, in Python (two entities
    # linked to the same item protect its self-loops too)
    by_doc = defaultdict(list)
    for r in read_links(root / "links").to_pylist():
        if r["split"] == "test":
            by_doc[r["doc"]].append((r["entity"], r["qid"]))
    protected = {(a, b) for ents in by_doc.values() for ea, a in ents for eb, b in ents if ea != eb}
    test_qids = {q for ents in by_doc.values() for _, q in ents}
    before = pq.read_table(root / "kg" / "relation_triples", columns=["head", "tail"]).to_pylist()
    after = pq.read_table(tmp_path / "filtered" / "relation_triples", columns=["head", "tail"]).to_pylist()
    assert not [t for t in after if (t["head"], t["tail"]) in protected]
    expected = [t for t in before if (t["head"], t["tail"]) not in protected]
    assert len(after) == len(expected)
    # triples from a test entity to an entity outside every test document stay
    outside = [t for t in after if t["head"] in test_qids and t["tail"] not in test_qids]
    assert outside and len(outside) == sum(t["head"] in test_qids and t["tail"] not in test_qids for t in before)
