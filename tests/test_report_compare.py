"""The comparison against `continue`: paired differences, t-interval, bootstrap over documents, plots."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest

from kire.eval.metric import Truth, official_scores
from kire.report.build import write_report
from kire.report.collect import Grid, collect
from kire.report.compare import BOOTSTRAP_RESAMPLES, comparison_table, resample_weights, t_interval
from kire.report.documents import document_counts, grid_document_counts, read_truth, scores_of_counts
from tests.conftest import shared_file

VARIANTS = ("base", "continue", "kire")
SEEDS = (1, 2, 3)


def fake_submission(truth: Truth, rng: random.Random, keep: float) -> list[dict]:
    """Each gold fact with probability ``keep``, plus random wrong relations on gold pairs."""
    records = []
    for (title, h, t, r) in truth.gold:
        if rng.random() < keep:
            records.append({"title": title, "h_idx": h, "t_idx": t, "r": r})
        if rng.random() < 0.3:
            records.append({"title": title, "h_idx": h, "t_idx": t, "r": "P0"})
    return records


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    """30 Re-DocRED dev documents, runs of base/continue/kire x 3 seeds with real submissions."""
    root = tmp_path_factory.mktemp("cmp")
    docs = json.loads(shared_file("redocred/dev_revised.json").read_text())[:30]
    (root / "docs" / "red").mkdir(parents=True)
    (root / "docs" / "red" / "dev.json").write_text(json.dumps(docs))
    (root / "docs" / "red" / "train.json").write_text(json.dumps(docs[:10]))
    truth = read_truth(root / "docs" / "red" / "dev.json")
    from kire.eval.metric import read_train_facts

    facts = read_train_facts(root / "docs" / "red" / "train.json")
    for variant, keep in zip(VARIANTS, (0.4, 0.6, 0.5)):
        for seed in SEEDS:
            run = root / "results" / "red" / "bilstm" / variant / f"seed{seed}"
            run.mkdir(parents=True)
            records = fake_submission(truth, random.Random(hash((variant, seed)) % 10_000), keep)
            (run / "result_dev.json").write_text(json.dumps(records))
            scores = official_scores(truth, records, facts)
            (run / "metrics.json").write_text(json.dumps({"dev": {**{k: scores[k] for k in ("f1", "ign_f1", "p", "r")},
                                                                  "theta": 0.5}, "test": None}))
            lines = [{"epoch": e, "dev_f1": 0.1 * e, "loss": 1.0 / e} for e in range(1, 4)]
            (run / "metrics.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines))
    return root, truth, facts


def test_document_counts_sum_to_the_official_counts(tree):
    root, truth, facts = tree
    records = json.loads((root / "results/red/bilstm/kire/seed1/result_dev.json").read_text())
    counts = document_counts(truth, records, facts)
    whole = official_scores(truth, records, facts)
    for field in ("n_pred", "n_gold", "n_correct", "n_correct_in_train"):
        assert sum(c[field] for c in counts.values()) == whole[field]
    summed = np.array([[sum(c[f] for c in counts.values()) for f in
                        ("n_pred", "n_gold", "n_correct", "n_correct_in_train")]])
    again = scores_of_counts(summed)
    assert again["f1"][0] == pytest.approx(whole["f1"], abs=1e-12)
    assert again["ign_f1"][0] == pytest.approx(whole["ign_f1"], abs=1e-12)


def test_paired_differences_t_interval_and_bootstrap(tree):
    root, truth, facts = tree
    grid = Grid(["red"], ["bilstm"], list(VARIANTS), list(SEEDS))
    results = collect(root / "results", grid)
    counts = grid_document_counts(root / "results", grid.runs(), root / "docs")
    table = comparison_table(results, counts)
    row = table[(table.variant == "kire") & (table.metric == "f1") & (table.split == "dev")].iloc[0]
    f1 = {(v, s): 100 * json.loads((root / f"results/red/bilstm/{v}/seed{s}/metrics.json").read_text())["dev"]["f1"]
          for v in VARIANTS for s in SEEDS}
    diffs = [f1["kire", s] - f1["continue", s] for s in SEEDS]
    assert row["diff_mean"] == pytest.approx(np.mean(diffs), abs=1e-9)
    assert row["diff_std"] == pytest.approx(np.std(diffs, ddof=1), abs=1e-9)
    half = 4.302652729749462 * np.std(diffs, ddof=1) / np.sqrt(3)  # t_{0.975, 2}
    assert (row["t_low"], row["t_high"]) == pytest.approx((np.mean(diffs) - half, np.mean(diffs) + half))
    # the bootstrap, written independently: resample titles, recompute each run's F1 from scratch
    titles = sorted(truth.mention_names)
    weights = resample_weights(len(titles))
    boots = []
    for b in range(BOOTSTRAP_RESAMPLES):
        drawn = [t for t, w in zip(titles, weights[b]) for _ in range(w)]
        total = 0.0
        for s in SEEDS:
            per = {}
            for v in ("kire", "continue"):
                recs = json.loads((root / f"results/red/bilstm/{v}/seed{s}/result_dev.json").read_text())
                c = document_counts(truth, recs, facts)
                pred = sum(c[t]["n_pred"] for t in drawn)
                gold = sum(c[t]["n_gold"] for t in drawn)
                corr = sum(c[t]["n_correct"] for t in drawn)
                p, r = (corr / pred if pred else 0.0), (corr / gold if gold else 0.0)
                per[v] = 0.0 if p + r == 0 else 2 * p * r / (p + r)
            total += per["kire"] - per["continue"]
        boots.append(100 * total / len(SEEDS))
        if b == 99:
            break  # 100 resamples are enough to check the arithmetic
    low, high = np.percentile(boots, [2.5, 97.5])
    from kire.report.compare import bootstrap_interval

    pairs = [(counts.arrays["red", "bilstm", "kire", s], counts.arrays["red", "bilstm", "continue", s]) for s in SEEDS]
    assert bootstrap_interval(pairs, weights[:100], "f1") == pytest.approx((low, high), abs=1e-9)
    assert row["boot_low"] <= row["diff_mean"] <= row["boot_high"]
    assert row["n_resamples"] == BOOTSTRAP_RESAMPLES and row["n_docs"] == 30
    # seeded: the same table twice
    again = comparison_table(results, counts)
    assert again.equals(table)
    # continue is the reference, base is compared too (base - continue)
    assert table[table.variant == "continue"]["diffs"].eq("").all()
    assert table[(table.variant == "base") & (table.metric == "f1")]["diffs"].iloc[0]


def test_t_interval_needs_two_seeds():
    assert all(np.isnan(t_interval(np.array([1.0]))))


def test_report_shows_the_comparison_and_reads_as_words(tree, tmp_path):
    root, _, _ = tree
    files = {p.name for p in write_report(root / "results", tmp_path / "rep", docs_dir=root / "docs")}
    assert {"table_comparison.md", "table_comparison.csv", "comparison.png", "table_breakdowns.md"} <= files
    md = (tmp_path / "rep" / "table_comparison.md").read_text()
    assert "ΔF1 vs continue" in md and "must not be read" in md and "bootstrap" in md
    row = next(line for line in md.splitlines() if "| + KIRE |" in line)
    assert "[" in row.split("|")[-2]  # the bootstrap interval is filled in


def test_bars_start_at_zero_error_bars_need_two_seeds_and_stage2_follows_base(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pandas as pd

    from kire.report import plots

    summary = pd.DataFrame([
        {"dataset": "d", "split": "dev", "metric": m, "model": "bilstm", "variant": v, "mean": 40.0 + i,
         "std": 1.0, "n_seeds": n}
        for m in ("ign_f1", "f1") for i, (v, n) in enumerate((("base", 1), ("kire", 2)))])
    captured = {}
    original = plots._save

    def keep(fig, path):
        captured["fig"] = fig
        return original(fig, path)

    plots._save = keep
    try:
        plots.variant_bars(summary, ["d"], ["bilstm"], ["base", "kire"], "t", tmp_path / "b.png")
    finally:
        plots._save = original
    fig = captured["fig"]
    ax = fig.axes[0]
    assert ax.get_ylim()[0] == 0.0
    from matplotlib.container import BarContainer

    bars = [c for c in ax.containers if isinstance(c, BarContainer)]
    assert len(bars) == 2 and bars[0].errorbar is None and bars[1].errorbar is not None  # 1 seed, 2 seeds
    assert any("n = 1/2 seed(s)" in t.get_text() for t in fig.texts)
    assert fig.legends and ax.get_legend() is None  # outside the axes
    plt.close(fig)
    curves = pd.DataFrame(
        [("d", "m", "base", 1, e, "dev_f1", v) for e, v in ((1, .1), (2, .3), (3, .2))]
        + [("d", "m", "kire", 1, e, "dev_f1", .3) for e in (1, 2)],
        columns=["dataset", "model", "variant", "seed", "epoch", "metric", "value"])
    assert plots.stage2_offsets(curves) == {("d", "m", 1): 2}  # stage 2 starts after base epoch 2
    assert plots.panel_colors(["base", "continue", "kire", "a", "b"])["kire"] == plots.REFERENCE_COLORS["kire"]
    assert len(set(plots.panel_colors(["base", "kire", *"abcdefghij"]).values())) == 12
