# Coreference triples for KIRE's coreference distillation (docs/coref.md).
#   coref               documents (+ links and KG aliases, + NeuralCoref scores) -> RESULTS/coref/<dataset>/<split>.parquet
#   neuralcoref_scores  documents -> NeuralCoref 4.0 mention-pair scores (only when the resolver backend is
#                       neuralcoref; runs in workflow/envs/neuralcoref.yaml: `snakemake --use-conda`)

import json
import shlex

COREF = config.get("coref", {})
COREF_SOURCES = COREF.get("sources", {})
COREF_SPLITS = ["train", "dev", "test"]


def coref_enabled(source):
    """Whether a coref source is on (config coref.sources.<source>.enabled, default on)."""
    return COREF_SOURCES.get(source, {}).get("enabled", True)


def coref_backend():
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


rule coref:
    input:
        unpack(coref_inputs),
    output:
        table=coref_path("{dataset}", "{split}.parquet"),
        summary=coref_path("{dataset}", "{split}.json"),
    params:
        docs=lambda wc: docs_path(wc.dataset, wc.split),
        options=shlex.quote(json.dumps(COREF, sort_keys=True)),
        sources=coref_source_args,
    log:
        logfile("coref", "{dataset}", "{split}"),
    benchmark:
        benchfile("coref", "{dataset}", "{split}")
    threads: 1
    resources:
        mem_mb=3000,
    shell:
        "kire coref build --docs {params.docs} --split {wildcards.split} --out {output.table}"
        " --options {params.options} {params.sources} > {log} 2>&1"


rule neuralcoref_scores:
    input:
        docs=docs_path("{dataset}", "{split}", "docs.parquet"),
    output:
        scores=coref_path("{dataset}", "{split}.neuralcoref.jsonl"),
    params:
        docs=lambda wc: docs_path(wc.dataset, wc.split),
        runner=f"{workflow.basedir}/kire/coref/neuralcoref_runner.py",
    log:
        logfile("neuralcoref_scores", "{dataset}", "{split}"),
    benchmark:
        benchfile("neuralcoref_scores", "{dataset}", "{split}")
    threads: 1
    resources:
        mem_mb=4000,
    conda:
        "../workflow/envs/neuralcoref.yaml"
    shell:
        "python {params.runner} {params.docs} {output.scores} > {log} 2>&1"


COREF_TARGETS = expand(coref_path("{dataset}", "{split}.parquet"), dataset=DATASETS, split=COREF_SPLITS)
TRAIN_ALL.extend(COREF_TARGETS)


rule coref_all:
    input:
        COREF_TARGETS,
