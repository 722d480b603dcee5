"""GLRE (Wang et al., EMNLP 2020): global-to-local neural networks for document-level RE.

Encoding layer (setting ``encoding``): ``transformer`` (default), a transformer from a local Hugging
Face folder (ATLOP's overlapping windows for long documents, mention markers off by default), H its
last layer ``[B, L, d]``; or ``bilstm``, the paper's word encoder: the word baselines' BiLSTM
(:class:`WordEncoder`: frozen GloVe LP vectors with entity-id and entity-type embeddings,
``[B, W, hidden_size]`` over the document's words).

Global representation layer: a heterogeneous document graph (:func:`document_graph_edges`, built
once per document in :meth:`GLRE.featurize` and kept with the features) of mention, entity and
sentence nodes. A mention node is the mean of H over its tokens, an entity node the mean of its
mention nodes, a sentence node the mean of H over its tokens, each concatenated with a node-type
embedding: ``n^(0) = [mean H; t_type]``. Edges (:data:`EDGE_TYPES`, both directions): mentions of one
sentence; a mention and its entity; a mention and its sentence; an entity and each sentence holding
one of its mentions; every two sentences. ``gcn_layers`` R-GCN layers (torch_geometric's
``RGCNConv``, one weight per edge type plus the self-connection) give ``n^(N)``; a node's global
representation is ``[n^(0); n^(N)]``.

Local representation layer: for a pair (a, b), ``e_a^loc = LayerNorm(MultiHead(Q = e_b^glo,
K = V = {m^glo : m in a}))``, the other entity of the pair as the query over the entity's mention
nodes (and symmetrically for b).

Classifier: ``e'_a = [e_a^glo; e_a^loc; D(d_ab)]`` with D the 20-d embedding of DocRED's
relative-distance bins; ``o_s = ReLU(W_o [e'_a; e'_b])``. The relation-context term attends over
the other pairs of the document, ``o_c = sum_{i != s} softmax_i(o_i^T W_c o_s) o_i``, and
``logits = FFNN([o_s; o_c])``; binary cross-entropy over the relations, theta tuned on dev.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import torch
from torch import nn

from kire.docs.model import Document
from kire.errors import KireError
from kire.models.atlop import (
    LocalTransformerModel, encoder_window, marked_features, merge_windows, segment_windows,
)
from kire.models.base import Encoded, mention_entity_rows, mentions_by_entity, pair_rows
from kire.models.batch import Batch
from kire.models.features import N_DIST_IDS, DocFeatures, LabelSpace, mirrored_bin
from kire.models.lstm import BiLSTM
from kire.models.word_model import WORD_DEFAULTS

EDGE_TYPES = ("mention-mention", "mention-entity", "mention-sentence", "entity-sentence", "sentence-sentence")
NODE_TYPES = ("mention", "entity", "sentence")

ENCODINGS = ("transformer", "bilstm")

GLRE_DEFAULTS: dict[str, Any] = {
    "encoding": "transformer", "encoder": None, "marker": None, "type_dim": 20, "gcn_layers": 2, "heads": 4,
    "dist_dim": 20, "pair_size": 256, "dropout": 0.1,
    # encoding "bilstm" only (the word baselines' settings; type_dim and dropout are shared with GLRE's)
    "hidden_size": 128, "entity_dim": 20, "word_vectors": None, "char_vectors": None,
}


class WordEncoder(BiLSTM):
    """GLRE's word encoder: the encoding layer of the BiLSTM baseline (kire.models.lstm), ``[LP(w);
    E_id(entity); E_type(type)]`` per word through a BiLSTM and a ReLU projection, H ``[B, W,
    hidden_size]``; its featurize gives word positions (``word_starts`` is the identity)."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        # GLRE has its own classifier: BiLSTM's bilinear (~2M weights) would sit untrained in every checkpoint
        del self.bilinear, self.dist_emb


def checked_encoding(settings: dict[str, Any]) -> str:
    """``settings["encoding"]``; KireError naming the setting when it is not one of :data:`ENCODINGS`."""
    if settings["encoding"] not in ENCODINGS:
        raise KireError(f"glre setting encoding: {settings['encoding']!r} is not one of {', '.join(ENCODINGS)}")
    return settings["encoding"]


def word_encoder_settings(settings: dict[str, Any]) -> dict[str, Any]:
    """The :class:`WordEncoder` settings among GLRE's ``settings``."""
    return {k: settings[k] for k in WORD_DEFAULTS if k in settings}


def document_graph_edges(mention_entity: np.ndarray, mention_sent: np.ndarray, n_entities: int,
                         n_sentences: int) -> np.ndarray:
    """``[K, 3]`` int64 (source, target, :data:`EDGE_TYPES` index) of one document's graph.

    Nodes: the M mentions ``0..M-1``, the entities ``M + e``, the sentences ``M + E + s``. Every
    edge is listed in both directions; no self-loops (R-GCN's root weight is the self-connection).
    """
    M, E = len(mention_entity), n_entities
    sentence = M + E + np.asarray(mention_sent, dtype=np.int64)
    entity = M + np.asarray(mention_entity, dtype=np.int64)
    mention = np.arange(M, dtype=np.int64)
    parts = []
    same = (mention_sent[:, None] == mention_sent[None, :]) & ~np.eye(M, dtype=bool)
    src, dst = np.nonzero(same)
    parts.append(np.column_stack([src, dst, np.zeros_like(src)]))
    for a, b, kind in ((mention, entity, 1), (mention, sentence, 2)):
        parts.append(np.column_stack([a, b, np.full(M, kind)]))
        parts.append(np.column_stack([b, a, np.full(M, kind)]))
    ent_sent = np.unique(np.column_stack([entity, sentence]), axis=0).reshape(-1, 2)
    parts.append(np.column_stack([ent_sent, np.full(len(ent_sent), 3)]))
    parts.append(np.column_stack([ent_sent[:, ::-1], np.full(len(ent_sent), 3)]))
    s1, s2 = np.nonzero(~np.eye(n_sentences, dtype=bool))
    parts.append(np.column_stack([M + E + s1, M + E + s2, np.full(len(s1), 4)]))
    return np.concatenate(parts).astype(np.int64).reshape(-1, 3)


def mention_means(H: torch.Tensor, batch: Batch) -> torch.Tensor:
    """``[M, d]``: each mention's mean of H over its positions."""
    lengths = batch.mention_end - batch.mention_start
    starts = torch.cumsum(lengths, 0) - lengths
    mention = torch.arange(len(lengths), device=H.device).repeat_interleave(lengths)
    position = batch.mention_start[mention] + torch.arange(len(mention), device=H.device) - starts[mention]
    sums = H.new_zeros(len(lengths), H.shape[-1]).index_add_(0, mention, H[batch.mention_doc[mention], position])
    return sums / lengths.clamp(min=1).to(H.dtype).unsqueeze(1)


def sentence_means(H: torch.Tensor, batch: Batch) -> torch.Tensor:
    """``[S, d]``: each sentence's mean of H over its positions (rows in document order)."""
    offsets = torch.cumsum(batch.n_sentences, 0) - batch.n_sentences
    doc, position = torch.nonzero(batch.sentence_ids >= 0, as_tuple=True)
    rows = offsets[doc] + batch.sentence_ids[doc, position]
    S = int(batch.n_sentences.sum())
    sums = H.new_zeros(S, H.shape[-1]).index_add_(0, rows, H[doc, position])
    counts = H.new_zeros(S).index_add_(0, rows, torch.ones_like(rows, dtype=H.dtype))
    return sums / counts.clamp(min=1).unsqueeze(1)


class GLRE(LocalTransformerModel):
    """GLRE over a local Hugging Face encoder, or over the BiLSTM word encoder (module docstring)."""

    name = "glre"
    defaults: dict[str, Any] = GLRE_DEFAULTS

    def __init__(self, space: LabelSpace, layer: nn.Module, tokenizer=None, **settings: Any):
        """``layer``: the encoding layer, the Hugging Face transformer (with its ``tokenizer``) or a
        :class:`WordEncoder` (tokenizer None) when ``settings["encoding"]`` is ``bilstm``."""
        from torch_geometric.nn import RGCNConv

        super().__init__(space)
        self.settings = s = {**self.defaults, **settings}
        if checked_encoding(s) == "bilstm":
            # not under ``encoder``: the loop gives model.encoder.* the pretrained weights' encoder_lr
            self.word_encoder = layer
            d = layer.hidden_size
        else:
            self.encoder = layer  # pretrained: trained with train.encoder_lr
            self.tokenizer = tokenizer
            d = layer.config.hidden_size
            self.window = encoder_window(layer, tokenizer)
        self.hidden_size = d
        node = d + s["type_dim"]
        self.node_type = nn.Embedding(len(NODE_TYPES), s["type_dim"])
        self.gcn = nn.ModuleList(RGCNConv(node, node, num_relations=len(EDGE_TYPES))
                                 for _ in range(s["gcn_layers"]))
        glo = 2 * node
        if glo % s["heads"]:
            raise KireError(f"glre: the global node size {glo} (2 x (encoder width {d} + type_dim "
                            f"{s['type_dim']})) is not a multiple of heads {s['heads']}")
        self.local = nn.MultiheadAttention(glo, s["heads"], dropout=s["dropout"], batch_first=True)
        self.local_norm = nn.LayerNorm(glo)
        self.dist_emb = nn.Embedding(N_DIST_IDS, s["dist_dim"])
        self.pair = nn.Linear(2 * (2 * glo + s["dist_dim"]), s["pair_size"])
        self.context = nn.Linear(s["pair_size"], s["pair_size"], bias=False)  # W_c
        self.classifier = nn.Sequential(nn.Linear(2 * s["pair_size"], s["pair_size"]), nn.ReLU(),
                                        nn.Dropout(s["dropout"]), nn.Linear(s["pair_size"], space.n_classes))
        self.dropout = nn.Dropout(s["dropout"])

    # -- encoding -------------------------------------------------------------------------
    def encode(self, batch: Batch) -> Encoded:
        if self.settings["encoding"] == "bilstm":
            return self.word_encoder.encode(batch)
        segments = segment_windows(batch.token_ids, batch.token_mask, self.window)
        states = self.encoder(input_ids=segments.ids, attention_mask=segments.mask).last_hidden_state
        H, _ = merge_windows(states, None, segments, batch.token_ids.shape[1])
        return Encoded(H)

    # -- prediction -----------------------------------------------------------------------
    def global_nodes(self, H: torch.Tensor, batch: Batch) -> torch.Tensor:
        """``[M + E + S, 2 (d + type_dim)]``: ``[n^(0); n^(N)]`` of every node (batch node rows)."""
        if batch.graph_edges is None:
            raise KireError("glre needs the document graphs of its features (GLRE.featurize)")
        mentions = mention_means(H, batch)
        rows = mention_entity_rows(batch)
        E = int(batch.n_entities.sum())
        counts = H.new_zeros(E).index_add_(0, rows, torch.ones_like(rows, dtype=H.dtype))
        entities = H.new_zeros(E, H.shape[-1]).index_add_(0, rows, mentions) / counts.clamp(min=1).unsqueeze(1)
        sentences = sentence_means(H, batch)
        kinds = torch.cat([torch.full((len(x),), k, device=H.device, dtype=torch.long)
                           for k, x in enumerate((mentions, entities, sentences))])
        x0 = torch.cat([torch.cat([mentions, entities, sentences]), self.node_type(kinds)], dim=-1)
        x = self.dropout(x0)
        edge_index, edge_type = batch.graph_edges[:, :2].T, batch.graph_edges[:, 2]
        for conv in self.gcn:
            x = self.dropout(torch.relu(conv(x, edge_index, edge_type)))
        return torch.cat([x0, x], dim=-1)

    def local_entities(self, entity_nodes: torch.Tensor, mention_nodes: torch.Tensor, counts: torch.Tensor,
                       entity: torch.Tensor, other: torch.Tensor) -> torch.Tensor:
        """``[P, D]``: attention of each pair's ``other`` entity (global, a row of ``entity_nodes``
        ``[E, D]``) over ``entity``'s mention nodes (``mention_nodes`` ``[E, maxM, D]`` and their
        ``counts`` ``[E]``, from :func:`mentions_by_entity`)."""
        missing = torch.arange(mention_nodes.shape[1], device=counts.device)[None, :] >= counts[:, None]  # [E, maxM]
        query = entity_nodes[other].unsqueeze(1)                                               # [P, 1, D]
        out, _ = self.local(query, mention_nodes[entity], mention_nodes[entity], key_padding_mask=missing[entity],
                            need_weights=False)
        return self.local_norm(out.squeeze(1))

    def predict(self, encoded: Encoded, batch: Batch) -> torch.Tensor:
        nodes = self.global_nodes(encoded.H, batch)
        M = len(batch.mention_doc)
        head, tail = pair_rows(batch)
        E = int(batch.n_entities.sum())
        entity_nodes = nodes[M:M + E]
        mention_nodes, counts = mentions_by_entity(nodes[:M], mention_entity_rows(batch), E, 0.0)  # once for both sides
        side_h = torch.cat([entity_nodes[head], self.local_entities(entity_nodes, mention_nodes, counts, head, tail),
                            self.dist_emb(batch.pair_dist)], dim=-1)
        side_t = torch.cat([entity_nodes[tail], self.local_entities(entity_nodes, mention_nodes, counts, tail, head),
                            self.dist_emb(mirrored_bin(batch.pair_dist))], dim=-1)
        pairs = torch.relu(self.pair(self.dropout(torch.cat([side_h, side_t], dim=-1))))  # o_s [P, k]
        context = torch.zeros_like(pairs)
        for b in range(len(batch.n_entities)):  # relation context over the document's other pairs
            sel = torch.nonzero(batch.pair_doc == b).squeeze(1)
            o = pairs[sel]
            scores = o @ self.context(o).T                              # [P_b, P_b]: o_i^T W_c o_s
            scores = scores.masked_fill(torch.eye(len(o), dtype=torch.bool, device=o.device), float("-inf"))
            if len(o) > 1:
                context[sel] = torch.softmax(scores, dim=0).T @ o
        return self.classifier(torch.cat([pairs, context], dim=-1))

    # -- features -------------------------------------------------------------------------
    def featurize(self, doc: Document, index: int, file: str = "documents") -> DocFeatures:
        if self.settings["encoding"] == "bilstm":
            f = with_word_sentences(self.word_encoder.featurize(doc, index, file), doc)
        else:
            f = marked_features(doc, index, file, self.space, self.tokenizer, self.settings["marker"])
        edges = document_graph_edges(f.mentions[:, 0], f.mention_sent, f.n_entities, f.n_sentences)
        return replace(f, graph_edges=edges)

    # -- construction ---------------------------------------------------------------------
    def spec(self) -> dict[str, Any]:
        if self.settings["encoding"] == "bilstm":  # the word encoder's vocabulary and vector width
            return {**self.settings, "word_encoder": self.word_encoder.spec()}
        return dict(self.settings)

    @classmethod
    def create(cls, space: LabelSpace, settings: dict[str, Any], documents: list[Document]) -> "GLRE":
        s = cls.settings_over_defaults(settings)
        if checked_encoding(s) == "bilstm":
            return cls(space, WordEncoder.create(space, word_encoder_settings(s), documents), **s)
        return super().create(space, settings, documents)

    @classmethod
    def from_spec(cls, space: LabelSpace, spec: dict[str, Any]) -> "GLRE":
        spec = dict(spec)
        word = spec.pop("word_encoder", None)
        if word is not None:
            return cls(space, WordEncoder.from_spec(space, word), **spec)
        return super().from_spec(space, spec)


def with_word_sentences(f: DocFeatures, doc: Document) -> DocFeatures:
    """Word-coordinate features ``f`` of ``doc`` with its sentence structure: each word's sentence
    (``sentence_ids`` ``[W]``), each mention's (``mention_sent`` ``[M]``, in ``f.mentions`` order:
    entities, then their mentions) and ``n_sentences``."""
    sentence_ids = np.repeat(np.arange(len(doc.sents), dtype=np.int64), [len(x) for x in doc.sents])
    mention_sent = np.asarray([m.sent_id for ent in doc.entities for m in ent.mentions], dtype=np.int64)
    return replace(f, sentence_ids=sentence_ids, mention_sent=mention_sent, n_sentences=len(doc.sents))
