"""The training variants in one table: factory, knowledge inputs, stage, ablation switch, report label.

Every place that names variants reads :data:`VARIANTS`: ``kire train --variant`` (kire.train.pipeline
builds the factory), the Snakemake rules that give a run its inputs and ``--variant-settings``
(rules/inject.smk) and the report's groups and labels (kire.report.labels).
This module imports neither torch nor anything of kire, so that the Snakefile may import it.

``continue`` is no paper variant: it is the control of every stage-2 variant (stage 2 with nothing
added), which the grid runs beside them (config ``experiments.control``).

The paper's names: Table 2/3 (base, +KIRE, the competitor injections of section 5.2), Fig. 3 (the
ablations and the simple injection variants of section 5.3), Fig. 4 (the graph encoders, run without
coreference and attribute encoding, as the paper does).

:data:`INJECT_DEFAULTS` are the knowledge settings of ``kire train`` when a ``--variant-settings``
JSON leaves them out; the workflow's defaults are those of workflow/schemas/config.schema.yaml
(key ``inject``), which a test keeps equal to these.
"""

from __future__ import annotations

from dataclasses import dataclass

# The report groups: Table 2/3, Fig. 3, Fig. 4.
MAIN, ABLATION, GRAPH = "main", "ablation", "graph"

# The settings family of the stage-2 control ``continue`` (no knowledge, only ``init_from``).
CONTROL = "control"

# Knowledge settings of the KIRE layer and the competitors (config ``inject``), used when a run's
# settings leave them out: alpha_2 and alpha_3 of eq. 13, the subgraph hops around a batch's linked
# entities, the attribute codes kept per entity (A_max), and where the KIRE layer's knowledge enters
# (kire.inject.streams: the paper's after_encoder or the release's before_encoder).
INJECT_DEFAULTS: dict[str, float | int | str] = {"alpha_cr": 0.01, "alpha_kg": 0.01, "hops": 1, "max_attributes": 20,
                                                 "position": "after_encoder"}

# InjectConfig options whose default is not the paper's printed form, with that printed form: the value
# a run saved before the option existed was trained with (kire.train.run.settings_as_trained), and
# what the report compares runs against (kire.report.layer_settings).
INJECT_BEFORE_OPTION: dict[str, bool | str] = {"gnn_relation_messages": False, "kg_head": "tokens",
                                               "exchange": "literal", "gnn_residual": False}

# The competitor modules' sizes and their defaults (variant settings of the same names,
# kire.inject.competitors); a run's spec records all four, so that it is rebuilt as trained.
COMPETITOR_SIZES: dict[str, int] = {"d_ent": 100, "layers": 2, "heads": 2, "d_rel": 100}


@dataclass(frozen=True)
class Variant:
    """One training variant.

    ``factory``: ``"module:function"`` called as ``factory(model, settings, documents)``.
    ``family``: whose settings the run takes: ``"base"`` (none), ``"control"`` (``continue``: only
    the base run it starts from), ``"kire"`` (the KIRE layer and its ablations, rules/inject.smk) or
    ``"competitor"`` (also rules/inject.smk).
    ``coref`` / ``codes`` / ``kg``: whether a run reads the coreference triples, the AutoEncoder
    attribute codes, the KG subgraph.
    ``stage2``: fine-tuned from the base run of the same dataset, model and seed (two-stage training).
    ``ablation``: the switch of kire.inject.layer.ABLATIONS the variant runs with (KIRE family only).
    ``group`` / ``label``: where and how the report shows it (``""``: the base model itself).
    """

    name: str
    factory: str
    family: str
    coref: bool
    codes: bool
    kg: bool
    stage2: bool
    ablation: str | None
    group: str
    label: str


def _kire(name: str, label: str, group: str, coref: bool = True, codes: bool = True, kg: bool = True,
          ablation: str | None = None) -> Variant:
    return Variant(name, f"kire.inject.training:{name}_variant", "kire", coref, codes, kg, True,
                   ablation or name, group, label)


def _competitor(name: str, label: str, codes: bool) -> Variant:
    return Variant(name, f"kire.inject.competitors:{name}_variant", "competitor", False, codes, True, True,
                   None, MAIN, label)


_TABLE: tuple[Variant, ...] = (
    # Table 2/3: the base model, +KIRE and the competitor injections (section 5.2); none of the
    # competitors reads coreference triples, KB-graph reads no attribute codes.
    Variant("base", "kire.train.pipeline:base_variant", "base", False, False, False, False, None, MAIN, ""),
    # The stage-2 control: the base run trained on by stage 2 without any knowledge (same optimiser,
    # learning rates, epochs, patience and selection as every other stage-2 variant); the report
    # measures each stage-2 variant against it.
    Variant("continue", "kire.train.pipeline:continue_variant", CONTROL, False, False, False, True, None, MAIN,
            "continue (no knowledge)"),
    _kire("kire", "+ KIRE", MAIN, ablation="full"),
    _competitor("reside", "+ RESIDE", codes=True),
    _competitor("recon", "+ RECON", codes=True),
    _competitor("kb_graph", "+ KB-graph", codes=False),
    # Fig. 3: the ablations and the simple injection variants (section 5.3).
    _kire("no_distill", "w/o distill", ABLATION),
    _kire("no_attr", "w/o attr.", ABLATION, codes=False),
    _kire("no_rel", "w/o rel.", ABLATION),
    _kire("no_kg", "w/o KG", ABLATION, codes=False, kg=False),
    _kire("rep_avg", "w/ rep. avg", ABLATION),
    _kire("rep_concat", "w/ rep. concat", ABLATION),
    _kire("mlp", "w/ MLP", ABLATION),
    # Fig. 4: the graph encoders, without coreference and attribute encoding.
    _kire("graph_gcn", "+ KIRE (GCN)", GRAPH, coref=False, codes=False),
    _kire("graph_gat", "+ KIRE (GAT)", GRAPH, coref=False, codes=False),
    _kire("graph_rgcn", "+ KIRE (R-GCN)", GRAPH, coref=False, codes=False),
    _kire("graph_rgat", "+ KIRE (R-GAT)", GRAPH, coref=False, codes=False),
)

# name -> Variant, in table order (the report's order).
VARIANTS: dict[str, Variant] = {v.name: v for v in _TABLE}


def variants_of(family: str) -> dict[str, Variant]:
    """The variants of one settings family (``base``, ``kire``, ``competitor``), in table order."""
    return {name: v for name, v in VARIANTS.items() if v.family == family}
