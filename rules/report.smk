# Reports over the experiment grid: config `experiments` (datasets x models x variants x seeds).
# Every run of the grid is results/<dataset>/<model>/<variant>/seed<k>/metrics.json (rules train
# and evaluate_run, rules/train.smk); `kire report` lays them out as the paper's tables and figures
# in results/report/, and the report() flags make them the content of `snakemake --report`.

import os
import shlex

from kire.report.build import report_files

REPORT_GRID = config.get("experiments", {})
REPORT_DATASETS = REPORT_GRID.get("datasets") or DATASETS
REPORT_RUNS = expand(
    run_path("{dataset}", "{model}", "{variant}", "{seed}", "metrics.json"),
    dataset=REPORT_DATASETS,
    model=REPORT_GRID.get("models", []),
    variant=REPORT_GRID.get("variants", []),
    seed=REPORT_GRID.get("seeds", []),
)
# Figures and tables with a caption go into the HTML report; the CSV twins are plain outputs.
REPORT_OUTPUTS = [
    (report(report_path(name), caption=f"../workflow/report/{group}.rst", category="kire report")
     if group else report_path(name))
    for name, group in report_files(REPORT_GRID.get("variants", []))
]


rule report:
    """Tables (Markdown, CSV) and figures (PNG) of every run of the experiment grid."""
    input:
        REPORT_RUNS,
    output:
        REPORT_OUTPUTS,
    params:
        results=lambda wildcards, output: os.path.dirname(os.path.dirname(output[0])),
        out=lambda wildcards, output: os.path.dirname(output[0]),
        grid=shlex.join(
            ["--datasets", *REPORT_DATASETS, "--models", *REPORT_GRID.get("models", []),
             "--variants", *REPORT_GRID.get("variants", []),
             "--seeds", *map(str, REPORT_GRID.get("seeds", []))]
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


# Without rule train (rules/train.smk) nothing could build the runs: then the report is not a target.
if REPORT_RUNS and os.path.exists(os.path.join(workflow.basedir, "rules", "train.smk")):
    TRAIN_ALL.append(report_path("report.md"))
