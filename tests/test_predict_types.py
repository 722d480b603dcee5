"""`kire predict` feeds a run only entity types it was trained with (issue 15 §4): spaCy's labels
and other datasets' types map onto the run's scheme through DocRED's classes, or are refused."""

from __future__ import annotations

import json
import logging

import pytest

from kire.docs.docred import read_docred
from kire.docs.model import Document, Entity, Mention
from kire.errors import InputError
from kire.predict.text import docred_type
from kire.predict.types import coarse_class, documents_in_run_scheme, scheme_map

DOCRED_SCHEME = ["LOC", "MISC", "NUM", "ORG", "PER", "TIME"]
# A run trained on a DocRED-format conversion of DWIE keeps DWIE's tags as its types.
DWIE_SCHEME = ["type::gpe", "type::location", "type::organization", "type::person"]


def entity(name: str, kind: str, sent: int = 0, start: int = 0) -> Entity:
    return Entity(mentions=[Mention(sent, start, start + 1, name, kind)], type=kind)


def text_document() -> Document:
    """What spaCy makes of "Ada moved to London in 1843 with Babbage." (kire.predict.text)."""
    sents = [["Ada", "moved", "to", "London", "in", "1843", "with", "Babbage", "."]]
    return Document("ada", sents, [entity("Ada", "PER"), entity("London", "LOC", start=3),
                                   entity("1843", "TIME", start=5), entity("Babbage", "PER", start=7)])


def test_spacy_labels_take_docred_types():
    assert [docred_type(x) for x in ("PERSON", "ORG", "GPE", "LOC", "FAC", "DATE", "TIME", "CARDINAL",
                                     "QUANTITY", "NORP", "EVENT")] == [
        "PER", "ORG", "LOC", "LOC", "LOC", "TIME", "TIME", "NUM", "NUM", "MISC", "MISC"]
    assert docred_type("SOME_NEW_LABEL") == "MISC" and docred_type("ORDINAL") is None


def test_classes_of_docred_spacy_and_dwie_names():
    assert [coarse_class(x) for x in ("PER", "PERSON", "type::person", "type::gpe", "type::money",
                                      "GPE", "frobnicator")] == ["PER", "PER", "PER", "LOC", "NUM",
                                                                 "LOC", None]


def test_docred_types_onto_a_docred_run_are_kept():
    assert scheme_map({"PER", "LOC", "TIME"}, DOCRED_SCHEME) == {"LOC": "LOC", "PER": "PER", "TIME": "TIME"}


def test_docred_types_onto_a_dwie_run_take_its_tags(caplog):
    mapping = scheme_map({"PER", "LOC", "ORG", "TIME"}, DWIE_SCHEME)
    assert mapping == {"LOC": "type::gpe", "ORG": "type::organization", "PER": "type::person", "TIME": None}
    caplog.set_level(logging.INFO)
    (doc,), _ = documents_in_run_scheme([text_document()], DWIE_SCHEME, "ada.txt", from_text=True)
    # 1843 (TIME) has no counterpart in the run: left out, with a warning naming the type
    assert [(e.name, e.type) for e in doc.entities] == [
        ("Ada", "type::person"), ("London", "type::gpe"), ("Babbage", "type::person")]
    assert all(m.type == e.type for e in doc.entities for m in e.mentions)
    assert "1 of the 4 entities spaCy found are left out: their types (TIME)" in caplog.text
    assert "PER -> type::person" in caplog.text


def test_a_run_whose_scheme_nothing_maps_onto_is_refused():
    with pytest.raises(InputError, match=r"none of the input's entity types \(LOC, PER, TIME\) maps onto "
                                         r"the run's entity types \(chemical, gene\)"):
        documents_in_run_scheme([text_document()], ["chemical", "gene"], "ada.txt", from_text=True)


def test_a_text_left_with_one_known_entity_is_refused():
    with pytest.raises(InputError, match="1 entity of a type the run knows"):
        documents_in_run_scheme([text_document()], ["TIME", "MISC"], "ada.txt", from_text=True)


def test_a_json_entity_of_an_unknown_type_is_refused_by_name(tmp_path):
    path = tmp_path / "dwie-like.json"
    path.write_text(json.dumps([{
        "title": "Mercia", "sents": [["Offa", "ruled", "Mercia", "from", "Tamworth", "."]],
        "vertexSet": [[{"name": "Offa", "pos": [0, 1], "sent_id": 0, "type": "type::person"}],
                      [{"name": "Mercia", "pos": [2, 3], "sent_id": 0, "type": "type::gpe"}],
                      [{"name": "Tamworth", "pos": [4, 5], "sent_id": 0, "type": "type::settlement"}]],
    }]))
    docs = read_docred(path)
    # onto a DocRED run the DWIE tags map; the third has no class: refused, not silently untrained
    with pytest.raises(InputError, match=r"vertexSet\[2\] type.*'type::settlement' has no counterpart"):
        documents_in_run_scheme(docs, DOCRED_SCHEME, str(path), from_text=False)
    (doc,), mapping = documents_in_run_scheme(docs, DOCRED_SCHEME + ["type::settlement"], str(path),
                                              from_text=False)
    assert [e.type for e in doc.entities] == ["PER", "LOC", "type::settlement"]
    assert mapping["type::person"] == "PER"
