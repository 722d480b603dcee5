# kire: Wikidata dump + RE dataset -> trained, evaluated models with and without knowledge injection.
# Run:  snakemake --cores 32 train_all        (default target)
# Rules live in rules/<stage>.smk; each calls the `kire` command line and adds its targets to
# TRAIN_ALL, so train_all always covers exactly the stages that exist.

import sys
from pathlib import Path

from snakemake.utils import min_version, validate

min_version("9.0")


configfile: "config.yaml"


from kire.config import check_config

# One clear line per wrong key or type first; then Snakemake's validate fills in the defaults.
check_config(config, "workflow/schemas/config.schema.yaml")
validate(config, "workflow/schemas/config.schema.yaml")

# Rules call the `kire` command line; find it beside the Python running Snakemake (the project's
# .venv) even when that venv is not activated. Appended, not prepended, so that a rule's own
# environment (--use-conda) keeps precedence.
shell.prefix(f'set -euo pipefail; export PATH="$PATH:{Path(sys.executable).parent}"; ')

RESULTS = config["results_dir"]
DATASETS = sorted(config["datasets"])
TRAIN_ALL = []  # extended by every rules/*.smk


wildcard_constraints:
    dataset="|".join(DATASETS) if DATASETS else "[^/]+",
    split="train|dev|test",


def logfile(rule_name, *wildcards):
    """Log path of a rule (and its wildcards): results/logs/<rule>[/<wildcards>].log"""
    return str(Path(RESULTS, "logs", rule_name, *wildcards)) + ".log"


def benchfile(rule_name, *wildcards):
    """Benchmark path of a rule: results/benchmarks/<rule>[/<wildcards>].tsv"""
    return str(Path(RESULTS, "benchmarks", rule_name, *wildcards)) + ".tsv"


for _smk in sorted(Path(workflow.basedir, "rules").glob("*.smk")):

    include: str(_smk)


rule train_all:
    default_target: True
    input:
        TRAIN_ALL,
