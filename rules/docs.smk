# Documents, entity linking, test-pair leakage filter and KG subgraphs (docs/docs-linking.md).
#   prepare_docs   datasets.<name> raw files    -> RESULTS/docs/<dataset>/<split>/*.parquet
#   link_entities  documents + KG (kg extract)  -> RESULTS/links/<dataset>/links.parquet
#   filter_kg      links of every dataset + KG  -> RESULTS/kg_filtered/relation_triples/
#   build_subgraph links + filtered triples     -> RESULTS/subgraph/<dataset>/
# Change filter.policy and rerun only the filter and what depends on it:
#   snakemake --forcerun filter_kg train_all
# Input and params functions: rules/common.smk.

import json
import shlex


rule prepare_docs:
    input:
        dataset_raw_inputs,
    output:
        doc_tables("{dataset}"),
        report=docs_path("{dataset}", "report.json"),
    params:
        args=prepare_args,
        out=lambda wildcards, output: str(Path(output.report).parent),
        on_error=config["docs"]["on_error"],
        on_overlap=config["docs"]["on_overlap"],
        dev_fraction=config["docs"]["dwie_dev_fraction"],
        seed=config["docs"]["seed"],
    log:
        logfile("prepare_docs", "{dataset}"),
    benchmark:
        benchfile("prepare_docs", "{dataset}")
    threads: 1
    resources:
        mem_mb=4000,
    shell:
        "kire docs prepare --dataset {wildcards.dataset} {params.args} --out {params.out}"
        " --on-error {params.on_error} --on-overlap {params.on_overlap} --dev-fraction {params.dev_fraction} --seed {params.seed} > {log} 2>&1"


rule link_entities:
    input:
        docs=lambda wc: doc_tables(wc.dataset),
        kg=kg_path("manifest.json"),
    output:
        links=links_path("{dataset}", "links.parquet"),
        report=links_path("{dataset}", "report.json"),
    params:
        options=shlex.quote(json.dumps(config["linking"], sort_keys=True)),
        # the scored splits are linked without coherence, which would read their protected pairs
        protected=shlex.join(config["filter"]["splits"]),
        docs=lambda wildcards, input: str(Path(input.docs[0]).parents[1]),
        kg=lambda wildcards, input: str(Path(input.kg).parent),
        out=lambda wildcards, output: str(Path(output.links).parent),
        duckdb_memory=duckdb_memory,
    log:
        logfile("link_entities", "{dataset}"),
    benchmark:
        benchfile("link_entities", "{dataset}")
    threads: 4
    resources:
        mem_mb=8000,
    shell:
        "kire link --dataset {wildcards.dataset} --docs {params.docs} --kg {params.kg}"
        " --out {params.out} --options {params.options} --protected-splits {params.protected}"
        " --threads {threads} --memory-limit {params.duckdb_memory} > {log} 2>&1"


rule filter_kg:
    input:
        links=expand(links_path("{dataset}", "links.parquet"), dataset=DATASETS),
        docs=[table for name in DATASETS for table in doc_tables(name)],
        kg=kg_path("manifest.json"),
    output:
        triples=directory(kg_filtered_path("relation_triples")),
        audit=kg_filtered_path("audit.json"),
    params:
        datasets=filter_dataset_args,
        options=shlex.quote(json.dumps(config["filter"], sort_keys=True)),
        kg=lambda wildcards, input: str(Path(input.kg).parent),
        out=lambda wildcards, output: str(Path(output.audit).parent),
        duckdb_memory=duckdb_memory,
    log:
        logfile("filter_kg"),
    benchmark:
        benchfile("filter_kg")
    threads: 4
    resources:
        mem_mb=8000,
    shell:
        "kire kg filter --kg {params.kg} {params.datasets} --out {params.out} --options {params.options}"
        " --threads {threads} --memory-limit {params.duckdb_memory} > {log} 2>&1"


rule build_subgraph:
    input:
        links=links_path("{dataset}", "links.parquet"),
        triples=kg_filtered_path("relation_triples"),
        audit=kg_filtered_path("audit.json"),
        kg=kg_path("manifest.json"),
    output:
        relations=subgraph_path("{dataset}", "relations.parquet"),
        tables=expand(subgraph_path("{dataset}", "{split}", "{table}.parquet"),
                      split=SPLITS, table=SUBGRAPH_TABLES, allow_missing=True),
        report=subgraph_path("{dataset}", "report.json"),
    params:
        options=shlex.quote(json.dumps(config["subgraph"], sort_keys=True)),
        kg=lambda wildcards, input: str(Path(input.kg).parent),
        filtered=lambda wildcards, input: str(Path(input.audit).parent),
        out=lambda wildcards, output: str(Path(output.report).parent),
        duckdb_memory=duckdb_memory,
    log:
        logfile("build_subgraph", "{dataset}"),
    benchmark:
        benchfile("build_subgraph", "{dataset}")
    threads: 4
    resources:
        mem_mb=8000,
    shell:
        "kire subgraph --links {input.links} --kg {params.kg} --filtered {params.filtered}"
        " --out {params.out} --options {params.options} --threads {threads}"
        " --memory-limit {params.duckdb_memory} > {log} 2>&1"


DOCS_LINKING_TARGETS = [
    *expand(docs_path("{dataset}", "report.json"), dataset=DATASETS),
    *expand(links_path("{dataset}", "report.json"), dataset=DATASETS),
    kg_filtered_path("audit.json"),
    *expand(subgraph_path("{dataset}", "report.json"), dataset=DATASETS),
]
TRAIN_ALL.extend(DOCS_LINKING_TARGETS)


rule docs_linking_all:
    input:
        DOCS_LINKING_TARGETS,
