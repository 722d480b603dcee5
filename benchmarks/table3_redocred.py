"""Table 3 on the Re-DocRED split: base, the stage-2 control `continue` and +KIRE per transformer model.

Runs, one at a time and in this order per model, the `kire train` commands rule `train` would run
for ``base``, then ``continue`` and ``kire`` from that base (same seed), with the flags
rules/common.smk (``train_args``) and rules/inject.smk (``kire_settings``, ``control_settings``)
derive from the merged config (config.yaml, then each ``--configfile``, schema defaults filled in):
``train.*``, ``train.per_model.<model>`` (optimiser, warm-up, decay, learning rates),
``train.stage2.*`` for stage 2, ``train.model_settings.<model>``, ``train.encoder`` and
``inject.*``. Two deliberate differences from the rule, both to fit a CPU budget: the epoch caps
come from ``--base-epochs`` / ``--stage2-epochs`` (patience = the cap), and ``--test`` is not
passed (test is DocRED's unlabeled set: predicting its 1,000 documents scores nothing and would
take most of a CPU run).

Each run's peak memory is the maximum resident set size of the `kire train` process (``os.wait4``'s
rusage; kilobytes on Linux), its seconds per epoch the mean ``train_seconds`` of the training
epochs in metrics.jsonl. Prints a Markdown table (dev F1 / Ign F1 in percent from theta.json) and
writes ``OUT/summary.json``. Runs already finished in OUT (theta.json and rusage.json present)
are reused.

    nice -n 10 .venv/bin/python benchmarks/table3_redocred.py --results /tmp/t13m/results \
        --configfile workflow/configs/redocred-bilstm.yaml --out /tmp/table3 \
        --models atlop ssan glre --seed 1 --base-epochs 1 --stage2-epochs 1
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import shlex
import subprocess
import sys
import time
from pathlib import Path

import yaml

from kire.train.settings import rule_train_flags

ROOT = Path(__file__).resolve().parents[1]
KIRE = [sys.executable, "-m", "kire"]
VARIANTS = ("base", "continue", "kire")


def merged_config(configfiles: list[str]) -> dict:
    """config.yaml with each configfile merged in as Snakemake merges them (``datasets`` replaced
    whole, every other mapping key by key), then the schema's defaults filled in."""
    from snakemake.utils import validate

    def merge(base: dict, extra: dict) -> None:
        for key, value in extra.items():
            if isinstance(value, dict) and isinstance(base.get(key), dict) and key != "datasets":
                merge(base[key], value)
            else:
                base[key] = copy.deepcopy(value)

    config = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    for path in configfiles:
        merge(config, yaml.safe_load(Path(path).read_text(encoding="utf-8")))
    validate(config, str(ROOT / "workflow" / "schemas" / "config.schema.yaml"), set_default=True)
    return config


def variant_settings(config: dict, results: Path, dataset: str, variant: str, base: Path) -> dict | None:
    """--variant-settings of a stage-2 run as rules/inject.smk builds them (None for base)."""
    from kire.train.settings import kire_variant_settings
    from kire.train.variant_table import VARIANTS as TABLE

    if variant == "base":
        return None
    if variant == "continue":
        return {"init_from": str(base)}
    return kire_variant_settings(config, TABLE[variant].ablation, str(base),
                                 coref=str(results / "coref" / dataset / "{split}.parquet"),
                                 subgraph=str(results / "subgraph" / dataset),
                                 codes=str(results / "embed" / "attribute_codes"))


def train_command(args: argparse.Namespace, config: dict, model: str, variant: str) -> list[str]:
    """The `kire train` command of one run (rule train's, less --test; epochs from the budget)."""
    results = Path(args.results)
    docs = results / "docs" / args.dataset
    data = config["datasets"][args.dataset]
    epochs = args.base_epochs if variant == "base" else args.stage2_epochs
    cmd = [*KIRE, "train", "--train", str(docs / "train"), "--dev", str(docs / "dev"),
           "--rel-info", data["rel_info"], "--model", model, "--variant", variant, "--seed", str(args.seed),
           "--threads", str(args.threads), "--out", str(run_dir(args, model, variant)),
           *rule_train_flags(config, model, variant != "base", epochs=epochs, patience=epochs), "--no-progress", "--no-tensorboard"]
    if data.get("ign_facts"):
        cmd += ["--train-facts", data["ign_facts"]]
    settings = variant_settings(config, results, args.dataset, variant, run_dir(args, model, "base"))
    if settings is not None:
        cmd += ["--variant-settings", json.dumps(settings)]
    return cmd


def run_dir(args: argparse.Namespace, model: str, variant: str) -> Path:
    """OUT/<model>/<variant>/seed<k>."""
    return Path(args.out) / model / variant / f"seed{args.seed}"


def run(args: argparse.Namespace, config: dict, model: str, variant: str) -> dict:
    """Train one run under ``nice`` unless it finished before; return its row: dev scores
    (fractions), epochs, mean training seconds per epoch, max RSS (MiB) and wall seconds."""
    out = run_dir(args, model, variant)
    usage_file = out / "rusage.json"
    if not ((out / "theta.json").is_file() and usage_file.is_file()):
        out.mkdir(parents=True, exist_ok=True)
        cmd = ["nice", "-n", str(args.nice), *train_command(args, config, model, variant)]
        started = time.perf_counter()
        with open(out / "train.log", "w", encoding="utf-8") as log:
            log.write(shlex.join(cmd) + "\n")
            log.flush()
            child = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT,
                                     env={**os.environ, "OMP_NUM_THREADS": str(args.threads)})
            # wait4 gives this child's own rusage (nice execs kire, so it is kire's)
            _, status, usage = os.wait4(child.pid, 0)
            child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            raise SystemExit(f"{model}/{variant} failed (exit {child.returncode}): see {out / 'train.log'}")
        usage_file.write_text(json.dumps({"max_rss_kib": usage.ru_maxrss, "user_s": usage.ru_utime,
                                          "sys_s": usage.ru_stime, "wall_s": time.perf_counter() - started}),
                              encoding="utf-8")
    theta = json.loads((out / "theta.json").read_text(encoding="utf-8"))
    usage = json.loads(usage_file.read_text(encoding="utf-8"))
    epochs = [json.loads(line) for line in (out / "metrics.jsonl").read_text(encoding="utf-8").splitlines() if line]
    seconds = [e["train_seconds"] for e in epochs if e.get("epoch", 0) > 0 and e.get("train_seconds")]
    return {"dev_f1": theta["dev_f1"], "dev_ign_f1": theta["dev_ign_f1"], "best_epoch": theta["best_epoch"],
            "epochs": theta["epochs"], "s_per_epoch": sum(seconds) / len(seconds) if seconds else None,
            "max_rss_mib": usage["max_rss_kib"] / 1024, "cpu_s": usage["user_s"] + usage["sys_s"],
            "wall_s": usage["wall_s"]}


def table(rows: dict[str, dict[str, dict]]) -> str:
    """Markdown table of the runs."""
    lines = ["| model | run | dev F1 | dev Ign F1 | best epoch / epochs | s/epoch | peak RSS (MiB) | CPU-s | wall (s) |",
             "|---|---|---|---|---|---|---|---|---|"]
    for model, by_variant in rows.items():
        for variant, r in by_variant.items():
            spe = f"{r['s_per_epoch']:.0f}" if r["s_per_epoch"] is not None else "-"
            lines.append(f"| {model} | {variant} | {100 * r['dev_f1']:.2f} | {100 * r['dev_ign_f1']:.2f} | "
                         f"{r['best_epoch']} / {r['epochs']} | {spe} | {r['max_rss_mib']:.0f} | {r['cpu_s']:.0f} | "
                         f"{r['wall_s']:.0f} |")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--results", required=True, help="workflow results folder holding docs/, subgraph/, coref/ "
                                                     "and embed/attribute_codes/ of the dataset")
    ap.add_argument("--configfile", nargs="*", default=[], help="config files merged over config.yaml, as "
                                                                "snakemake --configfile (default: none)")
    ap.add_argument("--dataset", default="redocred", help="dataset name under datasets (default: redocred)")
    ap.add_argument("--models", nargs="+", default=["atlop", "ssan", "glre"], help="models, run in this order")
    ap.add_argument("--variants", nargs="+", choices=VARIANTS, default=list(VARIANTS),
                    help="runs per model, in this order; a stage-2 run needs its base run in OUT (default: all)")
    ap.add_argument("--seed", type=int, default=1, help="seed of every run (default: 1)")
    ap.add_argument("--base-epochs", type=int, default=1, help="epochs of the base run (default: 1)")
    ap.add_argument("--stage2-epochs", type=int, default=1, help="epochs of continue and kire (default: 1)")
    ap.add_argument("--threads", type=int, default=1, help="torch threads per run (default: 1)")
    ap.add_argument("--nice", type=int, default=10, help="niceness of each run (default: 10)")
    ap.add_argument("--out", required=True, help="folder of the runs and summary.json")
    args = ap.parse_args()
    config = merged_config(args.configfile)
    rows: dict[str, dict[str, dict]] = {}
    for model in args.models:
        rows[model] = {}
        for variant in args.variants:
            rows[model][variant] = run(args, config, model, variant)
            print(f"{model}/{variant}: {json.dumps(rows[model][variant])}", flush=True)
    Path(args.out, "summary.json").write_text(json.dumps({"runs": rows, "load_average": os.getloadavg()}, indent=1),
                                              encoding="utf-8")
    print(table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
