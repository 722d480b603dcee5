"""The layer's speed paths against the plain forms they replace: same values and gradients.

Where the arithmetic is the same, the check is ``torch.equal``. Where a fast path reorders or
regroups float additions (and the products summed), it is ``torch.allclose`` at 1e-6 relative (atol
1e-7 for entries that sum to about 0): in float32 for the bag, in float64 for the layers, whose
gradients in float32 sum enough terms for their rounding to reach a few 1e-6 of small entries.
"""

from __future__ import annotations

import pytest
import torch
from torch.nn import functional as F

from kire.inject.coref import CorefEncoder
from kire.inject.graph import GraphEncoder, RGATConv, weighted_bag
from torch_devices import DEVICES

RTOL, ATOL = 1e-6, 1e-7


def _close(a: torch.Tensor, b: torch.Tensor) -> bool:
    return a.shape == b.shape and torch.allclose(a, b, rtol=RTOL, atol=ATOL)


def _bags(device):
    """12 entries in 6 bags over a table of 7 rows: bag 2 and bag 5 are empty, row 4 is never read."""
    torch.manual_seed(0)
    table = torch.randn(7, 5, device=device, requires_grad=True)
    weights = torch.rand(12, device=device, requires_grad=True)
    index = torch.tensor([0, 3, 3, 1, 6, 0, 2, 5, 5, 6, 1, 3], device=device)
    counts = torch.tensor([3, 2, 0, 4, 3, 0], device=device)
    offsets = counts.cumsum(0) - counts
    bag = torch.repeat_interleave(torch.arange(6, device=device), counts)
    return table, weights, index, offsets, bag


@pytest.mark.parametrize("device", DEVICES)
def test_weighted_bag_is_embedding_bag_with_the_same_gradients(device):
    table, weights, index, offsets, bag = _bags(device)
    fast = weighted_bag(table, weights, index, offsets, bag)
    plain = F.embedding_bag(index, table, offsets, mode="sum", per_sample_weights=weights)
    assert torch.equal(fast, plain)  # the forward is embedding_bag's own call
    grad_out = torch.randn_like(plain)
    g_fast = torch.autograd.grad(fast, [table, weights], grad_out)
    g_plain = torch.autograd.grad(plain, [table, weights], grad_out)
    assert torch.equal(g_fast[1], g_plain[1])  # embedding_bag's own weight-gradient kernel
    assert _close(g_fast[0], g_plain[0])  # table gradient: the same sums in another order
    assert g_fast[0][4].abs().sum() == 0  # a row no entry reads gets no gradient
    # entries grouped by row beforehand (any order within a row): the same table gradient
    order = torch.tensor([0, 5, 3, 10, 6, 1, 2, 11, 7, 8, 4, 9], device=device)
    row_starts = torch.tensor([0, 2, 4, 5, 8, 8, 10], device=device)
    assert torch.equal(index[order].diff().clamp(max=0), torch.zeros(11, dtype=torch.long, device=device))
    grouped = weighted_bag(table, weights, index, offsets, bag, (order, row_starts))
    assert _close(torch.autograd.grad(grouped, table, grad_out)[0], g_plain[0])


def test_weighted_bag_without_entries_gives_zeros():
    table, weights = torch.randn(3, 4, requires_grad=True), torch.zeros(0, requires_grad=True)
    none = torch.zeros(0, dtype=torch.long)
    out = weighted_bag(table, weights, none, torch.zeros(2, dtype=torch.long), none)
    assert torch.equal(out, torch.zeros(2, 4))
    assert torch.equal(torch.autograd.grad(out.sum(), table)[0], torch.zeros(3, 4))


def test_weighted_bag_gradients_in_double_precision():
    table, weights, index, offsets, bag = _bags("cpu")
    table, weights = table.detach().double().requires_grad_(), weights.detach().double().requires_grad_()
    assert torch.autograd.gradcheck(lambda t, w: weighted_bag(t, w, index, offsets, bag), (table, weights))


def _rgat_before(conv: RGATConv, h, edges, types):
    """RGATConv's forward as it was before relation messages were gathered from P = W_rel M: the
    relation embeddings summed per target with alpha, then projected with W_rel; embedding_bag's own
    backward everywhere."""
    from torch_geometric.utils import softmax

    from kire.inject.graph import sorted_by_target

    N, B, d = h.shape[0], conv.heads, conv.d_out
    edges = sorted_by_target(edges, types, N)
    W = conv.W_in.weight.view(B, d, -1)
    a_i, a_j, a_r = conv.W_out.split([d, d, conv.W_out.shape[1] - 2 * d], dim=1)
    s = h @ torch.bmm(torch.stack([a_i, a_j], 1), W).permute(2, 1, 0).reshape(-1, 2 * B)
    s_r = conv.M.weight @ a_r.t()
    e = s[:, :B].index_select(0, edges.dst) + s[:, B:].index_select(0, edges.src) + s_r.index_select(0, edges.type)
    alpha = softmax(F.leaky_relu(e, conv.negative_slope), edges.dst, num_nodes=N)
    offsets = (edges.ptr[:-1] + torch.arange(B).unsqueeze(1) * len(edges.src)).reshape(-1)
    summed = F.embedding_bag(edges.src.repeat(B), h, offsets, mode="sum", per_sample_weights=alpha.t().reshape(-1))
    relations = F.embedding_bag(edges.type.repeat(B), conv.M.weight, offsets, mode="sum",
                                per_sample_weights=alpha.t().reshape(-1))
    messages = (torch.matmul(summed.view(B, N, -1), W.transpose(1, 2))
                + torch.matmul(relations.view(B, N, -1), conv.W_rel.weight.view(B, d, -1).transpose(1, 2)))
    return F.elu(messages).mean(dim=0)


def test_rgat_relation_messages_equal_their_previous_form_values_and_gradients():
    torch.manual_seed(7)
    conv = RGATConv(16, 16, n_relations=9, heads=2, d_rel=8, relation_messages=True).double()
    h = torch.randn(30, 16, dtype=torch.float64, requires_grad=True)
    edges, types = torch.randint(0, 30, (2, 80)), torch.randint(0, 9, (80,))
    out, ref = conv(h, edges, types), _rgat_before(conv, h, edges, types)
    assert _close(out, ref)
    weights = torch.randn_like(out)
    params = [h, *conv.parameters()]
    g_out = torch.autograd.grad((out * weights).sum(), params)
    g_ref = torch.autograd.grad((ref * weights).sum(), params)
    assert all(_close(a, b) for a, b in zip(g_out, g_ref))


def test_graph_encoder_last_layer_targets_keep_values_and_gradients():
    torch.manual_seed(8)
    enc = GraphEncoder(12, n_relations=5, layers=3, heads=2, d_rel=6, relation_messages=True).double()
    h = torch.randn(25, 12, dtype=torch.float64, requires_grad=True)
    edges, types = torch.randint(0, 25, (2, 60)), torch.randint(0, 5, (60,))
    targets = torch.tensor([1, 4, 9, 20])
    full = enc(h, edges, types)[targets]
    part = enc(h, edges, types, targets=targets)[targets]
    assert _close(part, full)
    g_full = torch.autograd.grad(full.sum(), [h, *enc.parameters()], allow_unused=True)
    g_part = torch.autograd.grad(part.sum(), [h, *enc.parameters()], allow_unused=True)
    assert all((a is None and b is None) or _close(a, b) for a, b in zip(g_part, g_full))


def test_student_logits_equal_the_mlp_of_the_concatenated_pair():
    from kire.inject.batch import empty_knowledge_batch
    from kire.inject.coref import distance_bins

    torch.manual_seed(9)
    enc = CorefEncoder(d_token=12, d_mlp=16, d_dist=4, beta=3).double()
    m = torch.randn(7, 12, dtype=torch.float64, requires_grad=True)
    kb = empty_knowledge_batch(1, 10)
    kb.coref_src, kb.coref_tgt = torch.tensor([0, 1, 1, 3, 6, 2]), torch.tensor([1, 0, 5, 2, 4, 3])
    kb.coref_dist = torch.tensor([0, 1, 3, 40, 7, 2])
    fast = enc.student_logits(m, kb)
    plain = enc.MLP(torch.cat([m[kb.coref_src], m[kb.coref_tgt],
                               enc.Delta(distance_bins(kb.coref_dist, enc.beta))], -1)).squeeze(-1)
    assert _close(fast, plain)
    params = [m, *enc.parameters()]
    g_fast = torch.autograd.grad(fast.sum(), params, allow_unused=True)
    g_plain = torch.autograd.grad(plain.sum(), params, allow_unused=True)
    assert all((a is None and b is None) or _close(a, b) for a, b in zip(g_fast, g_plain))


def _attend_at_padded(att, x, mask, b, pos):
    """SelfAttention.attend_at as it was before each document's queries met only its own keys: the
    queries packed per document, padded to the most aligned one, against all S positions, masked."""
    B, S, d = x.shape
    h, dh = att.heads, d // att.heads
    W_q, W_k, W_v = att.W_qkv.weight.view(3, h, dh, d).unbind(0)
    b_q, _, b_v = att.W_qkv.bias.view(3, h, dh).unbind(0)
    counts = torch.bincount(b, minlength=B)
    rank = torch.arange(len(b)) - (counts.cumsum(0) - counts)[b]
    x_q = x[b, pos]
    q = (x_q @ W_q.reshape(d, d).t()).view(-1, h, dh) + b_q
    q_x = torch.bmm(q.transpose(0, 1), W_k).transpose(0, 1) * dh ** -0.5
    packed = x.new_zeros(B, int(counts.max()), h, d)
    packed[b, rank] = q_x
    a = (packed.view(B, -1, d) @ x.transpose(1, 2)).masked_fill(~mask.unsqueeze(1), float("-inf")).softmax(-1)
    pooled = (a @ x).view(B, -1, h, d)[b, rank]
    attended = torch.bmm(pooled.transpose(0, 1), W_v.transpose(1, 2)).transpose(0, 1) + b_v
    return att.norm(x_q + att.W_o(attended.reshape(-1, d)))


def test_attention_at_positions_per_document_equals_the_padded_form_values_and_gradients():
    from kire.inject.reconcile import SelfAttention

    torch.manual_seed(10)
    att = SelfAttention(8, 2).double()
    x = torch.randn(4, 7, 8, dtype=torch.float64, requires_grad=True)
    # document 1 has no aligned token, document 2 a padding gap before its last real key
    mask = torch.tensor([[1, 1, 1, 1, 0, 0, 0], [1, 1, 1, 1, 1, 1, 1], [1, 1, 0, 1, 0, 0, 0],
                         [1, 1, 1, 1, 1, 1, 1]]).bool()
    b, pos = torch.tensor([0, 0, 0, 2, 3, 3]), torch.tensor([0, 2, 3, 1, 4, 6])
    fast, padded = att.attend_at(x, mask, b, pos), _attend_at_padded(att, x, mask, b, pos)
    assert _close(fast, padded)
    params = [x, *att.parameters()]
    g_fast = torch.autograd.grad((fast * torch.arange(8.0, dtype=torch.float64)).sum(), params)
    g_padded = torch.autograd.grad((padded * torch.arange(8.0, dtype=torch.float64)).sum(), params)
    assert all(_close(a, b) for a, b in zip(g_fast, g_padded))
