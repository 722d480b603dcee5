"""PNG figures of a report (matplotlib, Agg backend: no display needed).

- :func:`variant_bars`   grouped bars, models x variants, Ign F1 and F1 with std error bars
                          (the paper's Fig. 3 for ablations, Fig. 4 for graph encoders)
- :func:`training_curves` per-epoch metrics of every run, mean over seeds with a +-std band
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from kire.io import atomic_path
from kire.report.tables import METRIC_LABELS
from kire.report.labels import model_label, variant_label

# Preferred per-epoch series, first found wins (names written by the training loop).
CURVE_METRICS = (("dev_f1", "dev_ign_f1"), ("loss",))


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


def variant_bars(summary: pd.DataFrame, datasets: list[str], models: list[str], variants: list[str],
                 title: str, path: str | Path, split: str = "dev") -> Path:
    """Grouped bars of ``split`` Ign F1 and F1 (percent) per model, one bar per variant.

    ``summary`` is :func:`kire.report.tables.summarize`'s table. A missing run has no bar and a
    "—" where its bar would stand.
    """
    plt = _pyplot()
    metrics = ("ign_f1", "f1")
    fig, axes = plt.subplots(len(datasets), len(metrics), squeeze=False,
                             figsize=(max(6.0, 1.2 * len(models) * len(metrics) + 0.35 * len(variants) * len(models)),
                                      3.4 * len(datasets)))
    width = 0.8 / max(1, len(variants))
    colors = plt.get_cmap("tab10")
    for i, dataset in enumerate(datasets):
        for j, metric in enumerate(metrics):
            ax = axes[i][j]
            sel = summary[(summary.dataset == dataset) & (summary.split == split) & (summary.metric == metric)]
            lows = []
            for k, variant in enumerate(variants):
                xs = np.arange(len(models)) + (k - (len(variants) - 1) / 2) * width
                for x, model in zip(xs, models):
                    hit = sel[(sel.model == model) & (sel.variant == variant)]
                    if hit.empty:  # at the axis floor, whatever the zoom
                        ax.text(x, 0.02, "—", ha="center", va="bottom", fontsize=9,
                                transform=ax.get_xaxis_transform())
                        continue
                    mean, std = float(hit["mean"].iloc[0]), float(hit["std"].iloc[0])
                    lows.append(mean - std)
                    ax.bar(x, mean, width, yerr=std, capsize=2, color=colors(k % 10),
                           label=variant_label(variant) if x == xs[0] else None)
            ax.set_xticks(np.arange(len(models)), [model_label(m) for m in models])
            ax.set_xlim(-0.5, len(models) - 0.5)
            ax.set_ylabel(f"{METRIC_LABELS[metric]} (%)")
            ax.set_title(f"{dataset}, {split}: {METRIC_LABELS[metric]}", fontsize=10)
            if lows:  # zoom on the differences, as the paper's figures do
                ax.set_ylim(bottom=max(0.0, min(lows) - 2.0))
            ax.grid(axis="y", alpha=0.3)
    handles, labels = axes[0][0].get_legend_handles_labels()
    for row in axes:
        for ax in row:
            h, l = ax.get_legend_handles_labels()
            for hh, ll in zip(h, l):
                if ll not in labels:
                    handles.append(hh)
                    labels.append(ll)
    if handles:
        fig.legend(handles, labels, loc="upper center", ncol=min(len(labels), 6),
                   bbox_to_anchor=(0.5, 1.0 + 0.04 / len(datasets)), fontsize=8)
    fig.suptitle(title, y=1.0 + 0.12 / len(datasets))
    fig.tight_layout()
    return _save(fig, path)


def _first_present(curves: pd.DataFrame, names: tuple[str, ...]) -> str | None:
    present = set(curves["metric"])
    return next((n for n in names if n in present), None)


def training_curves(curves: pd.DataFrame, datasets: list[str], models: list[str], variants: list[str],
                    path: str | Path) -> Path:
    """Per-epoch dev score and training loss of each dataset x model, one line per variant.

    ``curves`` is :func:`kire.report.collect.collect`'s table; lines are means over seeds with a
    +-std band. A panel without any per-epoch log says so instead of showing an empty axis.
    """
    plt = _pyplot()
    from matplotlib.ticker import MaxNLocator

    series = [m for m in (_first_present(curves, names) for names in CURVE_METRICS) if m]
    series = series or ["dev_f1"]
    panels = [(d, m) for d in datasets for m in models]
    fig, axes = plt.subplots(len(series), len(panels), squeeze=False,
                             figsize=(max(4.5, 3.8 * len(panels)), 3.0 * len(series)))
    colors = plt.get_cmap("tab10")
    for j, (dataset, model) in enumerate(panels):
        for i, metric in enumerate(series):
            ax = axes[i][j]
            sel = curves[(curves.dataset == dataset) & (curves.model == model) & (curves.metric == metric)]
            if sel.empty:
                ax.text(0.5, 0.5, "no per-epoch log", ha="center", va="center", transform=ax.transAxes)
            for k, variant in enumerate(variants):
                v = sel[sel.variant == variant]
                if v.empty:
                    continue
                g = v.groupby("epoch")["value"].agg(["mean", "std"]).fillna(0.0)
                if metric.startswith("dev_"):  # scores in percent, as in the tables
                    g = g * 100.0
                ax.plot(g.index, g["mean"], marker=".", color=colors(k % 10), label=variant_label(variant))
                ax.fill_between(g.index, g["mean"] - g["std"], g["mean"] + g["std"],
                                color=colors(k % 10), alpha=0.2)
            ax.set_title(f"{dataset}, {model_label(model)}", fontsize=10)
            ax.set_xlabel("epoch")
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            ax.set_ylabel(f"{metric} (%)" if metric.startswith("dev_") else metric)
            ax.grid(alpha=0.3)
            if ax.get_legend_handles_labels()[0]:
                ax.legend(fontsize=7)
    fig.tight_layout()
    return _save(fig, path)
