"""The readers' signals on inputs from the wild (issues 14 and 15): non-UTF-8 bytes, empty and
reversed spans, self-relations, rel2id files, the wrong ``format``, DWIE headlines and repeated
relations. Every input is a small file written here (invented examples, not dataset text)."""

from __future__ import annotations

import copy
import json

import pytest

from kire.docs.docred import read_docred
from kire.docs.dwie import DwieStats, DwieTokenizer, document_from_dwie
from kire.docs.model import read_documents
from kire.docs.prepare import DatasetSource, prepare_dataset, read_rel_info
from kire.docs.read import read_relations
from kire.errors import InputError

DOC = {
    "title": "Mercia",
    "sents": [["Mercia", "was", "a", "kingdom", "in", "England", "."], ["Offa", "ruled", "Mercia", "."]],
    "vertexSet": [
        [{"name": "Mercia", "pos": [0, 1], "sent_id": 0, "type": "LOC"},
         {"name": "Mercia", "pos": [2, 3], "sent_id": 1, "type": "LOC"}],
        [{"name": "England", "pos": [5, 6], "sent_id": 0, "type": "LOC"}],
        [{"name": "Offa", "pos": [0, 1], "sent_id": 1, "type": "PER"}],
    ],
    "labels": [{"h": 0, "t": 1, "r": "P17", "evidence": [0]}],
}


def write(path, value) -> str:
    path.write_text(json.dumps(value), encoding="utf-8")
    return str(path)


def mutated(fn):
    doc = copy.deepcopy(DOC)
    fn(doc)
    return [doc]


# --- non-UTF-8 bytes -------------------------------------------------------------------------


@pytest.mark.parametrize("bad_bytes", [b"\xe9", b"\xff\xfe", b"\xc3("])
def test_non_utf8_error_names_byte_offset_and_line(tmp_path, bad_bytes):
    text = json.dumps([DOC], indent=1).encode()
    at = text.index(b"kingdom")
    path = tmp_path / "latin1.json"
    path.write_bytes(text[:at] + bad_bytes + text[at:])
    with pytest.raises(InputError) as err:
        read_docred(path)
    line = text.count(b"\n", 0, at) + 1
    assert f"not UTF-8 at byte offset {at} (line {line})" in str(err.value)
    assert str(err.value).startswith(str(path))


def test_utf8_byte_order_mark_is_skipped(tmp_path):
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps([DOC]).encode())
    assert read_docred(path)[0].title == "Mercia"


# --- spans and self-relations ----------------------------------------------------------------


@pytest.mark.parametrize("pos, words", [([3, 3], "empty span [3, 3)"), ([4, 2], "reversed span [4, 2)"),
                                        ([0, 0], "empty span"), ([5, 9], "[5, 9) outside sentence 0 of 7 tokens"),
                                        ([-1, 2], "outside sentence 0")])
def test_docred_span_problems_are_named(tmp_path, pos, words):
    docs = mutated(lambda d: d["vertexSet"][1][0].update(pos=pos))
    with pytest.raises(InputError) as err:
        read_docred(write(tmp_path / "t.json", docs))
    assert "field vertexSet[1][0].pos" in str(err.value) and words in str(err.value)
    if "outside" not in words:
        assert "outside" not in str(err.value)


def test_docred_label_with_head_equal_to_tail_is_reported(tmp_path):
    docs = mutated(lambda d: d["labels"].append({"h": 2, "t": 2, "r": "P17", "evidence": []}))
    with pytest.raises(InputError) as err:
        read_docred(write(tmp_path / "t.json", docs))
    assert "document 0 ('Mercia'): field labels[1]: head and tail are both entity 2" in str(err.value)


TEXT = "Offa rules Mercia\nOffa was king of Mercia. Mercia lay in England."


def dwie(mentions, relations=(), text=TEXT):
    concepts = [{"concept": 0, "text": "Offa", "tags": ["type::person"]},
                {"concept": 1, "text": "Mercia", "link": "Mercia_(kingdom)", "tags": ["type::gpe"]},
                {"concept": 2, "text": "England", "link": "England", "tags": ["type::gpe"]}]
    return {"id": "DW_9", "content": text, "tags": ["train"], "concepts": concepts,
            "mentions": [{"begin": b, "end": e, "text": text[b:e] if b <= e else "", "concept": c}
                         for b, e, c in mentions],
            "relations": [{"s": s, "p": p, "o": o} for s, p, o in relations]}


def spans(text=TEXT):
    out, start = [], 0
    for word, concept in (("Offa", 0), ("Mercia", 1), ("Offa", 0), ("Mercia", 1), ("Mercia", 1), ("England", 2)):
        b = text.index(word, start)
        out.append((b, b + len(word), concept))
        start = b + len(word)
    return out


@pytest.fixture(scope="module")
def tokenizer():
    return DwieTokenizer()


@pytest.mark.parametrize("span, words", [((11, 11), "empty span [11, 11)"), ((17, 11), "reversed span [17, 11)"),
                                         ((60, 99), "outside the content")])
def test_dwie_span_problems_are_named(tokenizer, span, words):
    rec = dwie([*spans(), (*span, 1)])
    with pytest.raises(InputError) as err:
        document_from_dwie(rec, "DW_9.json", tokenizer)
    assert "field mentions[6]" in str(err.value) and words in str(err.value)


def test_dwie_relation_of_a_concept_with_itself_is_reported(tokenizer):
    rec = dwie(spans(), [(0, "ruler_of", 1), (1, "in0", 1)])
    with pytest.raises(InputError, match=r"field relations\[1\]: s and o are both concept 1"):
        document_from_dwie(rec, "DW_9.json", tokenizer)


# --- DWIE: the headline is a sentence; a repeated relation is one label ----------------------


@pytest.mark.parametrize("text", [TEXT, "Offa rules Mercia \nOffa was king of Mercia. Mercia lay in England.",
                                  "Offa rules Mercia\n\nOffa was king of Mercia. Mercia lay in England."])
def test_dwie_headline_is_its_own_sentence(tokenizer, text):
    doc = document_from_dwie(dwie(spans(text), text=text), "DW_9.json", tokenizer)
    assert doc.sents[0] == ["Offa", "rules", "Mercia"]
    assert doc.sents[1][:2] == ["Offa", "was"] and len(doc.sents) == 3


def test_dwie_relation_listed_twice_is_one_label(tmp_path, tokenizer):
    stats = DwieStats()
    rels = [(0, "ruler_of", 1), (1, "in0", 2), (0, "ruler_of", 1), (1, "in0", 2), (1, "in0", 2)]
    doc = document_from_dwie(dwie(spans(), rels), "DW_9.json", tokenizer, stats=stats)
    assert [(lab.head, lab.tail, lab.relation) for lab in doc.labels] == [(0, 1, "ruler_of"), (1, 2, "in0")]
    assert stats.duplicate_relations == 3
    # through prepare: labels.parquet holds each relation once, the report counts the repeats
    folder = tmp_path / "dwie"
    folder.mkdir()
    for i, tag in enumerate(["train"] * 5 + ["test"]):
        rec = dwie(spans(), rels)
        rec.update(id=f"DW_{i}", tags=[tag])
        write(folder / f"DW_{i}.json", rec)
    source = DatasetSource("d", "dwie", train=str(folder), test=str(folder),
                           rel_info=write(tmp_path / "rel2id.json", {"Na": 0, "ruler_of": 1, "in0": 2}))
    report = prepare_dataset(source, tmp_path / "out")
    assert report["splits"]["test"]["labels"] == 2
    assert report["dropped"]["train.duplicate_relations"] == 15
    assert [(lab.head, lab.tail) for lab in read_documents(tmp_path / "out" / "test")[0].labels] == [(0, 1), (1, 2)]


# --- rel_info as rel2id ----------------------------------------------------------------------


@pytest.mark.parametrize("rel2id, expected", [
    ({"Na": 0, "P17": 1, "P131": 2}, ["P17", "P131"]),
    ({"P131": 2, "NA": 0, "P17": 1}, ["P17", "P131"]),                  # ordered by class integer
    ({"no_relation": 0, "in0": 3, "citizen_of": 1, "based_in0": 2}, ["citizen_of", "based_in0", "in0"]),
    ({"P17": 0, "P131": 1}, ["P17", "P131"]),                             # no no-relation class at all
])
def test_rel2id_file_is_read_as_rel_info(tmp_path, rel2id, expected):
    path = write(tmp_path / "rel2id.json", rel2id)
    assert list(read_rel_info(path)) == expected
    assert read_relations(path) == expected


@pytest.mark.parametrize("value, field, words", [
    ({"Na": 0, "P17": 1, "P131": "located in"}, "['P131']", "value 'located in' mixes shapes"),
    ({"P17": "country", "P131": 2}, "['P131']", "value 2 mixes shapes"),
    ({"P17": "country", "P131": ["located in"]}, "['P131']", "value ['located in'] is a list"),
    ({"P17": "country", "P131": None}, "['P131']", "is a NoneType"),
    ({"Na": 0, "P17": 1, "P131": 1}, "['P131']", "class id 1 is also the id of 'P17'"),
    ({"Na": 0, "P17": -1}, "['P17']", "negative"),
    ({"Na": 0}, None, "only the no-relation class"),
    ([["P17", 1]], None, "expected a non-empty JSON object"),
])
def test_wrong_rel_info_value_is_named_with_both_shapes(tmp_path, value, field, words):
    path = write(tmp_path / "rel.json", value)
    with pytest.raises(InputError) as err:
        read_rel_info(path)
    message = str(err.value)
    assert words in message and message.startswith(path)
    assert field is None or f"field {field}" in message
    assert 'rel2id.json {"Na": 0, "P17": 1, ...}' in message and 'rel_info.json {"P17": "country"' in message


# --- the wrong format ------------------------------------------------------------------------


def test_dwie_format_pointed_at_docred_file_suggests_docred(tmp_path):
    path = write(tmp_path / "train.json", [DOC])
    source = DatasetSource("d", "dwie", train=path, test=path, rel_info=write(tmp_path / "r.json", {"P17": "country"}))
    with pytest.raises(InputError, match="use format: docred"):
        prepare_dataset(source, tmp_path / "out")


def test_docred_format_pointed_at_dwie_data_suggests_dwie(tmp_path):
    folder = tmp_path / "dwie"
    folder.mkdir()
    one = write(folder / "DW_1.json", dwie(spans()))
    rel = write(tmp_path / "r.json", {"P17": "country"})
    for target in (str(folder), one):
        source = DatasetSource("d", "docred", train=target, test=target, rel_info=rel)
        with pytest.raises(InputError, match="use format: dwie"):
            prepare_dataset(source, tmp_path / "out")


def test_cli_wrong_format_is_one_line(tmp_path, capsys):
    from kire.cli import main

    path = write(tmp_path / "train.json", [DOC])
    code = main(["docs", "prepare", "--dataset", "d", "--format", "dwie", "--train", path, "--test", path,
                 "--rel-info", write(tmp_path / "r.json", {"Na": 0, "P17": 1}), "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err and "use format: docred" in err.strip().splitlines()[-1]
