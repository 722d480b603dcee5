"""Coreference encoding (4.1): distance bins, mention means, KL loss, argmax partner, eq. 5 writes."""

from __future__ import annotations

import math

import pytest
import torch

from kire.inject.batch import KnowledgeBatch, empty_knowledge_batch
from kire.inject.coref import (CorefEncoder, bernoulli_kl, best_partner, distance_bins, mention_means,
                               write_spans)


def _kb(doc, start, end, src, tgt, p, dist) -> KnowledgeBatch:
    kb = empty_knowledge_batch(1, 6)
    t = torch.tensor
    kb.coref_mention_doc, kb.coref_mention_start, kb.coref_mention_end = t(doc), t(start), t(end)
    kb.coref_src, kb.coref_tgt, kb.coref_p, kb.coref_dist = t(src), t(tgt), t(p, dtype=torch.float), t(dist)
    return kb


def test_distance_bins_are_log_scale_and_spread():
    psi = torch.tensor([0, 1, 2, 3, 4, 7, 8, 255, 256, 10_000])
    assert distance_bins(psi, beta=5).tolist() == [0, 1, 2, 2, 3, 3, 4, 8, 9, 9]
    # typical in-document distances fall into many bins, not one
    assert len(set(distance_bins(torch.arange(0, 400), beta=5).tolist())) == 10
    assert distance_bins(torch.tensor([1000]), beta=2).tolist() == [3]


def test_mention_means_average_the_span():
    H = torch.arange(12, dtype=torch.float).view(1, 6, 2)  # h_j = [2j, 2j+1]
    m = mention_means(H, torch.tensor([0, 0]), torch.tensor([0, 3]), torch.tensor([2, 4]))
    assert m.tolist() == [[1.0, 2.0], [6.0, 7.0]]


def test_mention_means_equal_the_prefix_sum_formulation():
    torch.manual_seed(2)
    H = torch.randn(2, 7, 3, requires_grad=True)
    doc, start, end = torch.tensor([0, 1, 1, 0]), torch.tensor([0, 2, 3, 6]), torch.tensor([3, 5, 4, 7])
    m = mention_means(H, doc, start, end)
    prefix = torch.cat([H.new_zeros(2, 1, 3), H.cumsum(dim=1)], dim=1)  # the first implementation
    reference = (prefix[doc, end] - prefix[doc, start]) / (end - start).unsqueeze(-1).float()
    assert torch.allclose(m, reference, atol=1e-5)
    weights = torch.randn(4, 3)
    got, = torch.autograd.grad((m * weights).sum(), H)
    want, = torch.autograd.grad((reference * weights).sum(), H)
    assert torch.allclose(got, want, atol=1e-5)


def test_bernoulli_kl_hand_values():
    kl = bernoulli_kl(torch.tensor([0.9, 1.0, 0.0, 0.3]), torch.tensor([0.0, 0.0, 0.0, math.log(0.3 / 0.7)]))
    expected = [0.9 * math.log(1.8) + 0.1 * math.log(0.2), math.log(2), math.log(2), 0.0]
    assert kl.tolist() == pytest.approx(expected, abs=1e-6)


def test_best_partner_is_argmax_per_source_with_ties_to_first():
    scores = torch.tensor([0.2, 0.9, 0.5, 0.5, 0.1])
    src = torch.tensor([0, 0, 1, 1, 3])
    assert best_partner(scores, src, 4).tolist() == [1, 2, -1, 4]
    assert best_partner(torch.zeros(0), torch.zeros(0, dtype=torch.long), 2).tolist() == [-1, -1]


def test_write_spans_overwrites_tokens_and_first_span_wins():
    H = torch.zeros(2, 4, 1)
    out = write_spans(H, torch.tensor([0, 0, 1]), torch.tensor([1, 2, 0]), torch.tensor([3, 4, 1]),
                      torch.tensor([[1.0], [2.0], [3.0]]))
    assert out[..., 0].tolist() == [[0, 1, 1, 2], [3, 0, 0, 0]]
    assert H.abs().sum() == 0  # input untouched


def _hand_case():
    # mentions A = [0, 2), B = [3, 4), C = [5, 6); directed pairs with teacher p
    H = torch.tensor([[[1.0, 0.0], [3.0, 2.0], [7.0, 7.0], [10.0, 20.0], [5.0, 5.0], [-1.0, 4.0]]])
    kb = _kb([0, 0, 0], [0, 3, 5], [2, 4, 6], src=[0, 0, 1, 2], tgt=[1, 2, 0, 0], p=[0.9, 0.2, 0.9, 0.2],
             dist=[1, 3, 1, 3])
    return H, kb


def _literal_exchange(H):
    A, B, C = torch.tensor([2.0, 1.0]), torch.tensor([10.0, 20.0]), torch.tensor([-1.0, 4.0])
    expected = H.clone()[0]
    expected[0] = expected[1] = A + B   # t*(A) = B (p 0.9 > 0.2)
    expected[3] = B + A
    expected[5] = C + A
    return expected


def test_context_exchange_without_distillation_uses_teacher_argmax():
    H, kb = _hand_case()
    enc = CorefEncoder(d_token=2, d_mlp=4, d_dist=3, beta=2, distill=False, exchange="literal")
    out, loss = enc(H, kb)
    assert loss is None
    assert torch.equal(out[0], _literal_exchange(H))
    assert enc.g is None and "g" not in enc.state_dict()


def test_gated_exchange_starts_as_the_identity_and_blends_towards_eq5():
    H, kb = _hand_case()
    enc = CorefEncoder(d_token=2, d_mlp=4, d_dist=3, beta=2, distill=False)
    assert enc.exchange == "gated" and torch.equal(enc.g, torch.zeros(2))
    out, _ = enc(H, kb)
    assert torch.equal(out, H)  # g = 0: every state exactly as it came
    out.sum().backward()
    assert enc.g.grad.abs().sum() > 0  # the gate is trained
    literal = _literal_exchange(H)
    with torch.no_grad():
        enc.g.fill_(1.0)
        assert torch.equal(enc(H, kb)[0][0], literal)  # g = 1: eq. 5
        enc.g.copy_(torch.tensor([0.5, 0.0]))
        half = enc(H, kb)[0][0]
    assert torch.equal(half[:, 1], H[0, :, 1])  # per-dimension gate: dimension 1 stays
    assert torch.equal(half[:, 0], (H[0, :, 0] + literal[:, 0]) / 2)
    with pytest.raises(ValueError, match="exchange"):
        CorefEncoder(2, exchange="overwrite")


def test_distillation_loss_and_student_argmax():
    H, kb = _hand_case()
    enc = CorefEncoder(d_token=2, d_mlp=4, d_dist=3, beta=2, distill=True, exchange="literal")
    last = enc.MLP[-1]
    torch.nn.init.zeros_(last.weight)
    torch.nn.init.zeros_(last.bias)  # P_stu = 0.5 for every pair
    _, loss = enc(H, kb)
    kl = lambda p: p * math.log(p / 0.5) + (1 - p) * math.log((1 - p) / 0.5)  # noqa: E731
    assert loss.item() == pytest.approx((2 * kl(0.9) + 2 * kl(0.2)) / 4, rel=1e-5)  # mean over the 4 pairs
    # a student scoring relu(-m_t[0]) prefers C (m_t[0] = -1) to B for A, unlike the teacher
    with torch.no_grad():
        enc.MLP[0].weight.zero_()
        enc.MLP[0].bias.zero_()
        enc.MLP[0].weight[0, 2] = -1.0  # hidden unit 0 = relu(-m_t[0])
        last.weight[0, 0] = 1.0
    out, _ = enc(H, kb)
    A, C = torch.tensor([2.0, 1.0]), torch.tensor([-1.0, 4.0])
    assert torch.equal(out[0, 0], A + C)  # student prefers C (score 1) over B (score 0): not the teacher


def test_loss_has_gradient_and_empty_triples_pass_through():
    H, kb = _hand_case()
    H.requires_grad_(True)
    enc = CorefEncoder(d_token=2, d_mlp=4, d_dist=3, beta=2)
    out, loss = enc(H, kb)
    loss.backward()
    assert enc.Delta.weight.grad is not None and enc.Delta.weight.grad.abs().sum() > 0
    empty = empty_knowledge_batch(1, 6)
    out, loss = enc(H.detach(), empty)
    assert torch.equal(out, H.detach()) and loss.item() == 0.0
