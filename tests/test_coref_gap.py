"""GAP: reader, GAP's scorer, calibration table, and the salience backend's floor on gap-validation."""

from __future__ import annotations

import json

import pytest

from conftest import shared_file
from kire.cli import main
from kire.coref.gap import GapScores, calibration_table, decisions, evaluate_gap, prf, read_gap
from kire.errors import InputError

# Measured on gap-validation.tsv with the shipped model (docs/coref.md): F1 0.661 (P 0.678,
# R 0.645). The floor leaves 3 points for parser or numeric drift, not for a worse resolver.
F1_FLOOR = 0.63


def test_scorer_counts_a_and_b_decisions_over_the_file():
    gold = [(True, False), (False, True), (False, False), (True, False)]
    pred = [(True, False), (True, False), (False, False), (False, False)]
    # TP 1 (ex. 1 A); FP 1 (ex. 2 A); FN 2 (ex. 2 B, ex. 4 A).
    assert prf(gold, pred) == pytest.approx(
        {"precision": 0.5, "recall": 1 / 3, "f1": 0.4, "tp": 1, "fp": 1, "fn": 2})


def test_decisions_follow_the_best_entity_and_threshold():
    assert decisions(GapScores(0.7, 0.2, "A", 0.7), 0.5) == (True, False)
    assert decisions(GapScores(0.3, 0.2, "other", 0.4), 0.2) == (False, False)
    assert decisions(GapScores(0.3, 0.2, "A", 0.3), 0.5) == (False, False)


def test_calibration_table_bins_and_ece():
    rows = calibration_table([0.05, 0.15, 0.95, 0.9], [False, False, True, False])
    assert [r["n"] for r in rows[:-1]] == [1, 1, 2]
    assert rows[-1]["ece"] == pytest.approx((0.05 + 0.15 + abs(0.925 - 0.5) * 2) / 4, abs=1e-4)


def test_reader_checks_offsets(tmp_path):
    header = "ID\tText\tPronoun\tPronoun-offset\tA\tA-offset\tA-coref\tB\tB-offset\tB-coref\tURL\n"
    good = "x-1\tAnn met Bea. She left.\tShe\t13\tAnn\t0\tTRUE\tBea\t8\tFALSE\thttp://en.wikipedia.org/wiki/Ann_Smith\n"
    path = tmp_path / "g.tsv"
    path.write_text(header + good)
    (ex,) = read_gap(path)
    assert ex.a_coref and not ex.b_coref and ex.title == "Ann Smith"
    path.write_text(header + good.replace("\t13\t", "\t12\t"))
    with pytest.raises(InputError, match="line 2.*Pronoun-offset"):
        read_gap(path)


def test_salience_floor_on_gap_validation():
    result = evaluate_gap(shared_file("gap/gap-validation.tsv"), "salience")
    assert result["examples"] == 454
    assert result["f1"] >= F1_FLOOR, result
    assert result["calibration"][-1]["n"] == 2 * 454


def test_cli_eval_gap_prints_json_and_refuses_unrunnable_backends(capsys):
    path = shared_file("gap/gap-development.tsv")
    assert main(["coref", "eval-gap", str(path), "--backend", "salience", "--limit", "30"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) >= {"precision", "recall", "f1", "calibration"} and out["examples"] == 30
    assert main(["coref", "eval-gap", str(path), "--backend", "neuralcoref"]) == 1
    assert "use-conda" in capsys.readouterr().err
    assert main(["coref", "eval-gap", str(path), "--backend", "xrenner"]) == 1
    assert "unknown coreference backend" in capsys.readouterr().err
