"""Display names and report groups of the models and variants that appear in result paths.

A run lives in ``<results>/<dataset>/<model>/<variant>/seed<k>/``; ``model`` is a registry name of
:mod:`kire.models.registry` and ``variant`` one of kire.train.variant_table (unknown names are still reported,
under their own name, in the main table).
"""

from __future__ import annotations

from kire.train.variant_table import ABLATION, GRAPH, MAIN, VARIANTS

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
# the stage-2 control that adds nothing: every other stage-2 variant is compared against it
CONTINUE = "continue"

# The report groups of kire.train.variant_table, name -> label, in table order:
# Table 2/3 (the base model, +KIRE and the competitor injections, section 5.2), Fig. 3 (the ablations
# and the simple injection variants, section 5.3), Fig. 4 (the graph encoders).
MAIN_VARIANTS: dict[str, str] = {n: v.label for n, v in VARIANTS.items() if v.group == MAIN}
ABLATION_VARIANTS: dict[str, str] = {n: v.label for n, v in VARIANTS.items() if v.group == ABLATION}
GRAPH_VARIANTS: dict[str, str] = {n: v.label for n, v in VARIANTS.items() if v.group == GRAPH}


def model_label(model: str) -> str:
    """The paper's name of a model (the registry name when the paper has none)."""
    return MODEL_LABELS.get(model, model)


def variant_label(variant: str) -> str:
    """How a variant is written in tables and legends (e.g. ``kire`` -> ``+ KIRE``)."""
    if variant in VARIANTS:
        return VARIANTS[variant].label or "base"
    return "continue (no knowledge)" if variant == CONTINUE else variant


def variant_group(variant: str) -> str:
    """``main`` (Table 2/3), ``ablation`` (Fig. 3) or ``graph`` (Fig. 4); unknown names are ``main``."""
    return VARIANTS[variant].group if variant in VARIANTS else MAIN


def ordered(names, order: list[str]) -> list[str]:
    """``names`` sorted by their position in ``order``, names not in it last, alphabetically."""
    rank = {n: i for i, n in enumerate(order)}
    return sorted(set(names), key=lambda n: (rank.get(n, len(order)), n))


def is_stage2(variant: str) -> bool:
    """Whether ``variant`` is fine-tuned from a base run (the variant table's ``stage2``)."""
    return VARIANTS[variant].stage2 if variant in VARIANTS else variant != BASE


def compared_variants(variants: list[str]) -> list[str]:
    """``base``, ``continue``, then every other stage-2 variant of ``variants``, in their order."""
    head = [v for v in (BASE, CONTINUE) if v in variants]
    return head + [v for v in variants if v not in head and is_stage2(v)]


# the table's order, with continue right after base (also before the variant table lists it)
VARIANT_ORDER: list[str] = [BASE, CONTINUE] + [v for v in VARIANTS if v not in (BASE, CONTINUE)]
