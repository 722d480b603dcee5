"""DocRED and DWIE readers, validation (fail or skip into rejects), the DWIE dev split, prepare."""

from __future__ import annotations

import copy
import json

import pytest

from kire.docs.docred import read_docred, read_docred_checked
from kire.docs.dwie import DwieStats, DwieTokenizer, coarse_type, document_from_dwie, read_dwie_checked
from kire.docs.model import read_documents
from kire.docs.prepare import DatasetSource, prepare_dataset, split_dev
from kire.errors import InputError, KireError

REL_INFO = {"P17": "country", "P131": "located in the administrative territorial entity"}

DOCRED_DOC = {
    "title": "Berlin Wall",
    "sents": [["The", "Berlin", "Wall", "divided", "Berlin", "."], ["It", "stood", "in", "Germany", "."]],
    "vertexSet": [
        [{"name": "Berlin Wall", "pos": [1, 3], "sent_id": 0, "type": "MISC"}],
        [{"name": "Berlin", "pos": [4, 5], "sent_id": 0, "type": "LOC"}],
        [{"name": "Germany", "pos": [3, 4], "sent_id": 1, "type": "LOC"}],
    ],
    "labels": [{"h": 1, "t": 2, "r": "P17", "evidence": [0, 1]}],
}


def write_docred(tmp_path, docs, name="train.json"):
    path = tmp_path / name
    path.write_text(json.dumps(docs))
    return path


def broken(mutate):
    doc = copy.deepcopy(DOCRED_DOC)
    mutate(doc)
    return doc


BROKEN_DOCRED = {
    "entity index out of range": (lambda d: d["labels"][0].update(t=7), "labels[0].t", "out of range"),
    "mention outside its sentence": (lambda d: d["vertexSet"][2][0].update(pos=[3, 9]), "vertexSet[2][0].pos",
                                     "outside sentence 1"),
    "empty mention list": (lambda d: d["vertexSet"].append([]), "vertexSet[3]", "empty"),
    "empty vertex set": (lambda d: (d.update(vertexSet=[]), d.update(labels=[])), "vertexSet", "no entities"),
    "unknown relation": (lambda d: d["labels"][0].update(r="P999"), "labels[0].r", "not in rel_info"),
}


@pytest.mark.parametrize("case", sorted(BROKEN_DOCRED))
def test_docred_invalid_document_names_file_title_and_field(tmp_path, case):
    mutate, field, problem = BROKEN_DOCRED[case]
    path = write_docred(tmp_path, [DOCRED_DOC, broken(mutate)])
    with pytest.raises(InputError) as err:
        read_docred(path, REL_INFO)
    message = str(err.value)
    assert str(path) in message and "'Berlin Wall'" in message and "document 1" in message
    assert f"field {field}" in message and problem in message


def test_docred_skip_mode_lists_rejects_and_keeps_valid_documents(tmp_path):
    bad = broken(BROKEN_DOCRED["unknown relation"][0])
    path = write_docred(tmp_path, [DOCRED_DOC, bad, DOCRED_DOC])
    docs, rejects = read_docred_checked(path, REL_INFO, on_error="skip")
    assert len(docs) == 2
    assert rejects == [{"file": str(path), "record": "document 1 ('Berlin Wall')", "field": "labels[0].r",
                        "problem": "relation 'P999' is not in rel_info"}]
    with pytest.raises(InputError):
        read_docred_checked(path, REL_INFO, on_error="fail")


def test_docred_test_file_without_labels_is_unlabeled(tmp_path):
    unlabeled = {k: v for k, v in DOCRED_DOC.items() if k != "labels"}
    (doc,) = read_docred(write_docred(tmp_path, [unlabeled]), REL_INFO)
    assert doc.labels is None and len(doc.entities) == 3


# A DWIE-format article written for these tests (not DWIE text): mentions carry character offsets.
DWIE_TEXT = ("Angela Merkel met officials in Berlin on Monday. The German chancellor said the U.S. "
             "and Germany agree.\n\nMerkel left Berlin-Tegel at noon.")


def dwie_record(doc_id="DW_1", tags=("all", "train"), text=DWIE_TEXT):
    def span(sub, nth=0):
        start = -1
        for _ in range(nth + 1):
            start = text.index(sub, start + 1)
        return start, start + len(sub)

    mentions = []
    for concept, sub, nth in [(0, "Angela Merkel", 0), (0, "Merkel", 1), (1, "Berlin", 0), (1, "Berlin", 1),
                              (2, "Monday", 0), (3, "U.S.", 0), (4, "Germany", 0), (5, "German", 0)]:
        b, e = span(sub, nth)
        mentions.append({"begin": b, "end": e, "text": sub, "concept": concept})
    concepts = [
        {"concept": 0, "text": "Angela Merkel", "link": "Angela_Merkel", "tags": ["type::entity", "type::person"]},
        {"concept": 1, "text": "Berlin", "link": "Berlin", "tags": ["type::gpe", "type::location"]},
        {"concept": 2, "text": "Monday", "tags": ["type::time", "type::value"]},
        {"concept": 3, "text": "U.S.", "link": "Q30", "tags": ["type::gpe", "type::location"]},
        {"concept": 4, "text": "Germany", "link": "Germany", "tags": ["type::gpe", "type::location"]},
        {"concept": 5, "text": "German", "tags": ["type::gpe0-x", "type::other"]},
        {"concept": 6, "link": "Bundestag", "tags": [], "count": 0},
    ]
    relations = [{"s": 0, "p": "citizen_of", "o": 4}, {"s": 1, "p": "in0", "o": 4}, {"s": 0, "p": "member_of", "o": 6}]
    return {"id": doc_id, "content": text, "tags": list(tags), "mentions": mentions, "concepts": concepts,
            "relations": relations}


DWIE_RELS = {"citizen_of", "in0", "member_of"}


@pytest.fixture(scope="module")
def tokenizer():
    return DwieTokenizer()


def test_dwie_document_tokens_spans_sentences_and_links(tokenizer):
    stats = DwieStats()
    doc = document_from_dwie(dwie_record(), "DW_1.json", tokenizer, DWIE_RELS, stats)
    assert doc.title == "DW_1"
    assert len(doc.sents) == 3  # the sentencizer's breaks, including the blank-line paragraph
    # every mention is an exact token span of its sentence
    for ent in doc.entities:
        for men in ent.mentions:
            assert " ".join(doc.sents[men.sent_id][men.start:men.end]).replace(" ", "") == men.name.replace(" ", "")
    names = [[m.name for m in e.mentions] for e in doc.entities]
    assert names[0] == ["Angela Merkel", "Merkel"] and names[1] == ["Berlin", "Berlin"]
    # "Berlin-Tegel" was cut at the mention boundary
    assert doc.sents[2][:4] == ["Merkel", "left", "Berlin", "-"]
    assert [e.type for e in doc.entities] == ["PER", "LOC", "TIME", "LOC", "LOC", "MISC"]
    assert [e.kb_id for e in doc.entities] == ["Angela_Merkel", "Berlin", None, "Q30", "Germany", None]
    # concept 6 has no mention: dropped with its relation, and counted
    assert [(lab.head, lab.tail, lab.relation) for lab in doc.labels] == [(0, 4, "citizen_of"), (1, 4, "in0")]
    assert stats.concepts_without_mentions == 1 and stats.relations_without_mentions == 1


def test_dwie_sentence_break_inside_a_mention_is_removed(tokenizer):
    text = "He visited St. Louis. Then he left."
    rec = {"id": "x", "content": text, "tags": ["test"], "concepts": [{"concept": 0, "tags": ["type::location"]}],
           "mentions": [{"begin": 11, "end": 20, "text": "St. Louis", "concept": 0}], "relations": []}
    doc = document_from_dwie(rec, "x.json", tokenizer)
    (men,) = doc.entities[0].mentions
    assert doc.sents[men.sent_id][men.start:men.end] == ["St.", "Louis"]


@pytest.mark.parametrize("mutate, field", [
    (lambda r: r["mentions"][0].update(text="Angela Merkle"), "mentions[0].text"),
    (lambda r: r["mentions"][0].update(end=10_000), "mentions[0]"),
    (lambda r: r["mentions"][0].update(concept=42), "mentions[0].concept"),
    (lambda r: r["relations"][0].update(p="born_in"), "relations[0].p"),
    (lambda r: r.pop("content"), "content"),
])
def test_dwie_invalid_record_names_field(tokenizer, mutate, field):
    rec = dwie_record()
    mutate(rec)
    with pytest.raises(InputError) as err:
        document_from_dwie(rec, "DW_1.json", tokenizer, DWIE_RELS)
    assert "DW_1.json: document 'DW_1'" in str(err.value) and f"field {field}" in str(err.value)


def test_coarse_type_first_matching_tag():
    assert coarse_type(["type::location", "type::gpe"]) == "LOC"
    assert coarse_type(["type::organization", "type::entity"]) == "ORG"
    assert coarse_type(["type::role", "type::value"]) == "NUM"
    assert coarse_type([]) == "MISC"


def write_dwie_folder(folder, n_train=10, n_test=3, bad=None):
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n_train + n_test):
        rec = dwie_record(f"DW_{i:03d}", ("all", "train" if i < n_train else "test"))
        if bad == i:
            rec["relations"][0]["p"] = "unknown_rel"
        (folder / f"DW_{i:03d}.json").write_text(json.dumps(rec))
    return folder


def test_prepare_dwie_splits_train_80_20_with_fixed_seed(tmp_path):
    folder = write_dwie_folder(tmp_path / "dwie", bad=4)
    (tmp_path / "rel_info.json").write_text(json.dumps({r: r for r in DWIE_RELS}))
    source = DatasetSource("dwie", "dwie", train=str(folder), test=str(folder), rel_info=str(tmp_path / "rel_info.json"))
    with pytest.raises(InputError, match="unknown_rel"):
        prepare_dataset(source, tmp_path / "out_fail", on_error="fail")
    report = prepare_dataset(source, tmp_path / "out", on_error="skip", dev_fraction=0.2, seed=7)
    assert [report["splits"][s]["documents"] for s in ("train", "dev", "test")] == [7, 2, 3]
    assert report["dev_from_train"] == {"fraction": 0.2, "seed": 7}
    assert [r["record"] for r in report["rejects"]] == ["document 'DW_004'"]
    assert report["dropped"]["train.concepts_without_mentions"] == 9
    dev_titles = [d.title for d in read_documents(tmp_path / "out" / "dev")]
    again = prepare_dataset(source, tmp_path / "again", on_error="skip", dev_fraction=0.2, seed=7)
    assert again["splits"] == report["splits"]
    assert [d.title for d in read_documents(tmp_path / "again" / "dev")] == dev_titles
    assert set(dev_titles).isdisjoint(d.title for d in read_documents(tmp_path / "out" / "train"))
    test_docs = read_documents(tmp_path / "out" / "test")
    assert [d.title for d in test_docs] == ["DW_010", "DW_011", "DW_012"]
    assert test_docs[0].entities[3].kb_id == "Q30"


def test_split_dev_does_not_depend_on_input_order(tmp_path):
    folder = write_dwie_folder(tmp_path / "dwie", n_train=20, n_test=0)
    docs, _ = read_dwie_checked(folder, "train", DWIE_RELS)
    a = split_dev(docs, 0.2, 3)
    b = split_dev(list(reversed(docs)), 0.2, 3)
    assert sorted(d.title for d in a[1]) == sorted(d.title for d in b[1]) and len(a[1]) == 4
    with pytest.raises(KireError):
        split_dev(docs, 1.5, 3)
    # the paper's DWIE split: 681 training documents -> 544 train, 137 dev
    many = docs * 35
    assert [len(part) for part in split_dev(many[:681], 0.2, 3)] == [544, 137]


def test_prepare_docred_writes_tables_and_report(tmp_path):
    (tmp_path / "rel_info.json").write_text(json.dumps(REL_INFO))
    unlabeled = {k: v for k, v in DOCRED_DOC.items() if k != "labels"}
    source = DatasetSource(
        "toy", "docred", train=str(write_docred(tmp_path, [DOCRED_DOC] * 3)),
        dev=str(write_docred(tmp_path, [DOCRED_DOC], "dev.json")),
        test=str(write_docred(tmp_path, [unlabeled] * 2, "test.json")), rel_info=str(tmp_path / "rel_info.json"))
    report = prepare_dataset(source, tmp_path / "out")
    assert report["splits"]["train"] == {"documents": 3, "entities": 9, "mentions": 9, "labels": 3, "labeled": 3}
    assert report["splits"]["test"]["labeled"] == 0 and report["dev_from_train"] is None
    assert json.loads((tmp_path / "out" / "report.json").read_text())["splits"] == report["splits"]
    (doc,) = read_documents(tmp_path / "out" / "dev")
    assert doc.sents == DOCRED_DOC["sents"] and doc.labels[0].evidence == [0, 1]


def test_cli_reports_bad_input_in_one_line(tmp_path, capsys):
    from kire.cli import main

    (tmp_path / "rel_info.json").write_text(json.dumps(REL_INFO))
    bad = write_docred(tmp_path, [broken(BROKEN_DOCRED["entity index out of range"][0])])
    code = main(["docs", "prepare", "--dataset", "toy", "--format", "docred", "--train", str(bad),
                 "--test", str(bad), "--rel-info", str(tmp_path / "rel_info.json"), "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err
    assert err.strip().splitlines()[-1].startswith(f"kire: error: {bad}: document 0 ('Berlin Wall'): field labels[0].t")


def test_bundled_dwie_sample_prepares_with_gold_links(sample, tmp_path):
    folder = sample / "dwie" / "data"
    if not folder.is_dir():
        pytest.skip(f"bundled DWIE sample {folder} not found (run `kire sample`)")
    source = DatasetSource("sample_dwie", "dwie", train=str(folder), test=str(folder),
                           rel_info=str(sample / "dwie" / "rel_info.json"))
    report = prepare_dataset(source, tmp_path / "out")
    assert report["rejects"] == [] and all(report["splits"][s]["documents"] > 0 for s in ("train", "dev", "test"))
    docs = read_documents(tmp_path / "out" / "test")
    assert any(e.kb_id for d in docs for e in d.entities)
    for d in docs:
        for e in d.entities:
            for m in e.mentions:
                assert "".join(d.sents[m.sent_id][m.start:m.end]) == m.name.replace(" ", "")


def test_read_json_file_names_a_folder_or_a_missing_file(tmp_path):
    from kire.docs.validate import read_json_file

    with pytest.raises(InputError, match="a folder, not a JSON file"):
        read_json_file(tmp_path)
    with pytest.raises(InputError, match="file not found"):
        read_json_file(tmp_path / "missing.json")
