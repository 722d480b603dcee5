"""A run whose dev threshold is degenerate says so (issue 15 §5): in the log, in metrics.jsonl's
epoch record, in theta.json and in metrics.json's dev warnings."""

from __future__ import annotations

import json

import numpy as np
import pytest

from kire.eval.threshold import degenerate_threshold_warning
from tests.models_fixtures import run_kire, write_tiny_dataset


def test_the_two_degenerate_cases_and_a_sound_threshold():
    low = degenerate_threshold_warning(3e-9, 12, 10)
    assert low and "theta 3e-09 is below 1e-06" in low and "predicts" not in low
    many = degenerate_threshold_warning(0.4, 5100, 100)
    assert many and "predicts 5100 dev triples for 100 gold facts (more than 50x)" in many
    assert "below" not in many
    both = degenerate_threshold_warning(0.0, 1000, 2)
    assert "below" in both and "more than 50x" in both
    assert degenerate_threshold_warning(0.42, 5000, 100) is None  # exactly 50x is not more
    assert degenerate_threshold_warning(1e-6, 30, 10) is None
    # a model's fixed threshold (ATLOP: 0 by design) is not degenerate; the count still is
    assert degenerate_threshold_warning(None, 30, 10) is None
    assert "5100 dev triples" in degenerate_threshold_warning(None, 5100, 100)


def test_a_run_scoring_every_candidate_alike_warns_up_to_metrics_json(tmp_path, monkeypatch, caplog):
    """Scores that do not separate anything (all 0) make theta 0 and predict every candidate."""
    import kire.train.loop as loop

    def flat_scores(pipeline, features, split, batch_size, device, progress=False):
        return [np.zeros((len(f.pairs), len(pipeline.model.space.relations)), np.float32) for f in features]

    monkeypatch.setattr(loop, "relation_scores", flat_scores)
    paths = write_tiny_dataset(tmp_path / "tiny")
    out = tmp_path / "run"
    caplog.set_level("WARNING")
    assert run_kire("train", "--train", str(paths["train"]), "--dev", str(paths["dev"]),
                    "--rel-info", str(paths["rel_info"]), "--out", str(out), "--threads", "1",
                    "--no-progress", "--model", "bilstm", "--epochs", "1") == 0
    assert "degenerate dev threshold: theta 0 is below 1e-06" in caplog.text
    row = json.loads((out / "metrics.jsonl").read_text().splitlines()[0])
    assert row["theta"] == 0.0 and row["warnings"][0].startswith("degenerate dev threshold")
    summary = json.loads((out / "theta.json").read_text())
    assert summary["warnings"] == row["warnings"]
    assert run_kire("eval-run", str(out), "--dev", str(paths["dev"]), "--train", str(paths["train"])) == 0
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["dev"]["warnings"][0] == summary["warnings"][0]
