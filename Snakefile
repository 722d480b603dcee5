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


# The results layout, one helper per folder. Each joins its parts below the folder with "/", so
# the same call serves a rule's patterns (docs_path("{dataset}", "{split}", "docs.parquet")) and
# an input function's concrete values (docs_path(wildcards.dataset, "dev")); no parts = the folder.


def results_path(*parts):
    """RESULTS/<parts...>: the root of every helper below."""
    return "/".join([RESULTS, *map(str, parts)])


def kg_path(*parts):
    """KG tables of `kire kg extract` (rule extract_kg): RESULTS/kg[/manifest.json, ...]."""
    return results_path("kg", *parts)


def kg_filtered_path(*parts):
    """KG without test-pair leakage (rule filter_kg): RESULTS/kg_filtered[/audit.json, ...]."""
    return results_path("kg_filtered", *parts)


def docs_path(dataset, *parts):
    """Document tables (rule prepare_docs): RESULTS/docs/<dataset>[/<split>/<table>.parquet]."""
    return results_path("docs", dataset, *parts)


def links_path(dataset, *parts):
    """Entity links (rule link_entities): RESULTS/links/<dataset>[/links.parquet, report.json]."""
    return results_path("links", dataset, *parts)


def subgraph_path(dataset, *parts):
    """KG subgraph (rule build_subgraph): RESULTS/subgraph/<dataset>[/<split>/<table>.parquet]."""
    return results_path("subgraph", dataset, *parts)


def coref_path(dataset, *parts):
    """Coreference triples (rule coref): RESULTS/coref/<dataset>[/<split>.parquet, <split>.json]."""
    return results_path("coref", dataset, *parts)


def embed_path(*parts):
    """Token lookup and AutoEncoder (rules/embed.smk): RESULTS/embed[/<step>/<file>]."""
    return results_path("embed", *parts)


def splits_path(name, *parts):
    """Fixed train/dev split of one file (rule split_docred): RESULTS/splits/<name>[/<part>.json]."""
    return results_path("splits", name, *parts)


def run_path(dataset, model, variant, seed, *parts):
    """One training run (rule train): RESULTS/<dataset>/<model>/<variant>/seed<seed>[/<file>]."""
    return results_path(dataset, model, variant, f"seed{seed}", *parts)


def report_path(*parts):
    """Tables and figures over the experiment grid (rule report): RESULTS/report[/<file>]."""
    return results_path("report", *parts)


for _smk in sorted(Path(workflow.basedir, "rules").glob("*.smk")):

    include: str(_smk)


rule train_all:
    default_target: True
    input:
        TRAIN_ALL,
