"""base, the stage-2 control `continue` and +KIRE on one dataset, paired by seed.

Runs `kire train` as rule `train` does (the base first, then `continue` and `kire` from it with the
same stage-2 budget), `--jobs` at a time, and prints a Markdown table: dev F1 / Ign F1 (percent,
mean ± sample std over seeds), epochs run and best epoch, then the paired differences
``continue - base`` and ``kire - continue`` per seed with their mean ± std. Also writes
``OUT/summary.json``. Runs already finished in OUT are reused (a rerun only reports).

    .venv/bin/python benchmarks/stage2_control.py --results R --dataset redocred \
        --rel-info ../shared/data/docred/rel_info.json \
        --train-facts ../shared/data/docred/train_annotated.fact --out /tmp/stage2 \
        --seeds 1 2 3 --base-epochs 40 --base-patience 5 --stage2-epochs 10 --stage2-patience 5

R is a workflow results folder holding docs/<dataset>/, subgraph/<dataset>/, coref/<dataset>/ and
embed/attribute_codes/ (the inputs rules/inject.smk gives a kire run).
"""

from __future__ import annotations

import argparse
import json
import shlex
import statistics
import subprocess
import sys
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from pathlib import Path

KIRE = [sys.executable, "-m", "kire"]


def train_command(args: argparse.Namespace, variant: str, seed: int) -> list[str]:
    """The `kire train` command of one run (the flags rule train would pass)."""
    docs = Path(args.results) / "docs" / args.dataset
    out = Path(args.out) / variant / f"seed{seed}"
    stage2 = variant != "base"
    cmd = [*KIRE, "train", "--train", str(docs / "train"), "--dev", str(docs / "dev"), "--test", str(docs / "test"),
           "--rel-info", args.rel_info, "--model", args.model, "--variant", variant, "--seed", str(seed),
           "--threads", str(args.threads), "--out", str(out), "--no-progress", "--no-tensorboard",
           "--epochs", str(args.stage2_epochs if stage2 else args.base_epochs),
           "--patience", str(args.stage2_patience if stage2 else args.base_patience)]
    if args.train_facts:
        cmd += ["--train-facts", args.train_facts]
    base = str(Path(args.out) / "base" / f"seed{seed}")
    if variant == "continue":
        cmd += ["--variant-settings", json.dumps({"init_from": base})]
    elif variant == "kire":
        r = Path(args.results)
        cmd += ["--variant-settings", json.dumps({
            "init_from": base, "subgraph": str(r / "subgraph" / args.dataset),
            "coref": str(r / "coref" / args.dataset / "{split}.parquet"), "codes": str(r / "embed" / "attribute_codes")})]
    return cmd


def run(args: argparse.Namespace, variant: str, seed: int) -> dict:
    """Train one run unless its theta.json exists; return theta.json's content."""
    out = Path(args.out) / variant / f"seed{seed}"
    if not (out / "theta.json").is_file():
        out.mkdir(parents=True, exist_ok=True)
        cmd = train_command(args, variant, seed)
        with open(out / "train.log", "w", encoding="utf-8") as log:
            log.write(shlex.join(cmd) + "\n")
            log.flush()
            subprocess.run(cmd, stdout=log, stderr=subprocess.STDOUT, check=True)
    return json.loads((out / "theta.json").read_text(encoding="utf-8"))


def mean_std(values: list[float]) -> str:
    """``mean ± sample std`` of percentages (fractions in), 2 decimals."""
    pct = [100 * v for v in values]
    std = statistics.stdev(pct) if len(pct) > 1 else 0.0
    return f"{statistics.mean(pct):.2f} ± {std:.2f}"


def report(runs: dict[str, dict[int, dict]], seeds: list[int]) -> str:
    """The Markdown table of the runs and of the paired differences."""
    lines = ["| run | dev F1 | dev Ign F1 | epochs run (per seed) | best epoch (per seed) |", "|---|---|---|---|---|"]
    for variant, by_seed in runs.items():
        rows = [by_seed[s] for s in seeds]
        lines.append(f"| {variant} | {mean_std([r['dev_f1'] for r in rows])} | "
                     f"{mean_std([r['dev_ign_f1'] for r in rows])} | {' / '.join(str(r['epochs']) for r in rows)} | "
                     f"{' / '.join(str(r['best_epoch']) for r in rows)} |")
    lines += ["", "| paired difference | dev F1 per seed | mean ± std | dev Ign F1 mean ± std |", "|---|---|---|---|"]
    for a, b in (("continue", "base"), ("kire", "continue"), ("kire", "base")):
        f1 = [runs[a][s]["dev_f1"] - runs[b][s]["dev_f1"] for s in seeds]
        ign = [runs[a][s]["dev_ign_f1"] - runs[b][s]["dev_ign_f1"] for s in seeds]
        lines.append(f"| {a} - {b} | {' / '.join(f'{100 * d:+.2f}' for d in f1)} | {mean_std(f1)} | {mean_std(ign)} |")
    return "\n".join(lines)


def main() -> int:
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
    ap.add_argument("--jobs", type=int, default=2, help="runs at a time")
    ap.add_argument("--threads", type=int, default=1, help="torch threads per run")
    args = ap.parse_args()
    started = time.perf_counter()
    runs: dict[str, dict[int, dict]] = {"base": {}, "continue": {}, "kire": {}}
    with ThreadPoolExecutor(args.jobs) as pool:
        # a seed's stage-2 runs start as soon as its base run is done
        pending = {pool.submit(run, args, "base", s): ("base", s) for s in args.seeds}
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                variant, seed = pending.pop(future)
                runs[variant][seed] = future.result()
                if variant == "base":
                    pending.update({pool.submit(run, args, v, seed): (v, seed) for v in ("kire", "continue")})
    table = report(runs, args.seeds)
    Path(args.out, "summary.json").write_text(json.dumps({"runs": runs, "wall_seconds": time.perf_counter() - started},
                                                         indent=1), encoding="utf-8")
    print(table)
    print(f"\nwall time {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
