# Reports over the experiment grid: config `experiments` (datasets x models x variants x seeds).
# Every run of the grid is results/<dataset>/<model>/<variant>/seed<k>/metrics.json (rule `train`);
# `kire report` lays them out as the paper's tables and figures in results/report/, and the
# report() flags make them the content of `snakemake --report report.html`.

from kire.report.variants import ABLATION_VARIANTS, BASE, GRAPH_VARIANTS, KIRE

EXPERIMENTS = config.get("experiments", {})
GRID = {
    "datasets": EXPERIMENTS.get("datasets") or DATASETS,
    "models": EXPERIMENTS.get("models", []),
    "variants": EXPERIMENTS.get("variants", []),
    "seeds": EXPERIMENTS.get("seeds", []),
}
REPORT_DIR = str(Path(RESULTS, "report"))
GRID_RUNS = expand(
    str(Path(RESULTS, "{dataset}", "{model}", "{variant}", "seed{seed}", "metrics.json")),
    dataset=GRID["datasets"], model=GRID["models"], variant=GRID["variants"], seed=GRID["seeds"],
)


def report_outputs():
    """The report files `kire report` writes for this grid (figures only for the variants present)."""
    variants = set(GRID["variants"])

    def out(name, caption, category):
        return report(str(Path(REPORT_DIR, name)), caption=f"../workflow/report/{caption}.rst",
                      category=category)

    files = [
        out("table_main.md", "table_main", "Table 2/3: main comparison"),
        str(Path(REPORT_DIR, "table_main.csv")),
        out("training_curves.png", "training_curves", "Training curves"),
        out("report.md", "report_md", "All tables"),
    ]
    if variants & {BASE, KIRE}:
        files += [out("table_mentions.md", "table_mentions", "Table 4: mention count"),
                  str(Path(REPORT_DIR, "table_mentions.csv"))]
    if variants & set(ABLATION_VARIANTS):
        files += [out("ablation.png", "ablation", "Fig. 3: ablation"),
                  str(Path(REPORT_DIR, "table_ablation.md")), str(Path(REPORT_DIR, "table_ablation.csv"))]
    if variants & set(GRAPH_VARIANTS):
        files += [out("graph_encoders.png", "graph_encoders", "Fig. 4: graph encoders"),
                  str(Path(REPORT_DIR, "table_graph.md")), str(Path(REPORT_DIR, "table_graph.csv"))]
    return files


rule report:
    """Tables (Markdown, CSV) and figures (PNG) of every run of the experiment grid."""
    input:
        GRID_RUNS,
    output:
        report_outputs(),
    params:
        results=RESULTS,
        out=REPORT_DIR,
        datasets=" ".join(GRID["datasets"]),
        models=" ".join(GRID["models"]),
        variants=" ".join(GRID["variants"]),
        seeds=" ".join(str(s) for s in GRID["seeds"]),
    log:
        logfile("report"),
    benchmark:
        benchfile("report")
    threads: 1
    resources:
        mem_mb=2000,
    shell:
        "kire report --results {params.results} --out {params.out} --datasets {params.datasets}"
        " --models {params.models} --variants {params.variants} --seeds {params.seeds} > {log} 2>&1"


# The report needs the training runs: until rule `train` exists (rules/train.smk), the report is
# not part of train_all rather than a target nothing can build.
if GRID_RUNS and Path(workflow.basedir, "rules", "train.smk").exists():
    TRAIN_ALL.append(str(Path(REPORT_DIR, "report.md")))
