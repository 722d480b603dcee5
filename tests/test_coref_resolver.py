"""The salience resolver (offline backend): pronouns, agreement, binding, documents, GAP floor."""

from __future__ import annotations

import pytest

from conftest import SAMPLE, shared_file
from kire.coref.backends import SalienceBackend, make_backend
from kire.coref.build import CorefOptions, build_coref
from kire.coref.salience import resolve, shipped_model
from kire.docs.model import Document, Entity, Mention
from kire.errors import KireError

IBM = "IBM Research Brazil is a lab. It is located in São Paulo."


@pytest.fixture(scope="module")
def nlp():
    from kire.coref.parse import load_spacy

    return load_spacy()


def antecedent(res, pronoun: str):
    """(text of the best entity's first non-pronoun mention, p) of the first pronoun ``pronoun``."""
    pron, cands = next((m, c) for m, c in res.pronouns if m.text == pronoun)
    best = cands[0]
    first = next(m for m in best.cluster.mentions if m.kind != "pronoun")
    return first.text, best.p


def test_it_is_ibm_research_brazil_in_raw_text(nlp):
    text, p = antecedent(resolve(nlp(IBM), model=shipped_model()), "it")
    assert text == "ibm research brazil"
    assert p >= shipped_model().threshold


def test_it_is_ibm_research_brazil_in_a_document():
    sents = [["IBM", "Research", "Brazil", "is", "a", "lab", "."],
             ["It", "is", "located", "in", "São", "Paulo", "."]]
    doc = Document("IBM Research Brazil", sents, [
        Entity([Mention(0, 0, 3, "IBM Research Brazil", "ORG")], "ORG"),
        Entity([Mention(1, 4, 6, "São Paulo", "LOC")], "LOC"),
    ])
    triples = SalienceBackend().document_triples([doc])[0]
    best = max((t for t in triples if t.ms == (7, 8)), key=lambda t: t.p)
    assert best.mt == (0, 3) and best.source == "salience"
    # "It" never links to São Paulo, which follows it in another clause... and nothing else wins.
    assert all(t.p <= best.p for t in triples if t.ms == (7, 8))


def test_gender_agreement_and_binding(nlp):
    res = resolve(nlp("Mary met John in Paris. He thanked her."), model=shipped_model())
    assert antecedent(res, "he")[0] == "john"
    assert antecedent(res, "her")[0] == "mary"
    # Binding: "him" cannot be John, the subject of its own verb.
    res = resolve(nlp("Peter said that John saw him."), model=shipped_model())
    assert antecedent(res, "him")[0] == "peter"


def test_unknown_backend_names_the_known_ones():
    with pytest.raises(KireError, match="unknown coreference backend 'coreferee'.*salience.*neuralcoref"):
        make_backend("coreferee")


def test_missing_model_says_how_to_refit(tmp_path):
    with pytest.raises(KireError, match="kire coref fit-gap"):
        SalienceBackend(str(tmp_path / "absent.json")).check()


def check_table(table, documents):
    rows = table.to_pylist()
    assert rows, "no triples"
    for r in rows:
        n = len(documents[r["doc"]].tokens)
        assert 0 <= r["ms_start"] < r["ms_end"] <= n and 0 <= r["mt_start"] < r["mt_end"] <= n
        assert (r["ms_start"], r["ms_end"]) < (r["mt_start"], r["mt_end"])
        assert 0 < r["p"] <= 1
    return rows


def test_build_on_the_sample():
    from kire.docs.docred import read_docred

    documents = read_docred(SAMPLE / "docred" / "dev.json")[:20]
    opts = CorefOptions.from_dict({"sources": {"kg_aliases": {"enabled": False}}})
    table, summary = build_coref(documents, opts)
    rows = check_table(table, documents)
    assert {r["source"] for r in rows} <= {"annotations", "salience"}
    assert summary["documents"] == len(documents)


def test_build_on_real_redocred_documents():
    from kire.docs.docred import read_docred

    documents = read_docred(shared_file("redocred/dev_revised.json"))[:25]
    opts = CorefOptions.from_dict({"sources": {"kg_aliases": {"enabled": False}},
                                   "max_mentions": 60, "max_pairs": 200})
    table, summary = build_coref(documents, opts)
    rows = check_table(table, documents)
    by_source = summary["kept_by_source"]
    assert by_source["annotations"] > 0 and by_source["salience"] > 0
    for d in range(len(documents)):
        mine = [r for r in rows if r["doc"] == d]
        assert len(mine) <= 200
        assert len({(r["ms_start"], r["ms_end"]) for r in mine} | {(r["mt_start"], r["mt_end"]) for r in mine}) <= 60
    # Pronoun links: one span of many salience pairs is a pronoun of the document.
    pronouns = {"he", "she", "it", "they", "him", "her", "his", "its", "their", "them", "hers",
                "himself", "herself", "itself", "themselves", "theirs"}
    words = [documents[r["doc"]].tokens[r[k]].lower() for r in rows if r["source"] == "salience"
             for k in ("ms_start", "mt_start")]
    assert sum(w in pronouns for w in words) >= 10
