# Shared by every rules/<stage>.smk, included first by the Snakefile: the results layout (one path
# helper per folder), the dataset and split names, and the two lists the stage files fill in.
#   TRAIN_ALL       targets of the default rule train_all; each stage file extends it
#   TRAIN_VARIANTS  variant name -> {"inputs": fn(wildcards) -> {name: path},
#                                    "settings": fn(wildcards, input) -> dict}; filled by the
#                   injection stages, read by rule train (rules/train.smk) when its jobs are built

from pathlib import Path

RESULTS = config["results_dir"]
DATASETS = sorted(config["datasets"])
SPLITS = ("train", "dev", "test")  # every dataset's splits, in this order
TRAIN_ALL = []
TRAIN_VARIANTS = {}


wildcard_constraints:
    dataset="|".join(DATASETS) if DATASETS else "[^/]+",
    split="|".join(SPLITS),


def logfile(rule_name, *wildcards):
    """RESULTS/logs/<rule>[/<wildcards>].log: the log of a rule's job."""
    return str(Path(RESULTS, "logs", rule_name, *wildcards)) + ".log"


def benchfile(rule_name, *wildcards):
    """RESULTS/benchmarks/<rule>[/<wildcards>].tsv: the benchmark of a rule's job."""
    return str(Path(RESULTS, "benchmarks", rule_name, *wildcards)) + ".tsv"


# The results layout, one helper per folder. Each joins its parts below the folder with "/", so
# the same call serves a rule's patterns (docs_path("{dataset}", "{split}", "docs.parquet")) and
# an input function's concrete values (docs_path(wildcards.dataset, "dev")); no parts = the folder.


def results_path(*parts):
    """RESULTS/<parts...>: the root of every helper below."""
    return "/".join([RESULTS, *map(str, parts)])


def kg_path(*parts):
    """RESULTS/kg[/manifest.json, ...]: KG tables of `kire kg extract` (rule extract_kg)."""
    return results_path("kg", *parts)


def kg_filtered_path(*parts):
    """RESULTS/kg_filtered[/audit.json, ...]: KG without test-pair leakage (rule filter_kg)."""
    return results_path("kg_filtered", *parts)


def docs_path(dataset, *parts):
    """RESULTS/docs/<dataset>[/<split>/<table>.parquet]: document tables (rule prepare_docs)."""
    return results_path("docs", dataset, *parts)


def links_path(dataset, *parts):
    """RESULTS/links/<dataset>[/links.parquet, report.json]: entity links (rule link_entities)."""
    return results_path("links", dataset, *parts)


def subgraph_path(dataset, *parts):
    """RESULTS/subgraph/<dataset>[/<split>/<table>.parquet]: KG subgraph (rule build_subgraph)."""
    return results_path("subgraph", dataset, *parts)


def coref_path(dataset, *parts):
    """RESULTS/coref/<dataset>[/<split>.parquet, <split>.json]: coreference triples (rule coref)."""
    return results_path("coref", dataset, *parts)


def embed_path(*parts):
    """RESULTS/embed[/<step>/<file>]: token lookup and AutoEncoder (rules/embed.smk)."""
    return results_path("embed", *parts)


def splits_path(name, *parts):
    """RESULTS/splits/<name>[/<part>.json]: fixed train/dev split of one file (rule split_docred)."""
    return results_path("splits", name, *parts)


def run_path(dataset, model, variant, seed, *parts):
    """RESULTS/<dataset>/<model>/<variant>/seed<seed>[/<file>]: one training run (rule train)."""
    return results_path(dataset, model, variant, f"seed{seed}", *parts)


def report_path(*parts):
    """RESULTS/report[/<file>]: tables and figures over the experiment grid (rule report)."""
    return results_path("report", *parts)
