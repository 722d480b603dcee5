"""Representation reconciliation (4.3): fusion (eq. 10), reconstruction (eq. 11), L_kg (eq. 12)."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from kire.inject.reconcile import Aggregator, Reconciler, SelfAttention
from torch_devices import DEVICES


class PassThrough(nn.Module):
    def forward(self, x, mask):
        return x

    def attend_at(self, x, mask, b, pos):
        return x[b, pos]


def _scalar_aggregator(residual: bool, update_unaligned: bool = True) -> Aggregator:
    agg = Aggregator(d_token=1, d_ent=1, d_fuse=1, heads_token=1, heads_ent=1, residual=residual,
                     update_unaligned=update_unaligned)
    agg.attn_w, agg.attn_e = PassThrough(), PassThrough()  # isolate eqs. 10-11 from the attention
    with torch.no_grad():
        agg.W_tilde_w.weight.fill_(1.0)
        agg.W_tilde_w.bias.fill_(0.5)
        agg.W_tilde_e.weight.fill_(2.0)
        agg.W_w.weight.fill_(1.0)
        agg.W_w.bias.zero_()
        agg.W_e.weight.fill_(3.0)
        agg.W_e.bias.zero_()
    return agg


def test_fusion_and_reconstruction_hand_case():
    agg = _scalar_aggregator(residual=False)
    h_w = torch.tensor([[[0.1], [0.2], [0.3], [9.0]]])
    token_mask = torch.tensor([[True, True, True, False]])
    h_e = torch.tensor([[[1.0], [-1.0], [7.0]]])
    slot_mask = torch.tensor([[True, True, True]])
    align = torch.tensor([[0, -1, 0, 1]])  # token 3 is padding: its alignment is ignored
    new_w, new_e = agg(h_w, token_mask, h_e, slot_mask, align)
    t = math.tanh
    ht = [t(0.1 + 0.5 + 2.0), t(0.2 + 0.5), t(0.3 + 0.5 + 2.0)]  # eq. 10
    assert new_w[0, :3, 0].tolist() == pytest.approx([t(v) for v in ht], abs=1e-6)  # eq. 11
    assert new_w[0, 3, 0].item() == 9.0  # padding is left alone
    assert new_e[0, 0, 0].item() == pytest.approx((t(3 * ht[0]) + t(3 * ht[2])) / 2, abs=1e-6)
    assert new_e[0, 1, 0].item() == -1.0 and new_e[0, 2, 0].item() == 7.0  # no aligned token: unchanged
    # default (section 4.3): only the aligned pairs are reconstructed; token 1 keeps its state
    only, only_e = _scalar_aggregator(residual=False, update_unaligned=False)(h_w, token_mask, h_e, slot_mask, align)
    assert only[0, :, 0].tolist() == pytest.approx([t(ht[0]), 0.2, t(ht[2]), 9.0], abs=1e-6)
    assert torch.equal(only_e, new_e)


@pytest.mark.parametrize("device", DEVICES)
def test_attention_at_positions_equals_full_attention_rows(device):
    torch.manual_seed(0)
    att = SelfAttention(8, 2).to(device)
    x = torch.randn(3, 5, 8, device=device)
    mask = torch.tensor([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1], [1, 0, 0, 0, 0]], device=device).bool()
    b, pos = torch.tensor([0, 0, 1, 2], device=device), torch.tensor([0, 2, 4, 0], device=device)
    assert torch.allclose(att.attend_at(x, mask, b, pos), att(x, mask)[b, pos], atol=1e-5)


def test_residual_mode_adds_the_update():
    agg = _scalar_aggregator(residual=True)
    h_w = torch.tensor([[[0.1], [0.2]]])
    new_w, new_e = agg(h_w, torch.tensor([[True, True]]), torch.tensor([[[1.0]]]), torch.tensor([[True]]),
                       torch.tensor([[0, -1]]))
    t = math.tanh
    assert new_w[0, :, 0].tolist() == pytest.approx([0.1 + t(t(2.6)), 0.2 + t(t(0.7))], abs=1e-6)
    assert new_e[0, 0, 0].item() == pytest.approx(1.0 + t(3 * t(2.6)), abs=1e-6)


def test_residual_reconciler_starts_as_identity_and_alignment_loss_hand_case():
    torch.manual_seed(0)
    rec = Reconciler(d_token=2, d_ent=2, n_aggregators=2, heads_token=1, heads_ent=1, residual=True)
    with torch.no_grad():
        rec.Linear.weight.copy_(torch.eye(2))
        rec.Linear.bias.zero_()
    H = torch.tensor([[[1.0, 0.0], [0.0, 2.0], [5.0, 5.0]]])
    h_e = torch.tensor([[[1.0, 0.0], [0.0, 1.0], [3.0, 3.0]]])
    slot_mask = torch.tensor([[True, True, False]])  # slot 2 is padding: not a candidate
    align = torch.tensor([[0, 0, -1]])
    out, loss = rec(H, torch.ones(1, 3, dtype=torch.bool), h_e, slot_mask, align)
    assert torch.equal(out, H)
    # token 0: scores (1, 0) -> -log softmax_0; token 1: scores (0, 2) -> -log softmax_0
    expected = -math.log(math.e / (math.e + 1)) - math.log(1 / (1 + math.e ** 2))
    assert loss.item() == pytest.approx(expected / 2, rel=1e-5)  # mean over the 2 aligned tokens


@pytest.mark.parametrize("device", DEVICES)
def test_documents_without_entities_pass_through_and_no_nan(device):
    torch.manual_seed(0)
    rec = Reconciler(d_token=4, d_ent=6, n_aggregators=2, heads_token=2, heads_ent=2, residual=False).to(device)
    H = torch.randn(2, 5, 4, device=device, requires_grad=True)
    token_mask = torch.tensor([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]], device=device).bool()
    h_e = torch.randn(2, 2, 6, device=device)
    slot_mask = torch.tensor([[True, True], [False, False]], device=device)  # document 1 has no linked entity
    align = torch.tensor([[1, -1, 0, -1, -1], [-1, -1, -1, -1, -1]], device=device)
    out, loss = rec(H, token_mask, h_e, slot_mask, align)
    assert out.shape == H.shape and torch.isfinite(out).all() and torch.isfinite(loss)
    (out.sum() + loss).backward()
    assert torch.isfinite(H.grad).all()
    out, loss = rec(H, token_mask, h_e[:, :0], slot_mask[:, :0], torch.full((2, 5), -1, device=device))
    assert out.shape == H.shape and loss.item() == 0.0


def test_self_attention_masks_padding_keys():
    torch.manual_seed(0)
    att = SelfAttention(4, 2)
    x = torch.randn(1, 3, 4)
    mask = torch.tensor([[True, True, False]])
    changed = x.clone()
    changed[0, 2] = 100.0  # a padding key must not influence real positions
    assert torch.allclose(att(x, mask)[0, :2], att(changed, mask)[0, :2], atol=1e-6)
    assert torch.equal(att(x, torch.zeros(1, 3, dtype=torch.bool)), x)


def test_alignment_loss_scored_at_aligned_tokens_only_equals_scoring_every_token():
    torch.manual_seed(1)
    rec = Reconciler(d_token=4, d_ent=3, n_aggregators=1, heads_token=2, heads_ent=1)
    h_w = torch.randn(2, 5, 4, requires_grad=True)
    h_e = torch.randn(2, 3, 3, requires_grad=True)
    slot_mask = torch.tensor([[True, True, False], [True, False, False]])
    align = torch.tensor([[1, -1, 0, 1, 0], [0, 0, -1, -1, 0]])
    token_mask = torch.tensor([[1, 1, 1, 1, 0], [1, 1, 1, 1, 1]]).bool()  # (0, 4) aligned but padding
    loss = rec.alignment_loss(h_w, h_e, slot_mask, align, token_mask)
    aligned = (align >= 0) & token_mask  # the first formulation: score every token, then select
    scores = torch.einsum("bld,bid->bli", rec.Linear(h_w), h_e).masked_fill(~slot_mask.unsqueeze(1), float("-inf"))
    reference = torch.nn.functional.cross_entropy(scores[aligned], align[aligned])
    assert loss.item() == pytest.approx(reference.item(), abs=1e-6)
    got, want = torch.autograd.grad(loss, [h_w, h_e]), torch.autograd.grad(reference, [h_w, h_e])
    assert all(torch.allclose(a, b, atol=1e-6) for a, b in zip(got, want))


def test_kg_heads_score_l_kg_on_their_own_projection_and_detached_never_moves_the_tokens():
    h_e = torch.randn(1, 2, 3)
    slot_mask = torch.tensor([[True, True]])
    align = torch.tensor([[0, 1, -1]])
    token_mask = torch.ones(1, 3, dtype=torch.bool)
    losses = {}
    for kind in ("tokens", "mlp", "detached"):
        torch.manual_seed(2)
        rec = Reconciler(d_token=4, d_ent=3, n_aggregators=1, heads_token=2, heads_ent=1, kg_head=kind)
        h_w = torch.randn(1, 3, 4, requires_grad=True)
        losses[kind] = loss = rec.alignment_loss(h_w, h_e, slot_mask, align, token_mask)
        grad_w, grad_linear = torch.autograd.grad(loss, [h_w, rec.Linear.weight], allow_unused=True)
        assert grad_linear is not None and grad_linear.abs().sum() > 0  # every head trains eq. 12's Linear
        if kind == "detached":
            assert grad_w is None  # L_kg cannot reach the states the classifier reads
        else:
            assert grad_w.abs().sum() > 0
        # the head is drawn last: the aggregators and eq. 12's Linear are the same for every head
        assert (rec.head is not None) == (kind == "mlp")
    assert losses["detached"].item() == losses["tokens"].item()  # same value, only the gradient differs
    assert losses["mlp"].item() != losses["tokens"].item()
    with pytest.raises(ValueError, match="kg_head"):
        Reconciler(d_token=4, d_ent=3, kg_head="bilinear")
