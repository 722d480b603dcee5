"""The paper's tables from collected results: mean +- std over seeds, in percent.

Cells whose runs are missing show "—" and a lettered note says why; numbers are never filled in.
Standard deviations are sample standard deviations (n - 1) over the seeds found; a cell with fewer
seeds than the grid expects says so in a note.

Tables (pandas DataFrames, one row per reported cell, written as CSV):

``summary``  dataset, model, variant, split, metric, mean, std, n_seeds, n_expected  (percent)
``mentions`` dataset, model, variant, bucket, metric, mean, std, n_seeds, delta_vs_base (percent)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from kire.report.collect import MENTION_BUCKETS, Results
from kire.report.labels import BASE, KIRE, model_label, variant_label

DASH = "—"
METRIC_LABELS = {"ign_f1": "Ign F1", "f1": "F1", "p": "P", "r": "R", "theta": "theta"}
SPLIT_LABELS = {"dev": "dev", "test": "test"}
KEYS = ["dataset", "model", "variant", "split", "metric"]


def summarize(results: Results) -> pd.DataFrame:
    """The ``summary`` table: every (dataset, model, variant, split, metric) with its seed statistics.

    Scores are turned into percent; theta stays as it is.
    """
    scores = results.scores.copy()
    pct = scores["metric"] != "theta"
    scores.loc[pct, "value"] = scores.loc[pct, "value"] * 100.0
    stats = (scores.groupby(KEYS, sort=False)["value"]
             .agg(mean="mean", std="std", n_seeds="count").reset_index())
    stats["std"] = stats["std"].fillna(0.0)  # one seed: no spread to report
    stats["n_expected"] = len(results.grid.seeds)
    return stats


@dataclass
class Notes:
    """Lettered footnotes: the same text always gets the same letter."""

    texts: list[str] = field(default_factory=list)

    def mark(self, text: str) -> str:
        if text not in self.texts:
            self.texts.append(text)
        return f"({chr(ord('a') + self.texts.index(text))})"

    def markdown(self) -> str:
        return "\n".join(f"- ({chr(ord('a') + i)}) {t}" for i, t in enumerate(self.texts))


def _cell(stats: pd.DataFrame, results: Results, key: tuple, notes: Notes) -> str:
    dataset, model, variant, split, metric = key
    row = stats[(stats.dataset == dataset) & (stats.model == model) & (stats.variant == variant)
                & (stats.split == split) & (stats.metric == metric)]
    if row.empty:
        absent = [str(k) for k in results.missing
                  if (k.dataset, k.model, k.variant) == (dataset, model, variant)]
        if len(absent) == len(results.grid.seeds):
            return f"{DASH} " + notes.mark(
                f"{dataset}/{model}/{variant}: no finished run (metrics.json absent for "
                f"seeds {', '.join(str(s) for s in results.grid.seeds)}).")
        if split == "test":
            return f"{DASH} " + notes.mark(
                f"{dataset}: the test file has no labels, so no test scores "
                "(the run's result_test.json is the submission file).")
        return f"{DASH} " + notes.mark(f"{dataset}/{model}/{variant}: metrics.json has no {split} {metric}.")
    r = row.iloc[0]
    if r["n_seeds"] == 1:  # a single run has no spread: show its score alone
        text = f"{r['mean']:.2f}"
        if r["n_expected"] == 1:
            return text + " " + notes.mark("one seed per run in this grid: no standard deviation.")
    else:
        text = f"{r['mean']:.2f} ± {r['std']:.2f}"
    if r["n_seeds"] < r["n_expected"]:
        text += " " + notes.mark(f"mean ± std over the {int(r['n_seeds'])} of {int(r['n_expected'])} "
                                 "seeds that finished.")
    return text


def score_table(results: Results, variants: list[str], notes: Notes,
                splits: tuple[str, ...] = ("dev", "test"),
                metrics: tuple[str, ...] = ("ign_f1", "f1")) -> tuple[list[str], list[list[str]]]:
    """Table 2/3 layout: a row per model then one per variant of it; per dataset, split x metric.

    Returns (header, rows) of strings for :func:`markdown_table`.
    """
    stats = summarize(results)
    datasets = results.grid.datasets
    header = ["Model"] + [f"{d} {SPLIT_LABELS[s]} {METRIC_LABELS[m]}"
                          for d in datasets for s in splits for m in metrics]
    rows = []
    for model in results.grid.models:
        for variant in variants:
            label = model_label(model) if variant == BASE else f"{model_label(model)} {variant_label(variant)}"
            rows.append([label] + [_cell(stats, results, (d, model, variant, s, m), notes)
                                   for d in datasets for s in splits for m in metrics])
    return header, rows


def mention_table(results: Results, notes: Notes, split: str = "dev"
                  ) -> tuple[list[str], list[list[str]], pd.DataFrame]:
    """Table 4: scores by average mention count of a pair; rows of variants show the change vs base.

    Returns (header, rows, the ``mentions`` table).
    """
    b = results.buckets[results.buckets.split == split].copy()
    b["value"] *= 100.0
    stats = (b.groupby(["dataset", "model", "variant", "bucket", "metric"], sort=False)["value"]
             .agg(mean="mean", std="std", n_seeds="count").reset_index())
    stats["std"] = stats["std"].fillna(0.0)
    base = stats[stats.variant == BASE].set_index(["dataset", "model", "bucket", "metric"])["mean"]
    stats["delta_vs_base"] = [
        (r["mean"] - base.get((r.dataset, r.model, r.bucket, r.metric), float("nan")))
        if r.variant != BASE else float("nan") for _, r in stats.iterrows()
    ]
    datasets = results.grid.datasets
    metrics = ("ign_f1", "f1")
    header = ["Model"] + [f"{d} {bk} {METRIC_LABELS[m]}" for d in datasets for bk in MENTION_BUCKETS
                          for m in metrics]
    variants = [v for v in (BASE, KIRE) if v in results.grid.variants]
    rows = []
    for model in results.grid.models:
        for variant in variants:
            label = model_label(model) if variant == BASE else f"{model_label(model)} {variant_label(variant)}"
            cells = []
            for d in datasets:
                for bk in MENTION_BUCKETS:
                    for m in metrics:
                        hit = stats[(stats.dataset == d) & (stats.model == model) & (stats.variant == variant)
                                    & (stats.bucket == bk) & (stats.metric == m)]
                        if hit.empty:
                            cells.append(f"{DASH} " + notes.mark(
                                f"{d}/{model}/{variant}: no {split} mention-count breakdown "
                                "(run missing or its metrics.json has no breakdowns.mentions)."))
                        elif variant == BASE:
                            cells.append(f"{hit.iloc[0]['mean']:.2f}")
                        elif pd.isna(hit.iloc[0]["delta_vs_base"]):
                            cells.append(f"{hit.iloc[0]['mean']:.2f} " + notes.mark(
                                f"{d}/{model}: the base run is missing, so the absolute score "
                                "is shown instead of the change."))
                        else:
                            delta = hit.iloc[0]["delta_vs_base"]
                            arrow = "" if round(abs(delta), 2) == 0 else "↑" if delta > 0 else "↓"
                            cells.append(f"{arrow}{abs(delta):.2f}")
            rows.append([label] + cells)
    return header, rows, stats


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    """A GitHub-flavoured Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(["---"] * len(header)) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)
