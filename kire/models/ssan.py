"""SSAN (Xu et al., AAAI 2021): structured self-attention over the entity structure of a document.

Every encoder layer's self-attention score of a token pair (i, j) gains a bias from the pair's
*entity structure* ``s_ij`` (:data:`STRUCTURE_TYPES`): both tokens in mentions, of the same entity
or not ("coref"/"relate"), in the same sentence or not ("intra"/"inter"); one token in a mention
and the other a plain word of the same sentence ("intra_word"); anything else "none", which adds
nothing. Each type has its own transformation of query and key, per head:

- ``biaffine``: ``bias_ij = q_i^T A_s k_j + b_s`` (``A_s`` ``[d_head, d_head]``)
- ``decomp``:   ``bias_ij = q_i^T K_s + Q_s^T k_j + b_s`` (``K_s``, ``Q_s`` ``[d_head]``)

so ``e_ij = (q_i^T k_j + bias_ij) / sqrt(d_head)``. The bias enters the pretrained layers through
:class:`StructuredSelfAttention`, a wrapper around the loaded model's own self-attention module
that adds it to the additive attention mask (transformers' files stay as they are); with every
type "none" or every transformation zero the encoder is the plain one (tested).

Everything after the encoder is kire's ATLOP (:class:`kire.models.atlop.ATLOP`): entities from
their mention tokens, localized context pooling, grouped bilinear classifier and the
adaptive-thresholding loss, as the SSAN authors' public code does. Settings: ATLOP's, plus
``structure`` (``biaffine`` | ``decomp``). The transformations live inside the encoder, so they
train at ``train.encoder_lr`` with the pretrained weights.
"""

from __future__ import annotations

import contextlib
from typing import Any, Iterator

import torch
from torch import nn

from kire.errors import KireError
from kire.models.atlop import ATLOP, ATLOP_DEFAULTS, Segments
from kire.models.batch import Batch
from kire.models.features import LabelSpace

STRUCTURE_TYPES = ("none", "intra_coref", "inter_coref", "intra_relate", "inter_relate", "intra_word")
STRUCTURE_FORMS = ("biaffine", "decomp")
SSAN_DEFAULTS: dict[str, Any] = {**ATLOP_DEFAULTS, "structure": "biaffine"}


def structure_types(entity_ids: torch.Tensor, sentence_ids: torch.Tensor) -> torch.Tensor:
    """``[..., W, W]`` long: the :data:`STRUCTURE_TYPES` index of every token pair.

    ``entity_ids`` ``[..., W]``: 1 + entity index of the token's mention, 0 outside mentions;
    ``sentence_ids`` ``[..., W]``: the token's sentence, -1 outside sentences (special tokens,
    padding), whose pairs are always "none".
    """
    ent_i, ent_j = entity_ids.unsqueeze(-1), entity_ids.unsqueeze(-2)
    sent_i, sent_j = sentence_ids.unsqueeze(-1), sentence_ids.unsqueeze(-2)
    in_sentences = (sent_i >= 0) & (sent_j >= 0)
    intra = sent_i == sent_j
    both = (ent_i > 0) & (ent_j > 0)
    coref = ent_i == ent_j
    # both in mentions: 1 intra_coref, 2 inter_coref, 3 intra_relate, 4 inter_relate
    mention_pair = 1 + (~intra).long() + 2 * (~coref).long()
    one = (ent_i > 0) ^ (ent_j > 0)
    types = torch.where(both, mention_pair, torch.where(one & intra, 5, 0))
    return torch.where(in_sentences, types, 0)


def mention_rows(mention: torch.Tensor, S: int, W: int) -> torch.Tensor:
    """``[S, 1, W+1, 1]``: True on the rows of mention tokens (the extra position W is none)."""
    return torch.nn.functional.pad(mention, (0, 1)).view(S, 1, W + 1, 1)


class StructuredSelfAttention(nn.Module):
    """A pretrained BERT-family self-attention module with SSAN's structure bias added to its scores.

    ``inner`` is the loaded module (it must expose ``query``, ``key``, ``num_attention_heads``,
    ``attention_head_size`` and take an additive ``attention_mask``); its forward is called
    unchanged with ``attention_mask + bias * scaling``. :attr:`structure` (``[S, W, W]`` type
    indices, set by :func:`structure_bias_of`) holds the current windows' structure; None adds
    nothing.
    """

    def __init__(self, inner: nn.Module, form: str, init_std: float):
        super().__init__()
        if form not in STRUCTURE_FORMS:
            raise KireError(f"ssan structure {form!r} is unknown; choose one of {', '.join(STRUCTURE_FORMS)}")
        self.inner = inner
        self.form = form
        h, dh = inner.num_attention_heads, inner.attention_head_size
        n = len(STRUCTURE_TYPES) - 1  # "none" has no parameters
        if form == "biaffine":
            self.biaffine = nn.Parameter(torch.randn(n, h, dh, dh) * init_std)
        else:
            self.query_side = nn.Parameter(torch.randn(n, h, dh) * init_std)  # K_s: meets q_i
            self.key_side = nn.Parameter(torch.randn(n, h, dh) * init_std)    # Q_s: meets k_j
        self.type_bias = nn.Parameter(torch.zeros(n, h))
        self.structure: torch.Tensor | None = None

    def bias(self, hidden_states: torch.Tensor, structure: torch.Tensor) -> torch.Tensor:
        """``[S, heads, W, W]``: the unscaled bias of every token pair from its structure type."""
        inner = self.inner
        shape = (*hidden_states.shape[:-1], -1, inner.attention_head_size)
        q = inner.query(hidden_states).view(shape).transpose(1, 2)   # [S, h, W, dh]
        k = inner.key(hidden_states).view(shape).transpose(1, 2)
        S, h, W, _ = q.shape
        index = structure.unsqueeze(1).expand(S, h, W, W)
        zero = q.new_zeros(1, h)
        out = torch.cat([zero, self.type_bias]).T[:, structure].transpose(0, 1)  # b_s: [S, h, W, W]
        if self.form == "biaffine":
            return out + self.biaffine_scores(q, k, structure)
        pad = q.new_zeros(S, h, W, 1)
        q_part = torch.cat([pad, torch.einsum("shid,thd->shit", q, self.query_side)], dim=-1)
        k_part = torch.cat([pad, torch.einsum("shjd,thd->shjt", k, self.key_side)], dim=-1)
        return (out + q_part.gather(3, index)
                + k_part.gather(3, index.transpose(2, 3)).transpose(2, 3))

    def biaffine_scores(self, q: torch.Tensor, k: torch.Tensor, structure: torch.Tensor) -> torch.Tensor:
        """``[S, heads, W, W]``: ``q_i^T A_s k_j`` of every pair with a structure type (0 elsewhere).

        Every typed pair has a token inside a mention (a token is in one when its pair with itself
        is ``intra_coref``), so the scores are computed for the mention rows against all columns
        (every type) and for the plain-word rows against the mention columns (``intra_word``), then
        scattered into place: about 6 M W products per head instead of 5 W^2 for M mention tokens.
        """
        S, h, W, dh = q.shape
        mention = structure.diagonal(dim1=1, dim2=2) == STRUCTURE_TYPES.index("intra_coref")  # [S, W]
        n = int(mention.sum(1).max()) if mention.any() else 0
        if n == 0:
            return q.new_zeros(S, h, W, W)
        # mention positions of each window first; padded slots point at an extra all-zero position W
        order = torch.argsort((~mention).to(torch.int8), dim=1, stable=True)[:, :n]
        rows = torch.where(torch.arange(n, device=q.device) < mention.sum(1, keepdim=True), order, W)  # [S, n]
        q = torch.cat([q, q.new_zeros(S, h, 1, dh)], dim=2)
        k = torch.cat([k, k.new_zeros(S, h, 1, dh)], dim=2)
        padded = torch.nn.functional.pad(structure, (0, 1, 0, 1))                        # [S, W+1, W+1]
        row_types = padded.gather(1, rows[:, :, None].expand(S, n, W + 1)).unsqueeze(1)  # [S, 1, n, W+1]
        col_types = padded.gather(2, rows[:, None, :].expand(S, W + 1, n)).unsqueeze(1)  # [S, 1, W+1, n]
        q_m = q.gather(2, rows[:, None, :, None].expand(S, h, n, dh))
        k_m = k.gather(2, rows[:, None, :, None].expand(S, h, n, dh))
        by_row = q.new_zeros(S, h, n, W + 1)
        for t in range(1, len(STRUCTURE_TYPES)):
            by_row = by_row + torch.where(row_types == t, (q_m @ self.biaffine[t - 1]) @ k.transpose(-1, -2), 0.0)
        word = len(STRUCTURE_TYPES) - 1  # intra_word: the plain-word rows against the mention columns
        by_col = torch.where(col_types == word, (q @ self.biaffine[word - 1]) @ k_m.transpose(-1, -2), 0.0)
        by_col = by_col.masked_fill(mention_rows(mention, S, W), 0.0)  # mention rows are in by_row
        out = q.new_zeros(S, h, W + 1, W + 1)
        out = out.scatter_add(2, rows[:, None, :, None].expand(S, h, n, W + 1), by_row)
        out = out.scatter_add(3, rows[:, None, None, :].expand(S, h, W + 1, n), by_col)
        return out[:, :, :W, :W]

    def forward(self, hidden_states: torch.Tensor, attention_mask: torch.Tensor | None = None, **kwargs):
        if self.structure is not None:
            bias = self.bias(hidden_states, self.structure) * self.inner.scaling
            if attention_mask is None:
                attention_mask = bias
            else:
                if attention_mask.dtype == torch.bool:  # True = attend
                    attention_mask = torch.zeros_like(bias[:, :1]).masked_fill(
                        ~attention_mask, torch.finfo(bias.dtype).min)
                attention_mask = attention_mask + bias
        return self.inner(hidden_states, attention_mask=attention_mask, **kwargs)


def add_structured_attention(encoder: nn.Module, form: str) -> list[StructuredSelfAttention]:
    """Wrap every self-attention module of a BERT-family ``encoder`` in place; return the wrappers.

    Raises KireError when the model has no module of that shape (e.g. DistilBERT's ``q_lin``).
    """
    init_std = float(getattr(getattr(encoder, "config", None), "initializer_range", 0.02))
    wrappers = []
    for parent in list(encoder.modules()):
        for name, child in list(parent.named_children()):
            if all(hasattr(child, a) for a in ("query", "key", "num_attention_heads", "attention_head_size",
                                                "scaling")) and not isinstance(child, StructuredSelfAttention):
                wrapper = StructuredSelfAttention(child, form, init_std)
                setattr(parent, name, wrapper)
                wrappers.append(wrapper)
    if not wrappers:
        raise KireError(f"ssan: {type(encoder).__name__} has no BERT-style self-attention module "
                        "(query/key projections) to add the structure bias to")
    return wrappers


@contextlib.contextmanager
def structure_bias_of(wrappers: list[StructuredSelfAttention], structure: torch.Tensor) -> Iterator[None]:
    """Within the block, every wrapper adds the bias of ``structure`` ``[S, W, W]``."""
    for w in wrappers:
        w.structure = structure
    try:
        yield
    finally:
        for w in wrappers:
            w.structure = None


class SSAN(ATLOP):
    """ATLOP's prediction over an encoder with SSAN's structured self-attention (module docstring)."""

    name = "ssan"
    defaults: dict[str, Any] = SSAN_DEFAULTS

    def __init__(self, space: LabelSpace, transformer: nn.Module, tokenizer, **settings: Any):
        super().__init__(space, transformer, tokenizer, **settings)
        # not registered as a list of modules: they already are submodules of the encoder
        self.structured = add_structured_attention(self.encoder, self.settings["structure"])

    def window_structure(self, segments: Segments, batch: Batch) -> torch.Tensor:
        """``[S, W, W]``: structure types of every window's token pairs (padding: "none")."""
        if batch.sentence_ids is None:
            raise KireError("ssan needs the documents' sentence structure (features from marked_features)")
        S, W = segments.ids.shape
        entity_ids = batch.coref_ids.new_zeros(S, W)
        sentence_ids = batch.sentence_ids.new_full((S, W), -1)
        for i, (owner, pos) in enumerate(zip(segments.owners, segments.maps)):
            entity_ids[i, : len(pos)] = batch.coref_ids[owner, pos]
            sentence_ids[i, : len(pos)] = batch.sentence_ids[owner, pos]
        return structure_types(entity_ids, sentence_ids)

    def run_encoder(self, segments: Segments, batch: Batch) -> tuple[torch.Tensor, torch.Tensor]:
        with structure_bias_of(self.structured, self.window_structure(segments, batch)):
            return super().run_encoder(segments, batch)
