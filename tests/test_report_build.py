"""The report builder on a small results tree written here (real input to the report code)."""

from __future__ import annotations

import json
import statistics

import pytest

from kire.errors import InputError
from kire.report.build import write_report
from kire.report.collect import Grid, collect, read_metrics

MODELS = ("bilstm", "cnn")
VARIANTS = ("base", "kire", "reside", "no_kg", "graph_gcn")


def fake_score(model: str, variant: str, seed: int, split: str) -> float:
    """A distinct, known F1 per run, so that expected means are computable in the test."""
    return round(0.40 + 0.01 * MODELS.index(model) + 0.02 * VARIANTS.index(variant)
                 + 0.001 * seed + (0.005 if split == "test" else 0.0), 6)


def write_run(root, dataset, model, variant, seed, test=True, buckets=True, epochs=3):
    run = root / dataset / model / variant / f"seed{seed}"
    run.mkdir(parents=True)
    metrics = {}
    for split in ("dev", "test") if test else ("dev",):
        f1 = fake_score(model, variant, seed, split)
        metrics[split] = {"f1": f1, "ign_f1": f1 - 0.02, "p": f1 + 0.01, "r": f1 - 0.01, "theta": 0.35}
        if buckets:
            metrics[split]["breakdowns"] = {"mentions": {
                b: {"f1": f1 + d, "ign_f1": f1 + d - 0.02, "n_gold": 10}
                for b, d in (("1", -0.01), ("(1,3]", 0.0), (">3", 0.01))}}
    (run / "metrics.json").write_text(json.dumps(metrics))
    lines = [json.dumps({"epoch": e, "dev_f1": 0.1 * e + 0.01 * seed, "loss": 1.0 / e})
             for e in range(1, epochs + 1)]
    (run / "metrics.jsonl").write_text("\n".join(lines) + "\n")


@pytest.fixture
def tree(tmp_path):
    """Two datasets (one without test labels) x 2 models x 5 variants x seeds 1-3, one run missing."""
    root = tmp_path / "results"
    for dataset, test in (("toy", True), ("unlab", False)):
        for model in MODELS:
            for variant in VARIANTS:
                for seed in (1, 2, 3):
                    if (dataset, model, variant, seed) == ("toy", "cnn", "reside", 3):
                        continue  # one seed missing
                    if (dataset, model, variant) == ("toy", "cnn", "no_kg"):
                        continue  # every seed missing
                    write_run(root, dataset, model, variant, seed, test=test)
    # a folder that is not a run must be ignored
    (root / "logs" / "train").mkdir(parents=True)
    return root


def test_report_files_and_main_table(tree, tmp_path):
    grid = Grid(["toy", "unlab"], list(MODELS), list(VARIANTS), [1, 2, 3])
    files = {p.name for p in write_report(tree, tmp_path / "report", grid)}
    assert {"report.md", "table_main.md", "table_main.csv", "table_mentions.md", "table_ablation.md",
            "ablation.png", "table_graph.md", "graph_encoders.png", "training_curves.png"} <= files
    for png in ("ablation.png", "graph_encoders.png", "training_curves.png"):
        assert (tmp_path / "report" / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    md = (tmp_path / "report" / "table_main.md").read_text()
    rows = {line.split(" | ")[0].strip("| "): line for line in md.splitlines() if line.startswith("| ")}
    # BiLSTM base, toy dev F1: mean and sample std of the three seeds, in percent
    values = [100 * fake_score("bilstm", "base", s, "dev") for s in (1, 2, 3)]
    expected = f"{statistics.mean(values):.2f} ± {statistics.stdev(values):.2f}"
    cells = [c.strip() for c in rows["BiLSTM"].strip("|").split("|")]
    header = [c.strip() for c in md.splitlines()[2].strip("|").split("|")]
    assert cells[header.index("toy dev F1")] == expected
    # competitor row present, ablation and graph variants not in the main table
    assert "BiLSTM + RESIDE" in rows and "BiLSTM + KIRE" in rows
    assert not any("w/o KG" in r or "GCN" in r for r in rows)
    # two of three seeds: a note says so
    cnn_reside = [c.strip() for c in rows["CNN + RESIDE"].strip("|").split("|")]
    assert "(" in cnn_reside[header.index("toy dev F1")]
    assert "2 of 3 seeds" in md
    # unlabeled test: dash with the reason, never a number
    assert cells[header.index("unlab test F1")].startswith("—")
    assert "no labels" in md


def test_missing_run_is_a_dash_with_note(tree, tmp_path):
    grid = Grid(["toy", "unlab"], list(MODELS), list(VARIANTS), [1, 2, 3])
    write_report(tree, tmp_path / "report", grid)
    md = (tmp_path / "report" / "table_ablation.md").read_text()
    row = next(l for l in md.splitlines() if l.startswith("| CNN w/o KG"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[1].startswith("—") and "toy/cnn/no_kg: no finished run" in md
    csv = (tmp_path / "report" / "table_ablation.csv").read_text()
    assert "run missing" in csv


def test_mentions_table_shows_absolute_scores_and_change_in_separate_columns(tree, tmp_path):
    grid = Grid(["toy"], ["bilstm"], ["base", "kire"], [1, 2, 3])
    write_report(tree, tmp_path / "report", grid)
    md = (tmp_path / "report" / "table_mentions.md").read_text()
    header = [c.strip() for c in md.splitlines()[2].strip("|").split("|")]
    kire = [c.strip() for c in next(l for l in md.splitlines() if l.startswith("| BiLSTM + KIRE")).strip("|").split("|")]
    # no continue runs in this grid: the change is taken against base; kire is 2 points above it
    delta = [i for i, h in enumerate(header) if "ΔF1 vs base" in h]
    assert len(delta) == 3 and all(kire[i] == "+2.00" for i in delta)
    f1 = header.index("toy 1 F1")
    values = [100 * (fake_score("bilstm", "kire", s, "dev") - 0.01) for s in (1, 2, 3)]
    assert kire[f1] == f"{statistics.mean(values):.2f} ± {statistics.stdev(values):.2f}"  # absolute


def test_discovered_grid_and_bad_metrics(tree, tmp_path):
    results = collect(tree)
    assert results.grid.datasets == ["toy", "unlab"]
    assert results.grid.variants[:2] == ["base", "kire"]
    bad = tree / "toy" / "bilstm" / "base" / "seed1" / "metrics.json"
    bad.write_text(json.dumps({"dev": {"f1": 52.3, "ign_f1": 0.5}}))
    with pytest.raises(InputError, match=r"metrics.json: field dev.f1: 52.3 is outside"):
        read_metrics(bad)
    bad.write_text(json.dumps({"test": {"f1": 0.5, "ign_f1": 0.5}}))
    with pytest.raises(InputError, match="field dev"):
        collect(tree)


def test_cli_writes_report(tree, tmp_path, capsys):
    import argparse

    from kire.report.cli import register

    # only this stage's parser: the test does not depend on other stages being importable
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers())
    out = tmp_path / "rep"
    args = parser.parse_args(["report", "--results", str(tree), "--out", str(out), "--datasets", "toy",
                 "--models", "bilstm", "--variants", "base", "kire", "--seeds", "1", "2", "3"])
    assert args.func(args) == 0
    assert (out / "table_main.csv").is_file()
    assert "table_main.md" in capsys.readouterr().out


def test_single_seed_grid_has_no_std(tree, tmp_path):
    write_report(tree, tmp_path / "report", Grid(["toy"], ["bilstm"], ["base"], [1]))
    md = (tmp_path / "report" / "table_main.md").read_text()
    row = next(l for l in md.splitlines() if l.startswith("| BiLSTM |"))
    assert f"{100 * fake_score('bilstm', 'base', 1, 'dev'):.2f} (a)" in row and "±" not in row
    assert "no standard deviation" in md


def test_rewriting_the_report_keeps_the_inspect_pages(tree, tmp_path):
    grid = Grid(["toy"], ["bilstm"], ["base", "kire"], [1, 2, 3])
    page = tmp_path / "report" / "inspect" / "toy" / "bilstm" / "base" / "seed1.html"
    page.parent.mkdir(parents=True)
    page.write_text("<p>page</p>")
    write_report(tree, tmp_path / "report", grid)
    assert page.read_text() == "<p>page</p>" and (tmp_path / "report" / "table_main.md").is_file()


def test_documents_shared_across_splits_are_warned_about_in_the_report(tree, tmp_path):
    """kire docs prepare's overlap count reaches report.md, not only the prepare_docs log."""
    import json as _json

    docs = tmp_path / "docs"
    (docs / "toy").mkdir(parents=True)
    (docs / "toy" / "report.json").write_text(_json.dumps(
        {"overlap": {"on_overlap": "warn", "shared": {"train-dev": 2, "train-test": 0, "dev-test": 0}}}))
    (docs / "unlab").mkdir()
    (docs / "unlab" / "report.json").write_text(_json.dumps({"overlap": {"shared": {"train-dev": 0}}}))
    grid = Grid(["toy", "unlab"], list(MODELS), list(VARIANTS), [1, 2, 3])
    write_report(tree, tmp_path / "report", grid, docs_dir=docs)
    md = (tmp_path / "report" / "report.md").read_text()
    assert "toy's splits share documents** (train-dev: 2;" in md
    assert "unlab's splits share" not in md
