# KG preparation: the Wikidata JSON dump -> Parquet tables under RESULTS/kg (see docs/kg.md).
# The folder is done when manifest.json exists (written last). The manifest is protected(): re-extracting
# a full dump takes hours, so snakemake refuses to overwrite it; delete RESULTS/kg/manifest.json to redo.
# Finished chunks survive a crash (snakemake deletes only the declared output), so a rerun resumes.

KG_DIR = f"{RESULTS}/kg"
KG_MANIFEST = f"{KG_DIR}/manifest.json"


def _kg_extract_flags():
    kg = config["kg"]
    flags = ["--languages", ",".join(kg.get("languages", ["en"]))]
    if kg.get("scheduler"):
        flags += ["--scheduler", kg["scheduler"]]
    if kg.get("chunk_mb"):
        flags += ["--chunk-mb", str(kg["chunk_mb"])]
    if kg.get("keep_deprecated"):
        flags.append("--keep-deprecated")
    if kg.get("qualifiers"):
        flags.append("--qualifiers")
    return " ".join(flags)


rule extract_kg:
    input:
        dump=config["kg"]["dump"],
    output:
        manifest=protected(KG_MANIFEST),
    params:
        out=KG_DIR,
        flags=_kg_extract_flags(),
    log:
        logfile("extract_kg"),
    benchmark:
        benchfile("extract_kg")
    threads: 32
    resources:
        mem_mb=lambda wildcards, threads: 2048 + 1536 * threads,
    shell:
        "kire kg extract {input.dump:q} --out {params.out:q} --workers {threads} {params.flags} "
        "> {log:q} 2>&1"


rule kg:
    input:
        KG_MANIFEST,


TRAIN_ALL.append(KG_MANIFEST)
