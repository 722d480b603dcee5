# KG preparation: the Wikidata JSON dump -> Parquet tables under RESULTS/kg (see docs/kg.md).
# The folder is done when manifest.json exists (written last). The manifest is protected(): re-extracting
# a full dump takes hours, so snakemake refuses to overwrite it; delete RESULTS/kg/manifest.json to redo.
# Finished chunks survive a crash (snakemake deletes only the declared output), so a rerun resumes.

import os

from kire.kg.commands import extract_flags

KG_MANIFEST = kg_path("manifest.json")


rule extract_kg:
    input:
        dump=config["kg"]["dump"],
    output:
        manifest=protected(KG_MANIFEST),
    params:
        out=lambda wildcards, output: os.path.dirname(output.manifest),
        flags=extract_flags(config["kg"]),
    log:
        logfile("extract_kg"),
    benchmark:
        benchfile("extract_kg")
    threads: 32
    resources:
        mem_mb=lambda wildcards, threads: 1024 + 768 * threads,  # measured: <= 0.5 GB per worker (docs/kg.md)
    shell:
        "kire kg extract {input.dump:q} --out {params.out:q} --workers {threads} {params.flags} "
        "> {log:q} 2>&1"


rule kg:
    input:
        KG_MANIFEST,


TRAIN_ALL.append(KG_MANIFEST)
