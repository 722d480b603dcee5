"""`kire eval` scores any prediction file as thunlp/DocRED's code/evaluation.py does, and never
ends in a traceback (issue 14 §2): seeded random files full of mismatched records against an
independent implementation of the official rules written here from the scorer's description."""

from __future__ import annotations

import json
import random

import pytest

from kire.cli import main
from kire.docs.docred import document_to_docred, read_docred
from kire.errors import InputError
from kire.eval.breakdown import breakdowns
from kire.eval.metric import Truth, official_scores
from tests.conftest import SHARED_DATA
from tests.models_fixtures import tiny_documents

RELATIONS = ["P17", "P27", "P131", "P150", "P361", "P569"]


def reference_scores(truth_json: list[dict], submission: list[dict], facts: set, relations: list[str]) -> dict:
    """The official rules, written out on DocRED-format dicts: one loop over the distinct records
    (first copy kept), records of unknown titles skipped after being counted in P's denominator."""
    gold, vertices, n_evidence = {}, {}, 0
    for doc in truth_json:
        vertices[doc["title"]] = doc["vertexSet"]
        for lab in doc["labels"]:
            gold[doc["title"], lab["r"], lab["h"], lab["t"]] = set(lab["evidence"])
            n_evidence += len(lab["evidence"])
    distinct, seen = [], set()
    for rec in submission:
        key = (rec["title"], rec["h_idx"], rec["t_idx"], rec["r"])
        if key not in seen:
            seen.add(key)
            distinct.append(rec)
    correct = in_train = right_evidence = predicted_evidence = 0
    kinds = {"unknown_title": 0, "bad_index": 0, "unknown_relation": 0}
    for rec in distinct:
        title, h, t, r = rec["title"], rec["h_idx"], rec["t_idx"], rec["r"]
        kinds["unknown_relation"] += r not in relations or not isinstance(r, str)
        if not isinstance(title, str) or title not in vertices:
            kinds["unknown_title"] += 1
            continue
        n = len(vertices[title])
        kinds["bad_index"] += not (is_entity(h, n) and is_entity(t, n))
        evidence = set(rec.get("evidence") or [])
        predicted_evidence += len(evidence)
        if (title, r, h, t) in gold:
            correct += 1
            right_evidence += len(gold[title, r, h, t] & evidence)
            names_h = [m["name"] for m in vertices[title][int(h)]]
            names_t = [m["name"] for m in vertices[title][int(t)]]
            in_train += any((a, b, r) in facts for a in names_h for b in names_t)
    p = correct / len(distinct) if distinct else 0.0
    rec_ = correct / len(gold) if gold else 0.0
    ign_p = (correct - in_train) / (len(distinct) - in_train) if len(distinct) > in_train else 0.0
    f1 = lambda a, b: 2 * a * b / (a + b) if a + b else 0.0  # noqa: E731
    out = {"p": p, "r": rec_, "f1": f1(p, rec_), "ign_p": ign_p, "ign_f1": f1(ign_p, rec_),
           "n_pred": len(distinct), "n_correct": correct, "n_correct_in_train": in_train,
           "duplicate": len(submission) - len(distinct), **kinds}
    if predicted_evidence:
        evi_p, evi_r = right_evidence / predicted_evidence, right_evidence / n_evidence if n_evidence else 0.0
        out.update(evidence_p=evi_p, evidence_r=evi_r, evidence_f1=f1(evi_p, evi_r))
    return out


def is_entity(x, n: int) -> bool:
    """An index the official scorer can match to entity 0..n-1: Python's 1 == 1.0 == True."""
    if isinstance(x, float):
        if not x.is_integer():
            return False
        x = int(x)
    return isinstance(x, int) and 0 <= int(x) < n


def random_record(truth_json: list[dict], rng: random.Random) -> dict:
    """One record of any kind: right, wrong, stale title, bad index, unknown relation, odd evidence."""
    doc = rng.choice(truth_json)
    n = len(doc["vertexSet"])
    if doc["labels"] and rng.random() < 0.4:
        lab = rng.choice(doc["labels"])
        rec = {"title": doc["title"], "h_idx": lab["h"], "t_idx": lab["t"], "r": lab["r"]}
    else:
        rec = {"title": doc["title"], "h_idx": rng.randrange(n), "t_idx": rng.randrange(n),
               "r": rng.choice(RELATIONS)}
    roll = rng.random()
    if roll < 0.08:
        rec["title"] = rng.choice([doc["title"] + " (2019)", "", doc["title"].upper(), 7, None])
    elif roll < 0.16:
        rec[rng.choice(["h_idx", "t_idx"])] = rng.choice([-1, n, n + 5, "0", None, 1.5, float(n - 1), True])
    elif roll < 0.22:
        rec["r"] = rng.choice(["P9999", "", "p17", 17, None])
    n_sents = len(doc["sents"])
    evidence_roll = rng.random()
    if evidence_roll < 0.6:
        rec["evidence"] = rng.sample(range(n_sents), rng.randint(0, min(3, n_sents)))
    elif evidence_roll < 0.7:
        rec["evidence"] = []
    elif evidence_roll < 0.75:
        rec["evidence"] = None
    elif evidence_roll < 0.8:
        rec["evidence"] = [0, 0, "1", 1.0, n_sents + 3]
    return rec


def random_submission(truth_json: list[dict], rng: random.Random) -> list[dict]:
    if rng.random() < 0.05:
        return []
    records = [random_record(truth_json, rng) for _ in range(rng.randint(1, 120))]
    records += [dict(r) for r in rng.sample(records, len(records) // 4)]  # exact repeats
    for rec in rng.sample(records, len(records) // 10):  # same key, other evidence: first copy counts
        records.append({**rec, "evidence": [0]})
    rng.shuffle(records)
    return records


def truths() -> list[list]:
    """The tiny documents, and 30 real Re-DocRED dev documents when ../shared/data has them."""
    out = [tiny_documents()]
    real = SHARED_DATA / "redocred" / "dev_revised.json"
    if real.exists():
        out.append(read_docred(real)[:30])
    return out


@pytest.mark.parametrize("which", range(2))
def test_random_prediction_files_score_as_the_official_rules(which):
    all_truths = truths()
    if which >= len(all_truths):
        pytest.skip(f"{SHARED_DATA / 'redocred/dev_revised.json'} not found: only the tiny documents are used")
    docs = all_truths[which]
    truth_json = [document_to_docred(d) for d in docs]
    truth = Truth.from_documents(docs)
    facts = {(m1["name"], m2["name"], lab["r"]) for d in truth_json[::2] for lab in d["labels"]
             for m1 in d["vertexSet"][lab["h"]] for m2 in d["vertexSet"][lab["t"]]}
    relations = sorted(set(RELATIONS) | {lab["r"] for d in truth_json for lab in d["labels"]})
    n_mismatched = 0
    for seed in range(150):
        sub = random_submission(truth_json, random.Random(seed))
        ours = official_scores(truth, sub, facts, relations=relations)
        ref = reference_scores(truth_json, sub, facts, relations)
        for key, value in ref.items():
            got = ours["records"][key] if key in ours["records"] else ours[key]
            assert got == pytest.approx(value, abs=1e-12), (seed, key)
        assert ("evidence_p" in ours) == ("evidence_p" in ref)
        n_mismatched += ref["unknown_title"] + ref["bad_index"]
        parts = breakdowns(truth, sub, facts, relations=relations)
        # every gold fact falls in exactly one group of a partition; placed records likewise
        for name in ("mentions", "sentences"):
            assert sum(g["n_gold"] for g in parts[name].values()) == len(truth.gold)
            assert sum(g["n_pred"] for g in parts[name].values()) == ref["n_pred"] - ours["records"]["unplaced"]
            assert sum(g["n_correct"] for g in parts[name].values()) == ref["n_correct"]
        relation_preds = sum(g["n_pred"] for g in parts["relations"].values())
        assert relation_preds == ref["n_pred"] - ref["unknown_relation"]
    assert n_mismatched > 100  # the mismatched kinds are exercised


MALFORMED = [
    ({"h_idx": 0, "t_idx": 1, "r": "P17"}, "title"),
    ({"title": "Lyon", "t_idx": 1, "r": "P17"}, "h_idx"),
    ({"title": "Lyon", "h_idx": 0, "t_idx": 1}, "r"),
    ({"title": ["Lyon"], "h_idx": 0, "t_idx": 1, "r": "P17"}, "title"),
    ({"title": "Lyon", "h_idx": [0], "t_idx": 1, "r": "P17"}, "h_idx"),
    ({"title": "Lyon", "h_idx": 0, "t_idx": 1, "r": "P17", "evidence": 3}, "evidence"),
    ({"title": "Lyon", "h_idx": 0, "t_idx": 1, "r": "P17", "evidence": [[1]]}, "evidence"),
]


@pytest.mark.parametrize("bad,field", MALFORMED)
def test_records_the_official_scorer_cannot_read_are_named(tmp_path, capsys, bad, field):
    truth = tmp_path / "dev.json"
    truth.write_text(json.dumps([document_to_docred(d) for d in tiny_documents()]))
    result = tmp_path / "result.json"
    result.write_text(json.dumps([{"title": "Lyon", "h_idx": 0, "t_idx": 1, "r": "P17"}, bad]))
    assert main(["eval", str(truth), str(result), "--train", str(truth)]) == 1
    err = capsys.readouterr().err
    assert f"{result}: record 1: field {field}:" in err and "Traceback" not in err
    with pytest.raises(InputError, match=f"record 1: field {field}"):
        official_scores(Truth.from_documents(tiny_documents()), json.loads(result.read_text()), set())


def test_stale_prediction_file_is_scored_and_its_mismatches_reported(tmp_path, capsys):
    """Predictions made against an older release: a renamed document, an entity list that lost its
    last entity, a relation dropped from rel_info; evidence of the unknown title is not counted."""
    docs_json = [document_to_docred(d) for d in tiny_documents()]
    truth = tmp_path / "dev.json"
    truth.write_text(json.dumps(docs_json))
    rel_info = tmp_path / "rel_info.json"
    rel_info.write_text(json.dumps({"P17": "country", "P27": "citizenship", "P131": "located in"}))
    result = tmp_path / "result.json"
    records = [
        {"title": "Lyon", "h_idx": 0, "t_idx": 1, "r": "P17", "evidence": [0]},          # right
        {"title": "Lyon", "h_idx": 0, "t_idx": 1, "r": "P17", "evidence": [1]},          # repeat
        {"title": "Lyon (city)", "h_idx": 0, "t_idx": 1, "r": "P17", "evidence": [0, 1]},  # stale title
        {"title": "Lyon", "h_idx": 0, "t_idx": 4, "r": "P17", "evidence": [1]},          # no entity 4
        {"title": "Karl Nilsen", "h_idx": 0, "t_idx": 1, "r": "P1532", "evidence": []},  # unknown relation
    ]
    result.write_text(json.dumps(records))
    out = tmp_path / "scores.json"
    assert main(["eval", str(truth), str(result), "--train", str(truth), "--rel-info", str(rel_info),
                 "--out", str(out)]) == 0
    captured = capsys.readouterr()
    printed = json.loads(captured.out)
    assert printed["records"] == {"n_records": 5, "n_distinct": 4, "duplicate": 1, "unknown_title": 1,
                                  "bad_index": 1, "unknown_relation": 1, "unplaced": 2}
    assert printed["n_pred"] == 4 and printed["n_correct"] == 1 and printed["p"] == 0.25
    # evidence P: sentences of the three records of known titles (1 + 1 + 0), not the stale title's 2
    assert printed["evidence_p"] == pytest.approx(1 / 2)
    assert "kire: warning:" in captured.err and "1 have a title that is not in the truth" in captured.err
    assert printed["warnings"] and json.loads(out.read_text())["warnings"] == printed["warnings"]
    # pair breakdowns leave out the two records they cannot place; the relation one keeps the stale title
    assert sum(g["n_pred"] for g in printed["breakdowns"]["sentences"].values()) == 2
    assert printed["breakdowns"]["relations"]["frequent"]["n_pred"] == 3
    assert printed["breakdowns"]["relations"]["long_tail"]["n_pred"] == 0


def test_the_mismatch_warning_names_each_kinds_first_record():
    from kire.eval.records import mismatch_warning, screen_submission

    records = [{"title": "A", "h_idx": 0, "t_idx": 1, "r": "P1"},
               {"title": "Nope", "h_idx": 0, "t_idx": 1, "r": "P1"},
               {"title": "A", "h_idx": 0, "t_idx": 1, "r": "P1"},
               {"title": "A", "h_idx": 0, "t_idx": 9, "r": "P2"},
               {"title": "A", "h_idx": 1, "t_idx": 0, "r": "P404"}]
    screened = screen_submission({"A": 2}, records, ["P1", "P2"], "pred.json")
    assert screened.first == {"unknown_title": 1, "duplicate": 2, "bad_index": 3, "unknown_relation": 4}
    line = mismatch_warning(screened.counts, "pred.json", screened.first)
    assert "have a title that is not in the truth (scored as wrong), first record 1" in line
    assert "counted once), first record 2" in line and "first record 3" in line and "first record 4" in line
