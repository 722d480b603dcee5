"""The paper's simple injection variants (section 5.3, ablation): rep-avg, rep-concat and MLP.

They replace coreference distillation + context exchanging and representation reconciliation; the
KG encoding (attributes + graph encoder) is unchanged. Coreference pairs are used as given (teacher).
Each variant keeps H's size d_token, so any model's Predict runs on its output unchanged.
With ``gated=True`` (InjectConfig ``exchange: gated``, the default) each fused value enters through
a per-dimension gate that starts at zero, ``x + g * (fused - x)``, so that a fresh variant leaves
the base model's states exactly as they were; ``gated=False`` overwrites them (the paper's form).

Shapes: B documents, L positions, Mc alias mentions, C pairs, I linked-entity slots.
"""

from __future__ import annotations

import torch
from torch import nn
from torch_geometric.utils import scatter

from kire.inject.batch import KnowledgeBatch
from kire.inject.coref import blend_spans, mention_means, write_spans

SIMPLE_INJECTIONS = ("rep_avg", "rep_concat", "mlp")


def partner_means(m: torch.Tensor, src: torch.Tensor, tgt: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Return (mean of each mention's coreferent partners [Mc, d], number of partners [Mc])."""
    n = len(m)
    total = scatter(m[tgt], src, dim=0, dim_size=n, reduce="sum")
    count = scatter(torch.ones_like(src, dtype=m.dtype), src, dim=0, dim_size=n, reduce="sum")
    return total / count.clamp(min=1).unsqueeze(-1), count


def entity_of_token(h_e: torch.Tensor, align: torch.Tensor) -> torch.Tensor:
    """Return the slot representation aligned with each position (0 where none): [B, I, d], [B, L] -> [B, L, d]."""
    if h_e.shape[1] == 0:
        return h_e.new_zeros(*align.shape, h_e.shape[-1])
    picked = torch.gather(h_e, 1, align.clamp(min=0).unsqueeze(-1).expand(-1, -1, h_e.shape[-1]))
    return picked * (align >= 0).unsqueeze(-1).to(h_e.dtype)


class SimpleInjection(nn.Module):
    """One of the variants:

    - ``rep_avg``: an alias mention becomes the average of itself and its partners; an aligned token
      becomes the average of its state and its entity's KG representation (projected to d_token).
    - ``rep_concat``: [m_s; mean of partners] and [h_wj; h_ei] are concatenated and projected back
      to d_token by one linear map each.
    - ``mlp``: two-layer MLPs fuse [m_s; mean of partners] and [h_wj; h_ei] respectively.
    """

    def __init__(self, kind: str, d_token: int, d_ent: int, d_hidden: int = 256, gated: bool = True):
        super().__init__()
        if kind not in SIMPLE_INJECTIONS:
            raise ValueError(f"injection variant must be one of {SIMPLE_INJECTIONS}, not {kind!r}")
        self.kind = kind
        if kind == "rep_avg":
            self.P = nn.Linear(d_ent, d_token)
        elif kind == "rep_concat":
            self.W_cr = nn.Linear(2 * d_token, d_token)
            self.W_kg = nn.Linear(d_token + d_ent, d_token)
        else:
            self.W_cr = nn.Sequential(nn.Linear(2 * d_token, d_hidden), nn.ReLU(), nn.Linear(d_hidden, d_token))
            self.W_kg = nn.Sequential(nn.Linear(d_token + d_ent, d_hidden), nn.ReLU(), nn.Linear(d_hidden, d_token))
        # the gates of the coreference and the KG fusion, [d_token] each, 0 at the start (draw nothing)
        self.g_cr = nn.Parameter(torch.zeros(d_token)) if gated else None
        self.g_kg = nn.Parameter(torch.zeros(d_token)) if gated else None

    def inject_coref(self, H: torch.Tensor, kb: KnowledgeBatch) -> torch.Tensor:
        """H [B, L, d] -> H with each alias mention's tokens replaced by its fused representation."""
        m = mention_means(H, kb.coref_mention_doc, kb.coref_mention_start, kb.coref_mention_end)
        partners, count = partner_means(m, kb.coref_src, kb.coref_tgt)
        has = count > 0
        if self.kind == "rep_avg":
            fused = (m + partners * count.unsqueeze(-1)) / (1 + count).unsqueeze(-1)
        else:
            fused = self.W_cr(torch.cat([m, partners], dim=-1))
        spans = (kb.coref_mention_doc[has], kb.coref_mention_start[has], kb.coref_mention_end[has])
        if self.g_cr is None:
            return write_spans(H, *spans, fused[has])
        return blend_spans(H, *spans, fused[has], self.g_cr)

    def inject_kg(self, H: torch.Tensor, token_mask: torch.Tensor, h_e: torch.Tensor,
                  align: torch.Tensor) -> torch.Tensor:
        """H [B, L, d_token], h_e [B, I, d_ent] slots, align [B, L] -> H with aligned tokens fused."""
        aligned = ((align >= 0) & token_mask).unsqueeze(-1)
        e = entity_of_token(h_e, align)
        if self.kind == "rep_avg":
            fused = (H + self.P(e)) / 2
        else:
            fused = self.W_kg(torch.cat([H, e], dim=-1))
        if self.g_kg is not None:
            fused = H + self.g_kg * (fused - H)
        return torch.where(aligned, fused, H)
