"""Write a whole report into one folder (``results/report/`` by default).

Files (each figure and table only when the grid has runs for it):

``report.md``            every table below with its notes, and the figures
``table_main.md|csv``    Table 2/3 layout: base, +KIRE and competitor rows (dev and test)
``table_comparison.md|csv``, ``comparison.png``  every stage-2 variant against the ``continue`` control:
                         per-seed paired changes, mean ± std, 95% t-interval over seeds, 95% paired
                         bootstrap interval over documents (kire.report.compare)
``table_mentions.md|csv`` Table 4: dev scores by average mention count; absolute scores and the
                         change against continue (base when the grid has none) in separate columns
``table_breakdowns.md|csv`` every other breakdown of ``kire eval`` (intra/inter sentence, > 5 sentences
                         apart, frequent/long-tail relations, linked entities, KG edge) alike
``table_ablation.md|csv``, ``ablation.png``      Fig. 3: ablations and simple variants
``table_graph.md|csv``,    ``graph_encoders.png`` Fig. 4: graph encoders
``training_curves.png``  per-epoch dev F1; stage-2 runs start after their base's best epoch

CSV tables have one row per (dataset, model, variant, split, metric) of the grid: mean, std,
n_seeds, n_expected in percent, and ``note`` saying why a number is absent (empty mean).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from kire.io import atomic_dir
from kire.report.collect import MENTION_BUCKETS, Grid, Results, collect
from kire.report.compare import BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED, comparison_table
from kire.report.documents import grid_document_counts
from kire.report.layer_settings import layer_settings_section
from kire.report.plots import comparison_bars, training_curves, variant_bars
from kire.report.tables import (Notes, breakdown_table, comparison_rows, markdown_table, reference_variant,
                                score_table, summarize)
from kire.report.labels import (ABLATION_VARIANTS, BASE, CONTINUE, GRAPH_VARIANTS, KIRE, compared_variants,
                                variant_group)


INSPECT_DIR = "inspect"  # the inspect pages of the runs (kire inspect), kept when the report is rewritten

BREAKDOWN_TITLES = {
    "sentences": "Intra- vs inter-sentence pairs",
    "sentence_distance": "Inter-sentence pairs more than 5 sentences apart",
    "relations": "Re-DocRED's frequent vs long-tail relations",
    "linking": "Entities of the pair linked to the KG: both / one / none",
    "kg_edge": "Pair joined by a KG edge (in the split's subgraph) or not",
}


def report_files(variants: list[str]) -> list[tuple[str, str | None]]:
    """``(file name, figure/table group)`` of every file :func:`write_report` writes for a grid with
    ``variants``; the group names the file's caption (workflow/report/<group>.rst), None for CSVs."""
    files = [("report.md", "report_md"), ("table_main.md", "table_main"), ("table_main.csv", None),
             ("training_curves.png", "training_curves")]
    if len(compared_variants(variants)) > 1:
        files += [("table_comparison.md", "table_comparison"), ("table_comparison.csv", None),
                  ("comparison.png", "comparison")]
    files += [("table_breakdowns.md", "table_breakdowns"), ("table_breakdowns.csv", None)]
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


COMPARISON_NOTE = (
    "Every stage-2 variant continues training a base run; `continue` continues it the same way and adds "
    "nothing. So the change against **continue** is the effect of what a variant adds (knowledge, a "
    "module); the change against base also contains the effect of the extra epochs and must not be read "
    "as the effect of knowledge. Base is shown for reference only (its row: base minus continue).")


def overlap_warnings(docs_dir: str | Path, datasets) -> list[str]:
    """Markdown lines warning that a dataset's splits share documents (``overlap.shared`` of the
    ``<docs_dir>/<dataset>/report.json`` that ``kire docs prepare`` writes); [] when none do.

    A dev document that is also a training document scores far too high (and its Ign F1 far too
    low), so the report says so beside the scores, not only in the prepare_docs log."""
    lines = []
    for dataset in datasets:
        path = Path(docs_dir) / dataset / "report.json"
        if not path.is_file():
            continue
        overlap = json.loads(path.read_text(encoding="utf-8")).get("overlap") or {}
        shared = {pair: n for pair, n in (overlap.get("shared") or {}).items() if n}
        if shared:
            pairs = ", ".join(f"{pair}: {n}" for pair, n in shared.items())
            lines.append(f"**Warning: {dataset}'s splits share documents** ({pairs}; docs.on_overlap: "
                         f"{overlap.get('on_overlap', 'warn')}; {path}). Scores on a split that shares "
                         "documents with train overstate the model.")
    return lines + [""] if lines else []


def write_report(results_dir: str | Path, out_dir: str | Path, grid: Grid | None = None,
                 docs_dir: str | Path | None = None) -> list[Path]:
    """Collect the runs of ``grid`` (default: those found) under ``results_dir``; write the report.

    ``docs_dir`` (default ``results_dir/docs``) holds each dataset's document tables
    (``<dataset>/dev``, ``<dataset>/train``), from which the bootstrap over documents counts each
    run's ``result_dev.json``; without them the bootstrap columns say so.

    The folder is written beside ``out_dir`` and swapped in at the end: a failed report leaves the
    previous one intact; its ``inspect/`` pages are carried over. Returns the files written.
    """
    results = collect(results_dir, grid)
    g = results.grid
    main = [v for v in g.variants if variant_group(v) == "main"]
    main = [v for v in (BASE, CONTINUE) if v in main] + [v for v in main if v not in (BASE, CONTINUE)]
    expected = {name for name, _ in report_files(g.variants)}
    ablation = ([v for v in (BASE, CONTINUE, KIRE) if v in g.variants] + [v for v in g.variants if v in ABLATION_VARIANTS]
                if "ablation.png" in expected else [])
    graph = [v for v in g.variants if v in GRAPH_VARIANTS]
    summary = summarize(results)
    out_dir = Path(out_dir)
    sections = ["# Results report", "",
                f"Runs expected: {len(g.runs())} ({len(g.datasets)} datasets x {len(g.models)} models x "
                f"{len(g.variants)} variants x {len(g.seeds)} seeds); found: {len(g.runs()) - len(results.missing)}. "
                "Scores in percent, mean ± sample std over seeds.", ""]
    docs_dir = docs_dir if docs_dir is not None else Path(results_dir) / "docs"
    sections += overlap_warnings(docs_dir, g.datasets)
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
        title = "Table 2/3: base models, + KIRE and competitor injections"
        if len(compared_variants(g.variants)) > 1:
            title += " " + notes.mark(
                "absolute scores: a stage-2 row trained more epochs than its base row; the effect of what "
                "a variant adds is its change against continue (table_comparison.md).")
        table_section("table_main", title, header, rows, notes, _grid_csv(results, main))
        sections += layer_settings_section(results_dir, [k for k in g.runs() if k not in results.missing])

        if "table_comparison.md" in expected:
            compared = compared_variants(g.variants)
            counts = grid_document_counts(results_dir, [k for k in g.runs() if k.variant in compared], docs_dir)
            comparison = comparison_table(results, counts)
            notes = Notes()
            md = ["## Stage-2 variants against the continue control", "", COMPARISON_NOTE, "",
                  f"Bootstrap: {BOOTSTRAP_RESAMPLES} paired resamples of the dev documents (numpy seed "
                  f"{BOOTSTRAP_SEED}), percentile interval; t-interval: Student t over the per-seed differences.",
                  ""]
            for split in ("dev", "test"):
                for metric in ("f1", "ign_f1"):
                    header, rows = comparison_rows(comparison, split, metric, notes)
                    if rows:
                        md += [markdown_table(header, rows), ""]
            if CONTINUE not in g.variants:
                md.append("No `continue` runs in this grid: no change can be given; add `continue` to "
                          "experiments.variants.\n")
            if notes.texts:
                md.append(notes.markdown() + "\n")
            text = "\n".join(md)
            (tmp / "table_comparison.md").write_text(text, encoding="utf-8")
            comparison.to_csv(tmp / "table_comparison.csv", index=False, float_format="%.4f")
            comparison_bars(comparison, g.datasets, g.models, g.variants, tmp / "comparison.png")
            sections += [text, "![change against continue](comparison.png)\n"]

        if "table_mentions.md" in expected:
            notes = Notes()
            header, rows, stats = breakdown_table(results, "mentions", list(MENTION_BUCKETS), notes)
            table_section("table_mentions", "Table 4: dev scores by average mention count of a pair "
                          f"(absolute; ΔF1: change against {reference_variant(g.variants)})",
                          header, rows, notes, stats)

        kinds = [k for k in dict.fromkeys(results.buckets.breakdown) if k != "mentions"]
        md, tables, notes = ["## Benchmark breakdowns (dev)", ""], [], Notes()
        for kind in kinds:
            buckets = list(dict.fromkeys(results.buckets[results.buckets.breakdown == kind].bucket))
            header, rows, stats = breakdown_table(results, kind, buckets, notes)
            md += [f"### {BREAKDOWN_TITLES.get(kind, kind)}", "", markdown_table(header, rows), ""]
            tables.append(stats.assign(breakdown=kind))
        if not kinds:
            md.append("The runs' metrics.json hold no breakdowns besides the mention counts.\n")
        if notes.texts:
            md.append(notes.markdown() + "\n")
        (tmp / "table_breakdowns.md").write_text("\n".join(md), encoding="utf-8")
        (pd.concat(tables) if tables else pd.DataFrame()).to_csv(tmp / "table_breakdowns.csv", index=False,
                                                                 float_format="%.4f")
        sections.append("\n".join(md))

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
        sections.append("## Training curves\n\nA stage-2 run is drawn after the best epoch of the base run "
                        "it started from.\n\n![training curves](training_curves.png)\n")
        (tmp / "report.md").write_text("\n".join(sections), encoding="utf-8")
        written = sorted(p.name for p in tmp.iterdir())
        # the inspect pages (rule inspect_run, done before rule report) live in the same folder
        if (out_dir / INSPECT_DIR).is_dir():
            (out_dir / INSPECT_DIR).rename(tmp / INSPECT_DIR)
    return [out_dir / name for name in written]
