"""Entity linking on tiny KGs: normalisation, ranking (prior, type, coherence), report (gold links:
tests/test_linking_gold.py)."""

from __future__ import annotations

import json

import pytest

from kire.errors import KireError
from kire.kg.duck import connect
from kire.linking.link import LINKS_SCHEMA, LinkingConfig, link_dataset, read_links
from kire.linking.normalize import norm_macro_sql, normalized
from kire_linking_fixtures import doc, write_kg, write_splits


def links_by_name(tmp_path, splits, kg, cfg=None):
    """{(split, doc, entity name): (qid, method)} after linking ``splits`` against ``kg``."""
    docs = write_splits(tmp_path / "docs", splits)
    report = link_dataset("toy", docs, kg, tmp_path / "links", cfg or LinkingConfig())
    links = read_links(tmp_path / "links")
    names = {(split, d, e): ent.name for split, ds in splits.items() for d, dd in enumerate(ds)
             for e, ent in enumerate(dd.entities)}
    return {(r["split"], r["doc"], names[r["split"], r["doc"], r["entity"]]): (r["qid"], r["method"])
            for r in links.to_pylist()}, report


def test_normalisation_case_punctuation_articles_unicode():
    con = connect()
    con.execute(norm_macro_sql(["the", "a", "an", "der"]))
    assert normalized(con, ["The Beatles", "U.S.", "Émile  Zola", "the", "Der Spiegel", "THE-Who", "Москва!"]) == [
        "beatles", "u s", "emile zola", "the", "spiegel", "who", "москва"]
    with pytest.raises(KireError, match="one lower-case word"):
        norm_macro_sql(["the|a"])


def test_prior_type_and_alias_matching(tmp_path):
    kg = write_kg(
        tmp_path / "kg",
        {"Q84": ("London", 271, 68), "Q92561": ("London", 40, 20), "Q145": ("United Kingdom", 300, 200),
         "Q90": ("Paris", 250, 90), "Q47899": ("Paris Hilton", 80, 40), "Q5": ("human", 10, 1), "Q515": ("city", 10, 1)},
        aliases={"Q145": ["U.K.", "UK"], "Q47899": ["Paris"]},
        triples=[("Q84", "P31", "Q515"), ("Q90", "P31", "Q515"), ("Q47899", "P31", "Q5")],
    )
    links, report = links_by_name(tmp_path, {
        "train": [doc("a", [("London", "LOC"), ("the U.K.", "LOC"), ("Paris", "PER")])],
        "dev": [doc("b", [("Paris", "LOC"), ("Atlantis", "LOC")])],
        "test": [doc("c", [("LONDON", "LOC")])],
    }, kg)
    assert links[("train", 0, "London")] == ("Q84", "alias")        # popularity prior
    assert links[("test", 0, "LONDON")] == ("Q84", "alias")         # case
    assert links[("train", 0, "the U.K.")] == ("Q145", "alias")     # article + punctuation, via an alias
    assert links[("train", 0, "Paris")] == ("Q47899", "alias")      # PER agrees with Q5 (human)
    assert links[("dev", 0, "Paris")] == ("Q90", "alias")           # LOC agrees with Q515 (city)
    assert ("dev", 0, "Atlantis") not in links                      # unlinked: no row
    assert report["totals"]["entities"] == 6 and report["totals"]["linked"] == 5
    assert report["splits"]["dev"]["by_type"]["LOC"] == {"entities": 2, "linked": 1, "coverage": 0.5}
    assert report["unlinked_samples"] == {"dev": [["Atlantis", 1]]}
    assert report["totals"]["ambiguous"] == 4  # both London and both Paris entities have 2 candidates
    assert json.loads((tmp_path / "links" / "report.json").read_text()) == report
    assert read_links(tmp_path / "links" / "links.parquet").schema == LINKS_SCHEMA


def test_subclass_of_extends_type_classes(tmp_path):
    # Q1 is a "metropolis" (P279 -> city Q515): agrees with LOC only through the subclass closure
    kg = write_kg(tmp_path / "kg", {"Q1": ("Springfield", 5, 5), "Q2": ("Springfield", 50, 50),
                                    "Q3": ("metropolis", 1, 1), "Q4": ("film", 1, 1)},
                  triples=[("Q1", "P31", "Q3"), ("Q3", "P279", "Q515"), ("Q2", "P31", "Q4")])
    cfg = LinkingConfig(weights={"name": 1, "label": 0.5, "prior": 0.5, "type": 1, "coherence": 1})
    links, _ = links_by_name(tmp_path, {s: [doc(s, [("Springfield", "LOC")])] for s in ("train", "dev", "test")},
                             kg, cfg)
    assert links[("train", 0, "Springfield")][0] == "Q1"
    cfg.type_class_depth = 0
    links, _ = links_by_name(tmp_path, {s: [doc(s, [("Springfield", "LOC")])] for s in ("train", "dev", "test")},
                             kg, cfg)
    assert links[("train", 0, "Springfield")][0] == "Q2"  # without the closure, popularity decides


def test_document_coherence_breaks_ties(tmp_path):
    # two equally popular "Springfield"s; the one joined to the document's Illinois wins
    kg = write_kg(tmp_path / "kg", {"Q28515": ("Springfield", 50, 50), "Q49266": ("Springfield", 50, 50),
                                    "Q1204": ("Illinois", 100, 100), "Q771": ("Massachusetts", 100, 100)},
                  triples=[("Q28515", "P131", "Q1204"), ("Q49266", "P131", "Q771")])
    splits = {"train": [doc("il", [("Springfield", "LOC"), ("Illinois", "LOC")]),
                        doc("ma", [("Massachusetts", "LOC"), ("Springfield", "LOC")])],
              "dev": [doc("d", [("Illinois", "LOC")])], "test": [doc("t", [("Illinois", "LOC")])]}
    links, _ = links_by_name(tmp_path, splits, kg)
    assert links[("train", 0, "Springfield")][0] == "Q28515"
    assert links[("train", 1, "Springfield")][0] == "Q49266"


def test_missing_kg_table_is_one_clear_error(tmp_path):
    docs = write_splits(tmp_path / "docs", {s: [doc(s, [("X", "LOC")])] for s in ("train", "dev", "test")})
    with pytest.raises(KireError, match="KG table aliases not found"):
        link_dataset("toy", docs, tmp_path / "nokg", tmp_path / "links", LinkingConfig())
    kg = write_kg(tmp_path / "kg", {"Q1": ("X", 1, 1)})
    with pytest.raises(KireError, match=r"no aliases in linking.languages \['fr'\]"):
        link_dataset("toy", docs, kg, tmp_path / "links", LinkingConfig(languages=["fr"]))


def test_cli_link_filter_subgraph_with_config_options(tmp_path):
    from kire.cli import main

    kg = write_kg(tmp_path / "kg", {"Q64": ("Berlin", 286, 89), "Q183": ("Germany", 300, 100)},
                  triples=[("Q64", "P17", "Q183")])
    docs = write_splits(tmp_path / "docs", {"train": [doc("a", [("Berlin", "LOC")])], "dev": [doc("b", [("Berlin", "LOC")])],
                                            "test": [doc("c", [("Berlin", "LOC"), ("Germany", "LOC")])]})
    options = json.dumps({"languages": ["en"], "weights": {"name": 1, "prior": 1}})
    assert main(["link", "--dataset", "toy", "--docs", str(docs), "--kg", str(kg), "--out", str(tmp_path / "links"),
                 "--options", options]) == 0
    assert len(read_links(tmp_path / "links")) == 4
    links = str(tmp_path / "links" / "links.parquet")
    assert main(["kg", "filter", "--kg", str(kg), "--dataset", "toy", links, str(docs), "--out", str(tmp_path / "f"),
                 "--options", '{"policy": "cooccurrence", "splits": ["test"]}']) == 0
    assert json.loads((tmp_path / "f" / "audit.json").read_text())["removed"] == 1
    assert main(["subgraph", "--links", links, "--kg", str(kg), "--filtered", str(tmp_path / "f"),
                 "--out", str(tmp_path / "sub"), "--options", '{"hops": 2}']) == 0
    assert json.loads((tmp_path / "sub" / "report.json").read_text())["hops"] == 2
    # a typo in a config section is one clear error, not a stack trace
    assert main(["link", "--dataset", "toy", "--docs", str(docs), "--kg", str(kg), "--out", str(tmp_path / "l2"),
                 "--options", '{"weigths": {}}']) == 1
