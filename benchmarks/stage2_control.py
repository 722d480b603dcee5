"""base, the stage-2 control `continue` and knowledge variants ("arms") on one dataset, paired by seed.

Runs `kire train` as rule `train` does (the base first, then `continue` and every arm from it with
the same stage-2 budget), `--jobs` at a time, and prints Markdown tables:

1. dev F1 / Ign F1 (percent, mean ± sample std over seeds), epochs run and best epoch per seed;
2. every arm and base against `continue`: paired differences per seed, mean ± std, the 95%
   Student-t interval over seeds and the 95% paired bootstrap interval over dev documents
   (kire.report.compare: the same statistics as the report's table_comparison);
3. with ``--links`` / ``--kg-subgraph``: dev recall and F1 per breakdown group (linked both / one /
   none; pair joined by a KG edge of the given subgraph or not: kire.eval.breakdown).

An arm is ``--arm LABEL VARIANT RESULTS SETTINGS``: a stage-2 variant (``kire``, an ablation, a
competitor) reading its knowledge from the workflow results folder RESULTS, with SETTINGS (a JSON
object, ``{}`` for none) merged over the variant settings rule train would give it (e.g.
``{"position": "before_encoder"}``; InjectConfig overrides go under ``"inject"``). Without ``--arm`` the one arm is ``kire`` on
``--results``. ``--stage2-args`` adds `kire train` flags to every stage-2 run (``continue``
included), e.g. ``"--lr 1e-4 --inject-lr 1e-3"``. Also writes ``OUT/summary.json``. Runs already
finished in OUT are reused (a rerun only reports). Arguments are checked before the first run
(missing folders and files, unknown variants, labels, seeds, flags); a failed run names its log.

    .venv/bin/python benchmarks/stage2_control.py --results R --dataset redocred \
        --rel-info ../shared/data/docred/rel_info.json \
        --train-facts ../shared/data/docred/train_annotated.fact --out /tmp/stage2 \
        --seeds 1 2 3 --base-epochs 40 --base-patience 5 --stage2-epochs 10 --stage2-patience 5 \
        --arm kire kire R '{}' --arm kire-release kire R '{"position": "before_encoder"}' \
        --arm kire-unfiltered kire R_NONE '{}' \
        --links R/links/redocred/links.parquet --kg-subgraph R_NONE/subgraph/redocred

R is a workflow results folder holding docs/<dataset>/, subgraph/<dataset>/, coref/<dataset>/ and
embed/attribute_codes/ (the inputs rules/inject.smk gives a kire run); R_NONE the same built with
``filter.policy: none`` (the positive control: its KG states dev facts).
"""

from __future__ import annotations

import argparse
import json
import re
import shlex
import statistics
import subprocess
import sys
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from pathlib import Path

import numpy as np

KIRE = [sys.executable, "-m", "kire"]


class RunFailed(Exception):
    """A `kire train` run exited with an error (its train.log says which)."""


def train_command(args: argparse.Namespace, arm: str, seed: int) -> list[str]:
    """The `kire train` command of one run (the flags rule train would pass)."""
    docs = Path(args.results) / "docs" / args.dataset
    out = Path(args.out) / arm / f"seed{seed}"
    stage2 = arm != "base"
    cmd = [*KIRE, "train", "--train", str(docs / "train"), "--dev", str(docs / "dev"), "--test", str(docs / "test"),
           "--rel-info", args.rel_info, "--model", args.model, "--variant", args.arms.get(arm, (arm,))[0],
           "--seed", str(seed), "--threads", str(args.threads), "--out", str(out), "--no-progress",
           "--no-tensorboard",
           "--epochs", str(args.stage2_epochs if stage2 else args.base_epochs),
           "--patience", str(args.stage2_patience if stage2 else args.base_patience)]
    if args.train_facts:
        cmd += ["--train-facts", args.train_facts]
    if stage2:
        cmd += args.stage2_flags
    base = str(Path(args.out) / "base" / f"seed{seed}")
    if arm == "continue":
        cmd += ["--variant-settings", json.dumps({"init_from": base})]
    elif stage2:
        variant, results, extra = args.arms[arm]
        r = Path(results)
        settings = {"init_from": base, "subgraph": str(r / "subgraph" / args.dataset),
                    "coref": str(r / "coref" / args.dataset / "{split}.parquet"),
                    "codes": str(r / "embed" / "attribute_codes"), **extra}
        cmd += ["--variant-settings", json.dumps(settings)]
    return cmd


def run(args: argparse.Namespace, arm: str, seed: int) -> dict:
    """Train one run unless its theta.json exists; return theta.json's content."""
    out = Path(args.out) / arm / f"seed{seed}"
    if not (out / "theta.json").is_file():
        out.mkdir(parents=True, exist_ok=True)
        cmd = train_command(args, arm, seed)
        with open(out / "train.log", "a", encoding="utf-8") as log:
            log.write(shlex.join(cmd) + "\n")
            log.flush()
            if subprocess.run(cmd, stdout=log, stderr=subprocess.STDOUT).returncode != 0:
                raise RunFailed(f"run {arm} seed {seed} failed: see {out / 'train.log'}")
    return json.loads((out / "theta.json").read_text(encoding="utf-8"))


def mean_std(values: list[float]) -> str:
    """``mean ± sample std`` of percentages (fractions in), 2 decimals."""
    pct = [100 * v for v in values]
    std = statistics.stdev(pct) if len(pct) > 1 else 0.0
    return f"{statistics.mean(pct):.2f} ± {std:.2f}"


def runs_table(runs: dict[str, dict[int, dict]], seeds: list[int]) -> list[str]:
    """Markdown rows: each run's dev scores, epochs run and best epoch."""
    lines = ["| run | dev F1 | dev Ign F1 | epochs run (per seed) | best epoch (per seed) |", "|---|---|---|---|---|"]
    for arm, by_seed in runs.items():
        rows = [by_seed[s] for s in seeds]
        lines.append(f"| {arm} | {mean_std([r['dev_f1'] for r in rows])} | "
                     f"{mean_std([r['dev_ign_f1'] for r in rows])} | {' / '.join(str(r['epochs']) for r in rows)} | "
                     f"{' / '.join(str(r['best_epoch']) for r in rows)} |")
    return lines


def dev_truth_and_facts(args: argparse.Namespace):
    """``(Truth of the dev split, Ign F1 facts)``: --train-facts, else the train split's facts."""
    from kire.eval.metric import read_train_facts
    from kire.report.documents import read_truth

    docs = Path(args.results) / "docs" / args.dataset
    return read_truth(docs / "dev"), read_train_facts(args.train_facts or docs / "train")


def comparison_rows(args: argparse.Namespace, runs: dict[str, dict[int, dict]], seeds: list[int]) -> list[str]:
    """Markdown rows: every run against ``continue`` (paired per seed; t and bootstrap intervals)."""
    from kire.report.compare import bootstrap_interval, resample_weights, t_interval
    from kire.report.documents import counts_matrix, run_document_counts

    truth, facts = dev_truth_and_facts(args)
    titles = list(truth.mention_names)
    weights = resample_weights(len(titles))

    def counts(arm: str, seed: int) -> np.ndarray:
        path = Path(args.out) / arm / f"seed{seed}" / "result_dev.json"
        return counts_matrix(run_document_counts(path, truth, facts), titles)

    control = {s: counts("continue", s) for s in seeds}
    lines = ["| run - continue | metric | per seed | mean ± std | 95% t over seeds | 95% bootstrap over documents |",
             "|---|---|---|---|---|---|"]
    for arm in runs:
        if arm == "continue":
            continue
        mine = {s: counts(arm, s) for s in seeds}
        for metric, key in (("F1", "f1"), ("Ign F1", "ign_f1")):
            diffs = np.array([100 * (runs[arm][s][f"dev_{key}"] - runs["continue"][s][f"dev_{key}"]) for s in seeds])
            t_low, t_high = t_interval(diffs)
            b_low, b_high = bootstrap_interval([(mine[s], control[s]) for s in seeds], weights, key)
            std = float(np.std(diffs, ddof=1)) if len(diffs) > 1 else 0.0
            lines.append(f"| {arm} - continue | {metric} | {' / '.join(f'{d:+.2f}' for d in diffs)} | "
                         f"{diffs.mean():+.2f} ± {std:.2f} | [{t_low:+.2f}, {t_high:+.2f}] | "
                         f"[{b_low:+.2f}, {b_high:+.2f}] |")
    return lines


def breakdown_rows(args: argparse.Namespace, runs: dict[str, dict[int, dict]], seeds: list[int]) -> list[str]:
    """Markdown rows: dev recall and F1 per linked and KG-edge group, mean ± std over seeds."""
    from kire.eval.breakdown import breakdowns
    from kire.eval.knowledge import pair_knowledge
    from kire.eval.metric import read_submission

    truth, facts = dev_truth_and_facts(args)
    knowledge = pair_knowledge(truth, "dev", args.links, args.kg_subgraph)
    names = [n for n, given in (("linking", args.links), ("kg_edge", args.kg_subgraph)) if given]
    per_run = {arm: [breakdowns(truth, read_submission(Path(args.out) / arm / f"seed{s}" / "result_dev.json"),
                                facts, knowledge=knowledge) for s in seeds] for arm in runs}
    first = per_run["continue"][0]
    header = [f"{n}={g} (gold {first[n][g]['n_gold']})" for n in names for g in first[n]]
    lines = ["| run | " + " | ".join(f"{h}: R; F1" for h in header) + " |", "|---" * (len(header) + 1) + "|"]
    for arm, scores in per_run.items():
        cells = []
        for n in names:
            for g in first[n]:
                cells.append(f"{mean_std([s[n][g]['r'] for s in scores])}; {mean_std([s[n][g]['f1'] for s in scores])}")
        lines.append(f"| {arm} | " + " | ".join(cells) + " |")
    return lines


ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
ap.add_argument("--results", required=True, help="workflow results folder with the dataset's knowledge")
ap.add_argument("--dataset", required=True)
ap.add_argument("--rel-info", required=True)
ap.add_argument("--train-facts", help="Ign F1 facts (default: the train split's)")
ap.add_argument("--model", default="bilstm")
ap.add_argument("--out", required=True)
ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
ap.add_argument("--base-epochs", type=int, default=100)
ap.add_argument("--base-patience", type=int, default=5)
ap.add_argument("--stage2-epochs", type=int, default=20)
ap.add_argument("--stage2-patience", type=int, default=5)
ap.add_argument("--stage2-args", default="", help="extra `kire train` flags for every stage-2 run")
ap.add_argument("--arm", nargs=4, action="append", metavar=("LABEL", "VARIANT", "RESULTS", "SETTINGS"),
                help="a stage-2 run compared with continue (repeatable; default: kire on --results)")
ap.add_argument("--links", help="links table for the linked-entities breakdown")
ap.add_argument("--kg-subgraph", help="subgraph folder whose dev/ edges define the KG-edge breakdown")
ap.add_argument("--jobs", type=int, default=2, help="runs at a time")
ap.add_argument("--threads", type=int, default=1, help="torch threads per run")


def parsed_arms(args: argparse.Namespace) -> dict[str, tuple[str, str, dict]]:
    """``{label: (variant, results, settings)}`` of ``--arm`` (default: kire on --results); a label
    that is taken or not a plain folder name, a variant that is not a stage-2 knowledge variant, a
    missing RESULTS folder or SETTINGS that are not a JSON object exit with ap.error."""
    from kire.train.variant_table import VARIANTS

    knowledge = [name for name, v in VARIANTS.items() if v.stage2 and v.family != "control"]
    arms = {}
    for label, variant, results, settings in args.arm or [("kire", "kire", args.results, "{}")]:
        if label in ("base", "continue") or label in arms:
            ap.error(f"--arm label {label!r} is taken: use a new name")
        if not re.fullmatch(r"[\w.+-]+", label) or label in (".", ".."):
            ap.error(f"--arm label {label!r}: use letters, digits, '_', '-', '+' or '.' (it names a folder in --out)")
        if variant not in knowledge:
            ap.error(f"--arm {label}: VARIANT {variant!r} is not a stage-2 knowledge variant; known: {', '.join(knowledge)}")
        if not Path(results).is_dir():
            ap.error(f"--arm {label}: RESULTS {results} is not a folder")
        try:
            extra = json.loads(settings)
        except json.JSONDecodeError as e:
            ap.error(f"--arm {label}: SETTINGS is not JSON ({e})")
        if not isinstance(extra, dict):
            ap.error(f"--arm {label}: SETTINGS must be a JSON object")
        if isinstance(extra.get("inject"), dict) and "position" in extra["inject"]:
            ap.error(f"--arm {label}: 'position' is a variant setting, not an InjectConfig override: "
                     f"write {{\"position\": {json.dumps(extra['inject']['position'])}}}, not inside \"inject\"")
        arms[label] = (variant, results, extra)
    return arms


def checked_args(args: argparse.Namespace) -> argparse.Namespace:
    """``args`` with ``arms`` (parsed_arms) and ``stage2_flags`` (``--stage2-args`` split as a shell
    would) added, after checking what would otherwise fail only once runs have started: counts,
    repeated seeds, the document splits under ``--results``, the files and folders named."""
    for name in ("jobs", "threads", "base_epochs", "stage2_epochs"):
        if getattr(args, name) < 1:
            ap.error(f"--{name.replace('_', '-')} must be at least 1, not {getattr(args, name)}")
    for name in ("base_patience", "stage2_patience"):
        if getattr(args, name) < 0:
            ap.error(f"--{name.replace('_', '-')} must be at least 0, not {getattr(args, name)}")
    if len(set(args.seeds)) < len(args.seeds):
        ap.error(f"--seeds repeats a seed ({' '.join(map(str, args.seeds))}): each seed is one run folder")
    try:
        args.stage2_flags = shlex.split(args.stage2_args)
    except ValueError as e:
        ap.error(f"--stage2-args {args.stage2_args!r}: {e}")
    docs = Path(args.results) / "docs" / args.dataset
    for split in ("train", "dev", "test"):
        if not (docs / split).is_dir():
            ap.error(f"--results {args.results} --dataset {args.dataset}: no folder {docs / split} "
                     f"(rule prepare_docs writes RESULTS/docs/<dataset>/<split>)")
    for flag, path in (("--rel-info", args.rel_info), ("--train-facts", args.train_facts), ("--links", args.links)):
        if path and not Path(path).is_file():
            ap.error(f"{flag} {path}: file not found")
    if args.kg_subgraph and not (Path(args.kg_subgraph) / "dev").is_dir():
        ap.error(f"--kg-subgraph {args.kg_subgraph}: no dev/ folder in it (rule build_subgraph writes subgraph/<dataset>/<split>)")
    from kire.config import position_errors
    from kire.models.registry import MODELS

    if args.model not in MODELS:
        ap.error(f"--model {args.model!r} is not a registered model; known: {', '.join(sorted(MODELS))}")
    args.arms = parsed_arms(args)
    for label, (variant, _, extra) in args.arms.items():
        for message in position_errors({"inject": {"position": extra.get("position")},
                                        "experiments": {"models": [args.model], "variants": [variant]}}):
            ap.error(f"--arm {label}: {message}")
    return args


def main() -> int:
    args = checked_args(ap.parse_args())
    started = time.perf_counter()
    runs: dict[str, dict[int, dict]] = {"base": {}, "continue": {}, **{arm: {} for arm in args.arms}}
    with ThreadPoolExecutor(args.jobs) as pool:
        # a seed's stage-2 runs start as soon as its base run is done
        pending = {pool.submit(run, args, "base", s): ("base", s) for s in args.seeds}
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                arm, seed = pending.pop(future)
                try:
                    runs[arm][seed] = future.result()
                except RunFailed as e:
                    # queued runs are dropped; the ones in progress finish (a rerun reuses them)
                    print(f"{ap.prog}: {e}; waiting for the runs in progress", file=sys.stderr, flush=True)
                    pool.shutdown(cancel_futures=True)
                    return 1
                if arm == "base":
                    pending.update({pool.submit(run, args, a, seed): (a, seed) for a in ("continue", *args.arms)})
    lines = runs_table(runs, args.seeds) + [""] + comparison_rows(args, runs, args.seeds)
    if args.links or args.kg_subgraph:
        lines += ["", "Dev recall; F1 (%) per group, mean ± std over seeds:", ""] + breakdown_rows(args, runs, args.seeds)
    table = "\n".join(lines)
    from kire.io import write_json_atomic

    write_json_atomic(Path(args.out, "summary.json"),
                      {"runs": runs, "table": table, "wall_seconds": time.perf_counter() - started}, indent=1)
    print(table)
    print(f"\nwall time {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
