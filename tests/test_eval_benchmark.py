"""Re-DocRED's benchmark breakdowns equal its authors' scorer (issue 16 §1): every number of
`kire eval` on random predictions over the real Re-DocRED dev file, against an independent
implementation written here from tonytan48/Re-DocRED's evaluation.py description, to 1e-9."""

from __future__ import annotations

import json
import random

import pytest

from kire.cli import main
from tests.conftest import shared_file

FREQUENT = {"P17", "P131", "P27", "P150", "P175", "P577", "P463", "P527", "P495", "P361"}


def smallest_gap(a: list[int], b: list[int]) -> int:
    """Smallest |x - y| over x in a, y in b: both sorted, walked once."""
    a, b = sorted(a), sorted(b)
    i = j = 0
    best = None
    while i < len(a) and j < len(b):
        gap = abs(a[i] - b[j])
        best = gap if best is None else min(best, gap)
        if a[i] < b[j]:
            i += 1
        else:
            j += 1
    return best


def benchmark_reference(truth: list[dict], submission: list[dict], facts: set, distant: set,
                        relations: set) -> dict:
    """Per group: P, R, F1 as the authors' scorer, Ign F1 (annotated, distant) with the main rule."""
    vertices = {d["title"]: d["vertexSet"] for d in truth}

    def gap(title, h, t):
        return smallest_gap([m["sent_id"] for m in vertices[title][h]], [m["sent_id"] for m in vertices[title][t]])

    tests = {
        "frequent": lambda title, h, t, r: r in FREQUENT,
        "long_tail": lambda title, h, t, r: r in relations - FREQUENT,
        "intra": lambda title, h, t, r: gap(title, h, t) == 0,
        "inter": lambda title, h, t, r: gap(title, h, t) >= 1,
        ">5": lambda title, h, t, r: gap(title, h, t) > 5,
    }
    gold = {(d["title"], lab["r"], lab["h"], lab["t"]) for d in truth for lab in d["labels"]}
    distinct = sorted({(x["title"], x["h_idx"], x["t_idx"], x["r"]) for x in submission})
    out = {}
    for name, test in tests.items():
        std = {k for k in gold if test(k[0], k[2], k[3], k[1])}
        answers = [k for k in distinct if test(*k)]
        right = [k for k in answers if (k[0], k[3], k[1], k[2]) in std]

        def in_set(k, which):
            names_h = [m["name"] for m in vertices[k[0]][k[1]]]
            names_t = [m["name"] for m in vertices[k[0]][k[2]]]
            return any((a, b, k[3]) in which for a in names_h for b in names_t)

        p = len(right) / len(answers) if answers else 0.0
        r = len(right) / len(std) if std else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        row = {"p": p, "r": r, "f1": f1, "n_pred": len(answers), "n_gold": len(std)}
        for suffix, which in (("", facts), ("_distant", distant)):
            k_in = sum(in_set(k, which) for k in right)
            ign_p = (len(right) - k_in) / (len(answers) - k_in) if len(answers) > k_in else 0.0
            row["ign_f1" + suffix] = 2 * ign_p * r / (ign_p + r) if ign_p + r else 0.0
        out[name] = row
    return out


def random_predictions(truth: list[dict], relations: list[str], rng: random.Random) -> list[dict]:
    records = []
    for d in truth:
        n = len(d["vertexSet"])
        for lab in d["labels"]:
            if rng.random() < 0.5:
                records.append({"title": d["title"], "h_idx": lab["h"], "t_idx": lab["t"], "r": lab["r"],
                                "evidence": []})
        for _ in range(rng.randint(0, 3 * n)):
            h, t = rng.sample(range(n), 2)
            r = rng.choice(["P17", "P131", "P27", "P150", "P361"] if rng.random() < 0.5 else relations)
            records.append({"title": d["title"], "h_idx": h, "t_idx": t, "r": r, "evidence": []})
    records += rng.sample(records, len(records) // 10)
    rng.shuffle(records)
    return records


def test_benchmark_breakdowns_equal_the_authors_scorer(tmp_path, capsys):
    dev = shared_file("redocred/dev_revised.json")
    rel_info = shared_file("docred/rel_info.json")
    fact_file = shared_file("docred/train_annotated.fact")
    truth = json.loads(dev.read_text())
    relations = sorted(json.loads(rel_info.read_text()))
    facts = {tuple(x) for x in json.loads(fact_file.read_text())}
    rng = random.Random(5)
    # a stand-in distant-supervision file: a random half of the annotated facts plus a few made up
    distant = {f for f in facts if rng.random() < 0.5} | {("Lyon", "France", "P17")}
    distant_file = tmp_path / "train_distant.fact"
    distant_file.write_text(json.dumps(sorted(distant)))
    for seed in range(2):
        sub = random_predictions(truth, relations, random.Random(seed))
        result = tmp_path / f"result{seed}.json"
        result.write_text(json.dumps(sub))
        assert main(["eval", str(dev), str(result), "--train", str(fact_file), "--train-distant",
                     str(distant_file), "--rel-info", str(rel_info)]) == 0
        printed = json.loads(capsys.readouterr().out)
        ref = benchmark_reference(truth, sub, facts, distant, set(relations))
        ours = {**printed["breakdowns"]["relations"], **printed["breakdowns"]["sentences"],
                **printed["breakdowns"]["sentence_distance"]}
        assert set(ours) == set(ref)
        for group, row in ref.items():
            assert row["n_gold"] > 0 and row["n_pred"] > 0, group
            for key, value in row.items():
                assert ours[group][key] == pytest.approx(value, abs=1e-9), (seed, group, key)
        assert ref["frequent"]["f1"] != ref["long_tail"]["f1"]
        assert 0 < ref[">5"]["ign_f1_distant"] and ref[">5"]["n_gold"] < ref["inter"]["n_gold"]
        assert printed["ign_f1_distant"] != printed["ign_f1"]
