# Reports over the experiment grid: config `experiments` (datasets x models x variants x seeds;
# EXPERIMENT_RUNS in rules/common.smk). Every run of the grid is
# results/<dataset>/<model>/<variant>/seed<k>/metrics.json (rules train and evaluate_run,
# rules/train.smk); `kire report` lays them out as the paper's tables and figures in
# results/report/, `kire inspect` writes one page per run in results/report/inspect/, and the
# report() flags make them the content of `snakemake --report`.

import os
import shlex

from kire.report.build import report_files

# Figures and tables with a caption go into the HTML report; the CSV twins are plain outputs.
REPORT_OUTPUTS = [
    (report(report_path(name), caption=f"../workflow/report/{group}.rst", category="kire report")
     if group else report_path(name))
    for name, group in report_files(EXPERIMENT_VARIANTS)
]


INSPECT_PAGES = expand(
    report_path("inspect", "{dataset}", "{model}", "{variant}", "seed{seed}.html"),
    dataset=EXPERIMENT_DATASETS, model=EXPERIMENT_MODELS, variant=EXPERIMENT_VARIANTS, seed=EXPERIMENT_SEEDS,
)


rule report:
    """Tables (Markdown, CSV) and figures (PNG) of every run of the experiment grid."""
    input:
        EXPERIMENT_RUNS,
        # the report folder is swapped in whole (carrying inspect/ over): the pages come first
        INSPECT_PAGES,
    output:
        REPORT_OUTPUTS,
    params:
        results=lambda wildcards, output: os.path.dirname(os.path.dirname(output[0])),
        out=lambda wildcards, output: os.path.dirname(output[0]),
        grid=shlex.join(
            ["--datasets", *EXPERIMENT_DATASETS, "--models", *EXPERIMENT_MODELS,
             "--variants", *EXPERIMENT_VARIANTS, "--seeds", *map(str, EXPERIMENT_SEEDS)]
        ),
    log:
        logfile("report"),
    benchmark:
        benchfile("report")
    threads: 1
    resources:
        mem_mb=2000,
    shell:
        "kire report --results {params.results} --out {params.out} {params.grid} > {log} 2>&1"


rule inspect_run:
    """A run's inspect page: its dev documents with per-document F1, each document's view (kire inspect)."""
    input:
        metrics=run_path(*RUN, "metrics.json"),
        dev_result=run_path(*RUN, "result_dev.json"),
        docs=lambda wc: [docs_path(wc.dataset, s, "docs.parquet") for s in ("train", "dev")],
        # a stage-2 page says whether base and continue predicted each fact: their runs come first
        siblings=lambda wc: [run_path(wc.dataset, wc.model, v, wc.seed, "result_dev.json")
                             for v in ("base", "continue")
                             if wc.variant not in ("base", "continue") and v in EXPERIMENT_VARIANTS],
    output:
        report(report_path("inspect", "{dataset}", "{model}", "{variant}", "seed{seed}.html"),
               caption="../workflow/report/inspect.rst", category="inspect pages",
               subcategory="{dataset} {model}", labels={"run": "{variant} seed{seed}"}),
    params:
        run=lambda wildcards, input: os.path.dirname(input.metrics),
        docs=lambda wc: os.path.dirname(docs_path(wc.dataset)),
    log:
        logfile("inspect_run", "{dataset}", "{model}", "{variant}", "seed{seed}"),
    benchmark:
        benchfile("inspect_run", "{dataset}", "{model}", "{variant}", "seed{seed}")
    threads: 1
    resources:
        mem_mb=4000,
    shell:
        "kire inspect {params.run} --docs {params.docs} --out {output} > {log} 2>&1"


# An empty grid has no runs to report on.
if EXPERIMENT_RUNS:
    TRAIN_ALL.append(report_path("report.md"))
    TRAIN_ALL.extend(INSPECT_PAGES)
