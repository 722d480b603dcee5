"""Display names and report groups of the models and variants that appear in result paths.

A run lives in ``<results>/<dataset>/<model>/<variant>/seed<k>/``; ``model`` is a registry name of
:mod:`kire.models.registry` and ``variant`` one of the names below (unknown names are still reported,
under their own name, in the main table).
"""

from __future__ import annotations

MODEL_LABELS: dict[str, str] = {
    "cnn": "CNN",
    "lstm": "LSTM",
    "bilstm": "BiLSTM",
    "context_aware": "Context-aware",
    "atlop": "ATLOP",
    "ssan": "SSAN",
    "glre": "GLRE",
}

BASE = "base"
KIRE = "kire"

# Table 2/3: the base model, +KIRE, and the competitor injection modules (section 5.2).
MAIN_VARIANTS: dict[str, str] = {
    BASE: "",
    KIRE: "+ KIRE",
    "reside": "+ RESIDE",
    "recon": "+ RECON",
    "kb_graph": "+ KB-graph",
}

# Fig. 3: the ablations and the simple injection variants (section 5.3), next to KIRE and the base.
ABLATION_VARIANTS: dict[str, str] = {
    "no_distill": "w/o distill",
    "no_attr": "w/o attr.",
    "no_rel": "w/o rel.",
    "no_kg": "w/o KG",
    "rep_avg": "w/ rep. avg",
    "rep_concat": "w/ rep. concat",
    "mlp": "w/ MLP",
}

# Fig. 4: the graph encoders, with coreference and attribute encoding removed.
GRAPH_VARIANTS: dict[str, str] = {
    "graph_gcn": "+ KIRE (GCN)",
    "graph_gat": "+ KIRE (GAT)",
    "graph_rgcn": "+ KIRE (R-GCN)",
    "graph_rgat": "+ KIRE (R-GAT)",
}


def model_label(model: str) -> str:
    """The paper's name of a model (the registry name when the paper has none)."""
    return MODEL_LABELS.get(model, model)


def variant_label(variant: str) -> str:
    """How a variant is written in tables and legends (e.g. ``kire`` -> ``+ KIRE``)."""
    for group in (MAIN_VARIANTS, ABLATION_VARIANTS, GRAPH_VARIANTS):
        if variant in group:
            return group[variant] or "base"
    return variant


def variant_group(variant: str) -> str:
    """``main`` (Table 2/3), ``ablation`` (Fig. 3) or ``graph`` (Fig. 4); unknown names are ``main``."""
    if variant in ABLATION_VARIANTS:
        return "ablation"
    if variant in GRAPH_VARIANTS:
        return "graph"
    return "main"


def ordered(names, order: list[str]) -> list[str]:
    """``names`` sorted by their position in ``order``, names not in it last, alphabetically."""
    rank = {n: i for i, n in enumerate(order)}
    return sorted(set(names), key=lambda n: (rank.get(n, len(order)), n))


VARIANT_ORDER: list[str] = [*MAIN_VARIANTS, *ABLATION_VARIANTS, *GRAPH_VARIANTS]
