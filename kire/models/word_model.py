"""What the four DocRED baselines share: the word-level input layer and the bilinear pair classifier.

Input of position i: ``[LP(w_i); E_id(entity id); E_type(type)]`` (frozen LP word vectors, 20-d
entity-id and 20-d type embeddings). A subclass turns it into H (:meth:`WordREModel.context`). The
prediction layer averages H over each entity's mention tokens, appends a 20-d embedding of the
head-to-tail (resp. tail-to-head) distance bin and scores all R classes with a bilinear form.
Dropout applies to the entity states (once per entity, not per pair: see PairBilinear).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
import torch
from torch import nn

from kire.docs.model import Document
from kire.models.base import Encoded, REModel, entity_mean, entity_offsets, pair_rows
from kire.models.batch import Batch
from kire.models.features import (
    N_DIST_IDS, DocFeatures, LabelSpace, check_entity_count, entity_pairs, mark_mentions,
    mirrored_bin, pair_labels,
)

PAD, UNK = 0, 1

WORD_DEFAULTS: dict[str, Any] = {
    "hidden_size": 128, "entity_dim": 20, "type_dim": 20, "dist_dim": 20, "dropout": 0.2,
    "word_vectors": None, "char_vectors": None,
}


@lru_cache(maxsize=2)
def lp_lookup(word_vectors: str | None, char_vectors: str | None):
    """The LP lookup of eq. 6 over GloVe ``word_vectors`` (None: the offline package) and optional
    character vectors; cached because several models of one process share it."""
    from kire.embed.glove import load_glove
    from kire.embed.lookup import LPLookup
    from kire.embed.vectors import read_word_vectors

    chars = read_word_vectors(char_vectors) if char_vectors else None
    return LPLookup(load_glove(word_vectors), chars)


def word_vectors_for(vocab: list[str], word_vectors: str | None, char_vectors: str | None) -> np.ndarray:
    """``[len(vocab), d]``: LP of each vocabulary word (eq. 6; GloVe, else averaged characters)."""
    return lp_lookup(word_vectors, char_vectors).matrix(vocab)


class PairBilinear(nn.Module):
    """The DocRED bilinear classifier ``z_r = s^T W_r o + b_r`` over every entity pair, where
    ``s = [e_h; D(d_ht)]`` and ``o = [e_t; D(d_th)]`` (entity states and distance embeddings).

    Splitting W into its entity and distance blocks gives four terms, each computed once per entity
    (or distance bin) and then gathered per pair: the same function as ``nn.Bilinear`` on the
    concatenations, at a fraction of its cost when pairs far outnumber entities.
    """

    def __init__(self, entity_size: int, dist_size: int, n_classes: int):
        super().__init__()
        side = entity_size + dist_size
        bound = 1 / side ** 0.5
        self.weight = nn.Parameter(torch.empty(side, n_classes, side).uniform_(-bound, bound))  # [s, R, o]
        self.bias = nn.Parameter(torch.empty(n_classes).uniform_(-bound, bound))
        self.entity_size = entity_size

    def forward(self, entities: torch.Tensor, dist_table: torch.Tensor, batch: Batch) -> torch.Tensor:
        """``[P, R]`` from ``entities`` ``[E, de]`` (rows as in ``entity_mean``) and ``dist_table``
        ``[N_DIST_IDS, dd]`` (the distance embedding's weights)."""
        de, R = self.entity_size, self.weight.shape[1]
        W = self.weight
        X = (entities @ W[:de, :, :de].reshape(de, -1)).view(len(entities), R, de)        # e_h^T W_ee
        Y = (entities @ W[:de, :, de:].reshape(de, -1)).view(len(entities), R, -1)        # e_h^T W_ed
        Dt = (dist_table @ W[de:, :, :de].reshape(len(W) - de, -1)).view(len(dist_table), R, de)
        Dd = (dist_table @ W[de:, :, de:].reshape(len(W) - de, -1)).view(len(dist_table), R, -1)
        head, tail = pair_rows(batch)
        d_ht, d_th = batch.pair_dist, mirrored_bin(batch.pair_dist)
        entity_entity = torch.empty(len(head), R, dtype=entities.dtype, device=entities.device)
        offsets = entity_offsets(batch)
        for b in range(len(batch.n_entities)):  # per document: all its entity pairs at once
            sel = batch.pair_doc == b
            lo, n = int(offsets[b]), int(batch.n_entities[b])
            block = torch.einsum("hrj,tj->htr", X[lo:lo + n], entities[lo:lo + n])       # [n, n, R]
            entity_entity[sel] = block[head[sel] - lo, tail[sel] - lo]
        entity_dist = torch.einsum("erj,kj->ekr", Y, dist_table)                         # [E, K, R]
        dist_entity = torch.einsum("krj,ej->ker", Dt, entities)                          # [K, E, R]
        dist_dist = torch.einsum("krj,lj->klr", Dd, dist_table)                          # [K, K, R]
        return (entity_entity + entity_dist[head, d_th] + dist_entity[d_ht, tail]
                + dist_dist[d_ht, d_th] + self.bias)


class WordREModel(REModel):
    """A DocRED baseline; subclasses implement :meth:`context` and :meth:`context_size`.

    ``encode`` is split at the encoder's input (:meth:`embed`, then :meth:`contextualize`), so that
    knowledge may enter there too (``inject.position: before_encoder``, kire.inject.streams).
    """

    defaults: dict[str, Any] = WORD_DEFAULTS

    def __init__(self, space: LabelSpace, vocab: list[str], word_dim: int, **settings: Any):
        super().__init__(space)
        self.settings = {**self.defaults, **settings}
        s = self.settings
        self.vocab = vocab  # ids 0 and 1 are padding and unknown
        self.word_index = {w: i for i, w in enumerate(vocab)}
        self.word_emb = nn.Embedding(len(vocab), word_dim, padding_idx=PAD)
        self.word_emb.weight.requires_grad_(False)  # frozen LP vectors
        self.entity_emb = nn.Embedding(space.max_entities + 1, s["entity_dim"], padding_idx=0)
        self.type_emb = nn.Embedding(space.n_ner_ids, s["type_dim"], padding_idx=0)
        self.input_size = word_dim + s["entity_dim"] + s["type_dim"]
        self.dropout = nn.Dropout(s["dropout"])
        self.hidden_size = self.context_size()
        self.dist_emb = nn.Embedding(N_DIST_IDS, s["dist_dim"])
        self.bilinear = PairBilinear(self.hidden_size, s["dist_dim"], space.n_classes)

    def context_size(self) -> int:
        """d, the width of H this encoder produces (called before its layers exist)."""
        raise NotImplementedError

    def context(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """``[B, L, d]`` from inputs ``x`` ``[B, L, input_size]`` and ``mask`` ``[B, L]``."""
        raise NotImplementedError

    def embed(self, batch: Batch) -> torch.Tensor:
        """``[B, L, input_size]``: the encoder's input states ``[LP(w_i); E_id; E_type]`` (no dropout)."""
        return torch.cat([self.word_emb(batch.token_ids), self.entity_emb(batch.coref_ids),
                          self.type_emb(batch.ner_ids)], dim=-1)

    def contextualize(self, x: torch.Tensor, batch: Batch) -> Encoded:
        """The encoder over input states ``x`` ``[B, L, input_size]``: :class:`Encoded` with H ``[B, L, d]``
        (dropout on ``x``, then :meth:`context`). ``encode`` is ``contextualize(embed(batch))``; a
        second call on injected input states is the release's second stream (kire.inject.streams)."""
        return Encoded(self.context(self.dropout(x), batch.token_mask))

    def encode(self, batch: Batch) -> Encoded:
        return self.contextualize(self.embed(batch), batch)

    def predict(self, encoded: Encoded, batch: Batch) -> torch.Tensor:
        return self.bilinear(self.dropout(entity_mean(encoded.H, batch)), self.dist_emb.weight, batch)

    def featurize(self, doc: Document, index: int, file: str = "documents") -> DocFeatures:
        check_entity_count(doc, self.space, file)
        tokens = doc.tokens
        ids = np.fromiter((self.word_index.get(w, UNK) for w in tokens), dtype=np.int64, count=len(tokens))
        mentions = np.asarray(
            [(e, *doc.doc_span(m)) for e, ent in enumerate(doc.entities) for m in ent.mentions],
            dtype=np.int64,
        ).reshape(-1, 3)
        types = [self.space.ner_id(ent.type) for ent in doc.entities]
        ner, coref = mark_mentions(len(tokens), mentions, types)
        return DocFeatures(
            doc_index=index, title=doc.title, token_ids=ids, ner_ids=ner, coref_ids=coref,
            word_starts=np.arange(len(tokens), dtype=np.int64), mentions=mentions,
            n_entities=len(doc.entities), pairs=entity_pairs(doc), labels=pair_labels(doc, self.space, file),
        )

    def spec(self) -> dict[str, Any]:
        return {"vocab": self.vocab, "word_dim": self.word_emb.embedding_dim, **self.settings}

    @classmethod
    def create(cls, space: LabelSpace, settings: dict[str, Any], documents: list[Document]) -> "WordREModel":
        vocab = ["<pad>", "<unk>", *sorted({w for d in documents for s in d.sents for w in s})]
        s = cls.settings_over_defaults(settings)
        vectors = word_vectors_for(vocab, s["word_vectors"], s["char_vectors"])
        vectors[PAD] = 0.0
        model = cls(space, vocab, vectors.shape[1], **s)
        model.word_emb.weight.data.copy_(torch.from_numpy(vectors))
        return model

    @classmethod
    def from_spec(cls, space: LabelSpace, spec: dict[str, Any]) -> "WordREModel":
        spec = dict(spec)
        return cls(space, spec.pop("vocab"), spec.pop("word_dim"), **spec)
