"""Threshold-free scores per breakdown group: does the knowledge channel rank a KG-stated fact higher?

Recall and F1 per group (``kire eval``'s breakdowns, benchmarks/stage2_control.py) are read at each
run's own theta, tuned on all dev pairs at once: a run whose theta rises scores lower recall on
every group even when it ranks the facts of one group better. This script scores every candidate
(pair, relation) of the dev split with each run's saved model and reports, per group, the
**average precision** (area under the precision-recall curve; scikit-learn's
``average_precision_score``) of the gold facts among that group's candidates, and the mean score
of the gold facts, for the groups of ``kire eval``: pair joined by a KG edge of the given subgraph
or not (``kg_edge``), entities linked both / one / none (``linking``).

OUT is a benchmarks/stage2_control.py output folder (``OUT/<run>/seed<k>/``); each run is paired
per seed with ``--control`` (default ``continue``): differences per seed, mean ± std and the 95% Student-t interval over
seeds (kire.report.compare.t_interval). Writes ``OUT/group_average_precision.json`` too.

    .venv/bin/python benchmarks/group_average_precision.py --out /tmp/conv2 --results R \\
        --dataset redocred --kg-subgraph R_NONE/subgraph/redocred --links R/links/redocred/links.parquet \\
        --runs continue kire kire-unfiltered --seeds 1 2 3

``--results`` is the workflow results folder the runs were trained on (its docs/<dataset>/);
each run's knowledge inputs come from its model.json. About 10 s per run on one CPU thread.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

import numpy as np

GROUPINGS = {"kg_edge": ("edge", "no_edge"), "linking": ("both", "one", "none")}


def run_group_scores(run_dir: Path, splits: dict, truth, knowledge, threads: int) -> dict[str, dict[str, float]]:
    """``{"kg_edge/edge": {"ap": %, "gold": n, "mean_gold_score": s}, ...}`` of one saved run on dev."""
    import torch
    from sklearn.metrics import average_precision_score

    from kire.models.features import pair_row
    from kire.train.run import load_pipeline
    from kire.train.scores import relation_scores

    torch.set_num_threads(threads)
    pipeline, _ = load_pipeline(run_dir, splits)
    model = pipeline.model
    features = [model.featurize(doc, i) for i, doc in enumerate(splits["dev"])]
    scores = relation_scores(pipeline, features, "dev", 4, torch.device("cpu"))
    column = {r: i for i, r in enumerate(model.space.relations)}
    parts: dict[str, tuple[list, list]] = {f"{k}/{g}": ([], []) for k, gs in GROUPINGS.items() for g in gs}
    for f, s in zip(features, scores):
        gold = np.zeros(s.shape, dtype=bool)
        for (_, h, t, r) in truth.by_title.get(f.title, ()):
            if r in column:
                gold[pair_row(f.n_entities, h, t), column[r]] = True
        for h in range(f.n_entities):
            for t in range(f.n_entities):
                if h == t:
                    continue
                row = pair_row(f.n_entities, h, t)
                for key, group in (("kg_edge", knowledge.edge_group), ("linking", knowledge.linked_group)):
                    if (key == "kg_edge" and knowledge.kg_pairs is None) or (key == "linking" and knowledge.linked is None):
                        continue
                    bucket = parts[f"{key}/{group(truth, f.title, h, t)}"]
                    bucket[0].append(s[row])
                    bucket[1].append(gold[row])
    out = {}
    for name, (rows, golds) in parts.items():
        if not rows:
            continue
        flat, hits = np.concatenate(rows), np.concatenate(golds)
        out[name] = {"gold": int(hits.sum()),
                     "ap": 100 * float(average_precision_score(hits, flat)) if hits.any() else float("nan"),
                     "mean_gold_score": float(flat[hits].mean()) if hits.any() else float("nan")}
    return out


def mean_std(values: list[float], sign: str = "") -> str:
    """``mean ± sample std`` of already-scaled values, 2 decimals (``sign="+"``: signed mean)."""
    std = statistics.stdev(values) if len(values) > 1 else 0.0
    return f"{statistics.mean(values):{sign}.2f} ± {std:.2f}"


def tables(results: dict[str, dict[int, dict]], seeds: list[int], control: str = "continue") -> list[str]:
    """Markdown: AP per group and run; then each run minus ``control``, paired by seed."""
    from kire.report.compare import t_interval

    groups = [g for g in next(iter(results.values()))[seeds[0]]]
    lines = ["Dev average precision (%) of the gold facts per group, mean ± std over seeds "
             "(gold facts in the group in brackets):", "",
             "| run | " + " | ".join(f"{g} ({results[next(iter(results))][seeds[0]][g]['gold']})" for g in groups) + " |",
             "|---|" + "---|" * len(groups)]
    for run, by_seed in results.items():
        lines.append(f"| {run} | " + " | ".join(mean_std([by_seed[s][g]["ap"] for s in seeds]) for g in groups) + " |")
    if control in results:
        lines += ["", f"| run - {control} | group | per seed | mean ± std | 95% t over seeds |", "|---|---|---|---|---|"]
        for run, by_seed in results.items():
            if run == control:
                continue
            for g in groups:
                diffs = np.array([by_seed[s][g]["ap"] - results[control][s][g]["ap"] for s in seeds])
                low, high = t_interval(diffs)
                interval = "n/a (one seed)" if len(diffs) < 2 else f"[{low:+.2f}, {high:+.2f}]"
                lines.append(f"| {run} - {control} | {g} | {' / '.join(f'{d:+.2f}' for d in diffs)} | "
                             f"{mean_std(list(diffs), '+')} | {interval} |")
    return lines


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True, help="stage2_control.py output folder (<run>/seed<k>/)")
    ap.add_argument("--results", required=True, help="workflow results folder (docs/<dataset>/)")
    ap.add_argument("--dataset", required=True)
    ap.add_argument("--kg-subgraph", help="subgraph folder whose dev/ defines the KG-edge pairs")
    ap.add_argument("--links", help="links table (linked both / one / none)")
    ap.add_argument("--runs", nargs="+", required=True, help="run names under --out (include --control)")
    ap.add_argument("--control", default="continue", help="the run the others are paired with (default: continue)")
    ap.add_argument("--seeds", nargs="+", type=int, default=[1, 2, 3])
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    if not (args.kg_subgraph or args.links):
        ap.error("give --kg-subgraph and/or --links: they define the groups")
    if args.control not in args.runs:
        ap.error(f"--control {args.control!r} is not one of --runs")
    missing = [str(Path(args.out) / r / f"seed{s}") for r in args.runs for s in args.seeds
               if not (Path(args.out) / r / f"seed{s}" / "model.safetensors").is_file()]
    if missing:
        ap.error(f"no saved model in {', '.join(missing)}")
    from kire.docs.read import read_split
    from kire.eval.knowledge import pair_knowledge
    from kire.eval.metric import Truth
    from kire.io import write_json_atomic

    docs = Path(args.results) / "docs" / args.dataset
    splits = {s: read_split(str(docs / s)) for s in ("train", "dev")}
    truth = Truth.from_documents(splits["dev"], str(docs / "dev"))
    knowledge = pair_knowledge(truth, "dev", args.links, args.kg_subgraph)
    results: dict[str, dict[int, dict]] = {}
    for run in args.runs:
        results[run] = {}
        for seed in args.seeds:
            results[run][seed] = run_group_scores(Path(args.out) / run / f"seed{seed}", splits, truth, knowledge,
                                                  args.threads)
            print(f"scored {run} seed {seed}", file=sys.stderr, flush=True)
    print("\n".join(tables(results, args.seeds, args.control)))
    write_json_atomic(Path(args.out) / "group_average_precision.json",
                      {run: {str(s): v for s, v in by_seed.items()} for run, by_seed in results.items()})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
