"""``H' = KnowledgeInject(D, H, G)`` (eq. 1): the KIRE layer between any model's Encode and Predict.

Shapes: B documents, L positions of H, d_token = H's size; see kire.inject.batch for the rest.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from typing import NamedTuple

import torch
from torch import nn

from kire.inject.attributes import AttributeEncoder, LabelEncoder
from kire.inject.batch import KnowledgeBatch
from kire.inject.coref import EXCHANGES, CorefEncoder
from kire.inject.graph import GRAPH_ENCODERS, GraphEncoder
from kire.inject.reconcile import KG_HEADS, Reconciler
from kire.inject.simple import SIMPLE_INJECTIONS, SimpleInjection
from kire.train.variant_table import INJECT_DEFAULTS

INJECTIONS = ("kire", *SIMPLE_INJECTIONS)


@dataclass(frozen=True)
class InjectConfig:
    """Hyper-parameters and ablation switches of the layer (paper defaults where it gives them)."""

    coref: bool = True          # coreference encoding (4.1)
    distill: bool = True        # False: "w/o distill", teacher coreferences used directly
    kg: bool = True             # False: "w/o KG", no KG encoding and no reconciliation
    attributes: bool = True     # False: "w/o attr.", entities start from max-pooled label word vectors
    relations: bool = True      # False: "w/o rel.", attribute representation is the KG representation
    injection: str = "kire"     # kire | rep_avg | rep_concat | mlp
    graph_encoder: str = "rgat"  # rgat | gcn | gat | rgcn
    n_relations: int = 1        # relation ids in the KG subgraph (edge_type < n_relations)
    d_auto: int = 100           # AutoEncoder code size (q_j)
    d_word: int = 50            # label word-vector size ("w/o attr.")
    d_ent: int = 100            # KG representation size
    attr_kernel: int = 1        # CNN1D kernel width over the attribute axis (eq. 8)
    gnn_layers: int = 1         # K (paper: 3; why 1: docs/inject.md, "Why K = 1", "Confirmation on fresh seeds")
    gnn_heads: int = 2          # B
    d_rel: int = 100            # size of M(r) (eq. 9)
    # R-GAT messages also carry W_rel M(r) (not eq. 9 as printed; graph.RGATConv): without them the
    # KG representations do not say by which relation an entity is tied (docs/inject.md, positive control)
    gnn_relation_messages: bool = True
    gnn_residual: bool = False  # KG representation h0 + h^K (the original release), not h^K alone
    aggregators: int = 2        # N (paper: 2)
    heads_token: int = 4
    heads_ent: int = 4
    d_fuse: int = 0             # 0: d_token
    residual: bool = True       # see kire.inject.reconcile.Aggregator
    update_unaligned: bool = False  # True: eq. 11 also rewrites tokens without an aligned entity (ERNIE)
    d_mlp: int = 256            # hidden size of the student MLP (paper: 256) and of the MLP variant
    d_dist: int = 20            # size of the distance vectors Delta
    beta: int = 5               # 2*beta distance bins
    # gated: injected values enter through gates that start at 0, so a fresh layer is the identity
    # (eq. 5's exchange, the simple variants); literal: eq. 5 as printed, tokens overwritten
    exchange: str = "gated"
    # what L_kg scores (kire.inject.reconcile.Reconciler): tokens (eq. 12) | mlp | detached; detached:
    # L_kg trains the KG side and its Linear but never moves the states the classifier reads
    kg_head: str = "detached"

    def __post_init__(self):
        if self.injection not in INJECTIONS:
            raise ValueError(f"injection must be one of {INJECTIONS}, not {self.injection!r}")
        if self.exchange not in EXCHANGES:
            raise ValueError(f"exchange must be one of {EXCHANGES}, not {self.exchange!r}")
        if self.kg_head not in KG_HEADS:
            raise ValueError(f"kg_head must be one of {KG_HEADS}, not {self.kg_head!r}")
        if self.graph_encoder not in GRAPH_ENCODERS:
            raise ValueError(f"graph_encoder must be one of {GRAPH_ENCODERS}, not {self.graph_encoder!r}")

    @classmethod
    def from_dict(cls, values: dict) -> "InjectConfig":
        """Return a config from a mapping; unknown keys raise ValueError naming them."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown inject option(s): {', '.join(unknown)}")
        return cls(**values)

    def to_dict(self) -> dict:
        """Return the config as a plain dict (for checkpoints and logs)."""
        return asdict(self)


# The paper's ablations (Fig. 3) and graph-encoder comparison (Fig. 4), as overrides of the full model.
# The graph-encoder runs remove coreference and attribute encoding, as the paper does.
ABLATIONS: dict[str, dict] = {
    "full": {},
    "no_distill": {"distill": False},
    "no_attr": {"attributes": False},
    "no_rel": {"relations": False},
    "no_kg": {"kg": False},
    "rep_avg": {"injection": "rep_avg"},
    "rep_concat": {"injection": "rep_concat"},
    "mlp": {"injection": "mlp"},
    **{f"graph_{kind}": {"coref": False, "attributes": False, "graph_encoder": kind} for kind in GRAPH_ENCODERS},
}


def ablation_config(name: str, base: InjectConfig) -> InjectConfig:
    """Return ``base`` with the overrides of the named ablation (see ABLATIONS)."""
    if name not in ABLATIONS:
        raise ValueError(f"unknown ablation {name!r}; choose from {', '.join(ABLATIONS)}")
    return replace(base, **ABLATIONS[name])


class Injected(NamedTuple):
    """Output of the layer: H' [B, L, d_token] and the auxiliary losses (None when switched off)."""

    H: torch.Tensor
    L_cr: torch.Tensor | None
    L_kg: torch.Tensor | None


class KnowledgeInject(nn.Module):
    """The knowledge-injection layer of section 4, for a model whose H has size ``d_token``."""

    def __init__(self, d_token: int, config: InjectConfig):
        super().__init__()
        self.config = c = config
        self.variant = (SimpleInjection(c.injection, d_token, c.d_ent, c.d_mlp, gated=c.exchange == "gated")
                        if c.injection != "kire" else None)
        self.coref = CorefEncoder(d_token, d_mlp=c.d_mlp, d_dist=c.d_dist, beta=c.beta, distill=c.distill,
                                  exchange=c.exchange) if (c.coref and self.variant is None) else None
        if c.kg:
            self.entity_init = (AttributeEncoder(c.d_auto, c.d_ent, c.attr_kernel) if c.attributes
                                else LabelEncoder(c.d_word, c.d_ent))
            self.graph = (GraphEncoder(c.d_ent, n_relations=c.n_relations, kind=c.graph_encoder,
                                       layers=c.gnn_layers, heads=c.gnn_heads, d_rel=c.d_rel,
                                       # messages with M(r) are R-GAT's option; GCN / GAT / R-GCN keep theirs
                                       relation_messages=c.gnn_relation_messages and c.graph_encoder == "rgat",
                                       residual=c.gnn_residual)
                          if c.relations else None)
            self.reconciler = (Reconciler(d_token, c.d_ent, n_aggregators=c.aggregators, d_fuse=c.d_fuse or d_token,
                                          heads_token=c.heads_token, heads_ent=c.heads_ent, residual=c.residual,
                                          update_unaligned=c.update_unaligned, kg_head=c.kg_head)
                               if self.variant is None else None)

    def kg_representations(self, kb: KnowledgeBatch) -> torch.Tensor:
        """Return h_e for the subgraph's nodes (eqs. 8-9): [N, d_ent]; final for the linked ones
        (``kb.doc_nodes``), which are all the layer reads."""
        if self.config.attributes:
            h0 = self.entity_init(kb.node_codes, kb.node_code_ptr)
        else:
            if kb.node_label_vectors is None or kb.node_label_mask is None:
                raise ValueError("the 'w/o attr.' ablation needs node_label_vectors in the KnowledgeBatch")
            h0 = self.entity_init(kb.node_label_vectors, kb.node_label_mask)
        if self.graph is None:
            return h0
        linked = kb.doc_nodes[kb.doc_nodes >= 0].unique()
        return self.graph(h0, kb.edge_index, kb.edge_type, targets=linked)

    def forward(self, H: torch.Tensor, token_mask: torch.Tensor, kb: KnowledgeBatch) -> Injected:
        """H [B, L, d_token], token_mask [B, L] bool, kb the batch's knowledge -> Injected."""
        c = self.config
        L_cr = L_kg = None
        if c.coref:
            if self.variant is not None:
                H = self.variant.inject_coref(H, kb)
            else:
                H, L_cr = self.coref(H, kb)
        if c.kg:
            h_nodes = self.kg_representations(kb)
            slot_mask = kb.doc_nodes >= 0
            h_e = h_nodes[kb.doc_nodes.clamp(min=0)] if h_nodes.shape[0] else \
                H.new_zeros(*kb.doc_nodes.shape, c.d_ent)
            h_e = h_e * slot_mask.unsqueeze(-1).to(h_e.dtype)  # [B, I, d_ent]
            if self.variant is not None:
                H = self.variant.inject_kg(H, token_mask, h_e, kb.token_align)
            else:
                H, L_kg = self.reconciler(H, token_mask, h_e, slot_mask, kb.token_align)
        return Injected(H, L_cr, L_kg)


def auxiliary_terms(injected: Injected, alpha_cr: float = INJECT_DEFAULTS["alpha_cr"],
                    alpha_kg: float = INJECT_DEFAULTS["alpha_kg"]) -> dict[str, torch.Tensor]:
    """``{"cr": alpha2 L_cr, "kg": alpha3 L_kg}``: the layer's weighted terms of eq. 13 (scalars); a
    switched-off part is left out. Training adds them to L_re (kire.inject.training.KireInjection)."""
    terms = {}
    if injected.L_cr is not None:
        terms["cr"] = alpha_cr * injected.L_cr
    if injected.L_kg is not None:
        terms["kg"] = alpha_kg * injected.L_kg
    return terms


def multitask_loss(L_re: torch.Tensor, injected: Injected,
                   alpha: tuple[float, float, float] = (1.0, INJECT_DEFAULTS["alpha_cr"], INJECT_DEFAULTS["alpha_kg"])
                   ) -> torch.Tensor:
    """L = alpha1 L_re + alpha2 L_cr + alpha3 L_kg (eq. 13), a scalar; a switched-off part contributes
    nothing. The training loop's loss is this sum with alpha1 = 1: the relation loss plus
    :func:`auxiliary_terms`, which the kire variant returns as its extra losses."""
    loss = alpha[0] * L_re
    for term in auxiliary_terms(injected, alpha[1], alpha[2]).values():
        loss = loss + term
    return loss
