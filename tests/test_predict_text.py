"""Plain text to a Document (spaCy's bundled English model) and the mention grouping rules."""

from __future__ import annotations

import pytest

from kire.docs.model import Mention
from kire.errors import InputError
from kire.predict.text import document_from_text, group_mentions, normalized


@pytest.fixture(scope="module")
def nlp():
    from kire.coref.parse import load_spacy

    return load_spacy()


def test_normalized():
    assert normalized("  The  Kingdom of Württemberg ") == "kingdom of wurttemberg"
    assert normalized("ÉCOLE") == "ecole"


def test_grouping_by_name_and_surname():
    m = [Mention(0, 0, 2, "Meghan Markle", "PER"), Mention(0, 5, 6, "Germany", "LOC"),
         Mention(1, 0, 1, "Markle", "PER"), Mention(2, 3, 4, "germany", "LOC"),
         Mention(2, 6, 7, "Germany", "ORG")]
    entities = group_mentions(m)
    assert [[x.name for x in e.mentions] for e in entities] == [
        ["Meghan Markle", "Markle"], ["Germany", "germany"], ["Germany"]]
    assert [e.type for e in entities] == ["PER", "LOC", "ORG"]


def test_paragraph_to_document(nlp):
    text = ("Albert Einstein was born in Ulm, Germany, in 1879. Later, Einstein moved to Berlin.\n\n"
            "Marie Curie worked in Paris.")
    doc = document_from_text(text, nlp, "para")
    assert doc.title == "para" and doc.labels is None and len(doc.sents) == 3
    names = {e.name: e for e in doc.entities}
    assert {"Albert Einstein", "Ulm", "Germany", "1879", "Berlin", "Marie Curie", "Paris"} <= set(names)
    assert names["Albert Einstein"].type == "PER" and names["Ulm"].type == "LOC"
    assert names["1879"].type == "TIME"
    # the surname joins the full name; every mention's span holds its name in its sentence
    assert [m.name for m in names["Albert Einstein"].mentions] == ["Albert Einstein", "Einstein"]
    for ent in doc.entities:
        for m in ent.mentions:
            assert " ".join(doc.sents[m.sent_id][m.start:m.end]) == m.name


def test_text_without_two_entities_is_an_input_error(nlp):
    with pytest.raises(InputError, match="empty"):
        document_from_text("   \n", nlp, "blank", "blank.txt")
    with pytest.raises(InputError, match="blank.txt: document 'one': field entities"):
        document_from_text("Berlin is large.", nlp, "one", "blank.txt")
