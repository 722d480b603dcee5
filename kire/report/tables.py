"""The paper's tables from collected results: mean +- std over seeds, in percent.

Cells whose runs are missing show "—" and a lettered note says why; numbers are never filled in.
Standard deviations are sample standard deviations (n - 1) over the seeds found; a cell with fewer
seeds than the grid expects says so in a note.

Tables (pandas DataFrames, one row per reported cell, written as CSV):

``summary``  dataset, model, variant, split, metric, mean, std, n_seeds, n_expected  (percent)
``breakdown`` dataset, model, variant, bucket, metric, mean, std, n_seeds, reference, delta (percent;
             one table per breakdown kind of kire eval, e.g. ``mentions`` for Table 4)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from kire.report.collect import Results
from kire.report.labels import BASE, CONTINUE, compared_variants, model_label, variant_label

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


def reference_variant(variants: list[str]) -> str:
    """The run each variant's change is taken against: ``continue`` when the grid has it, else ``base``."""
    return CONTINUE if CONTINUE in variants else BASE


def breakdown_stats(results: Results, kind: str, split: str = "dev") -> pd.DataFrame:
    """The ``breakdown`` table of one kind (percent): dataset, model, variant, bucket, metric, mean,
    std, n_seeds, reference, delta (mean over seeds of the paired change against the reference run
    of the same seed; NaN for the reference itself or when it has no run of those seeds)."""
    b = results.buckets[(results.buckets.split == split) & (results.buckets.breakdown == kind)].copy()
    b["value"] *= 100.0
    keys = ["dataset", "model", "variant", "bucket", "metric"]
    stats = b.groupby(keys, sort=False)["value"].agg(mean="mean", std="std", n_seeds="count").reset_index()
    reference = reference_variant(results.grid.variants)
    ref = b[b.variant == reference].set_index(["dataset", "model", "bucket", "metric", "seed"])["value"]
    deltas = []
    for _, r in stats.iterrows():
        runs = b[(b.dataset == r.dataset) & (b.model == r.model) & (b.variant == r.variant)
                 & (b.bucket == r.bucket) & (b.metric == r.metric)]
        paired = [v - ref[(r.dataset, r.model, r.bucket, r.metric, s)] for s, v in zip(runs.seed, runs.value)
                  if (r.dataset, r.model, r.bucket, r.metric, s) in ref.index]
        deltas.append(sum(paired) / len(paired) if paired and r.variant != reference else float("nan"))
    stats["reference"] = reference
    stats["delta"] = deltas
    return stats


def breakdown_table(results: Results, kind: str, buckets: list[str], notes: Notes, split: str = "dev",
                    metrics: tuple[str, ...] = ("ign_f1", "f1")) -> tuple[list[str], list[list[str]], pd.DataFrame]:
    """Scores by group of entity pairs: per group the absolute scores, then, in a separate column,
    the change of F1 against ``continue`` (``base`` when the grid has no continue runs).

    Rows: base, continue and every stage-2 variant (Table 4 when ``kind`` is ``mentions``).
    Returns (header, rows, :func:`breakdown_stats`).
    """
    stats = breakdown_stats(results, kind, split)
    reference = reference_variant(results.grid.variants)
    datasets = results.grid.datasets
    header = ["Model"]
    for d in datasets:
        for bk in buckets:
            header += [f"{d} {bk} {METRIC_LABELS[m]}" for m in metrics]
            header.append(f"{d} {bk} ΔF1 vs {reference}")
    rows = []
    for model in results.grid.models:
        for variant in compared_variants(results.grid.variants):
            label = model_label(model) if variant == BASE else f"{model_label(model)} {variant_label(variant)}"
            cells = []
            for d in datasets:
                for bk in buckets:
                    sel = stats[(stats.dataset == d) & (stats.model == model) & (stats.variant == variant)
                                & (stats.bucket == bk)]
                    for m in metrics:
                        hit = sel[sel.metric == m]
                        if hit.empty:
                            cells.append(f"{DASH} " + notes.mark(
                                f"{d}/{model}/{variant}: no {split} '{kind}' breakdown "
                                "(run missing or its metrics.json has none)."))
                        else:
                            r = hit.iloc[0]
                            cells.append(f"{r['mean']:.2f}" if r["n_seeds"] < 2 else f"{r['mean']:.2f} ± {r['std']:.2f}")
                    hit = sel[sel.metric == "f1"]
                    if variant == reference:
                        cells.append("(reference)")
                    elif hit.empty or pd.isna(hit.iloc[0]["delta"]):
                        cells.append(DASH)
                    else:
                        cells.append(f"{hit.iloc[0]['delta']:+.2f}")
            rows.append([label] + cells)
    return header, rows, stats


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    """A GitHub-flavoured Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(["---"] * len(header)) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def _interval(low: float, high: float) -> str:
    return DASH if pd.isna(low) else f"[{low:+.2f}, {high:+.2f}]"


def comparison_rows(comparison: pd.DataFrame, split: str, metric: str, notes: Notes
                    ) -> tuple[list[str], list[list[str]]]:
    """The comparison against ``continue`` (kire.report.compare.comparison_table) as Markdown cells:
    absolute scores in one column, changes in their own columns, one row per dataset x model x variant."""
    label = METRIC_LABELS[metric]
    header = ["Dataset", "Model", "Variant", f"{split} {label} (mean ± std)", "seeds",
              f"Δ{label} vs continue, per seed", f"Δ{label} mean ± std", "95% CI over seeds (t)",
              "95% CI over documents (bootstrap)"]
    rows = []
    sel = comparison[(comparison.split == split) & (comparison.metric == metric)]
    for _, r in sel.iterrows():
        score = f"{r['mean']:.2f}" if pd.isna(r["std"]) else f"{r['mean']:.2f} ± {r['std']:.2f}"
        if r.variant == CONTINUE:
            diffs = mean = "(reference)"
        elif not r["diffs"]:
            diffs = mean = f"{DASH} " + notes.mark("no continue run of the same seeds: no paired change.")
        else:
            diffs = r["diffs"]
            mean = f"{r['diff_mean']:+.2f}" + ("" if pd.isna(r["diff_std"]) else f" ± {r['diff_std']:.2f}")
        seeds_ci = _interval(r["t_low"], r["t_high"])
        if r.variant != CONTINUE and r["diffs"] and seeds_ci == DASH:
            seeds_ci += " " + notes.mark("one seed: no interval over seeds.")
        boot = _interval(r["boot_low"], r["boot_high"])
        if r.variant != CONTINUE and r["diffs"] and boot == DASH:
            boot += " " + notes.mark("no per-document counts (result file or the split's truth absent).")
        name = variant_label(r.variant)
        if r.variant == BASE:
            name = "base (before stage 2)"
        rows.append([r.dataset, model_label(r.model), name, score, str(int(r["n_seeds"])), diffs, mean,
                     seeds_ci, boot])
    return header, rows
