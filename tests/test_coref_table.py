"""The coref table: merging, caps, schema and reader; the annotations and kg_aliases sources."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from kire.coref import COREF_SCHEMA, read_coref
from kire.coref.annotations import annotation_triples
from kire.coref.build import CorefOptions
from kire.coref.kg_aliases import alias_triples, read_aliases, read_doc_links
from kire.coref.table import Triple, cap_triples, merge_triples, triples_to_table
from kire.docs.model import Document, Entity, Mention
from kire.errors import InputError, KireError


def test_merge_keeps_one_ordered_pair_with_the_highest_p():
    merged = merge_triples([
        Triple((5, 6), (0, 2), "salience", 0.4),
        Triple((0, 2), (5, 6), "annotations", 1.0),
        Triple((3, 4), (3, 4), "salience", 0.9),  # a span with itself is no pair
    ])
    assert merged == [Triple((0, 2), (5, 6), "annotations", 1.0)]


def test_caps_keep_the_most_probable_pairs_within_the_mention_budget():
    triples = [Triple((0, 1), (2, 3), "a", 0.9), Triple((4, 5), (6, 7), "a", 0.8),
               Triple((0, 1), (4, 5), "a", 0.7), Triple((8, 9), (10, 11), "a", 0.95)]
    kept = cap_triples(triples, max_mentions=4, max_pairs=10)
    assert [t.p for t in kept] == [0.9, 0.95]  # (4,5)-(6,7) would need a 5th and 6th span
    assert len(cap_triples(triples, max_mentions=100, max_pairs=2)) == 2


def test_table_schema_and_reader(tmp_path):
    table = triples_to_table({1: [Triple((0, 2), (5, 6), "annotations", 1.0)], 0: []})
    assert table.schema == COREF_SCHEMA
    pq.write_table(table, tmp_path / "c.parquet")
    back = read_coref(tmp_path / "c.parquet")
    assert back.to_pylist() == [{"doc": 1, "ms_start": 0, "ms_end": 2, "mt_start": 5, "mt_end": 6,
                                 "source": "annotations", "p": 1.0}]
    pq.write_table(table.drop(["p"]), tmp_path / "bad.parquet")
    with pytest.raises(InputError, match="field p: column missing"):
        read_coref(tmp_path / "bad.parquet")


def ibm_document() -> Document:
    sents = [["IBM", "Research", "Brazil", "is", "a", "lab", "."],
             ["It", "is", "located", "in", "São", "Paulo", "."],
             ["IBM", "Research", "Brazil", "was", "founded", "in", "2010", "by", "IBM", "Research", "."]]
    return Document("IBM Research Brazil", sents, [
        Entity([Mention(0, 0, 3, "IBM Research Brazil", "ORG"), Mention(2, 0, 3, "IBM Research Brazil", "ORG")], "ORG"),
        Entity([Mention(1, 4, 6, "São Paulo", "LOC")], "LOC"),
        Entity([Mention(2, 6, 7, "2010", "TIME")], "TIME"),
    ])


def test_annotation_triples_pair_mentions_of_one_entity():
    assert annotation_triples(ibm_document()) == [Triple((0, 3), (14, 17), "annotations", 1.0)]


def test_alias_triples_need_two_different_aliases_of_one_linked_entity():
    doc = ibm_document()
    aliases = {"Q1": {"IBM Research Brazil", "IBM Research"}, "Q2": {"São Paulo", "Sao Paulo"}}
    triples = alias_triples(doc, {0: "Q1", 1: "Q2"}, aliases, prior=0.9)
    # "IBM Research" (tokens 22-23) matches another alias than the two full names: two pairs.
    assert sorted((t.ms, t.mt) for t in triples) == [((0, 3), (22, 24)), ((14, 17), (22, 24))]
    assert {t.p for t in triples} == {0.9} and {t.source for t in triples} == {"kg_aliases"}
    # The same alias twice is the annotations' business, not an alias pair.
    assert alias_triples(doc, {0: "Q1"}, {"Q1": {"IBM Research Brazil"}}) == []


def test_links_and_kg_aliases_tables_are_read(tmp_path):
    from kire.kg.schema import KG_TABLES
    from kire.linking.link import LINKS_SCHEMA

    links = pa.table({"dataset": ["d", "d", "d"], "split": ["dev", "dev", "test"], "doc": [0, 0, 0],
                      "entity": [0, 1, 0], "qid": ["Q1", "Q2", "Q9"], "score": [1.0, 1.0, 1.0],
                      "method": ["alias"] * 3, "n_candidates": [1, 1, 1]}, schema=LINKS_SCHEMA)
    pq.write_table(links, tmp_path / "links.parquet")
    (tmp_path / "kg" / "aliases").mkdir(parents=True)
    aliases = pa.table({"id": ["Q1", "Q1", "Q2", "Q9"], "lang": ["en", "de", "en", "en"],
                        "alias": ["IBM Research", "IBM Forschung", "São Paulo", "x"],
                        "is_label": [True, True, True, True]}, schema=KG_TABLES["aliases"])
    pq.write_table(aliases, tmp_path / "kg" / "aliases" / "part-0.parquet")
    assert read_doc_links(tmp_path / "links.parquet", "dev") == {0: {0: "Q1", 1: "Q2"}}
    assert read_aliases(tmp_path / "kg", {"Q1", "Q2"}, ["en"]) == {"Q1": {"IBM Research"}, "Q2": {"São Paulo"}}
    with pytest.raises(KireError, match="extract_kg"):
        read_aliases(tmp_path / "nokg", {"Q1"}, ["en"])


def test_options_reject_unknown_keys():
    assert CorefOptions.from_dict({}).sources["kg_aliases"]["prior"] == 0.9
    with pytest.raises(KireError, match="unknown source 'gold'"):
        CorefOptions.from_dict({"sources": {"gold": {}}})
    with pytest.raises(KireError, match="unknown key"):
        CorefOptions.from_dict({"sources": {"resolver": {"bakend": "x"}}})


def test_cli_build_writes_table_and_summary(tmp_path, capsys):
    import json

    from conftest import SAMPLE
    from kire.cli import main

    out = tmp_path / "coref" / "dev.parquet"
    only_annotations = json.dumps({"sources": {"kg_aliases": {"enabled": False},
                                               "resolver": {"enabled": False}}})
    assert main(["coref", "build", "--docred", str(SAMPLE / "docred" / "dev.json"), "--out", str(out),
                 "--options", only_annotations]) == 0
    table = read_coref(out)
    summary = json.loads(out.with_suffix(".json").read_text())
    assert table.num_rows == summary["triples"] > 0
    assert set(table.column("source").to_pylist()) == {"annotations"}
    # kg_aliases without links: one clear line naming what is missing.
    assert main(["coref", "build", "--docred", str(SAMPLE / "docred" / "dev.json"), "--out", str(out),
                 "--options", json.dumps({"sources": {"resolver": {"enabled": False}}})]) == 1
    assert "kg_aliases source needs --links" in capsys.readouterr().err
