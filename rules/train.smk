# Training and evaluation of the RE models (docs/models.md).
#   split_docred  splits.<name> (one DocRED file)     -> RESULTS/splits/<name>/{train,dev}.json
#   train         document tables of a dataset        -> RESULTS/<dataset>/<model>/<variant>/seed<k>/
#                                                        model.safetensors, theta.json, result_test.json, ...
#   evaluate_run  a run's predictions + the truth     -> .../seed<k>/metrics.json (official metric)
# The grid is config `experiments` (datasets x models x variants x seeds); hyper-parameters are
# config `train`. Variants other than "base" add their inputs and settings to TRAIN_VARIANTS
# (rules/common.smk; filled by rules/inject.smk for every stage-2 variant of kire.train.variant_table):
#   TRAIN_VARIANTS["kire"] = {"inputs": fn(wildcards) -> {name: path},
#                             "settings": fn(wildcards) -> dict (JSON, --variant-settings)}
# Input and params functions (train_inputs, train_args): rules/common.smk.

import os

SPLIT_SOURCES = config.get("splits", {})


rule split_docred:
    """A fixed train/dev split of one DocRED-format file (SHA-1 of the title; kire/train/split.py)."""
    input:
        lambda wc: SPLIT_SOURCES[wc.name]["source"],
    output:
        train=splits_path("{name}", "train.json"),
        dev=splits_path("{name}", "dev.json"),
    params:
        n_train=lambda wc: SPLIT_SOURCES[wc.name]["n_train"],
        n_dev=lambda wc: SPLIT_SOURCES[wc.name]["n_dev"],
    log:
        logfile("split_docred", "{name}"),
    benchmark:
        benchfile("split_docred", "{name}")
    threads: 1
    resources:
        mem_mb=2000,
    shell:
        "kire split-docred {input} {output.train} {output.dev}"
        " --n-train {params.n_train} --n-dev {params.n_dev} > {log} 2>&1"


rule train:
    """Train one model / variant / seed; resumes from RUN/checkpoint after an interruption."""
    input:
        unpack(train_inputs),
    output:
        model=run_path(*RUN, "model.safetensors"),
        meta=run_path(*RUN, "model.json"),
        theta=run_path(*RUN, "theta.json"),
        epochs=run_path(*RUN, "metrics.jsonl"),
        dev=run_path(*RUN, "result_dev.json"),
        test=run_path(*RUN, "result_test.json"),
    params:
        docs=lambda wc: docs_path(wc.dataset),
        out=lambda wildcards, output: os.path.dirname(output.model),
        args=train_args,
    log:
        logfile("train", "{dataset}", "{model}", "{variant}", "seed{seed}"),
    benchmark:
        benchfile("train", "{dataset}", "{model}", "{variant}", "seed{seed}")
    threads: TRAIN.get("threads", 1)
    resources:
        # measured peaks on the Re-DocRED split, MiniLM, batch 4 (docs/models.md): ATLOP 6.2, SSAN 7.2, GLRE 4.8 GiB
        mem_mb=lambda wc: 12000 if wc.model in ("atlop", "ssan", "glre") else 6000,
        # GPUs per training job (config train.gpus): 0 runs on the CPU; the Slurm profile asks for them.
        gpu=TRAIN.get("gpus", 0),
    shell:
        "kire train --train {params.docs}/train --dev {params.docs}/dev --test {params.docs}/test"
        " --rel-info {input.rel_info} --model {wildcards.model} --variant {wildcards.variant}"
        " --seed {wildcards.seed} --threads {threads} --out {params.out} {params.args} > {log} 2>&1"


rule evaluate_run:
    """The official metric of a run on dev (and on test when it is labeled): RUN/metrics.json."""
    input:
        theta=run_path(*RUN, "theta.json"),
        dev_result=run_path(*RUN, "result_dev.json"),
        result=run_path(*RUN, "result_test.json"),
        docs=lambda wc: [docs_path(wc.dataset, s, "docs.parquet") for s in SPLITS],
        ign_facts=ign_facts_inputs,
        rel_info=lambda wc: config["datasets"][wc.dataset]["rel_info"],
        # the knowledge-channel breakdowns: linked entities per pair, KG edge per pair
        links=links_path("{dataset}", "links.parquet"),
        subgraph=lambda wc: [subgraph_path(wc.dataset, s, f"{t}.parquet") for s in SPLITS
                             for t in ("doc_entities", "edges")],
    output:
        run_path(*RUN, "metrics.json"),
    params:
        docs=lambda wc: docs_path(wc.dataset),
        subgraph=lambda wc: subgraph_path(wc.dataset),
        ign_facts=lambda wc: ign_facts_path(wc.dataset),
        run=lambda wildcards, input: os.path.dirname(input.theta),
    log:
        logfile("evaluate_run", "{dataset}", "{model}", "{variant}", "seed{seed}"),
    benchmark:
        benchfile("evaluate_run", "{dataset}", "{model}", "{variant}", "seed{seed}")
    threads: 1
    resources:
        mem_mb=2000,
    shell:
        "kire eval-run {params.run} --dev {params.docs}/dev --test {params.docs}/test"
        " --train {params.ign_facts} --rel-info {input.rel_info} --links {input.links}"
        " --subgraph {params.subgraph} > {log} 2>&1"


TRAIN_ALL.extend(EXPERIMENT_RUNS)


rule train_runs:
    """Every training run of the experiment grid, evaluated."""
    input:
        EXPERIMENT_RUNS,
