# The paper's competitor injections (Table 2): `kire train --variant reside|recon|kb_graph`, the
# knowledge-injection module of each (kire/inject/competitors.py) between the base model's Encode
# and Predict. Inputs and settings reach rule `train` (rules/train.smk) through TRAIN_VARIANTS.
# Like +KIRE, every run is stage 2 of two-stage training: it starts from the base run of the same
# dataset, model and seed. None of them reads coreference triples (the paper: they ignore them);
# RESIDE and RECON read the attribute codes, KB-graph only the KG subgraph.

import os

TRAIN_VARIANTS = globals().get("TRAIN_VARIANTS", {})
COMPETITOR_SPLITS = ("train", "dev", "test")
COMPETITOR_CODES = {"reside": True, "recon": True, "kb_graph": False}


def competitor_inputs(name):
    def inputs(wildcards):
        files = {
            "base": run_path(wildcards.dataset, wildcards.model, "base", wildcards.seed, "model.safetensors"),
            "relations": subgraph_path(wildcards.dataset, "relations.parquet"),
            **{f"subgraph_{s}": subgraph_path(wildcards.dataset, s, "nodes.parquet") for s in COMPETITOR_SPLITS},
        }
        if COMPETITOR_CODES[name]:
            files["codes"] = embed_path("attribute_codes", "meta.json")
        return files

    return inputs


def competitor_settings(name):
    def settings(wildcards, input):
        inject = config.get("inject", {})
        s = {"init_from": os.path.dirname(input.base), "subgraph": os.path.dirname(input.relations),
             "hops": inject.get("hops", 1), "max_attributes": inject.get("max_attributes", 20)}
        if COMPETITOR_CODES[name]:
            s["codes"] = os.path.dirname(input.codes)
        return s

    return settings


for _name in COMPETITOR_CODES:
    TRAIN_VARIANTS[_name] = {"inputs": competitor_inputs(_name), "settings": competitor_settings(_name)}
