"""Scores of one evaluated split as `kire eval` prints them, and metrics.json of a training run.

metrics.json: ``{"dev": {kire eval output..., "theta": float}, "test": {...} | null}``; ``test`` is
null when no test split is given or the test split has no labels (DocRED's test set).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kire.docs.read import read_relations, read_split
from kire.docs.validate import read_json_file
from kire.errors import InputError
from kire.eval.breakdown import breakdowns
from kire.eval.knowledge import pair_knowledge
from kire.eval.metric import Fact, Truth, official_scores, read_submission, read_train_facts
from kire.eval.records import mismatch_warning
from kire.io import write_json_atomic


@dataclass
class ScoringInputs:
    """What scoring needs besides the truth and the submission.

    ``facts``/``distant_facts``: Ign F1's training facts (annotated; distant supervision or None);
    ``relations``: the dataset's relation ids (None: unknown relations are not counted and every
    relation outside Re-DocRED's ten is long-tail); ``links``/``subgraph``: the links table and the
    dataset's subgraph folder for the linking and KG-edge breakdowns (None: no such breakdown).
    """

    facts: set[Fact]
    distant_facts: set[Fact] | None = None
    relations: list[str] | None = None
    links: str | None = None
    subgraph: str | None = None

    @classmethod
    def read(cls, train: str, train_distant: str | None = None, rel_info: str | None = None,
             links: str | None = None, subgraph: str | None = None) -> "ScoringInputs":
        """Read the fact files and rel_info (InputError naming the file when one is malformed)."""
        relations = read_relations(rel_info) if rel_info else None
        return cls(read_train_facts(train), read_train_facts(train_distant) if train_distant else None,
                   relations, links, subgraph)


def split_scores(truth_path: str, result_path: str | Path, inputs: ScoringInputs, split: str | None = None,
                 with_breakdowns: bool = True) -> dict[str, Any] | None:
    """kire eval's output for one split; None when the split carries no labels.

    ``split`` names the split in the links table and the subgraph folder (needed only with them).
    The output holds ``records`` (the count of each kind of record, kire.eval.records) and
    ``warnings`` (a list of lines: mismatched records).
    """
    docs = read_split(truth_path)
    if any(d.labels is None for d in docs):
        return None
    truth = Truth.from_documents(docs, truth_path)
    records = read_submission(result_path)
    options = dict(relations=inputs.relations, distant_facts=inputs.distant_facts, file=str(result_path))
    scores = official_scores(truth, records, inputs.facts, **options)
    if with_breakdowns:
        knowledge = pair_knowledge(truth, split, inputs.links, inputs.subgraph) if split else None
        scores["breakdowns"] = breakdowns(truth, records, inputs.facts, knowledge=knowledge, **options)
    warning = mismatch_warning(scores["records"], str(result_path), scores.get("records_first"))
    scores["warnings"] = [warning] if warning else []
    return scores


def write_run_metrics(run_dir: str | Path, dev: str, inputs: ScoringInputs, test: str | None = None) -> dict[str, Any]:
    """Score ``run_dir``'s result_dev.json (and result_test.json) and write ``run_dir/metrics.json``.

    The links table and the subgraph, when given, are read for the splits named ``dev`` and ``test``.
    """
    run_dir = Path(run_dir)
    theta = read_json_file(run_dir / "theta.json")
    if not (isinstance(theta, dict) and isinstance(theta.get("theta"), (int, float))):
        raise InputError(str(run_dir / "theta.json"), None, "theta", "expected {\"theta\": number, ...}")
    theta_warnings = [str(w) for w in theta.get("warnings") or []]  # training's, e.g. a degenerate theta
    theta = theta["theta"]
    dev_scores = split_scores(dev, run_dir / "result_dev.json", inputs, "dev")
    if dev_scores is None:
        raise InputError(dev, None, "labels", "the dev split has no labels to score against")
    dev_scores["warnings"] = theta_warnings + dev_scores["warnings"]
    metrics: dict[str, Any] = {"dev": {**dev_scores, "theta": theta}, "test": None}
    if test:
        scores = split_scores(test, run_dir / "result_test.json", inputs, "test")
        metrics["test"] = None if scores is None else {**scores, "theta": theta}
    write_json_atomic(run_dir / "metrics.json", metrics)
    return metrics
