# The knowledge-injection variants of the train jobs (rules/train.smk), with their inputs and the settings of
# `kire train --variant <name> --variant-settings <JSON>`, registered in TRAIN_VARIANTS (common.smk).
# Which variants exist, and the knowledge each reads (coreference triples, attribute codes, KG
# subgraph), is the table kire.train.variant_table; the settings' defaults are config `inject`
# (workflow/schemas/config.schema.yaml).
#   kire family        the KIRE layer (docs/inject.md, kire/inject/training.py), its ablations
#                      (Fig. 3) and graph encoders (Fig. 4): settings `inject.*` and the ablation switch
#   competitor family  RESIDE, RECON, KB-graph (Table 2, kire/inject/competitors.py): no coreference,
#                      settings `inject.hops` and `inject.max_attributes`
#   control family     `continue`: stage 2 with nothing added, the base run only (experiments.control)
# Every run is stage 2 of the two-stage training: it starts from the base run of the same dataset,
# model and seed (RESULTS/<dataset>/<model>/base/seed<k>/), with the hyper-parameters train.stage2.

import os

from kire.train.settings import kire_variant_settings

INJECT = config["inject"]


def knowledge_inputs(variant):
    """Input function of a stage-2 variant's train jobs, returning the base run and the knowledge it reads."""

    def inputs(wildcards):
        files = {"base": run_path(wildcards.dataset, wildcards.model, "base", wildcards.seed, "model.safetensors")}
        if variant.coref:
            files.update({f"coref_{s}": coref_path(wildcards.dataset, f"{s}.parquet") for s in SPLITS})
        if variant.kg:
            files["relations"] = subgraph_path(wildcards.dataset, "relations.parquet")
            files.update({f"subgraph_{s}": subgraph_path(wildcards.dataset, s, "nodes.parquet") for s in SPLITS})
        if variant.codes:
            files["codes"] = embed_path("attribute_codes", "meta.json")
        return files

    return inputs


def kire_settings(variant):
    """--variant-settings of a KIRE-family run (kire.inject.training; built by kire.train.settings)."""

    def settings(wildcards):
        files = knowledge_inputs(variant)(wildcards)
        return kire_variant_settings(
            config, variant.ablation, os.path.dirname(files["base"]),
            coref=coref_path(wildcards.dataset, "{split}.parquet") if variant.coref else None,
            subgraph=os.path.dirname(files["relations"]) if variant.kg else None,
            codes=os.path.dirname(files["codes"]) if variant.codes else None)

    return settings


def competitor_settings(variant):
    """--variant-settings of a competitor run (kire.inject.competitors.competitor_variant)."""

    def settings(wildcards):
        files = knowledge_inputs(variant)(wildcards)
        s = {"init_from": os.path.dirname(files["base"]), "subgraph": os.path.dirname(files["relations"]),
             "hops": INJECT["hops"], "max_attributes": INJECT["max_attributes"]}
        if variant.codes:
            s["codes"] = os.path.dirname(files["codes"])
        return s

    return settings


def control_settings(variant):
    """--variant-settings of the stage-2 control `continue` (kire.train.pipeline.continue_variant)."""

    def settings(wildcards):
        return {"init_from": os.path.dirname(knowledge_inputs(variant)(wildcards)["base"])}

    return settings


FAMILY_SETTINGS = {"kire": kire_settings, "competitor": competitor_settings, "control": control_settings}

for _name, _variant in VARIANT_TABLE.items():
    if _variant.stage2:
        TRAIN_VARIANTS[_name] = {"inputs": knowledge_inputs(_variant),
                                 "settings": FAMILY_SETTINGS[_variant.family](_variant)}
