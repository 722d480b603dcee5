# Coreference triples for KIRE's coreference distillation (docs/coref.md).
#   coref               documents (+ links and KG aliases, + NeuralCoref scores) -> RESULTS/coref/<dataset>/<split>.parquet
#   neuralcoref_scores  documents -> NeuralCoref 4.0 mention-pair scores (only when the resolver backend is
#                       neuralcoref; runs workflow/scripts/neuralcoref_scores.py in
#                       workflow/envs/neuralcoref.yaml: `snakemake --use-conda`)
# Input and params functions: rules/common.smk.

import json
import shlex


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
    # Up to 2 processes parse and resolve once a split has 128 documents (kire.coref.parallel).
    threads: 2
    resources:
        mem_mb=3000,
    shell:
        "kire coref build --docs {params.docs} --split {wildcards.split} --out {output.table}"
        " --options {params.options} {params.sources} --workers {threads} > {log} 2>&1"


rule neuralcoref_scores:
    input:
        docs=docs_path("{dataset}", "{split}", "docs.parquet"),
    output:
        scores=coref_path("{dataset}", "{split}.neuralcoref.jsonl"),
    params:
        docs=lambda wc: docs_path(wc.dataset, wc.split),
        script=f"{workflow.basedir}/workflow/scripts/neuralcoref_scores.py",
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
        "python {params.script} {params.docs} {output.scores} > {log} 2>&1"


COREF_TARGETS = expand(coref_path("{dataset}", "{split}.parquet"), dataset=DATASETS, split=SPLITS)
TRAIN_ALL.extend(COREF_TARGETS)


rule coref_all:
    input:
        COREF_TARGETS,
