"""`kire docs prepare` and documents that appear twice (issue 14 §3): the same article in two
splits (same title or same text) under docs.on_overlap warn | fail | drop_from_train, and two
different documents with one title inside a split. Invented documents written here."""

from __future__ import annotations

import json
import logging

import pytest

from kire.docs.model import read_documents
from kire.docs.overlap import shared_documents, title_clashes
from kire.docs.prepare import DatasetSource, prepare_dataset
from kire.errors import KireError


def article(title, words, rel=True):
    sents = [words.split() + ["."]]
    rec = {"title": title, "sents": sents,
           "vertexSet": [[{"name": sents[0][0], "pos": [0, 1], "sent_id": 0, "type": "LOC"}],
                         [{"name": sents[0][-2], "pos": [len(sents[0]) - 2, len(sents[0]) - 1], "sent_id": 0,
                           "type": "LOC"}]]}
    if rel:
        rec["labels"] = [{"h": 0, "t": 1, "r": "P131", "evidence": [0]}]
    return rec


TRAIN = [article("Eastbrook", "Eastbrook lies in Kent"), article("Westford", "Westford lies in Essex"),
         article("Northam", "Northam lies in Devon"), article("Southby", "Southby lies in Norfolk")]
# dev: one train title again with another text; one train text again under another title
DEV = [article("Eastbrook", "Eastbrook is a town near Kent"), article("Westford (town)", "Westford lies in Essex"),
       article("Mercia", "Mercia lay in England")]
TEST = [article("Mercia", "Mercia lay in England", rel=False), article("Wessex", "Wessex lay in England", rel=False)]


def dataset(tmp_path, train=TRAIN, dev=DEV, test=TEST):
    paths = {}
    for name, docs in (("train", train), ("dev", dev), ("test", test)):
        paths[name] = tmp_path / f"{name}.json"
        paths[name].write_text(json.dumps(docs))
    rel = tmp_path / "rel_info.json"
    rel.write_text(json.dumps({"P131": "located in"}))
    return DatasetSource("toy", "docred", train=str(paths["train"]), dev=str(paths["dev"]),
                         test=str(paths["test"]), rel_info=str(rel))


def test_shared_documents_by_title_or_text(tmp_path):
    source = dataset(tmp_path)
    report = prepare_dataset(source, tmp_path / "out")
    overlap = report["overlap"]
    assert overlap["shared"] == {"train-dev": 2, "train-test": 0, "dev-test": 1}
    kinds = {(s["split_a"], s["title_a"], s["split_b"], s["title_b"]): s["kind"] for s in overlap["shared_samples"]}
    assert kinds == {("train", "Eastbrook", "dev", "Eastbrook"): "title",
                     ("train", "Westford", "dev", "Westford (town)"): "text",
                     ("dev", "Mercia", "test", "Mercia"): "title+text"}
    assert overlap["dropped_from_train"] == 0 and len(read_documents(tmp_path / "out" / "train")) == 4


def test_shared_documents_are_warned_about(tmp_path, caplog):
    with caplog.at_level(logging.WARNING):
        prepare_dataset(dataset(tmp_path), tmp_path / "out")
    text = caplog.text
    assert "3 document(s) shared across splits (train-dev: 2, dev-test: 1)" in text
    assert f"train {tmp_path / 'train.json'} record 0 ('Eastbrook') and dev {tmp_path / 'dev.json'} record 0" in text


def test_on_overlap_fail_names_the_pairs_and_writes_nothing(tmp_path):
    with pytest.raises(KireError, match=r"3 document\(s\) shared across splits .*docs.on_overlap is fail.*'Eastbrook'"):
        prepare_dataset(dataset(tmp_path), tmp_path / "out", on_overlap="fail")
    assert not (tmp_path / "out").exists()
    # no shared document: fail passes
    report = prepare_dataset(dataset(tmp_path, dev=DEV[2:], test=TEST[1:]), tmp_path / "ok", on_overlap="fail")
    assert report["overlap"]["shared"] == {"train-dev": 0, "train-test": 0, "dev-test": 0}


def test_on_overlap_drop_from_train(tmp_path):
    report = prepare_dataset(dataset(tmp_path), tmp_path / "out", on_overlap="drop_from_train")
    assert report["overlap"]["dropped_from_train"] == 2
    assert [d.title for d in read_documents(tmp_path / "out" / "train")] == ["Northam", "Southby"]
    assert report["splits"]["train"]["documents"] == 2
    assert [d.title for d in read_documents(tmp_path / "out" / "test")] == ["Mercia", "Wessex"]  # dev/test stays


def test_two_documents_with_one_title_in_a_split_are_reported(tmp_path, caplog):
    train = [*TRAIN, article("Northam", "Northam is a village in Yorkshire"), article("Southby", "Southby lies in Norfolk")]
    with caplog.at_level(logging.WARNING):
        report = prepare_dataset(dataset(tmp_path, train=train, dev=DEV[2:], test=TEST[1:]), tmp_path / "out")
    path = str(tmp_path / "train.json")
    assert report["overlap"]["duplicate_titles"] == [
        {"split": "train", "title": "Northam", "file": path, "records": [2, 4], "same_text": False},
        {"split": "train", "title": "Southby", "file": path, "records": [3, 5], "same_text": True}]
    assert f"train: {path} record 2 and {path} record 4 share the title 'Northam' (different texts)" in caplog.text
    assert "refuse this split" in caplog.text


def test_title_clashes_count_every_later_repeat():
    from kire.docs.model import Document

    docs = [Document(t, [["x"]], []) for t in ("a", "b", "a", "a", "c", "b")]
    assert title_clashes(docs) == [(0, 2), (0, 3), (1, 5)]
    assert shared_documents({"train": docs[:2], "test": docs[2:]})[0].kind == "title+text"


def test_dwie_article_tagged_train_and_test_is_shared(tmp_path):
    folder = tmp_path / "dwie"
    folder.mkdir()
    text = "Offa ruled Mercia. Mercia lay in England."
    for i, tags in enumerate([["train"]] * 4 + [["test"], ["train", "test"]]):
        rec = {"id": f"DW_{i}", "content": text.replace("Offa", f"King{i}"), "tags": tags, "relations": [],
               "concepts": [{"concept": 0, "tags": ["type::gpe"], "link": "Mercia_(kingdom)"}],
               "mentions": [{"begin": 11 + len(str(i)), "end": 17 + len(str(i)), "text": "Mercia", "concept": 0}]}
        (folder / f"DW_{i}.json").write_text(json.dumps(rec))
    rel = tmp_path / "rel.json"
    rel.write_text(json.dumps({"in0": "in"}))
    source = DatasetSource("d", "dwie", train=str(folder), test=str(folder), rel_info=str(rel))
    report = prepare_dataset(source, tmp_path / "out", dev_fraction=0.25, seed=1)
    shared = report["overlap"]["shared"]
    assert shared["train-test"] + shared["dev-test"] == 1
    (sample,) = report["overlap"]["shared_samples"]
    assert sample["title_a"] == sample["title_b"] == "DW_5" and sample["record_b"] == str(folder / "DW_5.json")
    with pytest.raises(KireError, match="DW_5"):
        prepare_dataset(source, tmp_path / "out2", dev_fraction=0.25, seed=1, on_overlap="fail")


def test_cli_on_overlap_fail_is_one_line(tmp_path, capsys):
    from kire.cli import main

    source = dataset(tmp_path)
    code = main(["docs", "prepare", "--dataset", "toy", "--format", "docred", "--train", source.train,
                 "--dev", source.dev, "--test", source.test, "--rel-info", source.rel_info,
                 "--out", str(tmp_path / "o"), "--on-overlap", "fail"])
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err and "docs.on_overlap is fail" in err.strip().splitlines()[-1]


def test_where_a_document_was_read_does_not_make_it_another_document(tmp_path):
    from kire.docs.docred import read_docred

    path = tmp_path / "t.json"
    path.write_text(json.dumps([TRAIN[0], TRAIN[0]]))
    a, b = read_docred(path)
    assert (a.record, b.record) == (0, 1) and a == b
