"""The KIRE layer as a training variant: the factories of ``kire`` and its ablations (kire.train.variant_table),
the module the training Pipeline (kire.train.pipeline) calls, and the per-split knowledge it reads.

Settings (config ``train.variants.kire`` or the ``--variant-settings`` JSON of ``kire train``):

``subgraph``       folder of the dataset's KG subgraphs (kire.subgraph.build: relations.parquet,
                   <split>/{nodes,edges,doc_entities}.parquet)                     (required with the KG)
``coref``          path of a split's coref table with ``{split}`` in it, e.g.
                   ``results/coref/docred/{split}.parquet``; null: no coreference triples
``codes``          folder of AutoEncoder attribute codes (kire.embed.codes)         (required with attributes)
``glove``          GloVe file for the "w/o attr." ablation (default: the bundled 6B 50-d package)
``init_from``      a trained base run folder: two-stage training starts from its weights
``ablation``       one of kire.inject.layer.ABLATIONS (default ``full``)
``inject``         InjectConfig overrides (kire.inject.layer.InjectConfig)
``alpha_cr``       alpha_2 of eq. 13; ``alpha_kg``: alpha_3
``hops``           neighbourhood of the batch's linked entities taken from the split's subgraph
``max_attributes`` attribute codes kept per entity (A_max)
``position``       where the knowledge enters: ``after_encoder`` (eq. 1) or ``before_encoder`` (the
                   release's second stream, word models only; kire.inject.streams)

Settings left out take kire.train.variant_table.INJECT_DEFAULTS.

The relation loss keeps weight alpha_1 = 1 (it is the training loop's own term).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch
from torch import nn

from kire.errors import KireError
from kire.inject.layer import InjectConfig, KnowledgeInject, ablation_config, auxiliary_terms
from kire.models.batch import Batch
from kire.train.variant_table import INJECT_DEFAULTS, variants_of

SETTINGS = ("subgraph", "coref", "codes", "glove", "init_from", "ablation", "inject", "alpha_cr", "alpha_kg",
            "hops", "max_attributes", "position")


class KireInjection(nn.Module):
    """``inject(H, batch, kbatch) -> (H', {"cr": alpha_2 L_cr, "kg": alpha_3 L_kg})`` for the Pipeline."""

    def __init__(self, d_token: int, config: InjectConfig, alpha_cr: float = INJECT_DEFAULTS["alpha_cr"],
                 alpha_kg: float = INJECT_DEFAULTS["alpha_kg"]):
        super().__init__()
        self.layer = KnowledgeInject(d_token, config)
        self.alpha_cr, self.alpha_kg = alpha_cr, alpha_kg

    def forward(self, H: torch.Tensor, batch: Batch, kbatch) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        out = self.layer(H, batch.token_mask, kbatch)
        return out.H, auxiliary_terms(out, self.alpha_cr, self.alpha_kg)


def code_dim_of(codes_dir: str | Path) -> int:
    """Width of the AutoEncoder codes exported to ``codes_dir`` (its meta.json)."""
    meta = Path(codes_dir) / "meta.json"
    if not meta.is_file():
        raise KireError(f"{meta} not found (run the AutoEncoder encode step first)")
    return int(json.loads(meta.read_text(encoding="utf-8"))["code_dim"])


def relation_count_of(subgraph: str | Path) -> int:
    """Number of relation ids of a dataset's subgraph (rows of relations.parquet, at least 1)."""
    import pyarrow.parquet as pq

    path = Path(subgraph) / "relations.parquet"
    if not path.is_file():
        raise KireError(f"{path} not found (run the subgraph stage first)")
    return max(pq.read_metadata(path).num_rows, 1)


class KnowledgeSource:
    """``(split, batch) -> KnowledgeBatch``: reads each split's knowledge once, on first use."""

    def __init__(self, settings: dict[str, Any], config: InjectConfig, n_docs: dict[str, int]):
        self.settings, self.config, self.n_docs = settings, config, n_docs
        self._splits: dict[str, Any] = {}
        self._lookup = None

    def split(self, name: str):
        from kire.inject.knowledge import SplitKnowledge, load_split_knowledge

        if name not in self._splits:
            s, c = self.settings, self.config
            if name not in self.n_docs:
                raise KireError(f"no documents of split {name!r} were given to the kire variant")
            if not c.kg and not c.coref:
                raise KireError("the kire variant with neither KG nor coreference injects nothing")
            coref = s["coref"].replace("{split}", name) if (c.coref and s.get("coref")) else None
            if c.kg:
                lookup = None
                if not c.attributes:
                    from kire.embed.glove import load_glove
                    from kire.embed.lookup import LPLookup

                    self._lookup = self._lookup or LPLookup(load_glove(s.get("glove")))
                    lookup = self._lookup
                self._splits[name] = load_split_knowledge(
                    n_docs=self.n_docs[name], coref=coref, subgraph_dir=s["subgraph"], split=name,
                    codes_dir=s.get("codes") if c.attributes else None,
                    max_attributes=int(s.get("max_attributes", INJECT_DEFAULTS["max_attributes"])), label_lookup=lookup)
            else:
                import numpy as np

                from kire.coref.table import read_coref
                from kire.inject.knowledge import coref_arrays

                n = self.n_docs[name]
                offsets, spans, p = (coref_arrays(read_coref(coref), n, coref) if coref else
                                     (np.zeros(n + 1, np.int64), np.zeros((0, 4), np.int64), np.zeros(0, np.float32)))
                empty = np.zeros(n + 1, np.int64)
                self._splits[name] = SplitKnowledge(
                    n_docs=n, coref_offsets=offsets, coref_spans=spans, coref_p=p, entity_offsets=empty,
                    entity_nodes=np.zeros((0, 2), np.int64), node_qids=[], edges=np.zeros((0, 3), np.int64),
                    n_relations=1, code_offsets=np.zeros(1, np.int64), codes=np.zeros((0, c.d_auto), np.float32))
        return self._splits[name]

    def __call__(self, split: str, batch: Batch):
        from kire.inject.collate import knowledge_batch

        c = self.config
        return knowledge_batch(self.split(split), batch, hops=int(self.settings.get("hops", INJECT_DEFAULTS["hops"])),
                               with_labels=c.kg and not c.attributes, coref=c.coref, kg=c.kg)


def build_kire_variant(model, settings: dict[str, Any], documents: dict[str, list]):
    """The parts of the kire variant for ``model`` (settings: module docstring)."""
    from kire.train.pipeline import VariantParts

    unknown = sorted(set(settings) - set(SETTINGS))
    if unknown:
        raise KireError(f"unknown kire variant setting(s): {', '.join(unknown)}; known: {', '.join(SETTINGS)}")
    try:
        base = InjectConfig.from_dict(dict(settings.get("inject") or {}))
        config = ablation_config(settings.get("ablation", "full"), base)
    except ValueError as err:
        raise KireError(f"kire variant: {err}") from None
    overrides: dict[str, Any] = {}
    if config.kg:
        if not settings.get("subgraph"):
            raise KireError("kire variant: setting 'subgraph' (the KG subgraph folder) is required with the KG")
        overrides["n_relations"] = relation_count_of(settings["subgraph"])
        if config.attributes:
            if not settings.get("codes"):
                raise KireError("kire variant: setting 'codes' (attribute codes folder) is required with attributes")
            overrides["d_auto"] = code_dim_of(settings["codes"])
        else:
            from kire.embed.glove import glove_dim

            overrides["d_word"] = glove_dim(settings.get("glove"))
    if config.coref and settings.get("coref") and "{split}" not in settings["coref"]:
        raise KireError("kire variant: setting 'coref' must contain '{split}', e.g. results/coref/docred/{split}.parquet")
    from dataclasses import replace

    from kire.inject.streams import BEFORE_ENCODER, InputInjection, layer_width, position_of

    position = position_of(settings, model)
    d_token, config = layer_width(model, position, replace(config, **overrides), settings.get("inject") or {})
    inject = KireInjection(d_token, config, float(settings.get("alpha_cr", INJECT_DEFAULTS["alpha_cr"])),
                           float(settings.get("alpha_kg", INJECT_DEFAULTS["alpha_kg"])))
    if position == BEFORE_ENCODER:
        inject = InputInjection(inject, model.hidden_size)
    source = KnowledgeSource(settings, config, {name: len(docs) for name, docs in documents.items()})
    return VariantParts(inject=inject, batch_inputs=source, init_from=settings.get("init_from"),
                        spec={"inject": config.to_dict(), "position": position}, position=position)


# The training variants of this layer: "kire" (the full layer) and the ablations, one factory each,
# so that `--variant no_attr` means the "w/o attr." ablation without repeating it in the settings.
# kire.train.variant_table names them and their ablation switches (keys of kire.inject.layer.ABLATIONS).
VARIANT_ABLATIONS: dict[str, str] = {name: v.ablation for name, v in variants_of("kire").items()}


def _factory_for(variant: str):
    ablation = VARIANT_ABLATIONS[variant]

    def factory(model, settings: dict[str, Any], documents: dict[str, list]):
        given = settings.get("ablation", ablation)
        if given != ablation:
            raise KireError(f"variant {variant!r} is the {ablation!r} ablation, but its settings say {given!r}")
        return build_kire_variant(model, {**settings, "ablation": ablation}, documents)

    factory.__name__ = factory.__qualname__ = f"{variant}_variant"
    factory.__doc__ = f"The {variant!r} training variant: kire_variant with ablation {ablation!r}."
    return factory


for _variant in VARIANT_ABLATIONS:
    globals()[f"{_variant}_variant"] = _factory_for(_variant)
del _variant
