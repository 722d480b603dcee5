"""The knowledge side of a batch: what ``KnowledgeInject`` reads besides the model's ``H``.

Shapes: B documents, L positions of H (the encoder's coordinates, see kire.models.batch.Batch),
Mc coreference mentions, C directed coreference pairs, N KG nodes of the batch's subgraph,
Tc attribute codes of all nodes, T label words per node, E KG edges, I linked-entity slots per
document (I_max).

Every index below is already in H coordinates or is an index into another tensor of this batch;
the builder (kire.inject.collate) does the conversion from document token offsets.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch

from kire.models.batch import moved_to


@dataclass
class KnowledgeBatch:
    """Coreference triples, KG subgraph and token-entity alignment for B documents."""

    # -- coreference triples (4.1) --------------------------------------------------------------
    coref_mention_doc: torch.Tensor    # [Mc] long: document of each alias mention
    coref_mention_start: torch.Tensor  # [Mc] long: first H position of the mention
    coref_mention_end: torch.Tensor    # [Mc] long: one past its last H position
    coref_src: torch.Tensor            # [C] long: index of m_s in the coref mentions
    coref_tgt: torch.Tensor            # [C] long: index of m_t
    coref_p: torch.Tensor              # [C] float: P_tea(m_s, m_t) = p_cr (eq. 2)
    coref_dist: torch.Tensor           # [C] long: psi(m_s, m_t), shortest distance in document words
    # -- KG subgraph (4.2) -----------------------------------------------------------------------
    node_codes: torch.Tensor           # [Tc, d_auto] float: AutoEncoder codes q_j of the nodes' attributes (eq. 7), node by node
    node_code_ptr: torch.Tensor        # [N + 1] long: node k's codes are rows node_code_ptr[k]:node_code_ptr[k + 1]
    edge_index: torch.Tensor           # [2, E] long: (head node, tail node) of each relation triple
    edge_type: torch.Tensor            # [E] long: relation id in [0, n_relations)
    # -- token-entity alignment (4.3) ------------------------------------------------------------
    doc_nodes: torch.Tensor            # [B, I] long: KG node of each linked-entity slot, -1 = padding
    token_align: torch.Tensor          # [B, L] long: slot in doc_nodes aligned with the position, -1 = none
    # -- for the "without attributes" ablation -------------------------------------------------
    node_label_vectors: torch.Tensor | None = None  # [N, T, d_word] float: word vectors of each node's label
    node_label_mask: torch.Tensor | None = None     # [N, T] bool
    node_ids: list[str] = field(default_factory=list)  # [N] KG ids, for inspection only

    @property
    def n_nodes(self) -> int:
        """N, the number of KG nodes in the batch's subgraph."""
        return int(self.node_code_ptr.shape[0]) - 1

    @property
    def coref_pair_doc(self) -> torch.Tensor:
        """[C] long: document of each coreference pair."""
        return self.coref_mention_doc[self.coref_src]

    def to(self, device: torch.device | str) -> "KnowledgeBatch":
        """Return a copy with every tensor moved to ``device``."""
        return moved_to(self, device)

    def validate(self, batch_size: int, length: int) -> None:
        """Raise ValueError when shapes or indices disagree with a batch of ``[batch_size, length]``.

        Cheap checks only (shapes and index ranges), for tests and debugging: the layer and the batch
        builder do not call it (its index checks would synchronise with the GPU on every batch).
        """
        mc, c, n = len(self.coref_mention_doc), len(self.coref_src), self.n_nodes
        _expect(self.coref_mention_start.shape == (mc,) and self.coref_mention_end.shape == (mc,),
                "coref mention start/end must be [Mc]")
        _expect(self.coref_tgt.shape == (c,) and self.coref_p.shape == (c,)
                and self.coref_dist.shape == (c,), "coref_tgt/p/dist must be [C]")
        if c:
            _expect(int(self.coref_src.max()) < mc and int(self.coref_tgt.max()) < mc
                    and int(torch.minimum(self.coref_src, self.coref_tgt).min()) >= 0,
                    "coref_src/tgt out of range")
            _expect(bool(((self.coref_p >= 0) & (self.coref_p <= 1)).all()), "coref_p outside [0, 1]")
        if mc:
            _expect(bool((self.coref_mention_start < self.coref_mention_end).all())
                    and int(self.coref_mention_end.max()) <= length
                    and int(self.coref_mention_doc.max()) < batch_size, "coref mention span out of range")
        _expect(self.node_codes.dim() == 2 and self.node_code_ptr.dim() == 1 and n >= 0
                and int(self.node_code_ptr[0]) == 0 and int(self.node_code_ptr[-1]) == len(self.node_codes)
                and bool((self.node_code_ptr.diff() >= 0).all()),
                "node_codes must be [Tc, d] with node_code_ptr [N + 1] from 0 to Tc, non-decreasing")
        _expect(self.edge_index.dim() == 2 and self.edge_index.shape[0] == 2
                and self.edge_type.shape == (self.edge_index.shape[1],), "edge_index [2, E], edge_type [E]")
        if self.edge_index.numel():
            _expect(int(self.edge_index.max()) < n and int(self.edge_index.min()) >= 0, "edge_index out of range")
        _expect(self.doc_nodes.dim() == 2 and self.doc_nodes.shape[0] == batch_size, "doc_nodes must be [B, I]")
        _expect(self.token_align.shape == (batch_size, length), "token_align must be [B, L]")
        if self.doc_nodes.numel():
            _expect(int(self.doc_nodes.max()) < n, "doc_nodes out of range")
        if self.token_align.numel():
            _expect(int(self.token_align.max()) < self.doc_nodes.shape[1], "token_align out of range")


def _expect(condition: bool, message: str) -> None:
    if not condition:
        raise ValueError(f"KnowledgeBatch: {message}")


def empty_knowledge_batch(batch_size: int, length: int, d_auto: int = 100, d_word: int = 50) -> KnowledgeBatch:
    """Return a KnowledgeBatch with no coreference triple, no KG node and no alignment."""
    long = torch.long
    return KnowledgeBatch(
        coref_mention_doc=torch.zeros(0, dtype=long), coref_mention_start=torch.zeros(0, dtype=long),
        coref_mention_end=torch.zeros(0, dtype=long), coref_src=torch.zeros(0, dtype=long),
        coref_tgt=torch.zeros(0, dtype=long), coref_p=torch.zeros(0), coref_dist=torch.zeros(0, dtype=long),
        node_codes=torch.zeros(0, d_auto), node_code_ptr=torch.zeros(1, dtype=long),
        edge_index=torch.zeros(2, 0, dtype=long), edge_type=torch.zeros(0, dtype=long),
        doc_nodes=torch.full((batch_size, 0), -1, dtype=long),
        token_align=torch.full((batch_size, length), -1, dtype=long),
        node_label_vectors=torch.zeros(0, 1, d_word), node_label_mask=torch.zeros(0, 1, dtype=torch.bool),
    )
