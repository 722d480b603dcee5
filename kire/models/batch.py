"""The batch every RE model and the knowledge-injection layer read.

Shapes: B documents, L positions of the encoder's input (words for GloVe models, subwords for
transformers), W document words (DocRED tokens), M mentions, P entity pairs, R relation classes
(column 0 is "no relation").
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace

import torch


@dataclass
class Batch:
    """A padded batch of B documents; every position below is in the encoder's coordinates (H)."""

    token_ids: torch.Tensor       # [B, L] long: word ids (LP vocabulary) or subword ids
    token_mask: torch.Tensor      # [B, L] bool: real positions
    ner_ids: torch.Tensor         # [B, L] long: entity-type id of the position's mention, 0 outside
    coref_ids: torch.Tensor       # [B, L] long: 1 + entity index of the position's mention, 0 outside
    word_starts: torch.Tensor     # [B, W] long: H position of each document word (identity for GloVe models)
    word_mask: torch.Tensor       # [B, W] bool
    mention_doc: torch.Tensor     # [M] long: document of each mention
    mention_entity: torch.Tensor  # [M] long: entity index within its document
    mention_start: torch.Tensor   # [M] long: first H position of the mention
    mention_end: torch.Tensor     # [M] long: one past the last H position
    n_entities: torch.Tensor      # [B] long
    pair_doc: torch.Tensor        # [P] long
    pair_head: torch.Tensor       # [P] long: entity index within the document
    pair_tail: torch.Tensor       # [P] long
    pair_dist: torch.Tensor       # [P] long: relative-distance bin id (first mentions), DocRED style
    labels: torch.Tensor | None = None  # [P, R] float multi-hot; None when the split has no labels
    # Document structure, filled when every document's features carry it (None otherwise):
    sentence_ids: torch.Tensor | None = None  # [B, L] long: sentence of each position, -1 outside sentences
    mention_sent: torch.Tensor | None = None  # [M] long: sentence of each mention within its document
    n_sentences: torch.Tensor | None = None   # [B] long
    # Document graph over batch node rows: mentions 0..M-1, then entities (entity rows of
    # kire.models.base.entity_offsets) M..M+E-1, then sentences M+E.. (document order).
    graph_edges: torch.Tensor | None = None   # [K, 3] long: source row, target row, edge type
    titles: list[str] = field(default_factory=list)
    doc_index: list[int] = field(default_factory=list)  # index of each document in its split

    def to(self, device: torch.device | str) -> "Batch":
        """Return a copy with every tensor moved to ``device``."""
        return moved_to(self, device)


def moved_to(obj, device: torch.device | str):
    """A copy of the dataclass ``obj`` with every tensor field moved to ``device``."""
    return replace(obj, **{f.name: getattr(obj, f.name).to(device) for f in fields(obj)
                           if isinstance(getattr(obj, f.name), torch.Tensor)})
