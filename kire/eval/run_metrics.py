"""metrics.json of a training run: the official metric of its dev (and labeled test) predictions.

Schema: ``{"dev": {kire eval output..., "theta": float}, "test": {...} | null}``; ``test`` is null
when no test split is given or the test split has no labels (DocRED's test set).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from kire.eval.breakdown import breakdowns
from kire.docs.read import read_split
from kire.eval.metric import Truth, official_scores, read_submission, read_train_facts
from kire.io import write_json_atomic


def split_scores(truth_path: str, result_path: Path, facts: set) -> dict[str, Any] | None:
    """kire eval's output for one split; None when the split carries no labels."""
    docs = read_split(truth_path)
    if any(d.labels is None for d in docs):
        return None
    truth = Truth.from_documents(docs, truth_path)
    records = read_submission(result_path)
    scores = official_scores(truth, records, facts)
    scores["breakdowns"] = breakdowns(truth, records, facts)
    return scores


def write_run_metrics(run_dir: str | Path, dev: str, train: str, test: str | None = None) -> dict[str, Any]:
    """Score ``run_dir``'s result_dev.json (and result_test.json) and write ``run_dir/metrics.json``."""
    run_dir = Path(run_dir)
    facts = read_train_facts(train)
    theta = json.loads((run_dir / "theta.json").read_text(encoding="utf-8"))["theta"]
    metrics: dict[str, Any] = {"dev": {**split_scores(dev, run_dir / "result_dev.json", facts), "theta": theta},
                               "test": None}
    if test:
        scores = split_scores(test, run_dir / "result_test.json", facts)
        metrics["test"] = None if scores is None else {**scores, "theta": theta}
    write_json_atomic(run_dir / "metrics.json", metrics)
    return metrics
