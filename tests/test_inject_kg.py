"""KG encoding (4.2): attribute CNN + max-pool (eq. 8), R-GAT (eq. 9) and the alternative encoders."""

from __future__ import annotations

import math

import pytest
import torch
from torch.nn import functional as F

from kire.inject.attributes import AttributeEncoder, LabelEncoder, masked_max
from kire.inject.graph import GRAPH_ENCODERS, GraphEncoder, RGATConv, with_inverse_edges
from torch_devices import DEVICES


def test_masked_max_ignores_padding_and_empty_rows_give_zero():
    x = torch.tensor([[[1.0, -5.0], [0.0, 3.0], [9.0, 9.0]], [[4.0, 4.0], [4.0, 4.0], [4.0, 4.0]]])
    mask = torch.tensor([[True, True, False], [False, False, False]])
    assert masked_max(x, mask).tolist() == [[1.0, 3.0], [0.0, 0.0]]


def test_attribute_encoder_hand_case_and_order_invariance():
    enc = AttributeEncoder(d_auto=2, d_ent=2, kernel_size=1)
    with torch.no_grad():
        enc.CNN1D.weight.copy_(torch.eye(2).unsqueeze(-1))
        enc.CNN1D.bias.zero_()
    codes = torch.tensor([[1.0, -1.0], [0.0, 3.0]])
    assert enc(codes, torch.tensor([0, 2])).tolist() == [[1.0, 3.0]]  # relu then max over the node's two codes
    torch.manual_seed(0)
    enc = AttributeEncoder(d_auto=5, d_ent=7)
    codes, ptr = torch.randn(4, 5), torch.tensor([0, 3, 4, 4])  # nodes with 3, 1 and 0 codes
    out = enc(codes, ptr)
    perm = enc(codes[[2, 0, 1, 3]], ptr)
    assert out.shape == (3, 7) and torch.allclose(out, perm)
    assert out[2].abs().sum() == 0  # an entity without attributes starts at zero
    with pytest.raises(ValueError):
        AttributeEncoder(kernel_size=2)


def test_label_encoder_projects_max_pooled_word_vectors():
    enc = LabelEncoder(d_word=2, d_ent=3)
    with torch.no_grad():
        enc.W.weight.copy_(torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]))
        enc.W.bias.zero_()
    vec = torch.tensor([[[1.0, 5.0], [2.0, -1.0]]])
    assert enc(vec, torch.tensor([[True, True]])).tolist() == [[2.0, 5.0, 7.0]]


def _identity_rgat(heads=1, d=2, n_rel=2):
    conv = RGATConv(d, d, n_relations=n_rel, heads=heads, d_rel=3)
    with torch.no_grad():
        conv.W_in.weight.copy_(torch.cat([torch.eye(d) * (b + 1) for b in range(heads)]))
        conv.W_out.zero_()
    return conv


def test_rgat_uniform_attention_averages_neighbours():
    x = torch.tensor([[1.0, -2.0], [3.0, 4.0], [-1.0, 0.0]])
    edges = torch.tensor([[0, 1, 2], [2, 2, 0]])  # j -> i
    out = _identity_rgat()(x, edges, torch.tensor([0, 1, 0]))
    expected = torch.stack([F.elu(x[2]), torch.zeros(2), F.elu((x[0] + x[1]) / 2)])
    assert torch.allclose(out, expected)


def test_rgat_heads_run_in_parallel_and_are_averaged():
    x = torch.tensor([[1.0, -2.0], [3.0, 4.0], [-1.0, 0.0]])
    edges = torch.tensor([[0, 1], [2, 2]])
    out = _identity_rgat(heads=2)(x, edges, torch.tensor([0, 0]))
    m = (x[0] + x[1]) / 2  # head 1: W = I, head 2: W = 2I, both with uniform attention
    assert torch.allclose(out[2], (F.elu(m) + F.elu(2 * m)) / 2)


def test_rgat_attention_uses_neighbour_and_relation_scores():
    x = torch.tensor([[1.0, -2.0], [3.0, 4.0], [-1.0, 0.0]])
    edges = torch.tensor([[0, 1], [2, 2]])
    conv = _identity_rgat()
    with torch.no_grad():
        conv.W_out[0, 2] = 1.0            # a_j . W h_j = x_j[0]
        conv.W_out[0, 4:] = 0.5           # a_r . M(r)
        conv.M.weight.copy_(torch.tensor([[0.0, 0.0, 0.0], [-4.0, -4.0, -4.0]]))
    types = torch.tensor([0, 1])
    out = conv(x, edges, types)
    e = torch.tensor([1.0, 3.0 - 6.0])    # x_0[0] + 0, x_1[0] + 0.5 * 3 * (-4)
    alpha = torch.softmax(F.leaky_relu(e, 0.2), 0)
    assert torch.allclose(out[2], F.elu(alpha[0] * x[0] + alpha[1] * x[1]))


def test_inverse_edges_and_self_loops():
    index, types = with_inverse_edges(torch.tensor([[0], [1]]), torch.tensor([1]), n_relations=3, n_nodes=2)
    assert index.tolist() == [[0, 1, 0, 1], [1, 0, 0, 1]]
    assert types.tolist() == [1, 4, 6, 6]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("kind", GRAPH_ENCODERS)
def test_graph_encoders_shapes_gradients_and_isolated_nodes(kind, device):
    torch.manual_seed(0)
    enc = GraphEncoder(d_ent=8, n_relations=3, kind=kind, layers=2, heads=2, d_rel=4).to(device)
    h0 = torch.randn(5, 8, device=device, requires_grad=True)
    edges, types = torch.tensor([[0, 1, 2], [1, 2, 3]], device=device), torch.tensor([0, 2, 1], device=device)
    out = enc(h0, edges, types)
    assert out.shape == (5, 8) and out.device == h0.device and torch.isfinite(out).all()
    out.sum().backward()
    assert h0.grad[4].abs().sum() > 0  # node 4 has no neighbour but keeps its own state
    none = torch.zeros(2, 0, dtype=torch.long, device=device)
    assert enc(torch.randn(0, 8, device=device), none, none[0]).shape == (0, 8)
    with pytest.raises(ValueError):
        enc(h0, edges, torch.tensor([0, 3, 1], device=device))


def test_rgat_isolated_node_keeps_its_representation():
    enc = GraphEncoder(d_ent=2, n_relations=1, kind="rgat", layers=1, heads=1, d_rel=2)
    with torch.no_grad():
        enc.layers[0].W_in.weight.copy_(torch.eye(2))
    h0 = torch.tensor([[0.5, 2.0], [1.0, 1.0]])
    out = enc(h0, torch.zeros(2, 0, dtype=torch.long), torch.zeros(0, dtype=torch.long))
    assert torch.allclose(out, F.elu(h0))  # only its self-loop: alpha = 1
    assert math.isclose(out[0, 1].item(), 2.0)


def test_pointwise_attribute_path_equals_the_padded_convolution():
    from kire.inject.attributes import masked_max

    from kire.inject.attributes import padded_by_node

    torch.manual_seed(0)
    enc = AttributeEncoder(d_auto=5, d_ent=7)
    codes, ptr = torch.randn(6, 5), torch.tensor([0, 2, 2, 5, 6])  # nodes with 2, 0, 3, 1 codes
    x, mask = padded_by_node(codes, ptr.diff())
    assert x.shape == (4, 3, 5) and mask.tolist() == [[1, 1, 0], [0, 0, 0], [1, 1, 1], [1, 0, 0]]
    assert torch.equal(x[2], codes[2:5]) and x[0, 2].abs().sum() == 0
    padded = masked_max(torch.relu(enc.CNN1D(x.transpose(1, 2))).transpose(1, 2), mask)
    assert torch.allclose(enc(codes, ptr), padded, atol=1e-6)
    wide = AttributeEncoder(d_auto=5, d_ent=7, kernel_size=3)
    wide_padded = masked_max(torch.relu(wide.CNN1D(x.transpose(1, 2))).transpose(1, 2), mask)
    assert torch.allclose(wide(codes, ptr), wide_padded, atol=1e-6) and wide(codes, ptr)[1].abs().sum() == 0
    assert enc(torch.zeros(0, 5), torch.zeros(1, dtype=torch.long)).shape == (0, 7)


@pytest.mark.parametrize("device", DEVICES)
def test_rgat_targets_restrict_only_the_last_layer_and_keep_their_rows_exact(device):
    torch.manual_seed(0)
    enc = GraphEncoder(d_ent=6, n_relations=2, kind="rgat", layers=3, heads=2, d_rel=4).to(device)
    h0 = torch.randn(6, 6, device=device)
    edges = torch.tensor([[0, 1, 2, 3, 4], [1, 2, 3, 4, 5]], device=device)
    types = torch.tensor([0, 1, 0, 1, 0], device=device)
    full = enc(h0, edges, types)
    part = enc(h0, edges, types, targets=torch.tensor([2, 4], device=device))
    assert torch.allclose(part[[2, 4]], full[[2, 4]], atol=1e-6)
    assert not torch.allclose(part[0], full[0])


def _rgat_reference(conv: RGATConv, h, edge_index, edge_type):
    """Eq. 9 computed naively, edge by edge and head by head: W_out applied to the full concatenation
    per edge, and the [E, B, d] messages alpha_ij W_in h_j materialised and summed per target."""
    from torch_geometric.utils import softmax

    B, d = conv.heads, conv.d_out
    x = conv.W_in(h).view(-1, B, d)
    j, i = edge_index
    M = conv.M(edge_type)
    e = torch.stack([torch.cat([x[i, b], x[j, b], M], -1) @ conv.W_out[b] for b in range(B)], 1)  # [E, B]
    alpha = softmax(F.leaky_relu(e, conv.negative_slope), i, num_nodes=h.shape[0])
    messages = x[j]
    if conv.W_rel is not None:  # relation messages: W_in h_j + W_rel M(r)
        messages = messages + conv.W_rel(M).view(-1, B, d)
    out = h.new_zeros(h.shape[0], B, d).index_add(0, i, alpha.unsqueeze(-1) * messages)
    return F.elu(out).mean(1)


@pytest.mark.parametrize("device", DEVICES)
def test_rgat_equals_the_edge_by_edge_reference(device):
    torch.manual_seed(3)
    conv = RGATConv(6, 5, n_relations=4, heads=2, d_rel=3).to(device)
    h = torch.randn(7, 6, device=device, requires_grad=True)
    edges = torch.tensor([[0, 1, 2, 3, 3, 5, 6, 1], [1, 1, 0, 2, 2, 2, 2, 4]], device=device)  # 3, 5, 6 get nothing
    types = torch.tensor([0, 3, 1, 2, 1, 0, 3, 2], device=device)
    ref = _rgat_reference(conv, h, edges, types)
    out = conv(h, edges, types)
    assert torch.allclose(out, ref, atol=1e-5)
    weights = torch.arange(5.0, device=device)
    g_ref = torch.autograd.grad((ref * weights).sum(), [h, *conv.parameters()])
    g_out = torch.autograd.grad((out * weights).sum(), [h, *conv.parameters()])
    assert all(torch.allclose(a, b, atol=1e-5) for a, b in zip(g_out, g_ref))
    assert out[[3, 5, 6]].abs().sum() == 0



def test_rgat_relation_messages_equal_the_edge_by_edge_reference_and_change_only_with_relations():
    torch.manual_seed(4)
    conv = RGATConv(6, 5, n_relations=4, heads=2, d_rel=3, relation_messages=True)
    h = torch.randn(5, 6)
    edges = torch.tensor([[0, 1, 2, 3], [1, 1, 0, 2]])
    types = torch.tensor([0, 3, 1, 2])
    out = conv(h, edges, types)
    assert torch.allclose(out, _rgat_reference(conv, h, edges, types), atol=1e-5)
    rows = torch.tensor([1, 2])  # the rows path (the last layer's targets) gives the same rows
    assert torch.allclose(conv(h, edges, types, rows=rows), out[rows], atol=1e-5)
    with torch.no_grad():
        conv.W_rel.weight.zero_()
    plain = RGATConv(6, 5, n_relations=4, heads=2, d_rel=3)
    plain.load_state_dict({k: v for k, v in conv.state_dict().items() if not k.startswith("W_rel")})
    assert torch.allclose(conv(h, edges, types), plain(h, edges, types), atol=1e-6)  # W_rel = 0: eq. 9


def test_graph_encoder_residual_adds_the_attribute_representation_back():
    torch.manual_seed(5)
    h = torch.randn(4, 6)
    edges, types = torch.tensor([[0, 1], [1, 2]]), torch.tensor([0, 1])
    torch.manual_seed(6)
    plain = GraphEncoder(6, n_relations=2, layers=2, heads=2, d_rel=3)
    torch.manual_seed(6)
    residual = GraphEncoder(6, n_relations=2, layers=2, heads=2, d_rel=3, residual=True)
    assert torch.allclose(residual(h, edges, types), h + plain(h, edges, types), atol=1e-6)
    with pytest.raises(ValueError, match="relation_messages"):
        GraphEncoder(6, n_relations=2, kind="gcn", relation_messages=True)
