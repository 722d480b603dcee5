# Reports over the experiment grid: config `experiments` (datasets x models x variants x seeds;
# EXPERIMENT_RUNS in rules/common.smk). Every run of the grid is
# results/<dataset>/<model>/<variant>/seed<k>/metrics.json (rules train and evaluate_run,
# rules/train.smk); `kire report` lays them out as the paper's tables and figures in
# results/report/, and the report() flags make them the content of `snakemake --report`.

import os
import shlex

from kire.report.build import report_files

# Figures and tables with a caption go into the HTML report; the CSV twins are plain outputs.
REPORT_OUTPUTS = [
    (report(report_path(name), caption=f"../workflow/report/{group}.rst", category="kire report")
     if group else report_path(name))
    for name, group in report_files(EXPERIMENT_VARIANTS)
]


rule report:
    """Tables (Markdown, CSV) and figures (PNG) of every run of the experiment grid."""
    input:
        EXPERIMENT_RUNS,
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


# An empty grid has no runs to report on.
if EXPERIMENT_RUNS:
    TRAIN_ALL.append(report_path("report.md"))
