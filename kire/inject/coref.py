"""Coreference encoding (section 4.1): coreference distillation (eqs. 2-4) and context exchanging (eq. 5).

Context exchanging comes in two forms (config ``exchange``): ``literal`` is eq. 5, every token of an
alias mention takes ``m_s + m_t*``; ``gated`` (default) moves each token state x towards that value
by a learned per-dimension gate g that starts at zero, ``x + g * (m_s + m_t* - x)``, so that a fresh
layer leaves the base model's states exactly as they were (stage 2 starts at the base model) and
``g = 1`` is eq. 5 again.

Shapes: B documents, L positions of H, d = d_token, Mc alias mentions, C directed pairs (m_s, m_t).
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F
from torch_geometric.utils import scatter

from kire.inject.batch import KnowledgeBatch


def distance_bins(psi: torch.Tensor, beta: int) -> torch.Tensor:
    """Return the bin of each distance psi among 2*beta bins: [C] long -> [C] long.

    Bin 0 holds psi = 0 (touching or overlapping mentions), bin k >= 1 holds 2^(k-1) <= psi < 2^k,
    and the last bin (2*beta - 1) everything beyond. Log-scale so that the bins are populated over
    the whole range of in-document distances (0 .. a few hundred words); the original code's offset
    put almost every pair into one bin.
    """
    psi = psi.clamp(min=0)
    bins = torch.where(psi > 0, torch.floor(torch.log2(psi.clamp(min=1).double())).long() + 1,
                       torch.zeros_like(psi))
    return bins.clamp(max=2 * beta - 1)


def span_positions(doc: torch.Tensor, start: torch.Tensor, end: torch.Tensor, L: int
                   ) -> tuple[torch.Tensor, torch.Tensor]:
    """Every position of every span: spans [K] -> (span id [P], flat position b * L + pos [P]),
    P = sum of the spans' lengths, spans in order and positions ascending within a span."""
    lengths = end - start
    span = torch.repeat_interleave(torch.arange(len(doc), device=doc.device), lengths)
    offset = torch.arange(len(span), device=doc.device) - torch.repeat_interleave(lengths.cumsum(0) - lengths, lengths)
    return span, doc[span] * L + start[span] + offset


def mention_means(H: torch.Tensor, doc: torch.Tensor, start: torch.Tensor, end: torch.Tensor) -> torch.Tensor:
    """Return m = avg_{w_j in m} h_{w_j} for each span: H [B, L, d], spans [M] -> [M, d]."""
    if doc.numel() == 0:
        return H.new_zeros(0, H.shape[-1])
    # sum each span's rows directly: the work (and the gradient) covers only the mention tokens
    span, flat = span_positions(doc, start, end, H.shape[1])
    total = H.new_zeros(len(doc), H.shape[-1]).index_add(0, span, H.reshape(-1, H.shape[-1]).index_select(0, flat))
    return total / (end - start).unsqueeze(-1).to(H.dtype)


def bernoulli_kl(p_tea: torch.Tensor, logit_stu: torch.Tensor) -> torch.Tensor:
    """Return KL(P_tea || P_stu) per pair, both Bernoulli, P_stu = sigmoid(logit): [C] -> [C]."""
    # KL = cross-entropy(P_tea, P_stu) - entropy(P_tea); the cross-entropy is one fused op
    neg_entropy = torch.special.xlogy(p_tea, p_tea) + torch.special.xlogy(1 - p_tea, 1 - p_tea)
    return F.binary_cross_entropy_with_logits(logit_stu, p_tea, reduction="none") + neg_entropy


def best_partner(scores: torch.Tensor, src: torch.Tensor, n_mentions: int) -> torch.Tensor:
    """Return, for each mention, the pair index of its highest-scoring partner, -1 if it has none.

    t* = argmax_t {score(m_s, m_t) | (m_s, m_t) in C}; ties go to the lowest pair index.
    scores [C], src [C] -> [Mc] long.
    """
    best = torch.full((n_mentions,), -1, dtype=torch.long, device=scores.device)
    if scores.numel() == 0:
        return best
    top = scatter(scores, src, dim=0, dim_size=n_mentions, reduce="max")
    pair = torch.arange(len(scores), device=scores.device)
    is_top = scores == top[src]
    first = torch.full((n_mentions,), len(scores), dtype=torch.long, device=scores.device)
    first = first.scatter_reduce(0, src[is_top], pair[is_top], reduce="amin", include_self=True)
    return torch.where(first < len(scores), first, best)


def first_span_positions(doc: torch.Tensor, start: torch.Tensor, end: torch.Tensor, L: int
                         ) -> tuple[torch.Tensor, torch.Tensor]:
    """Like :func:`span_positions`, but each flat position once, held by the first span that covers it
    (so that overlapping mentions give a deterministic result): (span id [P'], flat position [P'])."""
    span, flat = span_positions(doc, start, end, L)
    order = torch.argsort(flat * len(doc) + span)
    flat, span = flat[order], span[order]
    keep = torch.ones_like(flat, dtype=torch.bool)
    keep[1:] = flat[1:] != flat[:-1]
    return span[keep], flat[keep]


def write_spans(H: torch.Tensor, doc: torch.Tensor, start: torch.Tensor, end: torch.Tensor,
                values: torch.Tensor) -> torch.Tensor:
    """Return a copy of H where every position of span k takes ``values[k]`` (eq. 5).

    H [B, L, d], spans [K], values [K, d] -> [B, L, d]. Where spans overlap, the first span wins.
    """
    if doc.numel() == 0:
        return H
    span, flat = first_span_positions(doc, start, end, H.shape[1])
    return H.reshape(-1, H.shape[-1]).index_put((flat,), values[span]).view_as(H)


def blend_spans(H: torch.Tensor, doc: torch.Tensor, start: torch.Tensor, end: torch.Tensor,
                values: torch.Tensor, gate: torch.Tensor) -> torch.Tensor:
    """Return a copy of H where every position x of span k takes ``x + gate * (values[k] - x)``.

    H [B, L, d], spans [K], values [K, d], gate [d] -> [B, L, d]. ``gate = 0`` returns H's values
    exactly (x + 0 is x), ``gate = 1`` is :func:`write_spans`. Where spans overlap, the first wins.
    """
    if doc.numel() == 0:
        return H
    span, flat = first_span_positions(doc, start, end, H.shape[1])
    rows = H.reshape(-1, H.shape[-1])
    x = rows.index_select(0, flat)
    return rows.index_put((flat,), x + gate * (values[span] - x)).view_as(H)


EXCHANGES = ("gated", "literal")


class CorefEncoder(nn.Module):
    """Coreference distillation (eqs. 2-4) and context exchanging (eq. 5).

    P_stu(m_s, m_t) = sigmoid(MLP([m_s; m_t; Delta(psi(m_s, m_t))])) (eq. 3), with 2*beta trainable
    distance vectors Delta of size d_dist. With ``distill=False`` (the "w/o distill" ablation) the
    teacher's p_cr chooses the partner directly and no coreference loss is produced.
    ``exchange="gated"`` (default) blends eq. 5's value into the mention tokens through the gate
    ``g`` [d_token], zero at the start; ``"literal"`` writes it (eq. 5, no gate parameter).
    """

    def __init__(self, d_token: int, *, d_mlp: int = 256, d_dist: int = 20, beta: int = 5, distill: bool = True,
                 exchange: str = "gated"):
        super().__init__()
        if exchange not in EXCHANGES:
            raise ValueError(f"exchange must be one of {EXCHANGES}, not {exchange!r}")
        self.d_token, self.beta, self.distill, self.exchange = d_token, beta, distill, exchange
        with torch.device("meta"):  # shapes only: reset_parameters() draws each parameter once
            self.Delta = nn.Embedding(2 * beta, d_dist)
            self.MLP = nn.Sequential(nn.Linear(2 * d_token + d_dist, d_mlp), nn.ReLU(), nn.Linear(d_mlp, 1))
            self.register_parameter("g", nn.Parameter(torch.empty(d_token)) if exchange == "gated" else None)
        self.to_empty(device=torch.get_default_device())
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw Delta ~ N(0, 1), then the MLP's two Linear layers (torch's default), in this order;
        the exchange gate g is set to 0 (draws nothing)."""
        self.Delta.reset_parameters()
        self.MLP[0].reset_parameters()
        self.MLP[2].reset_parameters()
        if self.g is not None:
            nn.init.zeros_(self.g)

    def __repr__(self) -> str:
        return (f"{type(self).__name__}({self.d_token}, d_mlp={self.MLP[0].out_features}, "
                f"d_dist={self.Delta.embedding_dim}, beta={self.beta}, distill={self.distill}, "
                f"exchange={self.exchange!r})")

    def student_logits(self, m: torch.Tensor, kb: KnowledgeBatch) -> torch.Tensor:
        """Return the logit of P_stu(m_s, m_t) for each pair (eq. 3): m [Mc, d] -> [C].

        The MLP's first layer W [m_s; m_t; Delta] + b is split by blocks, W_s m_s + W_t m_t + (W_d Delta
        + b), each block applied once per mention or distance bin and gathered per pair: a batch has
        several times more pairs than mentions.
        """
        first, d = self.MLP[0], m.shape[1]
        W_s, W_t, W_d = first.weight.split([d, d, first.weight.shape[1] - 2 * d], dim=1)
        per_mention = m @ torch.cat([W_s, W_t]).t()  # [Mc, 2 d_mlp]: W_s m, then W_t m
        per_bin = torch.addmm(first.bias, self.Delta.weight, W_d.t())  # [2 beta, d_mlp]
        hidden = (per_mention[:, :first.out_features].index_select(0, kb.coref_src)
                  + per_mention[:, first.out_features:].index_select(0, kb.coref_tgt)
                  + per_bin.index_select(0, distance_bins(kb.coref_dist, self.beta)))
        return self.MLP[2](self.MLP[1](hidden)).squeeze(-1)

    def forward(self, H: torch.Tensor, kb: KnowledgeBatch) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Return (H after context exchanging [B, L, d], L_cr or None).

        L_cr = KL(P_tea || P_stu) (eq. 4) averaged over the batch's directed pairs (eq. 4 sums; the
        mean keeps alpha_2 = 0.01 on the scale of a mean relation loss, see docs/inject.md). 0 when
        the batch has no pair, None when distillation is off.
        """
        m = mention_means(H, kb.coref_mention_doc, kb.coref_mention_start, kb.coref_mention_end)
        loss = None
        if self.distill:
            logits = self.student_logits(m, kb)
            kl = bernoulli_kl(kb.coref_p.to(logits.dtype), logits)
            loss = kl.mean() if len(kl) else logits.sum() * 0.0
            scores = logits.detach()
        else:
            scores = kb.coref_p
        best = best_partner(scores, kb.coref_src, len(m))
        has = best >= 0
        # m_s <- m_s + m_{t*}: each alias mention adds its most probable counterpart
        updated = m[has] + m[kb.coref_tgt[best[has]]]
        spans = (kb.coref_mention_doc[has], kb.coref_mention_start[has], kb.coref_mention_end[has])
        if self.g is None:
            return write_spans(H, *spans, updated), loss
        return blend_spans(H, *spans, updated, self.g), loss
