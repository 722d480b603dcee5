"""Per-document counts of the official metric, for the bootstrap over documents and the inspect page.

A document's counts are those :func:`kire.eval.metric.official_scores` reports when the truth and
the submission are restricted to that document: ``n_pred``, ``n_gold``, ``n_correct`` and
``n_correct_in_train``. Because the metric deduplicates by (title, head, tail, relation), the
counts of all documents sum to the counts of the whole split, so any resample of documents gives
the official P, R, F1 and Ign F1 of that resample (:func:`scores_of_counts`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kire.eval.metric import Fact, Truth, official_scores, read_submission

COUNT_FIELDS = ("n_pred", "n_gold", "n_correct", "n_correct_in_train")


@dataclass
class DocumentCounts:
    """Per-document counts of every run on one split: ``arrays[(dataset, model, variant, seed)]``
    is ``[n_docs, 4]`` in the order of ``titles[dataset]``."""

    split: str
    titles: dict[str, list[str]]
    arrays: dict[tuple[str, str, str, int], np.ndarray]


def restricted_to_title(truth: Truth, title: str) -> Truth:
    """``truth`` with only the gold facts of document ``title``."""
    gold = {k: truth.gold[k] for k in truth.by_title.get(title, ())}
    return Truth(gold=gold, n_evidence=sum(len(v) for v in gold.values()),
                 mention_names=truth.mention_names, mention_sents=truth.mention_sents)


def records_by_title(records: list[dict]) -> dict[str, list[dict]]:
    """Submission ``records`` grouped by their title (as a string), each group in file order."""
    by_title: dict[str, list[dict]] = {}
    for rec in records:
        by_title.setdefault(str(rec["title"]), []).append(rec)
    return by_title


def document_counts(truth: Truth, records: list[dict], train_facts: set[Fact]) -> dict[str, dict[str, int]]:
    """``{title: {n_pred, n_gold, n_correct, n_correct_in_train}}`` for every document of ``truth``.

    Records of titles that are not in ``truth`` are ignored, as the official metric counts them only
    as predictions (they can never be correct).
    """
    by_title = records_by_title(records)
    out = {}
    for title in truth.mention_names:
        scores = official_scores(restricted_to_title(truth, title), by_title.get(title, []), train_facts)
        out[title] = {k: int(scores[k]) for k in COUNT_FIELDS}
    return out


def counts_matrix(counts: dict[str, dict[str, int]], titles: list[str]) -> np.ndarray:
    """``[len(titles), 4]`` int array of :data:`COUNT_FIELDS` in the order of ``titles`` (0 for absent)."""
    return np.array([[counts.get(t, {}).get(k, 0) for k in COUNT_FIELDS] for t in titles], dtype=np.int64)


def scores_of_counts(summed: np.ndarray) -> dict[str, np.ndarray]:
    """Official F1 and Ign F1 (fractions) from counts summed over documents, ``[..., 4]`` -> ``[...]``.

    Same formulas as kire.eval.metric.official_scores: P = correct / pred, R = correct / gold,
    Ign P = (correct - in_train) / (pred - in_train); 0 where a denominator is 0.
    """
    pred, gold, correct, in_train = (summed[..., i].astype(float) for i in range(4))
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(pred > 0, correct / pred, 0.0)
        r = np.where(gold > 0, correct / gold, 0.0)
        ign_p = np.where(pred > in_train, (correct - in_train) / (pred - in_train), 0.0)
        f1 = np.where(p + r > 0, 2 * p * r / (p + r), 0.0)
        ign_f1 = np.where(ign_p + r > 0, 2 * ign_p * r / (ign_p + r), 0.0)
    return {"f1": f1, "ign_f1": ign_f1}


def run_document_counts(result_file: str | Path, truth: Truth, train_facts: set[Fact]) -> dict[str, dict[str, int]]:
    """:func:`document_counts` of a run's submission file (``result_dev.json``)."""
    return document_counts(truth, read_submission(result_file), train_facts)


def read_truth(split: str | Path) -> Truth:
    """The gold facts of a labeled split (DocRED JSON or document-table folder)."""
    from kire.docs.read import read_split

    return Truth.from_documents(read_split(split), str(split))


def split_path(docs_dir: str | Path, dataset: str, split: str) -> Path | None:
    """``docs_dir/<dataset>/<split>`` (document tables) or ``.../<split>.json`` (DocRED), whichever
    exists (None when neither does)."""
    for path in (Path(docs_dir, dataset, split), Path(docs_dir, dataset, f"{split}.json")):
        if path.exists():
            return path
    return None


def grid_document_counts(results_dir: str | Path, runs, docs_dir: str | Path, split: str = "dev"):
    """Per-document counts of every run in ``runs`` (RunKeys) that has ``result_<split>.json``.

    The truth of a dataset is ``docs_dir/<dataset>/<split>`` and its Ign F1 facts
    ``docs_dir/<dataset>/train`` (:func:`split_path`; the layout of rule prepare_docs, as rule
    evaluate_run reads them); a dataset without a truth is left out. Returns a :class:`DocumentCounts`.
    """
    from kire.eval.metric import read_train_facts

    titles, arrays, truths = {}, {}, {}
    for key in runs:
        result = key.path(results_dir) / f"result_{split}.json"
        truth_path, train_path = split_path(docs_dir, key.dataset, split), split_path(docs_dir, key.dataset, "train")
        if not result.is_file() or truth_path is None:
            continue
        if key.dataset not in truths:
            truths[key.dataset] = (read_truth(truth_path), read_train_facts(train_path) if train_path else set())
            titles[key.dataset] = sorted(truths[key.dataset][0].mention_names)
        truth, facts = truths[key.dataset]
        counts = run_document_counts(result, truth, facts)
        arrays[key.dataset, key.model, key.variant, key.seed] = counts_matrix(counts, titles[key.dataset])
    return DocumentCounts(split, titles, arrays)
