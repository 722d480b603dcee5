"""Representation reconciliation (section 4.3): N stacked aggregators (eqs. 10-11) and L_kg (eq. 12).

Shapes: B documents, L positions of H, I linked-entity slots per document, d_token = H's size,
d_ent = KG representation size, d_fuse = the fused size (d_out in the paper).

Alignment: ``align [B, L]`` gives, for each position, the slot of the KG entity it is aligned with
(the position lies in a mention of a document entity linked to that KG entity), -1 otherwise.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F


class SelfAttention(nn.Module):
    """Multi-head self-attention sublayer: LayerNorm(x + MHA(x)), with padding keys masked.

    MHA is the Transformer's (one fused Q/K/V projection, scaled dot-product attention per head,
    output projection; initialised like torch's nn.MultiheadAttention). Rows whose every key is
    padding (a document with no linked entity) return their input.
    """

    def __init__(self, d: int, heads: int):
        super().__init__()
        if d % heads:
            raise ValueError(f"size {d} is not divisible by {heads} heads")
        self.d, self.heads = d, heads
        with torch.device("meta"):  # shapes only: reset_parameters() draws each parameter once
            self.W_qkv = nn.Linear(d, 3 * d)
            self.W_o = nn.Linear(d, d)
            self.norm = nn.LayerNorm(d)
        self.to_empty(device=torch.get_default_device())
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """W_qkv Xavier uniform, W_o torch's Linear default, both biases 0 (as nn.MultiheadAttention),
        LayerNorm 1 and 0. The Linear defaults are drawn first, in this order, so that a seed gives
        the parameters it gave when they were drawn at construction."""
        self.W_qkv.reset_parameters()
        self.W_o.reset_parameters()
        nn.init.xavier_uniform_(self.W_qkv.weight)
        nn.init.zeros_(self.W_qkv.bias)
        nn.init.zeros_(self.W_o.bias)
        self.norm.reset_parameters()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.d}, heads={self.heads})"

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """x [B, S, d], mask [B, S] bool (real positions) -> [B, S, d]."""
        B, S, d = x.shape
        if S == 0:
            return x
        empty = ~mask.any(dim=1)
        # an all-padding row would give NaN; let it attend to its padding and discard the result
        keys = (mask | empty.unsqueeze(1))[:, None, None, :]
        q, k, v = self.W_qkv(x).view(B, S, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        attended = F.scaled_dot_product_attention(q, k, v, attn_mask=keys)
        out = self.norm(x + self.W_o(attended.transpose(1, 2).reshape(B, S, d)))
        return torch.where(empty.view(-1, 1, 1), x, out)

    def attend_at(self, x: torch.Tensor, mask: torch.Tensor, b: torch.Tensor, pos: torch.Tensor) -> torch.Tensor:
        """The sublayer's output at positions (b, pos) only: x [B, S, d], mask [B, S], b/pos [T]
        (sorted by b, as ``nonzero`` gives them; every b has a real key) -> [T, d].

        Each row equals the corresponding row of ``forward``, computed for few queries: instead of
        projecting all S keys and values, each head's query is mapped back onto x,
        q.(W_k x_j + b_k) = (W_k^T q).x_j + q.b_k, where q.b_k is the same for every key and drops
        out of the softmax; and sum_j a_j (W_v x_j + b_v) = W_v (sum_j a_j x_j) + b_v as the a_j sum
        to 1. The work then grows with T x heads x S instead of S x d, and T (aligned tokens) << S.
        Each document's queries meet only its own keys, up to its last real one: padding the
        queries to the batch's most aligned document and the keys to its longest would double the
        work on a Re-DocRED batch.
        """
        B, S, d = x.shape
        h, dh = self.heads, d // self.heads
        W_q, W_k, W_v = self.W_qkv.weight.view(3, h, dh, d).unbind(0)  # each [h, dh, d]
        b_q, _, b_v = self.W_qkv.bias.view(3, h, dh).unbind(0)
        x_q = x[b, pos]  # [T, d]
        q = (x_q @ W_q.reshape(d, d).t()).view(-1, h, dh) + b_q  # per-head queries, [T, h, dh]
        q_x = torch.bmm(q.transpose(0, 1), W_k).transpose(0, 1) * dh ** -0.5  # W_k^T q / sqrt(dh), [T, h, d]
        counts = torch.bincount(b, minlength=B).tolist()
        key_ends = torch.where(mask, torch.arange(1, S + 1, device=x.device), 0).amax(1).tolist()  # one past the last real key
        pooled, start = [], 0
        for x_doc, mask_doc, n, end in zip(x.unbind(0), mask.unbind(0), counts, key_ends):  # unbind: one gradient stack, not B
            if n:
                keys, real = x_doc[:end], mask_doc[:end]
                scores = q_x[start:start + n].reshape(-1, d) @ keys.t()  # [n * h, end]
                pooled.append(scores.masked_fill(~real, float("-inf")).softmax(-1) @ keys)  # sum_j a_j x_j per head
                start += n
        pooled = torch.cat(pooled).view(-1, h, d)  # [T, h, d]
        attended = torch.bmm(pooled.transpose(0, 1), W_v.transpose(1, 2)).transpose(0, 1) + b_v  # [T, h, dh]
        return self.norm(x_q + self.W_o(attended.reshape(-1, d)))


class Aggregator(nn.Module):
    """The n-th aggregator: self-attention, fusion (eq. 10), reconstruction (eq. 11).

    h~ = sigma(W~_w h~_wj + W~_e h~_ei + b~) if w_j and e_i align, sigma(W~_w h~_wj + b~) otherwise (10);
    h_wj^(n) = sigma(W_w h~ + b_w), h_ei^(n) = sigma(W_e h~ + b_e) (11), sigma = tanh.

    As section 4.3 says, the tokens and entities of aligned pairs are updated: other tokens keep
    their state (their self-attention output would only feed eq. 10's "otherwise" branch), and so
    do entities without aligned tokens; ``update_unaligned=True`` also reconstructs every other
    token from eq. 10's second branch, as ERNIE's aggregator does. An entity aligned with several
    tokens takes the mean of its tokens' eq.-11 outputs. With ``residual=True`` (default) eq. 11's
    outputs are added to the incoming representations and W_w, b_w, W_e, b_e start at zero, so that
    the layer starts as the identity and fine-tuning starts from the trained base model (two-stage
    training); ``residual=False`` is eq. 11 literally.
    """

    def __init__(self, d_token: int, d_ent: int, *, d_fuse: int, heads_token: int = 4, heads_ent: int = 4,
                 residual: bool = True, update_unaligned: bool = False):
        super().__init__()
        self.d_token, self.d_ent, self.d_fuse = d_token, d_ent, d_fuse
        self.residual, self.update_unaligned = residual, update_unaligned
        with torch.device("meta"):  # shapes only: reset_parameters() draws each parameter once
            self.attn_w = SelfAttention(d_token, heads_token)
            self.attn_e = SelfAttention(d_ent, heads_ent)
            self.W_tilde_w = nn.Linear(d_token, d_fuse)  # its bias is b~
            self.W_tilde_e = nn.Linear(d_ent, d_fuse, bias=False)
            self.W_w = nn.Linear(d_fuse, d_token)
            self.W_e = nn.Linear(d_fuse, d_ent)
        self.to_empty(device=torch.get_default_device())
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw the two self-attentions, then W~_w, W~_e, W_w, W_e (torch's Linear default), in this
        order; with ``residual`` W_w, b_w, W_e, b_e are then set to 0 (the layer starts as the identity)."""
        self.attn_w.reset_parameters()
        self.attn_e.reset_parameters()
        for lin in (self.W_tilde_w, self.W_tilde_e, self.W_w, self.W_e):
            lin.reset_parameters()
        if self.residual:
            for lin in (self.W_w, self.W_e):
                nn.init.zeros_(lin.weight)
                nn.init.zeros_(lin.bias)

    def __repr__(self) -> str:
        return (f"{type(self).__name__}({self.d_token}, {self.d_ent}, d_fuse={self.d_fuse}, "
                f"heads_token={self.attn_w.heads}, heads_ent={self.attn_e.heads}, residual={self.residual}, "
                f"update_unaligned={self.update_unaligned})")

    def forward(self, h_w: torch.Tensor, token_mask: torch.Tensor, h_e: torch.Tensor, slot_mask: torch.Tensor,
                align: torch.Tensor, update_entities: bool = True) -> tuple[torch.Tensor, torch.Tensor]:
        """h_w [B, L, d_token], token_mask [B, L], h_e [B, I, d_ent], slot_mask [B, I], align [B, L]
        -> (h_w^(n) [B, L, d_token], h_e^(n) [B, I, d_ent]). ``update_entities=False`` returns h_e
        as it came (the last aggregator's entity outputs are read by nothing)."""
        aligned = (align >= 0) & token_mask
        b, pos = (token_mask if self.update_unaligned else aligned).nonzero(as_tuple=True)
        if len(b) == 0:
            return h_w, h_e
        ht_w = self.attn_w.attend_at(h_w, token_mask, b, pos)  # h~_wj at the updated positions, [T, d_token]
        fused = self.W_tilde_w(ht_w)
        slot = align[b, pos]  # [T], -1 for an unaligned token
        if h_e.shape[1]:
            e_fused = self.W_tilde_e(self.attn_e(h_e, slot_mask))  # W~_e h~_ei, [B, I, d_fuse]
            if self.update_unaligned:  # unaligned tokens take eq. 10's second branch
                fused = fused + e_fused[b, slot.clamp(min=0)] * (slot >= 0).unsqueeze(-1).to(fused.dtype)
            else:
                fused = fused + e_fused[b, slot]
        h_tilde = torch.tanh(fused)  # eq. 10, [T, d_fuse]
        new_w = torch.tanh(self.W_w(h_tilde))  # eq. 11, tokens
        h_w = h_w.index_put((b, pos), h_w[b, pos] + new_w if self.residual else new_w)
        if h_e.shape[1] and update_entities:
            h_e = self._update_entities(h_e, torch.tanh(self.W_e(h_tilde)), b, slot)
        return h_w, h_e

    def _update_entities(self, h_e: torch.Tensor, per_token: torch.Tensor, b: torch.Tensor,
                         slot: torch.Tensor) -> torch.Tensor:
        """Return h_e with each aligned slot updated by the mean of its tokens' eq.-11 outputs.

        per_token [T, d_ent] at tokens of documents b [T] aligned with slot [T] (-1: none)."""
        B, I, d = h_e.shape
        row = torch.where(slot >= 0, b * I + slot, B * I)
        total = h_e.new_zeros(B * I + 1, d).index_add_(0, row, per_token)
        count = h_e.new_zeros(B * I + 1).index_add_(0, row, torch.ones_like(row, dtype=h_e.dtype))
        total, count = total[:-1].view(B, I, d), count[:-1].view(B, I, 1)
        mean = total / count.clamp(min=1)
        new_e = h_e + mean if self.residual else mean
        return torch.where(count > 0, new_e, h_e)


KG_HEADS = ("tokens", "mlp", "detached")


class Reconciler(nn.Module):
    """N stacked aggregators (4.3) and the token-entity alignment loss (eq. 12).

    ``kg_head`` says what L_kg scores: ``tokens`` (eq. 12) the Linear of the final token states, the
    states the classifier reads; ``mlp`` a separate head, ReLU(W_p h + b_p) with W_p [d_token,
    d_token], before that Linear, so that the alignment need not be linear in those states;
    ``detached`` the Linear of the final token states with their gradient stopped, so that L_kg
    trains the KG encoding and its head but never moves the token states.
    """

    def __init__(self, d_token: int, d_ent: int, *, n_aggregators: int = 2, d_fuse: int | None = None,
                 heads_token: int = 4, heads_ent: int = 4, residual: bool = True, update_unaligned: bool = False,
                 kg_head: str = "tokens"):
        super().__init__()
        if kg_head not in KG_HEADS:
            raise ValueError(f"kg_head must be one of {KG_HEADS}, not {kg_head!r}")
        self.d_token, self.d_ent, self.kg_head = d_token, d_ent, kg_head
        d_fuse = d_fuse or d_token
        with torch.device("meta"):  # shapes only: reset_parameters() draws each parameter once
            self.aggregators = nn.ModuleList(
                Aggregator(d_token, d_ent, d_fuse=d_fuse, heads_token=heads_token, heads_ent=heads_ent,
                           residual=residual, update_unaligned=update_unaligned)
                for _ in range(n_aggregators)
            )
            self.Linear = nn.Linear(d_token, d_ent)  # the Linear of P(e_i | w_j) in eq. 12
            self.head = nn.Linear(d_token, d_token) if kg_head == "mlp" else None
        self.to_empty(device=torch.get_default_device())
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw the aggregators one after another, then the Linear of eq. 12, then the ``mlp`` head
        (torch's defaults; last, so that the other heads draw what they drew before it existed)."""
        for aggregator in self.aggregators:
            aggregator.reset_parameters()
        self.Linear.reset_parameters()
        if self.head is not None:
            self.head.reset_parameters()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.d_token}, {self.d_ent}, n_aggregators={len(self.aggregators)})"

    def forward(self, H: torch.Tensor, token_mask: torch.Tensor, h_e: torch.Tensor, slot_mask: torch.Tensor,
                align: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Return (H' = h_w^(N) [B, L, d_token], L_kg scalar).

        h_e [B, I, d_ent] are the KG representations of each document's linked entities (the
        candidate set of eq. 12); L_kg is computed against them.
        """
        h_w, h_n = H, h_e
        for n, aggregator in enumerate(self.aggregators, 1):
            h_w, h_n = aggregator(h_w, token_mask, h_n, slot_mask, align, update_entities=n < len(self.aggregators))
        return h_w, self.alignment_loss(h_w, h_e, slot_mask, align, token_mask)

    def alignment_loss(self, h_w: torch.Tensor, h_e: torch.Tensor, slot_mask: torch.Tensor,
                       align: torch.Tensor, token_mask: torch.Tensor) -> torch.Tensor:
        """L_kg = -sum_j sum_i f*_ji log P(e_i | w_j) (eq. 12), averaged over the aligned tokens.

        P(e_i | w_j) = softmax_i(Linear(h_wj^(N)) . h_ei) over the document's candidate slots
        (``kg_head``: the class docstring). Eq. 12 as printed sums probabilities; the negative
        log-likelihood is the loss that trains the alignment. Returns 0 (with a graph) when no
        position is aligned.
        """
        aligned = (align >= 0) & token_mask
        if h_e.shape[1] == 0 or not bool(aligned.any()):
            return h_w.sum() * 0.0
        b, pos = aligned.nonzero(as_tuple=True)  # only aligned tokens enter the loss: score only them
        B, I, d = h_e.shape
        # score against every document's slots in one product (B * I is small), keep the own document's
        tokens = h_w[b, pos]
        if self.kg_head == "detached":
            tokens = tokens.detach()
        elif self.head is not None:
            tokens = torch.relu(self.head(tokens))
        scores = (self.Linear(tokens) @ h_e.reshape(B * I, d).t()).view(-1, B, I)
        scores = scores[torch.arange(len(b), device=b.device), b]  # [T, I]
        scores = scores.masked_fill(~slot_mask[b], float("-inf"))
        return F.cross_entropy(scores, align[b, pos])
