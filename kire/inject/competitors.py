"""The knowledge-injection modules of the paper's competitors (Table 2, section 5.2): RESIDE, RECON
and KB-graph, each reduced to the part that injects knowledge into token representations, so that
they feed the same base models as KIRE ("we only adopt the knowledge injection modules of the above
models to enhance the token representations in the documents").

Every module has KIRE's interface, ``forward(H, token_mask, kb) -> Injected(H', None, None)``: it
reads the same :class:`~kire.inject.batch.KnowledgeBatch`, changes only the positions aligned with
a linked KG entity (``kb.token_align``), keeps H's size d_token and adds no auxiliary loss. None of
them uses coreference knowledge, as in the paper. What each one injects, and how:

- **RESIDE** (Vashishth et al., 2018): side information of entity types and aliases. A node's type
  vector is the mean of the AutoEncoder codes of its "instance of" attribute triples, its alias
  vector the mean of the codes of its aliases (both 0 when it has none); an aligned token takes
  ``h + W_o [h; W_t type; W_a alias]`` (concatenation, then projection back to d_token).
- **RECON** (Bastos et al., 2021): an attribute context embedding (the mean of all the node's
  attribute codes, projected) and a relation context embedding (a relation-aware graph attention
  network over the KG subgraph, relation embeddings as edge features, starting from the attribute
  context); an aligned token takes ``h + W_o [h; attribute context; relation context]``.
- **KB-graph** (Verlinden et al., 2021, the KG-only half of KB-both): KG entity embeddings from the
  graph structure alone: a node starts as the mean embedding of the relation types of its triples
  (its relational signature, so that unseen entities get one too) and GCN layers propagate over the
  subgraph; an aligned token becomes the average ``(h + W e) / 2`` (representation average), moved
  in through a per-dimension gate g that starts at zero: ``h + g * ((h + W e) / 2 - h)``.

``W_o`` of RESIDE and RECON and KB-graph's gate start at zero, so that each module starts as the
identity and fine-tuning starts from the trained base model (the same two-stage training as KIRE).

Shapes: B documents, L positions of H, d = d_token, N nodes, A attribute slots, E relation triples,
I linked-entity slots per document.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from kire.errors import InputError
from kire.inject.attributes import per_node
from kire.inject.batch import KnowledgeBatch
from kire.inject.graph import with_inverse_edges
from kire.inject.layer import Injected
from kire.inject.simple import entity_of_token
from kire.train.variant_table import COMPETITOR_SIZES

COMPETITORS = ("reside", "recon", "kb_graph")

# Attribute names of the attribute sequences (kire.embed.attributes) that RESIDE reads.
TYPE_ATTRIBUTE = "instance of"
ALIAS_ATTRIBUTE = "alias"


def node_to_tokens(h_nodes: torch.Tensor, kb: KnowledgeBatch) -> torch.Tensor:
    """Return each position's aligned node representation (0 where none): [N, d] -> [B, L, d]."""
    slot_mask = kb.doc_nodes >= 0
    if h_nodes.shape[0] == 0:
        h_slots = h_nodes.new_zeros(*kb.doc_nodes.shape, h_nodes.shape[-1])
    else:
        h_slots = h_nodes[kb.doc_nodes.clamp(min=0)] * slot_mask.unsqueeze(-1).to(h_nodes.dtype)
    return entity_of_token(h_slots, kb.token_align)


def aligned_mask(kb: KnowledgeBatch) -> torch.Tensor:
    """[B, L] bool: positions aligned with a linked KG entity of the batch's subgraph."""
    if kb.doc_nodes.shape[1] == 0:
        return torch.zeros_like(kb.token_align, dtype=torch.bool)
    slot_node = torch.gather(kb.doc_nodes, 1, kb.token_align.clamp(min=0))
    return (kb.token_align >= 0) & (slot_node >= 0)


class SideInformation:
    """RESIDE's side information per KG entity: mean code of its types and of its aliases.

    Read from an attribute-codes folder (kire.embed.codes): ``codes.safetensors`` gives the code of
    every attribute triple, ``triples.parquet`` which attribute each row encodes. Vectors are
    looked up by KG id, so the same table serves every split; entities without types or aliases
    (or absent from the folder) get zeros.
    """

    def __init__(self, ids: list[str], types: np.ndarray, aliases: np.ndarray):
        self.index = {q: i for i, q in enumerate(ids)}
        self.types, self.aliases = types, aliases  # [Q, d_auto] float32 each

    @property
    def d_auto(self) -> int:
        return int(self.types.shape[1])

    @classmethod
    def from_codes(cls, codes_dir: str | Path) -> "SideInformation":
        """Read the attribute-codes folder at ``codes_dir``."""
        import pyarrow.parquet as pq

        from kire.embed.codes import read_attribute_codes

        codes = read_attribute_codes(codes_dir)
        path = Path(codes_dir) / "triples.parquet"
        if not path.is_file():
            raise InputError(str(path), None, None, "file not found (run the attribute-codes stage)")
        attribute = np.asarray(pq.read_table(path, columns=["attribute"]).column("attribute").to_pylist(),
                               dtype=object)
        if len(attribute) != len(codes.codes):
            raise InputError(str(path), None, "attribute",
                             f"{len(attribute)} rows but codes.safetensors holds {len(codes.codes)} codes")
        owner = np.repeat(np.arange(len(codes.entity_ids)), np.diff(codes.offsets))

        def means(kind: str) -> np.ndarray:
            rows = attribute == kind
            out = np.zeros((len(codes.entity_ids), codes.code_dim), np.float32)
            counts = np.bincount(owner[rows], minlength=len(codes.entity_ids)).astype(np.float32)
            np.add.at(out, owner[rows], codes.codes[rows])
            return out / np.maximum(counts, 1.0)[:, None]

        return cls(list(codes.entity_ids), means(TYPE_ATTRIBUTE), means(ALIAS_ATTRIBUTE))

    def lookup(self, node_ids: list[str]) -> tuple[torch.Tensor, torch.Tensor]:
        """Return (types [N, d_auto], aliases [N, d_auto]) of the given KG ids."""
        rows = np.array([self.index.get(q, -1) for q in node_ids], dtype=np.int64)
        known = rows >= 0
        types = np.zeros((len(rows), self.d_auto), np.float32)
        aliases = np.zeros_like(types)
        types[known], aliases[known] = self.types[rows[known]], self.aliases[rows[known]]
        return torch.from_numpy(types), torch.from_numpy(aliases)


def zeroed(layer: nn.Linear) -> nn.Linear:
    """Return ``layer`` with weight and bias set to 0 (the injection starts as the identity)."""
    nn.init.zeros_(layer.weight)
    nn.init.zeros_(layer.bias)
    return layer


def inject_concat(H: torch.Tensor, side: torch.Tensor, kb: KnowledgeBatch, W_o: nn.Linear) -> torch.Tensor:
    """h + W_o [h; side] at aligned positions, h elsewhere: H [B, L, d], side [B, L, d_side]."""
    update = W_o(torch.cat([H, side], dim=-1))
    return torch.where(aligned_mask(kb).unsqueeze(-1), H + update, H)


class RESIDE(nn.Module):
    """RESIDE's side information (entity types and aliases) concatenated to aligned tokens."""

    def __init__(self, d_token: int, side_information: SideInformation, d_side: int = 50):
        super().__init__()
        self.side_information = side_information
        d_auto = side_information.d_auto
        with torch.device("meta"):  # shapes only: reset_parameters() draws each parameter once
            self.W_t = nn.Linear(d_auto, d_side)
            self.W_a = nn.Linear(d_auto, d_side)
            self.W_o = nn.Linear(d_token + 2 * d_side, d_token)
        self.to_empty(device=torch.get_default_device())
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw W_t, W_a (torch's Linear default), then set W_o to zero.

        W_o's default is drawn and then overwritten, as when nn.Linear built it, so that a seed
        leaves the random stream where it did before (the dropout after it draws the same)."""
        for lin in (self.W_t, self.W_a, self.W_o):
            lin.reset_parameters()
        zeroed(self.W_o)

    def forward(self, H: torch.Tensor, token_mask: torch.Tensor, kb: KnowledgeBatch) -> Injected:
        """H [B, L, d], token_mask [B, L] bool (unused: padding is never aligned) -> Injected."""
        if len(kb.node_ids) != kb.n_nodes:
            raise ValueError("RESIDE reads side information by KG id: the KnowledgeBatch needs node_ids")
        types, aliases = (t.to(H.device, H.dtype) for t in self.side_information.lookup(kb.node_ids))
        s = torch.cat([torch.tanh(self.W_t(types)), torch.tanh(self.W_a(aliases))], dim=-1)  # [N, 2 d_side]
        return Injected(inject_concat(H, node_to_tokens(s, kb), kb, self.W_o), None, None)


class RelationContextGAT(nn.Module):
    """RECON's relation context: graph attention over the subgraph, relation embeddings as edge
    features (inverse triples get their own relations, every node a self-loop): [N, d] -> [N, d]."""

    def __init__(self, d_ent: int, *, n_relations: int, layers: int = 2, heads: int = 2, d_rel: int = 100):
        super().__init__()
        from torch_geometric.nn import GATConv

        self.n_relations = n_relations
        # parameters are drawn as they are built: reset_parameters() is not called here, as GATConv's
        # construction draws more than its reset does (see kire.inject.graph.GraphEncoder)
        self.M = nn.Embedding(2 * n_relations + 1, d_rel)
        self.layers = nn.ModuleList(GATConv(d_ent, d_ent, heads=heads, concat=False, edge_dim=d_rel,
                                            add_self_loops=False) for _ in range(layers))

    def reset_parameters(self) -> None:
        """Draw M and every layer afresh."""
        self.M.reset_parameters()
        for layer in self.layers:
            layer.reset_parameters()

    def forward(self, h: torch.Tensor, edge_index: torch.Tensor, edge_type: torch.Tensor) -> torch.Tensor:
        index, types = with_inverse_edges(edge_index, edge_type, self.n_relations, h.shape[0])
        r = self.M(types)
        for layer in self.layers:
            h = F.elu(layer(h, index, r))
        return h


class RECON(nn.Module):
    """RECON's attribute and relation context embeddings concatenated to aligned tokens."""

    def __init__(self, d_token: int, *, n_relations: int, d_auto: int = 100, d_ent: int = 100,
                 layers: int = 2, heads: int = 2, d_rel: int = 100):
        super().__init__()
        # drawn as built, without a reset_parameters() call here, as RelationContextGAT is
        self.W_attr = nn.Linear(d_auto, d_ent)
        self.relation_context = RelationContextGAT(d_ent, n_relations=n_relations, layers=layers, heads=heads,
                                                   d_rel=d_rel)
        self.W_o = zeroed(nn.Linear(d_token + 2 * d_ent, d_token))

    def reset_parameters(self) -> None:
        """Draw W_attr and the relation context afresh, then set W_o to zero."""
        self.W_attr.reset_parameters()
        self.relation_context.reset_parameters()
        zeroed(self.W_o)

    def forward(self, H: torch.Tensor, token_mask: torch.Tensor, kb: KnowledgeBatch) -> Injected:
        """H [B, L, d], token_mask [B, L] bool (unused) -> Injected."""
        mean = per_node(kb.node_codes.to(H.dtype), kb.node_code_ptr.diff(), "mean")  # 0 for a node without codes
        attr = torch.tanh(self.W_attr(mean))  # [N, d_ent]
        rel = self.relation_context(attr, kb.edge_index, kb.edge_type) if kb.n_nodes else attr
        side = node_to_tokens(torch.cat([attr, rel], dim=-1), kb)
        return Injected(inject_concat(H, side, kb, self.W_o), None, None)


class KBGraph(nn.Module):
    """KB-graph's KG entity embeddings (structure only) averaged into aligned tokens."""

    def __init__(self, d_token: int, *, n_relations: int, d_ent: int = 100, layers: int = 2, gated: bool = True):
        super().__init__()
        from torch_geometric.nn import GCNConv

        self.n_relations = n_relations
        # drawn as built: reset_parameters() is not called here, as GCNConv's construction draws more
        # than its reset does (see kire.inject.graph.GraphEncoder)
        self.R = nn.Embedding(2 * n_relations, d_ent)  # R[r]: being the tail of r, R[n_relations + r]: its head
        self.layers = nn.ModuleList(GCNConv(d_ent, d_ent) for _ in range(layers))
        self.W = nn.Linear(d_ent, d_token)
        # gated=False: the average itself replaces aligned tokens (KB-graph as published)
        self.g = nn.Parameter(torch.zeros(d_token)) if gated else None

    def reset_parameters(self) -> None:
        """Draw R, every layer and W afresh; the gate goes back to 0."""
        self.R.reset_parameters()
        for layer in self.layers:
            layer.reset_parameters()
        self.W.reset_parameters()
        if self.g is not None:
            nn.init.zeros_(self.g)

    def signatures(self, n_nodes: int, edge_index: torch.Tensor, edge_type: torch.Tensor) -> torch.Tensor:
        """Each node's mean relation-type embedding over its triples (0 without any): [N, d_ent]."""
        from torch_geometric.utils import scatter

        index, types = with_inverse_edges(edge_index, edge_type, self.n_relations)
        return scatter(self.R(types), index[1], dim=0, dim_size=n_nodes, reduce="mean")

    def forward(self, H: torch.Tensor, token_mask: torch.Tensor, kb: KnowledgeBatch) -> Injected:
        """H [B, L, d], token_mask [B, L] bool (unused) -> Injected."""
        e = self.signatures(kb.n_nodes, kb.edge_index, kb.edge_type)
        index = torch.cat([kb.edge_index, kb.edge_index.flip(0)], dim=1)
        for layer in self.layers:
            e = F.elu(layer(e, index))
        averaged = (H + self.W(node_to_tokens(e, kb))) / 2
        if self.g is not None:
            averaged = H + self.g * (averaged - H)
        return Injected(torch.where(aligned_mask(kb).unsqueeze(-1), averaged, H), None, None)


def build_competitor(name: str, d_token: int, *, n_relations: int, d_auto: int = 100,
                     d_ent: int = COMPETITOR_SIZES["d_ent"], layers: int = COMPETITOR_SIZES["layers"],
                     heads: int = COMPETITOR_SIZES["heads"], d_rel: int = COMPETITOR_SIZES["d_rel"],
                     side_information: SideInformation | None = None, gated: bool = True) -> nn.Module:
    """The injection module of competitor ``name`` (one of COMPETITORS) for a model with H of size d_token.

    ``side_information`` is required by RESIDE (see :meth:`SideInformation.from_codes`); ``gated``
    is KB-graph's (see :class:`KBGraph`).
    """
    if name == "reside":
        if side_information is None:
            raise ValueError("RESIDE needs side_information (SideInformation.from_codes(codes_dir))")
        return RESIDE(d_token, side_information)
    if name == "recon":
        return RECON(d_token, n_relations=n_relations, d_auto=d_auto, d_ent=d_ent, layers=layers, heads=heads,
                     d_rel=d_rel)
    if name == "kb_graph":
        return KBGraph(d_token, n_relations=n_relations, d_ent=d_ent, layers=layers, gated=gated)
    raise ValueError(f"competitor must be one of {COMPETITORS}, not {name!r}")


# -- training variants (kire.train.pipeline) -----------------------------------------------------

SETTINGS = ("subgraph", "codes", "init_from", "hops", "max_attributes", "d_ent", "layers", "heads", "d_rel", "gated")


class CompetitorInjection(nn.Module):
    """``inject(H, batch, kbatch) -> H'`` for the training Pipeline: a competitor module, no extra loss."""

    def __init__(self, module: nn.Module):
        super().__init__()
        self.module = module

    def forward(self, H: torch.Tensor, batch, kbatch: KnowledgeBatch) -> torch.Tensor:
        return self.module(H, batch.token_mask, kbatch).H


def competitor_variant(name: str, model, settings: dict, documents: dict[str, list]):
    """The training variant of competitor ``name``: its module between the model's Encode and Predict.

    Settings, as for the ``kire`` variant (kire.inject.training): ``subgraph`` (required), ``codes``
    (attribute codes folder, required by RESIDE and RECON), ``init_from`` (two-stage training from
    a base run), ``hops``, ``max_attributes``; and the module's sizes ``d_ent``, ``layers``,
    ``heads``, ``d_rel``; ``gated`` (default true): KB-graph's average enters through a gate that
    starts at 0 (false: it replaces the aligned tokens, as published; runs saved before the gate
    existed are rebuilt that way). The knowledge batches are KIRE's, without coreference triples.
    """
    from dataclasses import replace

    from kire.errors import KireError
    from kire.inject.layer import InjectConfig
    from kire.inject.training import KnowledgeSource, code_dim_of, relation_count_of
    from kire.train.pipeline import VariantParts
    from kire.train.variant_table import VARIANTS

    unknown = sorted(set(settings) - set(SETTINGS))
    if unknown:
        raise KireError(f"unknown {name} variant setting(s): {', '.join(unknown)}; known: {', '.join(SETTINGS)}")
    if not settings.get("subgraph"):
        raise KireError(f"{name} variant: setting 'subgraph' (the KG subgraph folder) is required")
    needs_codes = VARIANTS[name].codes  # RESIDE and RECON read attribute codes, KB-graph does not
    if needs_codes and not settings.get("codes"):
        raise KireError(f"{name} variant: setting 'codes' (attribute codes folder) is required")
    n_relations = relation_count_of(settings["subgraph"])
    d_auto = code_dim_of(settings["codes"]) if needs_codes else 100
    # every size goes into the spec, given or default, so that a saved run is rebuilt with the sizes
    # it was trained with even if a default changes (kire.train.run.settings_as_trained)
    sizes = {k: int(settings.get(k, default)) for k, default in COMPETITOR_SIZES.items()}
    side = SideInformation.from_codes(settings["codes"]) if name == "reside" else None
    gated = bool(settings.get("gated", True))
    module = build_competitor(name, model.hidden_size, n_relations=n_relations, d_auto=d_auto,
                              side_information=side, gated=gated, **sizes)
    # the knowledge of the batch: KG subgraph and alignment, no coreference (the competitors have none);
    # KB-graph reads no attribute codes
    config = replace(InjectConfig(), coref=False, n_relations=n_relations, d_auto=d_auto)
    source_settings = {k: v for k, v in settings.items() if k in ("subgraph", "hops", "max_attributes")}
    if needs_codes:
        source_settings["codes"] = settings["codes"]
    source = KnowledgeSource(source_settings, config, {split: len(docs) for split, docs in documents.items()})
    return VariantParts(inject=CompetitorInjection(module), batch_inputs=source,
                        init_from=settings.get("init_from"),
                        spec={"competitor": name, "n_relations": n_relations, "d_auto": d_auto, "gated": gated,
                              **sizes})


def reside_variant(model, settings: dict, documents: dict[str, list]):
    """Variant ``reside`` (see :func:`competitor_variant`)."""
    return competitor_variant("reside", model, settings, documents)


def recon_variant(model, settings: dict, documents: dict[str, list]):
    """Variant ``recon`` (see :func:`competitor_variant`)."""
    return competitor_variant("recon", model, settings, documents)


def kb_graph_variant(model, settings: dict, documents: dict[str, list]):
    """Variant ``kb_graph`` (see :func:`competitor_variant`)."""
    return competitor_variant("kb_graph", model, settings, documents)
