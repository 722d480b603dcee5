# The KIRE knowledge-injection variants (docs/inject.md): inputs and settings of
# `kire train --variant <name>` for the rule train of rules/train.smk, through TRAIN_VARIANTS.
#   kire                       the full layer (coreference + attributes + R-GAT + reconciliation)
#   no_distill no_attr no_rel no_kg rep_avg rep_concat mlp      the paper's ablations (Fig. 3)
#   graph_rgat graph_gcn graph_gat graph_rgcn                   the graph encoders (Fig. 4)
# Every run is stage 2 of the two-stage training: it starts from the base run of the same dataset,
# model and seed (RESULTS/<dataset>/<model>/base/seed<k>/).

import os

INJECT = config.get("inject", {})
TRAIN_VARIANTS = globals().get("TRAIN_VARIANTS", {})
INJECT_SPLITS = ("train", "dev", "test")
# name -> (needs coreference triples, needs attribute codes, needs the KG subgraph)
INJECT_VARIANTS = {
    "kire": (True, True, True),
    "no_distill": (True, True, True),
    "no_attr": (True, False, True),
    "no_rel": (True, True, True),
    "no_kg": (True, False, False),
    "rep_avg": (True, True, True),
    "rep_concat": (True, True, True),
    "mlp": (True, True, True),
    **{f"graph_{kind}": (False, False, True) for kind in ("rgat", "gcn", "gat", "rgcn")},
}


def inject_inputs(name):
    coref, codes, kg = INJECT_VARIANTS[name]

    def inputs(wildcards):
        files = {"base": run_path(wildcards.dataset, wildcards.model, "base", wildcards.seed, "model.safetensors")}
        if coref:
            files.update({f"coref_{s}": coref_path(wildcards.dataset, f"{s}.parquet") for s in INJECT_SPLITS})
        if kg:
            files["relations"] = subgraph_path(wildcards.dataset, "relations.parquet")
            files.update({f"subgraph_{s}": subgraph_path(wildcards.dataset, s, "nodes.parquet")
                          for s in INJECT_SPLITS})
        if codes:
            files["codes"] = embed_path("attribute_codes", "meta.json")
        return files

    return inputs


def inject_settings(name):
    coref, codes, kg = INJECT_VARIANTS[name]

    def settings(wildcards, input):
        s = {"ablation": "full" if name == "kire" else name,
             "init_from": os.path.dirname(input.base),
             "alpha_cr": INJECT.get("alpha_cr", 0.01), "alpha_kg": INJECT.get("alpha_kg", 0.01),
             "hops": INJECT.get("hops", 1), "max_attributes": INJECT.get("max_attributes", 20),
             "inject": INJECT.get("layer", {})}
        if coref:
            s["coref"] = coref_path(wildcards.dataset, "{split}.parquet")
        if kg:
            s["subgraph"] = os.path.dirname(input.relations)
        if codes:
            s["codes"] = os.path.dirname(input.codes)
        if config.get("embed", {}).get("glove"):
            s["glove"] = config["embed"]["glove"]
        return s

    return settings


for _name in INJECT_VARIANTS:
    TRAIN_VARIANTS[_name] = {"inputs": inject_inputs(_name), "settings": inject_settings(_name)}
