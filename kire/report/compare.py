"""The comparison a reviewer accepts: every stage-2 variant against the ``continue`` control.

A stage-2 variant (+KIRE, its ablations, the competitors) starts from the base run of the same
dataset, model and seed and trains further. ``continue`` is the stage-2 variant that adds nothing
(same base checkpoint, optimiser, learning rates, epochs, patience and selection), so
``variant - continue`` is the effect of what the variant adds, while ``variant - base`` also holds
the effect of the extra training. The tables therefore give the change against ``continue`` and
show ``base`` (absolute scores, and its own change against ``continue``) for reference only.

Statistics (scores in percent):

- per seed ``k``: the paired difference ``d_k = score(variant, k) - score(continue, k)``, over the
  seeds where both runs exist;
- over seeds: mean and sample std of ``d_k``, and a 95% Student-t interval
  ``mean +- t_{0.975, n-1} * std / sqrt(n)`` (needs n >= 2 seeds);
- over documents: a paired percentile bootstrap, :data:`BOOTSTRAP_RESAMPLES` resamples of the split's
  documents with replacement (numpy generator seeded with :data:`BOOTSTRAP_SEED`); in every resample
  the same documents score both runs of every seed, the statistic is the mean over seeds of the
  official F1 / Ign F1 difference recomputed from the resampled per-document counts
  (:mod:`kire.report.documents`), and the interval is its 2.5th-97.5th percentile. Needs the run's
  ``result_<split>.json`` and the split's truth.

Table ``comparison`` (CSV): dataset, model, variant, split, metric, n_seeds, mean, std, diffs (per
seed, ``seed:value`` joined by spaces), diff_mean, diff_std, t_low, t_high, boot_low, boot_high,
n_docs, n_resamples.
"""

from __future__ import annotations

import math
import numpy as np
import pandas as pd

from kire.report.collect import Results
from kire.report.documents import DocumentCounts, scores_of_counts
from kire.report.labels import CONTINUE, compared_variants

BOOTSTRAP_RESAMPLES = 1000
BOOTSTRAP_SEED = 0
CONFIDENCE = 0.95
COMPARED_METRICS = ("f1", "ign_f1")


def t_interval(diffs: np.ndarray, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Student-t interval of the mean of ``diffs`` (NaNs when fewer than two values)."""
    n = len(diffs)
    if n < 2:
        return math.nan, math.nan
    from scipy.stats import t

    half = t.ppf(0.5 + confidence / 2, n - 1) * float(np.std(diffs, ddof=1)) / math.sqrt(n)
    return float(np.mean(diffs)) - half, float(np.mean(diffs)) + half


def resample_weights(n_docs: int, resamples: int = BOOTSTRAP_RESAMPLES, seed: int = BOOTSTRAP_SEED) -> np.ndarray:
    """``[resamples, n_docs]`` counts of how often each document is drawn (with replacement)."""
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, n_docs, size=(resamples, n_docs))
    return np.stack([np.bincount(row, minlength=n_docs) for row in draws])


def bootstrap_interval(pairs: list[tuple[np.ndarray, np.ndarray]], weights: np.ndarray, metric: str,
                       confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Paired percentile interval (percent) of the mean over seeds of ``score(a) - score(b)``.

    ``pairs``: one ``(a, b)`` per seed, each ``[n_docs, 4]`` per-document counts in the same
    document order; ``weights``: :func:`resample_weights`.
    """
    diffs = np.zeros(len(weights))
    for a, b in pairs:
        diffs += scores_of_counts(weights @ a)[metric] - scores_of_counts(weights @ b)[metric]
    diffs = 100.0 * diffs / len(pairs)
    tail = 100.0 * (1 - confidence) / 2
    low, high = np.percentile(diffs, [tail, 100.0 - tail])
    return float(low), float(high)


def comparison_table(results: Results, counts: DocumentCounts | None = None,
                     splits: tuple[str, ...] = ("dev", "test")) -> pd.DataFrame:
    """The ``comparison`` table (module docstring) of every compared variant of the grid."""
    scores = results.scores
    variants = compared_variants(results.grid.variants)
    rows = []
    weights = {}
    for dataset in results.grid.datasets:
        for split in splits:
            for model in results.grid.models:
                for metric in COMPARED_METRICS:
                    sel = scores[(scores.dataset == dataset) & (scores.model == model) & (scores.split == split)
                                 & (scores.metric == metric)]
                    by_variant = {v: dict(zip(g.seed, 100.0 * g.value)) for v, g in sel.groupby("variant")}
                    control = by_variant.get(CONTINUE, {})
                    for variant in variants:
                        own = by_variant.get(variant, {})
                        if not own:
                            continue
                        values = np.array(list(own.values()))
                        row = {"dataset": dataset, "model": model, "variant": variant, "split": split,
                               "metric": metric, "n_seeds": len(values), "mean": float(values.mean()),
                               "std": float(values.std(ddof=1)) if len(values) > 1 else math.nan,
                               "diffs": "", "diff_mean": math.nan, "diff_std": math.nan,
                               "t_low": math.nan, "t_high": math.nan, "boot_low": math.nan,
                               "boot_high": math.nan, "n_docs": 0, "n_resamples": 0}
                        seeds = sorted(set(own) & set(control)) if variant != CONTINUE else []
                        if seeds:
                            d = np.array([own[s] - control[s] for s in seeds])
                            row.update(diffs=" ".join(f"{s}:{x:+.2f}" for s, x in zip(seeds, d)),
                                       diff_mean=float(d.mean()),
                                       diff_std=float(d.std(ddof=1)) if len(d) > 1 else math.nan)
                            row["t_low"], row["t_high"] = t_interval(d)
                            key = lambda v, s: (dataset, model, v, s)  # noqa: E731
                            if counts is not None and counts.split == split and all(
                                    key(v, s) in counts.arrays for v in (variant, CONTINUE) for s in seeds):
                                n_docs = len(counts.titles[dataset])
                                if dataset not in weights:
                                    weights[dataset] = resample_weights(n_docs)
                                pairs = [(counts.arrays[key(variant, s)], counts.arrays[key(CONTINUE, s)])
                                         for s in seeds]
                                row["boot_low"], row["boot_high"] = bootstrap_interval(
                                    pairs, weights[dataset], metric)
                                row.update(n_docs=n_docs, n_resamples=BOOTSTRAP_RESAMPLES)
                        rows.append(row)
    return pd.DataFrame(rows, columns=["dataset", "model", "variant", "split", "metric", "n_seeds", "mean",
                                       "std", "diffs", "diff_mean", "diff_std", "t_low", "t_high",
                                       "boot_low", "boot_high", "n_docs", "n_resamples"])
