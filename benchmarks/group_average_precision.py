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
seeds (kire.report.compare.t_interval). Writes the scores to ``--json`` (default
``OUT/group_average_precision.json``) too, merged into what that file holds: the runs and seeds
scored now replace theirs, the others are kept, and a file whose groups count other gold facts
(other --dataset, --links or --kg-subgraph) is an error, never overwritten.

    .venv/bin/python benchmarks/group_average_precision.py --out /tmp/conv2 --results R \\
        --dataset redocred --kg-subgraph R_NONE/subgraph/redocred --links R/links/redocred/links.parquet \\
        --runs continue kire kire-unfiltered --seeds 1 2 3

``--results`` is the workflow results folder the runs were trained on (its docs/<dataset>/);
each run's knowledge inputs come from its model.json. About 10 s per run on one CPU thread.
Bad arguments and bad input files end in one line naming them (exit status 2), no traceback:
a links table of another dataset (its ``dataset`` column), a subgraph that maps an entity to
another QID than the links table does.
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

    from kire.eval.metric import official_scores
    from kire.train.run import load_pipeline
    from kire.train.scores import candidate_correctness, relation_scores, submission

    torch.set_num_threads(threads)
    pipeline, _ = load_pipeline(run_dir, splits)
    model = pipeline.model
    features = [model.featurize(doc, i) for i, doc in enumerate(splits["dev"])]
    scores = relation_scores(pipeline, features, "dev", 4, torch.device("cpu"))
    check_saved_dev_f1(run_dir, official_scores(truth, submission(features, scores, theta_of(run_dir),
                                                                  model.space.relations), set())["f1"])
    # every candidate (pair, relation) score and whether it is gold, documents in order, each
    # document's pairs in entity_pairs order (h-major, no self-pairs) x its relation columns
    flat, hits = candidate_correctness(features, scores, truth, model.space.relations)
    groupings = [(key, group) for key, group, given in (("kg_edge", knowledge.edge_group, knowledge.kg_pairs),
                                                        ("linking", knowledge.linked_group, knowledge.linked))
                 if given is not None]
    n_columns = len(model.space.relations)
    labels = {key: np.repeat([f"{key}/{group(truth, f.title, h, t)}" for f in features
                              for h in range(f.n_entities) for t in range(f.n_entities) if h != t], n_columns)
              for key, group in groupings}
    parts = {name: (flat[of_key == name], hits[of_key == name])
             for key, of_key in labels.items() for name in (f"{key}/{g}" for g in GROUPINGS[key])}
    out = {}
    for name, (group_scores, gold) in parts.items():
        if not len(group_scores):
            continue
        out[name] = {"gold": int(gold.sum()),
                     "ap": 100 * float(average_precision_score(gold, group_scores)) if gold.any() else float("nan"),
                     "mean_gold_score": float(group_scores[gold].mean()) if gold.any() else float("nan")}
    return out


def saved_summary(run_dir: Path) -> dict:
    """The run's ``theta.json`` (kire.train.run: theta, dev_f1 in [0, 1], ...); InputError when unreadable."""
    import json

    from kire.errors import InputError

    path = run_dir / "theta.json"
    try:
        summary = json.loads(path.read_text(encoding="utf-8"))
        float(summary["theta"]), float(summary["dev_f1"])
    except FileNotFoundError:
        raise InputError(str(path), None, None, "not found: is this a finished training run folder?") from None
    except (json.JSONDecodeError, KeyError, TypeError, ValueError):
        raise InputError(str(path), None, "theta/dev_f1", "missing or not valid JSON numbers") from None
    return summary


def theta_of(run_dir: Path) -> float:
    """The threshold the run chose on dev (its theta.json)."""
    return float(saved_summary(run_dir)["theta"])


def check_saved_dev_f1(run_dir: Path, f1: float, tolerance: float = 0.005) -> None:
    """InputError when the dev F1 (in [0, 1]) of the rebuilt run at its own theta is not the one it
    saved: it is being scored on other documents than it was trained with, or rebuilt differently.
    ``tolerance`` allows the few predictions at theta that another batch size can flip."""
    from kire.errors import InputError

    saved = float(saved_summary(run_dir)["dev_f1"])
    if abs(f1 - saved) > tolerance:
        raise InputError(str(run_dir / "theta.json"), None, "dev_f1",
                         f"{100 * saved:.2f} when trained, {100 * f1:.2f} rebuilt on these dev documents: "
                         "other --results/--dataset than the run's, or a run rebuilt differently")


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


def checked_inputs(ap: argparse.ArgumentParser, args: argparse.Namespace) -> Path:
    """The documents folder ``RESULTS/docs/<dataset>``, after the checks that need no torch;
    a failed check ends the script through ``ap.error`` (one line, exit status 2)."""
    if not (args.kg_subgraph or args.links):
        ap.error("give --kg-subgraph and/or --links: they define the groups")
    for name, values in (("--runs", args.runs), ("--seeds", args.seeds)):
        if len(set(values)) < len(values):
            ap.error(f"{name} names a value twice: {' '.join(map(str, values))}")
    if args.control not in args.runs:
        ap.error(f"--control {args.control!r} is not one of --runs")
    if args.threads < 1:
        ap.error(f"--threads {args.threads}: give at least 1")
    missing = [str(Path(args.out) / r / f"seed{s}") for r in args.runs for s in args.seeds
               if not (Path(args.out) / r / f"seed{s}" / "model.safetensors").is_file()]
    if missing:
        ap.error(f"no saved model in {', '.join(missing)}")
    docs = Path(args.results) / "docs" / args.dataset
    absent = [str(docs / s) for s in ("train", "dev") if not (docs / s).exists()]
    if absent:
        there = sorted(p.name for p in (Path(args.results) / "docs").glob("*") if p.is_dir())
        ap.error(f"--results/--dataset: {', '.join(absent)} not found "
                 f"(datasets under {Path(args.results) / 'docs'}: {', '.join(there) or 'none'})")
    for flag, path in (("--links", args.links), ("--kg-subgraph", args.kg_subgraph)):
        if path and not Path(path).exists():
            ap.error(f"{flag} {path}: not found")
    return docs


def links_file(links: str) -> Path:
    """The links table of ``--links`` (the file, or its folder's links.parquet)."""
    path = Path(links)
    return path / "links.parquet" if path.is_dir() else path


def check_links_dataset(links: Path, dataset: str) -> None:
    """InputError when the links table's ``dataset`` column (kire.linking.link) names another dataset."""
    import pyarrow.parquet as pq

    from kire.errors import InputError

    if "dataset" not in pq.read_schema(links).names:
        return
    names = sorted(set(pq.read_table(links, columns=["dataset"]).column("dataset").to_pylist()))
    if names and names != [dataset]:
        raise InputError(str(links), None, "dataset", f"the table links {', '.join(map(str, names))}, "
                                                      f"not --dataset {dataset}")


def check_subgraph_matches_links(subgraph: Path, links: Path) -> None:
    """InputError when an entity of the dev subgraph's ``doc_entities`` sits on a node of another QID
    than the links table gives it: a subgraph of another dataset or linking."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from kire.errors import InputError

    qid_of = {(r["doc"], r["entity"]): r["qid"] for r in pq.read_table(links).to_pylist()
              if r["split"] == "dev" and r["qid"]}
    nodes = subgraph / "nodes.parquet"
    try:
        columns = pq.read_table(nodes, columns=["node", "qid"]).to_pydict()
        node_qid = dict(zip(columns["node"], columns["qid"]))
    except (OSError, KeyError, pa.ArrowException) as err:  # absent, not Parquet, no such column
        raise InputError(str(nodes), None, None, f"not a subgraph nodes table (node, qid): {err}") from None
    for i, row in enumerate(pq.read_table(subgraph / "doc_entities.parquet").to_pylist()):
        linked, placed = qid_of.get((row["doc"], row["entity"])), node_qid.get(row["node"])
        if linked != placed:
            raise InputError(str(subgraph / "doc_entities.parquet"), f"row {i}", "node",
                             f"document {row['doc']} entity {row['entity']} sits on {placed}, but {links} "
                             f"links it to {linked}: the subgraph of another dataset or linking?")


def merged_scores(path: Path, results: dict[str, dict[int, dict]]) -> dict:
    """What ``path`` holds with ``results`` put over it (run -> seed -> group); InputError when a group
    in both counts other gold facts there (scores of other groups' inputs)."""
    import json

    from kire.errors import InputError

    try:
        saved = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    except json.JSONDecodeError as err:
        raise InputError(str(path), None, None, f"not valid JSON ({err}): move it away or give --json") from None
    new = {run: {str(s): v for s, v in by_seed.items()} for run, by_seed in results.items()}
    gold = {g: v["gold"] for by_seed in new.values() for groups in by_seed.values() for g, v in groups.items()}
    for run, by_seed in saved.items():
        for seed, groups in by_seed.items():
            for g, v in groups.items():
                if g in gold and v.get("gold") != gold[g]:
                    raise InputError(str(path), f"run {run} seed {seed}", g,
                                     f"{v.get('gold')} gold facts there, {gold[g]} here: scores of other "
                                     "--dataset/--links/--kg-subgraph; move it away or give --json")
    for run, by_seed in new.items():
        saved.setdefault(run, {}).update(by_seed)
    return saved


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
    ap.add_argument("--json", help="scores file, merged into (default: OUT/group_average_precision.json)")
    args = ap.parse_args()
    docs = checked_inputs(ap, args)
    from kire.errors import KireError

    from kire.io import write_json_atomic

    path = Path(args.json) if args.json else Path(args.out) / "group_average_precision.json"
    try:
        results = scored_runs(args, docs)
        print("\n".join(tables(results, args.seeds, args.control)), flush=True)
        write_json_atomic(path, merged_scores(path, results))
    except KireError as err:
        ap.exit(2, f"{ap.prog}: error: {err}\n")
    return 0


def scored_runs(args: argparse.Namespace, docs: Path) -> dict[str, dict[int, dict]]:
    """``{run: {seed: run_group_scores(...)}}`` of ``--runs`` x ``--seeds`` (KireError on bad input)."""
    from kire.docs.read import read_split
    from kire.eval.knowledge import pair_knowledge
    from kire.eval.metric import Truth

    splits = {s: read_split(str(docs / s)) for s in ("train", "dev")}
    truth = Truth.from_documents(splits["dev"], str(docs / "dev"))
    links = links_file(args.links) if args.links else None
    knowledge = pair_knowledge(truth, "dev", links, args.kg_subgraph)  # checks the tables' columns and rows
    if links is not None:
        check_links_dataset(links, args.dataset)
        if args.kg_subgraph:
            check_subgraph_matches_links(Path(args.kg_subgraph) / "dev", links)
    results: dict[str, dict[int, dict]] = {}
    for run in args.runs:
        results[run] = {}
        for seed in args.seeds:
            results[run][seed] = run_group_scores(Path(args.out) / run / f"seed{seed}", splits, truth, knowledge,
                                                  args.threads)
            print(f"scored {run} seed {seed}", file=sys.stderr, flush=True)
    return results


if __name__ == "__main__":
    raise SystemExit(main())
