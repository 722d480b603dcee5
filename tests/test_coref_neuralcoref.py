"""The neuralcoref backend's conversion, on NeuralCoref 4.0 output recorded from a real run."""

from __future__ import annotations

import json
import math
import runpy
from pathlib import Path

import pytest

from kire.coref.backends import NeuralCorefBackend, make_backend
from kire.coref.neuralcoref import neuralcoref_triples, read_scores
from kire.errors import InputError, KireError

RECORDED = Path(__file__).parent / "data" / "coref" / "neuralcoref_recorded.json"
# The runner of rule neuralcoref_scores lives in the workflow (it runs in NeuralCoref's own conda
# environment, outside the kire package); its converter is loaded from the file without running main.
RUNNER = Path(__file__).resolve().parents[1] / "workflow" / "scripts" / "neuralcoref_scores.py"
scores_to_record = runpy.run_path(str(RUNNER))["scores_to_record"]


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def recorded_records() -> list[dict]:
    """The runner's records for the recorded documents, through the runner's own converter on
    real spaCy spans (spaCy 3 here; Span.start/end are the same in spaCy 2)."""
    import spacy
    from spacy.tokens import Doc

    vocab = spacy.blank("en").vocab
    records = []
    for d, rec in enumerate(json.loads(RECORDED.read_text())["documents"]):
        doc = Doc(vocab, words=rec["tokens"])
        span = {text: doc[s:e] for text, (s, e) in rec["mentions"].items()}
        for text, sp in span.items():
            assert sp.text == text
        scores = {span[m]: {span[a]: x for a, x in ants.items()} for m, ants in rec["coref_scores"].items()}
        records.append(scores_to_record(d, scores))
    return records


def test_recorded_output_converts_to_sigmoid_triples():
    bush, lucy = recorded_records()
    triples = {(t.ms, t.mt): t.p for t in neuralcoref_triples(bush)}
    # "he" -> "President George Bush": the recorded score 9.386 -> p = sigmoid(score).
    assert triples[(7, 8), (0, 3)] == pytest.approx(sigmoid(9.38597583770752))
    assert triples[(7, 8), (5, 6)] == pytest.approx(sigmoid(-3.6565260887145996))
    # Self scores ("no antecedent") are not pairs; the first mention has no antecedent at all.
    assert all(ms != mt for ms, mt in triples)
    assert not any(ms == (0, 3) for ms, _ in triples)
    assert len(triples) == 1 + 2 + 3 + 4
    # "he" in the second sentence: Bill (3.077) narrowly before Lucy (3.054); "it": a ball first.
    he = sorted((t for t in neuralcoref_triples(lucy) if t.ms == (7, 8)), key=lambda t: -t.p)
    assert [t.mt for t in he] == [(5, 6), (0, 1), (2, 4)]
    it = max((t for t in neuralcoref_triples(lucy) if t.ms == (9, 10)), key=lambda t: t.p)
    assert it.mt == (2, 4) and it.p == pytest.approx(sigmoid(-0.31290221214294434))


def test_top_k_keeps_the_best_antecedents():
    _, lucy = recorded_records()
    it = [t for t in neuralcoref_triples(lucy, top_k=2) if t.ms == (9, 10)]
    assert sorted(t.mt for t in it) == [(2, 4), (5, 6)]  # -0.31 and -2.53 beat -3.50 and -3.67


def test_backend_reads_runner_output(tmp_path):
    from kire.docs.model import Document

    path = tmp_path / "scores.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in recorded_records()))
    docs = [Document("a", [json.loads(RECORDED.read_text())["documents"][i]["tokens"]], []) for i in (0, 1)]
    out = NeuralCorefBackend(str(path)).document_triples(docs)
    assert set(out) == {0, 1} and all(t.source == "neuralcoref" for t in out[0])
    # Scores of other (shorter) documents are refused.
    short = [Document("a", [["Lucy"]], []), Document("b", [["x"]], [])]
    with pytest.raises(KireError, match="outside"):
        NeuralCorefBackend(str(path)).document_triples(short)


def test_missing_scores_say_how_to_install(tmp_path):
    with pytest.raises(KireError, match="use-conda"):
        make_backend("neuralcoref").document_triples([])
    with pytest.raises(KireError, match="neuralcoref.yaml"):
        list(read_scores(tmp_path / "absent.jsonl"))
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"doc": 0, "mentions": [[0, 1]], "scores": [[0, 3, 1.0]]}\n')
    with pytest.raises(InputError, match="line 1"):
        list(read_scores(bad))
