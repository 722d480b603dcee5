"""Gold links through sitelinks (issue 14 §1), the linker's accuracy against them, and dataset
entity types mapped onto the linker's (issue 15 §4). KGs are small Parquet folders and datasets
small DWIE/DocRED files, all written here; the two invented examples of the issue are
``Mercia_(kingdom)`` (a disambiguated title) and ``Eastbrook`` (a title equal to another item's label).
"""

from __future__ import annotations

import json
import logging
import shutil

import pytest

from kire.docs.prepare import DatasetSource, prepare_dataset
from kire.linking.gold import gold_target, title_key
from kire.linking.link import LinkingConfig, link_dataset, read_links
from kire_linking_fixtures import doc, write_kg, write_splits

# Invented KG: the kingdom's label is not its title; the bare label "Mercia" belongs to a popular
# ship; the article "Eastbrook" is the town labelled "Eastbrook, Kent", while a village is labelled
# "Eastbrook".
ITEMS = {
    "Q9001": ("Kingdom of Mercia", 40, 30), "Q9002": ("Mercia", 90, 60),
    "Q9101": ("Eastbrook, Kent", 12, 20), "Q9102": ("Eastbrook", 30, 25),
    "Q9201": ("England", 300, 200), "Q9301": ("Offa", 20, 10), "Q9401": ("Atlantis", 50, 5),
}
ALIASES = {"Q9001": ["Mercia"], "Q9101": ["Eastbrook"]}
SITELINKS = {
    "Q9001": {"enwiki": "Mercia (kingdom)", "dewiki": "Mercien"}, "Q9002": "Mercia (ship)",
    "Q9101": "Eastbrook", "Q9102": "Eastbrook (village)", "Q9201": "England", "Q9301": "Offa of Mercia",
}


def kg_folder(tmp_path, sitelinks=SITELINKS):
    return write_kg(tmp_path / "kg", ITEMS, aliases=ALIASES, sitelinks=sitelinks,
                    triples=[("Q9001", "P30", "Q9201"), ("Q9301", "P27", "Q9001")])


def linked(tmp_path, kb_ids: dict[str, str], cfg=None, kg=None, dataset="toy"):
    """Link one test document whose entities are the keys of ``kb_ids`` (name -> gold link or '')."""
    test_doc = doc("t", [(name, "LOC") for name in kb_ids])
    for ent, link in zip(test_doc.entities, kb_ids.values()):
        ent.kb_id = link or None
    docs = write_splits(tmp_path / "docs", {"train": [doc("a", [("England", "LOC")])],
                                            "dev": [doc("b", [("England", "LOC")])], "test": [test_doc]})
    report = link_dataset(dataset, docs, kg or kg_folder(tmp_path), tmp_path / "links", cfg or LinkingConfig())
    names = list(kb_ids)
    rows = {names[r["entity"]]: (r["qid"], r["method"]) for r in read_links(tmp_path / "links").to_pylist()
            if r["split"] == "test"}
    return rows, report


@pytest.mark.parametrize("title, key", [
    ("Mercia_(kingdom)", "Mercia (kingdom)"), ("  Mercia_(kingdom)\t", "Mercia (kingdom)"),
    ("mercia_(kingdom)", "Mercia (kingdom)"), ("Mercia%20(kingdom)", "Mercia (kingdom)"),
    ("Mercia_%28kingdom%29", "Mercia (kingdom)"), ("Mercia__(kingdom)", "Mercia (kingdom)"),
    ("Mercia_(kingdom)#Rulers", "Mercia (kingdom)"), ("S%C3%A3o_Paulo", "São Paulo"),
    ("élan_vital", "Élan vital"), ("100%_Pure", "100% Pure"), ("%C3", "\ufffd"), ("ßeta", "ßeta"),
])
def test_title_key_is_mediawiki_canonical_form(title, key):
    assert title_key(title) == key


@pytest.mark.parametrize("link, target", [
    ("Q64", ("Q64", None, None)), ("http://www.wikidata.org/entity/Q64", ("Q64", None, None)),
    ("https://www.wikidata.org/wiki/q64", ("Q64", None, None)),
    ("Georgia_(country)", (None, "enwiki", "Georgia (country)")),
    ("https://de.wikipedia.org/wiki/Mercien", (None, "dewiki", "Mercien")),
    ("https://en.m.wikipedia.org/wiki/Eastbrook", (None, "enwiki", "Eastbrook")),
    ("Q64_(band)", (None, "enwiki", "Q64 (band)")),
])
def test_gold_target_qid_title_or_url(link, target):
    assert gold_target(link, "enwiki") == target


def test_issue_examples_resolve_through_sitelinks_not_labels(tmp_path):
    rows, report = linked(tmp_path, {"Mercia": "Mercia_(kingdom)", "Eastbrook": "Eastbrook", "England": "",
                                     "Offa": "Offa_of_Mercia"})
    assert rows["Mercia"] == ("Q9001", "gold")      # the disambiguated title, whose label differs
    assert rows["Eastbrook"] == ("Q9101", "gold")   # the article, not the village labelled Eastbrook
    assert rows["Offa"] == ("Q9301", "gold") and rows["England"] == ("Q9201", "alias")
    gold = report["gold"]
    assert gold["by"] == {"sitelink": 3} and gold["sitelinks_table"] and gold["wiki"] == "enwiki"
    assert report["totals"]["gold_links"] == 3 and report["totals"]["gold_unresolved"] == 0
    # the alias linker, run as if no gold existed, picks the popular bare-label items for both
    accuracy = gold["accuracy"]
    assert (accuracy["gold"], accuracy["linked"], accuracy["correct"]) == (3, 3, 1)
    assert accuracy["accuracy"] == 0.3333 and accuracy["gold_in_candidates"] == 3  # aliases reach them
    assert sorted(tuple(e[3:]) for e in accuracy["error_samples"]) == [("Q9001", "Q9002"), ("Q9101", "Q9102")]
    assert accuracy["by_split"] == {"test": {"gold": 3, "linked": 3, "correct": 1, "accuracy": 0.3333}}


@pytest.mark.parametrize("link", [" Mercia_(kingdom) ", "mercia_(kingdom)", "Mercia%20(kingdom)",
                                  "Mercia_%28kingdom%29", "https://en.wikipedia.org/wiki/Mercia_(kingdom)",
                                  "Mercia (kingdom)", "Q9001", "http://www.wikidata.org/entity/Q9001"])
def test_title_variants_resolve_to_one_item(tmp_path, link):
    rows, _ = linked(tmp_path, {"Mercia": link})
    assert rows["Mercia"] == ("Q9001", "gold")


def test_unresolved_title_is_counted_and_never_a_label_match(tmp_path, caplog):
    # the town lost its sitelink: "Eastbrook" now equals only the village's label
    sitelinks = {q: t for q, t in SITELINKS.items() if q != "Q9101"}
    kb_ids = {"Eastbrook": "Eastbrook", "Atlantis": "Atlantis_(myth)", "Mercia": "Mercia_(kingdom)",
              "Ghost": "Q123456789"}
    with caplog.at_level(logging.WARNING):
        rows, report = linked(tmp_path, kb_ids, kg=kg_folder(tmp_path, sitelinks))
    assert "Eastbrook" not in rows and "Atlantis" not in rows and "Ghost" not in rows
    assert rows["Mercia"] == ("Q9001", "gold")
    assert report["totals"]["gold_links"] == 4 and report["totals"]["gold_unresolved"] == 3
    assert report["gold_unresolved_samples"] == ["Atlantis_(myth)", "Eastbrook", "Q123456789"]
    assert "3 of 4 gold links unresolved (no enwiki sitelink with that title)" in caplog.text
    # opting in to the alias linker for them: linked, but never as gold
    rows, report = linked(tmp_path, kb_ids, LinkingConfig(unresolved_gold="alias"), kg=kg_folder(tmp_path, sitelinks))
    assert rows["Eastbrook"] == ("Q9102", "alias") and rows["Atlantis"] == ("Q9401", "alias")
    assert report["totals"]["by_method"] == {"alias": 4, "gold": 1}  # + England in train and dev


def test_dataset_wiki_is_configurable(tmp_path):
    cfg = LinkingConfig(wiki_by_dataset={"toy_de": "dewiki"})
    rows, report = linked(tmp_path, {"Mercia": "Mercien"}, cfg, dataset="toy_de")
    assert rows["Mercia"] == ("Q9001", "gold") and report["gold"]["wiki"] == "dewiki"
    rows, _ = linked(tmp_path, {"Mercia": "Mercien"}, cfg, dataset="toy")   # enwiki has no such page
    assert "Mercia" not in rows


def test_kg_without_sitelinks_table_resolves_no_title(tmp_path, caplog):
    kg = kg_folder(tmp_path)
    shutil.rmtree(kg / "sitelinks")
    with caplog.at_level(logging.WARNING):
        rows, report = linked(tmp_path, {"Mercia": "Mercia_(kingdom)", "England": "Q9201"}, kg=kg)
    assert "Mercia" not in rows and rows["England"] == ("Q9201", "gold")
    assert report["gold"]["sitelinks_table"] is False and report["totals"]["gold_unresolved"] == 1
    assert "the KG has no sitelinks table" in caplog.text


def test_no_gold_links_no_accuracy(tmp_path):
    _, report = linked(tmp_path, {"Mercia": "", "England": ""})
    assert report["gold"]["accuracy"] is None and report["totals"]["gold_links"] == 0


# --- end to end: DWIE files -> kire docs prepare -> kire link ---------------------------------


def dwie_article(doc_id, tag):
    text = "Offa ruled Mercia\nMercia lay in England. Offa visited Eastbrook."
    concepts = [{"concept": 0, "text": "Offa", "link": "Offa_of_Mercia", "tags": ["type::entity", "type::person"]},
                {"concept": 1, "text": "Mercia", "link": "Mercia_(kingdom)", "tags": ["type::gpe", "type::location"]},
                {"concept": 2, "text": "England", "link": "England", "tags": ["type::gpe", "type::location"]},
                {"concept": 3, "text": "Eastbrook", "link": "Eastbrook", "tags": ["type::gpe", "type::location"]}]
    mentions, start = [], 0
    for word, concept in (("Offa", 0), ("Mercia", 1), ("Mercia", 1), ("England", 2), ("Offa", 0), ("Eastbrook", 3)):
        b = text.index(word, start)
        mentions.append({"begin": b, "end": b + len(word), "text": word, "concept": concept})
        start = b + len(word)
    return {"id": doc_id, "content": text, "tags": ["all", tag], "concepts": concepts, "mentions": mentions,
            "relations": [{"s": 1, "p": "in0", "o": 2}, {"s": 0, "p": "ruler_of", "o": 1}]}


def test_dwie_files_end_to_end_through_the_cli(tmp_path):
    from kire.cli import main

    folder = tmp_path / "dwie"
    folder.mkdir()
    for i, tag in enumerate(["train"] * 4 + ["test"] * 2):
        (folder / f"DW_{i}.json").write_text(json.dumps(dwie_article(f"DW_{i}", tag)))
    (tmp_path / "rel2id.json").write_text(json.dumps({"Na": 0, "in0": 1, "ruler_of": 2}))
    prepare_dataset(DatasetSource("dwie_toy", "dwie", train=str(folder), test=str(folder),
                                  rel_info=str(tmp_path / "rel2id.json")), tmp_path / "docs", dev_fraction=0.25)
    assert main(["link", "--dataset", "dwie_toy", "--docs", str(tmp_path / "docs"), "--kg", str(kg_folder(tmp_path)),
                 "--out", str(tmp_path / "links")]) == 0
    report = json.loads((tmp_path / "links" / "report.json").read_text())
    assert report["totals"]["by_method"] == {"gold": 24} and report["totals"]["gold_unresolved"] == 0
    assert set(read_links(tmp_path / "links").column("qid").to_pylist()) == {"Q9001", "Q9101", "Q9201", "Q9301"}
    assert report["gold"]["accuracy"]["gold"] == 24 and report["gold"]["accuracy"]["correct"] == 12  # Offa, England


# --- dataset entity types onto the linker's ----------------------------------------------------


TYPE_ITEMS = {"Q1": ("Jordan", 50, 50), "Q2": ("Jordan", 60, 60), "Q5": ("human", 1, 1), "Q6256": ("country", 1, 1)}
TYPE_TRIPLES = [("Q1", "P31", "Q5"), ("Q2", "P31", "Q6256")]


def jordan_links(tmp_path, etype, cfg=None):
    kg = write_kg(tmp_path / "kg", TYPE_ITEMS, triples=TYPE_TRIPLES)
    splits = {s: [doc(s, [("Jordan", etype)])] for s in ("train", "dev", "test")}
    report = link_dataset("d", write_splits(tmp_path / "docs", splits), kg, tmp_path / "links", cfg or LinkingConfig())
    return read_links(tmp_path / "links").column("qid").to_pylist()[0], report


@pytest.mark.parametrize("etype, qid", [("PER", "Q1"), ("type::person", "Q1"), ("person", "Q1"), ("PERSON", "Q1"),
                                        ("type::gpe", "Q2"), ("GPE", "Q2"), ("LOC", "Q2")])
def test_dataset_types_map_onto_type_classes(tmp_path, etype, qid):
    assert jordan_links(tmp_path, etype)[0] == qid


def test_type_map_is_configurable_and_unmapped_types_warn(tmp_path, caplog):
    with caplog.at_level(logging.WARNING):
        qid, report = jordan_links(tmp_path, "Human")
    assert qid == "Q2"  # no type check: popularity decides
    assert report["types"] == {"mapped": {}, "unchecked": ["Human"]}
    assert "no entity type of the dataset (Human) is a key of linking.type_classes" in caplog.text
    caplog.clear()
    cfg = LinkingConfig(type_map={"Human": "PER"})
    with caplog.at_level(logging.WARNING):
        qid, report = jordan_links(tmp_path, "Human", cfg)
    assert qid == "Q1" and report["types"] == {"mapped": {"Human": "PER"}, "unchecked": []}
    assert "linking.type_classes" not in caplog.text
    # the report's per-type coverage keeps the dataset's own type names
    assert list(report["splits"]["dev"]["by_type"]) == ["Human"]


def test_schema_linking_defaults_are_the_python_defaults():
    from dataclasses import asdict
    from pathlib import Path

    import yaml

    schema = yaml.safe_load((Path(__file__).parents[1] / "workflow" / "schemas" / "config.schema.yaml").read_text())
    props = schema["properties"]["linking"]["properties"]
    python = asdict(LinkingConfig())
    for key in ("type_map", "wiki", "wiki_by_dataset", "unresolved_gold", "type_classes", "type_class_depth",
                "languages", "articles", "weights"):
        assert props[key]["default"] == python[key], key


# --- DocRED-derived data with Wikipedia titles: Linked-DocRED's layout -------------------------


def linked_docred_doc(title):
    sents = [["Offa", "ruled", "Mercia", "from", "757", "."], ["Eastbrook", "lay", "outside", "Mercia", "."]]

    def entity(ent_id, etype, resource, mentions, qid=None):
        return {"id": ent_id, "type": etype, "mentions": [{"name": " ".join(sents[s][a:b]), "sent_id": s, "pos": [a, b]}
                                                          for s, a, b in mentions],
                "entity_linking": {"wikipedia_resource": resource, "wikidata_resource": qid, "method": "manual",
                                   "confidence": "A"}}

    return {"title": title, "sents": sents,
            "entities": [entity(0, "PER", "#DocRED-0#", [(0, 0, 1)]),
                         entity(7, "LOC", "Mercia_(kingdom)", [(0, 2, 3), (1, 3, 4)], "Q9001"),
                         entity(3, "TIME", "#ignored#", [(0, 4, 5)]),
                         entity(5, "LOC", "Eastbrook", [(1, 0, 1)], "Q9102")],   # a stale QID: the title wins
            "relations": [{"r": "P131", "h": 5, "t": 7, "evidence": [1]}]}


def test_linked_docred_titles_are_gold_links(tmp_path):
    paths = {}
    for split in ("train", "dev", "test"):
        paths[split] = tmp_path / f"{split}.json"
        paths[split].write_text(json.dumps([linked_docred_doc(f"{split} {i}") for i in range(2)]))
    (tmp_path / "rel_info.json").write_text(json.dumps({"P131": "located in"}))
    prepare_dataset(DatasetSource("linked", "docred", train=str(paths["train"]), dev=str(paths["dev"]),
                                  test=str(paths["test"]), rel_info=str(tmp_path / "rel_info.json")), tmp_path / "docs")
    from kire.docs.model import read_documents

    (first, _) = read_documents(tmp_path / "docs" / "train")
    assert [e.kb_id for e in first.entities] == [None, "Mercia_(kingdom)", None, "Eastbrook"]
    assert [(lab.head, lab.tail, lab.relation) for lab in first.labels] == [(3, 1, "P131")]
    report = link_dataset("linked", tmp_path / "docs", kg_folder(tmp_path), tmp_path / "links", LinkingConfig())
    gold = {(r["split"], r["doc"], r["entity"]): r["qid"] for r in read_links(tmp_path / "links").to_pylist()
            if r["method"] == "gold"}
    assert set(gold.values()) == {"Q9001", "Q9101"} and len(gold) == 12
    assert report["totals"]["gold_links"] == 12 and report["totals"]["gold_unresolved"] == 0


def test_linked_docred_relation_to_an_unknown_entity_id_is_named(tmp_path):
    from kire.docs.docred import read_docred
    from kire.errors import InputError

    bad = linked_docred_doc("x")
    bad["relations"][0]["t"] = 1
    (tmp_path / "t.json").write_text(json.dumps([bad]))
    with pytest.raises(InputError, match=r"field relations\[0\].t: entity id 1 is no entities\[\].id"):
        read_docred(tmp_path / "t.json")
    bad = linked_docred_doc("x")
    bad["entities"][1]["mentions"][0]["pos"] = [3, 3]
    (tmp_path / "t.json").write_text(json.dumps([bad]))
    with pytest.raises(InputError, match=r"field entities\[1\].mentions\[0\].pos: empty span"):
        read_docred(tmp_path / "t.json")


def test_wiki_missing_from_the_sitelinks_table_is_named(tmp_path, caplog):
    kg = kg_folder(tmp_path, sitelinks={"Q9001": {"dewiki": "Mercien"}})   # extracted with kg.sitelinks: [dewiki]
    with caplog.at_level(logging.WARNING):
        rows, report = linked(tmp_path, {"Mercia": "Mercia_(kingdom)"}, kg=kg)
    assert "Mercia" not in rows and report["gold"]["sites_without_pages"] == ["enwiki"]
    assert "the KG's sitelinks table has no page of enwiki: add it to kg.sitelinks" in caplog.text
