# Shared by every rules/<stage>.smk, included first by the Snakefile: the configuration's check,
# the results layout (one path helper per folder), the names every stage uses, and the input and
# params functions of the rules (Snakemake's habit: functions here, rules in the stage files).
#   TRAIN_ALL       targets of the default rule train_all; each stage file extends it
#   TRAIN_VARIANTS  variant name -> {"inputs": fn(wildcards) -> {name: path},
#                                    "settings": fn(wildcards) -> dict}; filled by the
#                   injection stages, read by rule train (rules/train.smk) when its jobs are built

import json
import os
import shlex
import sys
from pathlib import Path

from snakemake.utils import validate

from kire.config import ConfigError, check_config
from kire.train.settings import rule_train_flags
from kire.train.variant_table import VARIANTS as VARIANT_TABLE

CONFIG_SCHEMA = str(Path(workflow.basedir, "workflow", "schemas", "config.schema.yaml"))
# One clear line per wrong key or type first, and nothing else (raised here, Snakemake would add
# the file and line of this call and of kire.config as a traceback tail); then Snakemake's
# validate fills in the defaults.
try:
    check_config(config, CONFIG_SCHEMA)
except ConfigError as error:
    sys.stderr.write(f"kire: {error}\n")
    sys.exit(1)
validate(config, CONFIG_SCHEMA)

RESULTS = config["results_dir"]
DATASETS = sorted(config["datasets"])
SPLITS = ("train", "dev", "test")  # every dataset's splits, in this order
TRAIN_ALL = []
TRAIN_VARIANTS = {}

# The experiment grid (config `experiments`): datasets x models x variants x seeds, each run
# evaluated into RESULTS/<dataset>/<model>/<variant>/seed<k>/metrics.json (rules/train.smk) and
# gathered by rule report (rules/report.smk).
EXPERIMENTS = config.get("experiments", {})
EXPERIMENT_DATASETS = EXPERIMENTS.get("datasets") or DATASETS
EXPERIMENT_MODELS = EXPERIMENTS.get("models", [])
EXPERIMENT_VARIANTS = list(EXPERIMENTS.get("variants", []))
# The stage-2 control `continue` joins every grid that runs a stage-2 variant (experiments.control).
if EXPERIMENTS.get("control", True) and "continue" not in EXPERIMENT_VARIANTS and any(
        VARIANT_TABLE[v].stage2 for v in EXPERIMENT_VARIANTS if v in VARIANT_TABLE):
    EXPERIMENT_VARIANTS.append("continue")
EXPERIMENT_SEEDS = EXPERIMENTS.get("seeds", [])


wildcard_constraints:
    dataset="|".join(DATASETS) if DATASETS else "[^/]+",
    split="|".join(SPLITS),
    model="[a-z_]+",
    variant="[a-z0-9_]+",
    seed="[0-9]+",


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
    """RESULTS/kg_filtered[/audit.json, ...]: KG without the scored splits' pairs (rule filter_kg)."""
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


# The run folder's wildcards, for run_path(*RUN, ...) in rule patterns.
RUN = ("{dataset}", "{model}", "{variant}", "{seed}")
EXPERIMENT_RUNS = expand(
    run_path(*RUN, "metrics.json"),
    dataset=EXPERIMENT_DATASETS,
    model=EXPERIMENT_MODELS,
    variant=EXPERIMENT_VARIANTS,
    seed=EXPERIMENT_SEEDS,
)


# Documents, entity linking, leakage filter, subgraphs (rules/docs.smk).

DOC_TABLES = ["docs", "entities", "mentions", "labels"]
SUBGRAPH_TABLES = ["nodes", "edges", "attributes", "doc_entities"]


def doc_tables(dataset):
    """The document tables of every split of ``dataset`` (outputs of prepare_docs)."""
    return expand(docs_path(dataset, "{split}", "{table}.parquet"), split=SPLITS, table=DOC_TABLES,
                  allow_missing=True)


def dataset_raw_inputs(wildcards):
    """The raw files (and DWIE folders) of one dataset."""
    ds = config["datasets"][wildcards.dataset]
    return [ds[key] for key in ("train", "dev", "test", "rel_info") if ds.get(key)]


def prepare_args(wildcards):
    """The dataset-specific arguments of `kire docs prepare`."""
    ds = config["datasets"][wildcards.dataset]
    args = ["--format", ds["format"], "--train", ds["train"], "--test", ds["test"], "--rel-info", ds["rel_info"]]
    if ds.get("dev"):
        args += ["--dev", ds["dev"]]
    return shlex.join(args)


def filter_dataset_args(wildcards, input):
    """One ``--dataset NAME LINKS DOCS`` per dataset for `kire kg filter`."""
    return shlex.join(
        arg
        for name, links in zip(DATASETS, input.links)
        for arg in ("--dataset", name, links, docs_path(name))
    )


def duckdb_memory(wildcards, resources):
    """DuckDB's memory limit: three quarters of the job's mem_mb (the rest for Python and Arrow)."""
    return f"{resources.mem_mb * 3 // 4}MB"


# Token lookup and AutoEncoder (rules/embed.smk).


def folder_of(files):
    """The folder of a rule's files (all in one folder): the first file's parent."""
    return os.path.dirname(files[0])


def glove_flag(wildcards, input):
    """`--glove FILE` when the rule has the configured GloVe file as input ``glove``, else nothing."""
    return f"--glove {shlex.quote(input.glove[0])}" if input.glove else ""


# Coreference triples (rules/coref.smk).

COREF = config.get("coref", {})
COREF_SOURCES = COREF.get("sources", {})


def coref_enabled(source):
    """Whether a coref source is on (config coref.sources.<source>.enabled, default on)."""
    return COREF_SOURCES.get(source, {}).get("enabled", True)


def coref_backend():
    """The resolver source's backend (config coref.sources.resolver.backend): salience or neuralcoref."""
    return COREF_SOURCES.get("resolver", {}).get("backend", "salience")


def coref_inputs(wildcards):
    """The split's documents, plus links and the KG (kg_aliases) and NeuralCoref scores if used."""
    inputs = {"docs": docs_path(wildcards.dataset, wildcards.split, "docs.parquet")}
    if coref_enabled("kg_aliases"):
        inputs["links"] = links_path(wildcards.dataset, "links.parquet")
        inputs["kg"] = kg_path("manifest.json")
    if coref_enabled("resolver") and coref_backend() == "neuralcoref":
        inputs["scores"] = coref_path(wildcards.dataset, f"{wildcards.split}.neuralcoref.jsonl")
    return inputs


def coref_source_args(wildcards, input):
    """--links/--kg/--neuralcoref-scores for the sources that need them."""
    args = []
    if "links" in input.keys():
        args += ["--links", input.links, "--kg", kg_path()]
    if "scores" in input.keys():
        args += ["--neuralcoref-scores", input.scores]
    return shlex.join(args)


# Training (rules/train.smk).

TRAIN = config.get("train", {})


def train_inputs(wildcards):
    """The document tables of the dataset, rel_info, and the variant's own inputs."""
    inputs = {split: docs_path(wildcards.dataset, split, "docs.parquet") for split in SPLITS}
    inputs["rel_info"] = config["datasets"][wildcards.dataset]["rel_info"]
    inputs["ign_facts"] = ign_facts_inputs(wildcards)
    extra = TRAIN_VARIANTS.get(wildcards.variant, {}).get("inputs")
    if extra:
        inputs.update(extra(wildcards))
    return inputs


def ign_facts_path(dataset):
    """Ign F1's reference facts of a dataset: datasets.<name>.ign_facts, else its train split's tables."""
    return config["datasets"][dataset].get("ign_facts") or docs_path(dataset, "train")


def ign_facts_inputs(wildcards):
    """The configured Ign F1 fact file of the dataset as a rule input (none when not configured)."""
    facts = config["datasets"][wildcards.dataset].get("ign_facts")
    return [facts] if facts else []


def train_args(wildcards):
    """Hyper-parameters (train.*, then train.per_model.<model>, then for a stage-2 variant the
    non-null train.stage2.*) and settings as `kire train` flags.

    A function of the wildcards alone, never of ``input``: Snakemake records a param in a job's
    metadata (and reruns the job when it changes) only when it can be computed before the inputs
    exist, so a change of train.*, model_settings or inject.* reruns the runs it concerns."""
    stage2 = wildcards.variant in VARIANT_TABLE and VARIANT_TABLE[wildcards.variant].stage2
    args = [*rule_train_flags(config, wildcards.model, stage2), "--no-progress"]
    facts = ign_facts_inputs(wildcards)
    if facts:
        args += ["--train-facts", facts[0]]
    if not TRAIN.get("tensorboard", True):
        args.append("--no-tensorboard")
    variant = TRAIN_VARIANTS.get(wildcards.variant, {}).get("settings")
    if variant:
        args += ["--variant-settings", json.dumps(variant(wildcards))]
    return shlex.join(args)
