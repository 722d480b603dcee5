"""`kire eval` against an independent computation of the official DocRED metric."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest

from kire.docs.docred import read_docred
from kire.eval.breakdown import breakdowns
from kire.eval.metric import Truth, facts_of_documents, official_scores, read_fact_file
from kire.eval.threshold import best_threshold
from tests.conftest import shared_file
from tests.models_fixtures import run_kire, tiny_documents


def independent_scores(truth_docs, submission, facts):
    """The metric written out directly from its definition, sharing no code with kire.eval."""
    gold = {}
    names = {}
    n_evi = 0
    for d in truth_docs:
        names[d.title] = [[m.name for m in e.mentions] for e in d.entities]
        for lab in d.labels:
            gold[(d.title, lab.head, lab.tail, lab.relation)] = set(lab.evidence)
            n_evi += len(lab.evidence)
    unique = {}
    for rec in submission:
        unique.setdefault((rec["title"], rec["h_idx"], rec["t_idx"], rec["r"]), rec)
    correct = [k for k in unique if k in gold]
    in_train = [k for k in correct
                if any((a, b, k[3]) in facts for a in names[k[0]][k[1]] for b in names[k[0]][k[2]])]
    p = len(correct) / len(unique)
    r = len(correct) / len(gold)
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    ign_p = (len(correct) - len(in_train)) / (len(unique) - len(in_train))
    ign_f1 = 2 * ign_p * r / (ign_p + r) if ign_p + r else 0.0
    pred_evi = sum(len(set(rec.get("evidence", []))) for rec in unique.values())
    good_evi = sum(len(gold[k] & set(unique[k].get("evidence", []))) for k in correct)
    evi_p, evi_r = good_evi / pred_evi, good_evi / n_evi
    evi_f1 = 2 * evi_p * evi_r / (evi_p + evi_r) if evi_p + evi_r else 0.0
    return {"f1": f1, "ign_f1": ign_f1, "p": p, "r": r, "evidence_f1": evi_f1}


def random_submission(docs, rng: random.Random, relations):
    """Gold facts kept at random, random wrong pairs, duplicates and random evidence."""
    records = []
    for d in docs:
        n = len(d.entities)
        for lab in d.labels:
            if rng.random() < 0.6:
                records.append({"title": d.title, "h_idx": lab.head, "t_idx": lab.tail, "r": lab.relation,
                                "evidence": rng.sample(range(len(d.sents)), rng.randint(0, min(2, len(d.sents))))})
        for _ in range(rng.randint(0, 2 * n)):
            h, t = rng.sample(range(n), 2)
            records.append({"title": d.title, "h_idx": h, "t_idx": t, "r": rng.choice(relations),
                            "evidence": [rng.randrange(len(d.sents))]})
    records += rng.sample(records, len(records) // 5)  # duplicates must be counted once
    rng.shuffle(records)
    return records


def test_metric_matches_independent_computation_on_real_documents(tmp_path):
    docs = read_docred(shared_file("redocred/dev_revised.json"))[:40]
    facts = read_fact_file(shared_file("docred/train_annotated.fact"))
    relations = sorted({lab.relation for d in docs for lab in d.labels})
    for seed in range(3):
        sub = random_submission(docs, random.Random(seed), relations)
        ours = official_scores(Truth.from_documents(docs), sub, facts)
        ref = independent_scores(docs, sub, facts)
        assert ours["n_correct_in_train"] > 0  # the Ign branch is exercised
        for key, value in ref.items():
            assert ours[key] == pytest.approx(value, abs=1e-12), key
        assert ours["ign_f1"] < ours["f1"]


def test_kire_eval_command_prints_the_metric(tmp_path, capsys):
    docs = tiny_documents()
    from kire.docs.docred import document_to_docred

    truth = tmp_path / "dev.json"
    truth.write_text(json.dumps([document_to_docred(d) for d in docs]))
    sub = random_submission(docs, random.Random(7), ["P17", "P27", "P131"])
    result = tmp_path / "result.json"
    result.write_text(json.dumps(sub))
    assert run_kire("eval", str(truth), str(result), "--train", str(truth), "--out", str(tmp_path / "e.json")) == 0
    printed = json.loads(capsys.readouterr().out)
    ref = independent_scores(docs, sub, facts_of_documents(docs))
    for key in ("f1", "ign_f1", "p", "r", "evidence_f1"):
        assert printed[key] == pytest.approx(ref[key], abs=1e-12), key
    assert json.loads((tmp_path / "e.json").read_text())["f1"] == printed["f1"]
    # training on the truth itself: every correct prediction is in train
    assert printed["ign_f1"] == 0.0 and printed["f1"] > 0


def test_breakdowns_partition_the_gold_facts():
    docs = tiny_documents()
    sub = random_submission(docs, random.Random(3), ["P17", "P27"])
    truth = Truth.from_documents(docs)
    parts = breakdowns(truth, sub, set())
    assert sum(g["n_gold"] for g in parts["mentions"].values()) == len(truth.gold)
    assert sum(g["n_gold"] for g in parts["sentences"].values()) == len(truth.gold)
    # doc "Anna Berg": Oslo-Norway (sentence 1) is intra; Anna Berg-Sweden share sentence 0: intra;
    # doc "Lyon": Rhone (sentence 1) - France (sentence 0) is inter
    assert parts["sentences"]["inter"]["n_gold"] == 1
    # Lyon (2 mentions) - France (1): average 1.5; Anna Berg (2) - Sweden (1): 1.5
    assert parts["mentions"]["(1,3]"]["n_gold"] == 2


def test_best_threshold_matches_brute_force():
    rng = np.random.default_rng(0)
    for _ in range(20):
        scores = rng.choice(np.linspace(0, 1, 15), size=60).astype(np.float32)  # with ties
        correct = rng.random(60) < 0.3
        n_gold = int(correct.sum()) + int(rng.integers(0, 5))
        theta, f1 = best_threshold(scores, correct, n_gold)
        brute = []
        for cut in np.unique(scores):
            pred = scores >= cut
            hits = int((pred & correct).sum())
            brute.append(2 * hits / (pred.sum() + n_gold))
        assert f1 == pytest.approx(max(brute))
        pred = scores >= theta
        assert 2 * (pred & correct).sum() / (pred.sum() + n_gold) == pytest.approx(f1)
