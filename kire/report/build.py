"""Write a whole report into one folder (``results/report/`` by default).

Files (each figure and table only when the grid has runs for it):

``report.md``            every table below with its notes, and the figures
``table_main.md|csv``    Table 2/3 layout: base, +KIRE and competitor rows (dev and test)
``table_mentions.md|csv`` Table 4: dev scores by average mention count, +KIRE as change vs base
``table_ablation.md|csv``, ``ablation.png``      Fig. 3: ablations and simple variants
``table_graph.md|csv``,    ``graph_encoders.png`` Fig. 4: graph encoders
``training_curves.png``  per-epoch dev score and loss

CSV tables have one row per (dataset, model, variant, split, metric) of the grid: mean, std,
n_seeds, n_expected in percent, and ``note`` saying why a number is absent (empty mean).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from kire.io import atomic_dir
from kire.report.collect import Grid, Results, collect
from kire.report.plots import training_curves, variant_bars
from kire.report.tables import Notes, markdown_table, mention_table, score_table, summarize
from kire.report.labels import (ABLATION_VARIANTS, BASE, GRAPH_VARIANTS, KIRE, variant_group)


def report_files(variants: list[str]) -> list[tuple[str, str | None]]:
    """``(file name, figure/table group)`` of every file :func:`write_report` writes for a grid with
    ``variants``; the group names the file's caption (workflow/report/<group>.rst), None for CSVs."""
    files = [("report.md", "report_md"), ("table_main.md", "table_main"), ("table_main.csv", None),
             ("training_curves.png", "training_curves")]
    if set(variants) & {BASE, KIRE}:
        files += [("table_mentions.md", "table_mentions"), ("table_mentions.csv", None)]
    if set(variants) & set(ABLATION_VARIANTS):
        files += [("ablation.png", "ablation"), ("table_ablation.md", None), ("table_ablation.csv", None)]
    if set(variants) & set(GRAPH_VARIANTS):
        files += [("graph_encoders.png", "graph_encoders"), ("table_graph.md", None), ("table_graph.csv", None)]
    return files


def _grid_csv(results: Results, variants: list[str], splits=("dev", "test"),
              metrics=("ign_f1", "f1", "p", "r", "theta")) -> pd.DataFrame:
    stats = summarize(results)
    index = pd.DataFrame(
        [(d, m, v, s, k) for d in results.grid.datasets for m in results.grid.models for v in variants
         for s in splits for k in metrics],
        columns=["dataset", "model", "variant", "split", "metric"])
    table = index.merge(stats, how="left", on=["dataset", "model", "variant", "split", "metric"])
    missing = {(k.dataset, k.model, k.variant) for k in results.missing}
    notes = []
    for _, r in table.iterrows():
        if not pd.isna(r["mean"]):
            notes.append("" if r["n_seeds"] == r["n_expected"]
                         else f"{int(r['n_seeds'])} of {int(r['n_expected'])} seeds")
        elif (r.dataset, r.model, r.variant) in missing and not (
                (stats.dataset == r.dataset) & (stats.model == r.model) & (stats.variant == r.variant)).any():
            notes.append("run missing")
        elif r.split == "test":
            notes.append("test file has no labels")
        else:
            notes.append(f"metrics.json has no {r.split} {r.metric}")
    table["n_expected"] = len(results.grid.seeds)
    table["note"] = notes
    return table


def write_report(results_dir: str | Path, out_dir: str | Path, grid: Grid | None = None) -> list[Path]:
    """Collect the runs of ``grid`` (default: those found) under ``results_dir``; write the report.

    The folder is written beside ``out_dir`` and swapped in at the end: a failed report leaves the
    previous one intact. Returns the files written.
    """
    results = collect(results_dir, grid)
    g = results.grid
    main = [v for v in g.variants if variant_group(v) == "main"]
    expected = {name for name, _ in report_files(g.variants)}
    ablation = ([v for v in (BASE, KIRE) if v in g.variants] + [v for v in g.variants if v in ABLATION_VARIANTS]
                if "ablation.png" in expected else [])
    graph = [v for v in g.variants if v in GRAPH_VARIANTS]
    summary = summarize(results)
    out_dir = Path(out_dir)
    sections = ["# Results report", "",
                f"Runs expected: {len(g.runs())} ({len(g.datasets)} datasets x {len(g.models)} models x "
                f"{len(g.variants)} variants x {len(g.seeds)} seeds); found: {len(g.runs()) - len(results.missing)}. "
                "Scores in percent, mean ± sample std over seeds.", ""]
    with atomic_dir(out_dir) as tmp:
        def table_section(name: str, title: str, header, rows, notes: Notes, csv: pd.DataFrame) -> None:
            md = f"## {title}\n\n{markdown_table(header, rows)}\n"
            if notes.texts:
                md += "\n" + notes.markdown() + "\n"
            (tmp / f"{name}.md").write_text(md, encoding="utf-8")
            csv.to_csv(tmp / f"{name}.csv", index=False, float_format="%.4f")
            sections.append(md)

        notes = Notes()
        header, rows = score_table(results, main, notes)
        table_section("table_main", "Table 2/3: base models, + KIRE and competitor injections",
                      header, rows, notes, _grid_csv(results, main))

        if "table_mentions.md" in expected:
            notes = Notes()
            header, rows, stats = mention_table(results, notes)
            table_section("table_mentions", "Table 4: dev scores by average mention count of a pair "
                          "(+ KIRE rows: change vs the base model)", header, rows, notes, stats)

        for name, variants, title, png, fig_title in (
                ("table_ablation", ablation, "Fig. 3: ablation study", "ablation.png", "Ablation study (dev)"),
                ("table_graph", graph, "Fig. 4: graph encoders", "graph_encoders.png",
                 "Graph encoders (dev; no coreference and attribute encoding)")):
            if not variants:
                continue
            notes = Notes()
            header, rows = score_table(results, variants, notes)
            table_section(name, title, header, rows, notes, _grid_csv(results, variants))
            variant_bars(summary, g.datasets, g.models, variants, fig_title, tmp / png)
            sections.append(f"![{title}]({png})\n")

        training_curves(results.curves, g.datasets, g.models, g.variants, tmp / "training_curves.png")
        sections.append("## Training curves\n\n![training curves](training_curves.png)\n")
        (tmp / "report.md").write_text("\n".join(sections), encoding="utf-8")
        written = sorted(p.name for p in tmp.iterdir())
    return [out_dir / name for name in written]
