"""PNG figures of a report (matplotlib, Agg backend: no display needed).

- :func:`variant_bars`     grouped bars, models x variants, dev Ign F1 and F1 (the paper's Fig. 3 for
                            ablations, Fig. 4 for graph encoders)
- :func:`comparison_bars`  the change of every stage-2 variant against ``continue``, with 95% intervals
- :func:`training_curves`  per-epoch dev F1, a stage-2 run drawn after the epochs of its base run

Rules every figure keeps, so that none misleads: bars start at zero; error bars only when a bar has
at least two seeds, and the figure prints how many seeds it shows; base, continue and +KIRE have
their own fixed colours and stand out, ablations, competitors and graph encoders get their own
panels; no colour repeats inside a panel; legends sit outside the axes; axis labels are words.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from kire.io import atomic_path
from kire.report.labels import (BASE, CONTINUE, KIRE, compared_variants, model_label, variant_group,
                                variant_label)
from kire.report.tables import METRIC_LABELS

# Fixed colours of the three runs every comparison is about; the others take PALETTE in order.
REFERENCE_COLORS = {BASE: "#000000", CONTINUE: "#7f7f7f", KIRE: "#d62728"}
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#bcbd22", "#17becf",
           "#aec7e8", "#ffbb78", "#98df8a", "#c5b0d5", "#c49c94", "#f7b6d2", "#dbdb8d", "#9edae5")
GROUP_TITLES = {"main": "competitors", "ablation": "ablations, simple variants", "graph": "graph encoders"}


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(fig, path: str | Path) -> Path:
    with atomic_path(path, suffix=".png") as tmp:
        fig.savefig(tmp, dpi=120, bbox_inches="tight", format="png")
    _pyplot().close(fig)
    return Path(path)


def panel_colors(variants: list[str]) -> dict[str, str]:
    """A colour per variant of one panel: fixed for base, continue and +KIRE, distinct for the rest.

    Raises ValueError when a panel has more variants than distinct colours (it would repeat one).
    """
    others = [v for v in variants if v not in REFERENCE_COLORS]
    if len(others) > len(PALETTE):
        raise ValueError(f"{len(others)} variants in one panel, only {len(PALETTE)} distinct colours")
    colors = {v: REFERENCE_COLORS[v] for v in variants if v in REFERENCE_COLORS}
    colors.update(zip(others, PALETTE))
    return colors


def _seed_note(fig, counts: set[int]) -> None:
    """Print on the figure how many seeds its numbers are over, and what the error bars are."""
    counts = {int(c) for c in counts if c}
    if not counts:
        return
    n = "/".join(str(c) for c in sorted(counts))
    bars = "no error bars or bands (one seed)" if max(counts) < 2 else "error bars and bands only where n >= 2"
    fig.text(0.01, -0.02, f"n = {n} seed(s) per bar or line; {bars}", fontsize=8, ha="left", va="top")


def variant_bars(summary: pd.DataFrame, datasets: list[str], models: list[str], variants: list[str],
                 title: str, path: str | Path, split: str = "dev") -> Path:
    """Grouped bars of ``split`` Ign F1 and F1 (percent, axis from 0) per model, one bar per variant.

    ``summary`` is :func:`kire.report.tables.summarize`'s table. Error bars are the sample std over
    seeds, drawn only for bars of at least two seeds. A missing run has no bar and a "—" where its
    bar would stand.
    """
    plt = _pyplot()
    metrics = ("ign_f1", "f1")
    colors = panel_colors(variants)
    fig, axes = plt.subplots(len(datasets), len(metrics), squeeze=False,
                             figsize=(max(6.0, 1.0 * len(models) * len(metrics) + 0.35 * len(variants) * len(models)),
                                      3.2 * len(datasets)))
    width = 0.8 / max(1, len(variants))
    seeds = set()
    for i, dataset in enumerate(datasets):
        for j, metric in enumerate(metrics):
            ax = axes[i][j]
            sel = summary[(summary.dataset == dataset) & (summary.split == split) & (summary.metric == metric)]
            for k, variant in enumerate(variants):
                xs = np.arange(len(models)) + (k - (len(variants) - 1) / 2) * width
                for x, model in zip(xs, models):
                    hit = sel[(sel.model == model) & (sel.variant == variant)]
                    if hit.empty:
                        ax.text(x, 0.02, "—", ha="center", va="bottom", fontsize=9,
                                transform=ax.get_xaxis_transform())
                        continue
                    r = hit.iloc[0]
                    seeds.add(r["n_seeds"])
                    ax.bar(x, r["mean"], width, yerr=r["std"] if r["n_seeds"] >= 2 else None, capsize=2,
                           color=colors[variant], label=variant_label(variant) if x == xs[0] else None)
            ax.set_xticks(np.arange(len(models)), [model_label(m) for m in models])
            ax.set_xlim(-0.5, len(models) - 0.5)
            ax.set_ylim(bottom=0.0)
            ax.set_ylabel(f"{split} {METRIC_LABELS[metric]} (%)")
            ax.set_title(f"{dataset}: {split} {METRIC_LABELS[metric]}", fontsize=10)
            ax.grid(axis="y", alpha=0.3)
    _legend_outside(fig, axes)
    fig.suptitle(title)
    fig.tight_layout()
    _seed_note(fig, seeds)
    return _save(fig, path)


def _unique_handles(axes) -> tuple[list, list[str]]:
    """Legend handles and labels of all ``axes`` (an iterable of Axes), each label once, first wins."""
    handles, labels = [], []
    for ax in axes:
        for h, lab in zip(*ax.get_legend_handles_labels()):
            if lab not in labels:
                handles.append(h)
                labels.append(lab)
    return handles, labels


def _legend_outside(fig, axes) -> None:
    handles, labels = _unique_handles(ax for row in axes for ax in row)
    if handles:
        fig.legend(handles, labels, loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=8, frameon=False)


def comparison_bars(comparison: pd.DataFrame, datasets: list[str], models: list[str], variants: list[str],
                    path: str | Path, split: str = "dev", metric: str = "f1") -> Path:
    """Bars of each variant's change of ``split`` ``metric`` against ``continue`` (points, from 0 =
    continue), with the 95% t-interval over seeds as error bars (only with >= 2 seeds).

    Panels: one row per dataset x model; a column for base and +KIRE, then one per group of the
    other variants (competitors, ablations, graph encoders). ``comparison`` is
    kire.report.compare.comparison_table's table.
    """
    plt = _pyplot()
    compared = [v for v in compared_variants(variants) if v != CONTINUE]
    columns = [("base and + KIRE", [v for v in compared if v in (BASE, KIRE)])]
    for group, name in GROUP_TITLES.items():
        members = [v for v in compared if v not in (BASE, KIRE) and variant_group(v) == group]
        if members:
            columns.append((name, members))
    columns = [(n, m) for n, m in columns if m]
    panels = [(d, m) for d in datasets for m in models]
    fig, axes = plt.subplots(len(panels), len(columns), squeeze=False,
                             figsize=(max(5.0, 2.0 + 0.9 * sum(len(m) for _, m in columns)), 3.0 * len(panels)),
                             gridspec_kw={"width_ratios": [max(2, len(m)) for _, m in columns]}, sharey="row")
    sel = comparison[(comparison.split == split) & (comparison.metric == metric)]
    seeds = set()
    for i, (dataset, model) in enumerate(panels):
        for j, (name, members) in enumerate(columns):
            ax = axes[i][j]
            colors = panel_colors(members)
            for x, variant in enumerate(members):
                hit = sel[(sel.dataset == dataset) & (sel.model == model) & (sel.variant == variant)]
                if hit.empty or pd.isna(hit.iloc[0]["diff_mean"]):
                    ax.text(x, 0.5, "—", ha="center", va="center", transform=ax.get_xaxis_transform())
                    continue
                r = hit.iloc[0]
                n = len(r["diffs"].split())
                seeds.add(n)
                err = None
                if n >= 2:
                    err = [[r["diff_mean"] - r["t_low"]], [r["t_high"] - r["diff_mean"]]]
                ax.bar(x, r["diff_mean"], 0.7, yerr=err, capsize=3, color=colors[variant],
                       hatch="//" if variant == BASE else None, edgecolor="white" if variant == BASE else None)
                if round(float(r["diff_mean"]), 2) == 0:  # an invisible bar: say 0 (a missing run shows —)
                    ax.text(x, 0.0, "0", ha="center", va="bottom", fontsize=8)
            ax.axhline(0.0, color=REFERENCE_COLORS[CONTINUE], linewidth=1.2)
            ax.set_xticks(range(len(members)), [variant_label(v) for v in members], rotation=30, ha="right",
                          fontsize=8)
            ax.set_xlim(-0.6, max(len(members), 2) - 0.4)
            if i == 0:
                ax.set_title(name, fontsize=9)
            if j == 0:
                ax.set_ylabel(f"{dataset}, {model_label(model)}\n{split} {METRIC_LABELS[metric]} change "
                              "vs continue (points)", fontsize=8)
            ax.grid(axis="y", alpha=0.3)
    for row in axes:  # zero (= continue) always visible, with room above and below the bars
        low, high = row[0].get_ylim()
        pad = 0.08 * max(high - low, 1e-6)
        row[0].set_ylim(min(low, 0.0) - pad, max(high, 0.0) + pad)
    fig.suptitle(f"Effect of what each stage-2 variant adds: change against the continue control "
                 f"(0 = continue; base = no stage 2)", fontsize=10)
    fig.tight_layout()
    _seed_note(fig, seeds)
    if any(n >= 2 for n in seeds):  # with one seed the note above already says there are none
        fig.text(0.01, -0.06, "error bars: 95% Student-t interval of the paired per-seed differences",
                 fontsize=8, ha="left", va="top")
    return _save(fig, path)


def stage2_offsets(curves: pd.DataFrame) -> dict[tuple[str, str, int], int]:
    """``{(dataset, model, seed): epochs}``: where a stage-2 run of that base starts on the x axis.

    A stage-2 variant starts from the base run's best checkpoint, so its epoch k is drawn at
    ``best base epoch + k`` (its epoch 0, when logged, lands on the base's best epoch).
    """
    base = curves[(curves.variant == BASE) & (curves.metric == "dev_f1")]
    out = {}
    for (dataset, model, seed), g in base.groupby(["dataset", "model", "seed"]):
        out[dataset, model, int(seed)] = int(g.loc[g["value"].idxmax(), "epoch"])
    return out


def training_curves(curves: pd.DataFrame, datasets: list[str], models: list[str], variants: list[str],
                    path: str | Path, metric: str = "dev_f1") -> Path:
    """Per-epoch dev F1 (percent) of each dataset x model: mean over seeds, a +-std band with >= 2 seeds.

    Stage-2 runs are shifted to start after the best epoch of their base run (:func:`stage2_offsets`),
    so extra training is not drawn as a gain. The first column shows base, continue and +KIRE; the
    other variants get a column per group, with base and continue repeated thin for reference.
    ``curves`` is :func:`kire.report.collect.collect`'s table. A panel without any per-epoch log
    says so instead of showing an empty axis.
    """
    plt = _pyplot()
    from matplotlib.ticker import MaxNLocator

    columns = [("base, continue and + KIRE", [v for v in (BASE, CONTINUE, KIRE) if v in variants])]
    for group, name in GROUP_TITLES.items():
        members = [v for v in variants if v not in (BASE, CONTINUE, KIRE) and variant_group(v) == group]
        if members:
            columns.append((name, members))
    columns = [(n, m) for n, m in columns if m]
    panels = [(d, m) for d in datasets for m in models]
    fig, axes = plt.subplots(len(panels), len(columns), squeeze=False,
                             figsize=(3.6 * len(columns) + 0.8, 2.8 * len(panels) + 1.0), sharey=True)
    sel = curves[curves.metric == metric]
    offsets = stage2_offsets(curves)
    seeds = set()
    for i, (dataset, model) in enumerate(panels):
        here = sel[(sel.dataset == dataset) & (sel.model == model)].copy()
        here["x"] = [e + (offsets.get((dataset, model, int(s)), 0) if v != BASE else 0)
                     for e, s, v in zip(here.epoch, here.seed, here.variant)]
        for j, (name, members) in enumerate(columns):
            ax = axes[i][j]
            shown = members if j == 0 else [v for v in (BASE, CONTINUE) if v in variants] + members
            colors = panel_colors(shown)
            if here.empty:
                ax.text(0.5, 0.5, "no per-epoch log", ha="center", va="center", transform=ax.transAxes)
            for variant in shown:
                v = here[here.variant == variant]
                if v.empty:
                    continue
                seeds.add(v.seed.nunique())
                g = v.groupby("x")["value"].agg(["mean", "std", "count"])
                g[["mean", "std"]] *= 100.0
                strong = j == 0 or variant not in (BASE, CONTINUE)
                ax.plot(g.index, g["mean"], marker="." if strong else None, color=colors[variant],
                        linewidth=2.0 if variant in REFERENCE_COLORS and j == 0 else 1.2 if strong else 0.8,
                        linestyle="--" if variant == CONTINUE else "-", alpha=1.0 if strong else 0.6,
                        label=variant_label(variant))
                band = g[g["count"] >= 2]
                if not band.empty:
                    ax.fill_between(band.index, band["mean"] - band["std"], band["mean"] + band["std"],
                                    color=colors[variant], alpha=0.15 if strong else 0.05)
            if i == 0:
                ax.set_title(name, fontsize=9)
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            if j == 0:
                ax.set_ylabel(f"{dataset}, {model_label(model)}\ndev {'Ign F1' if 'ign' in metric else 'F1'} (%)",
                              fontsize=8)
            ax.grid(alpha=0.3)
            if i == len(panels) - 1:
                ax.set_xlabel("epoch (stage 2 starts after the base's best epoch)", fontsize=8)
                handles, labels = _unique_handles(axes[:, j])
                ax.legend(handles, labels, fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.28),
                          frameon=False, ncol=2)
    fig.tight_layout()
    _seed_note(fig, seeds)
    return _save(fig, path)
