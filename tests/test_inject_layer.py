"""KnowledgeInject as a whole: ablation switches, variants, empty knowledge, eq. 13."""

from __future__ import annotations

import pytest
import torch

from kire.inject.batch import KnowledgeBatch, empty_knowledge_batch
from kire.inject.layer import (ABLATIONS, InjectConfig, Injected, KnowledgeInject, ablation_config,
                               multitask_loss)
from kire.inject.simple import SimpleInjection, partner_means
from torch_devices import DEVICES

B, L, D = 2, 12, 16


def small_knowledge() -> KnowledgeBatch:
    """Two documents: coreference pairs in both, a 5-node subgraph, doc 1 with one linked entity."""
    torch.manual_seed(0)
    kb = KnowledgeBatch(
        coref_mention_doc=torch.tensor([0, 0, 1, 1]), coref_mention_start=torch.tensor([0, 5, 1, 7]),
        coref_mention_end=torch.tensor([2, 6, 3, 8]), coref_src=torch.tensor([0, 1, 2, 3]),
        coref_tgt=torch.tensor([1, 0, 3, 2]), coref_p=torch.tensor([0.9, 0.9, 0.5, 0.5]),
        coref_dist=torch.tensor([3, 3, 4, 4]),
        node_codes=torch.randn(7, 100), node_code_ptr=torch.tensor([0, 2, 3, 3, 6, 7]),  # 2, 1, 0, 3, 1 codes
        edge_index=torch.tensor([[0, 1, 3], [1, 2, 4]]), edge_type=torch.tensor([0, 1, 0]),
        doc_nodes=torch.tensor([[0, 1], [3, -1]]), token_align=torch.full((B, L), -1),
        node_label_vectors=torch.randn(5, 2, 50), node_label_mask=torch.ones(5, 2, dtype=torch.bool),
    )
    kb.token_align[0, 0:2] = 0
    kb.token_align[0, 5] = 1
    kb.token_align[1, 1:3] = 0
    return kb


def _inputs():
    torch.manual_seed(1)
    H = torch.randn(B, L, D, requires_grad=True)
    mask = torch.ones(B, L, dtype=torch.bool)
    mask[1, 9:] = False
    return H, mask


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("name", list(ABLATIONS))
def test_every_ablation_runs_backward_and_accepts_empty_knowledge(name, device):
    cfg = ablation_config(name, InjectConfig(n_relations=2, gnn_layers=2))
    layer = KnowledgeInject(D, cfg).to(device)
    H, mask = _inputs()
    H, mask = H.detach().to(device).requires_grad_(), mask.to(device)
    kb = small_knowledge()
    kb.validate(B, L)
    kb = kb.to(device)
    out = layer(H, mask, kb)
    assert out.H.shape == (B, L, D) and out.H.device == H.device and torch.isfinite(out.H).all()
    assert (out.L_cr is not None) == (cfg.coref and cfg.distill and cfg.injection == "kire")
    assert (out.L_kg is not None) == (cfg.kg and cfg.injection == "kire")
    multitask_loss(out.H.pow(2).mean(), out).backward()
    assert H.grad is not None and torch.isfinite(H.grad).all()
    empty = layer(H.detach(), mask, empty_knowledge_batch(B, L).to(device))
    assert empty.H.shape == (B, L, D) and torch.isfinite(empty.H).all()


def test_full_layer_without_coref_starts_as_identity():
    layer = KnowledgeInject(D, InjectConfig(n_relations=2, coref=False))
    H, mask = _inputs()
    out = layer(H, mask, small_knowledge())
    assert torch.equal(out.H, H) and out.L_kg.item() > 0


@pytest.mark.parametrize("exchange", ["literal", "gated"])
def test_untouched_tokens_keep_their_state_with_coref_only(exchange):
    layer = KnowledgeInject(D, InjectConfig(kg=False, distill=False, exchange=exchange))
    H, mask = _inputs()
    if exchange == "gated":
        assert torch.equal(layer(H, mask, small_knowledge()).H, H)  # a fresh gate changes nothing
        with torch.no_grad():
            layer.coref.g.fill_(0.5)
    out = layer(H, mask, small_knowledge())
    touched = torch.zeros(B, L, dtype=torch.bool)
    touched[0, [0, 1, 5]] = True
    touched[1, [1, 2, 7]] = True
    assert torch.equal(out.H[~touched], H[~touched])
    assert not torch.equal(out.H[touched], H[touched])


def test_multitask_loss_weights_and_switched_off_parts():
    injected = Injected(torch.zeros(1), torch.tensor(3.0), torch.tensor(5.0))
    assert multitask_loss(torch.tensor(2.0), injected).item() == pytest.approx(2.0 + 0.03 + 0.05)
    assert multitask_loss(torch.tensor(2.0), injected, (0.5, 1.0, 0.0)).item() == pytest.approx(4.0)
    assert multitask_loss(torch.tensor(2.0), Injected(torch.zeros(1), None, None)).item() == 2.0


def test_config_rejects_unknown_options_and_names():
    assert InjectConfig.from_dict({"aggregators": 3}).aggregators == 3
    with pytest.raises(ValueError, match="aggreggators"):
        InjectConfig.from_dict({"aggreggators": 3})
    with pytest.raises(ValueError):
        InjectConfig(injection="sum")
    with pytest.raises(ValueError):
        ablation_config("no_such", InjectConfig())
    kb = small_knowledge()
    kb.coref_tgt = torch.tensor([1, 0, 3, 9])
    with pytest.raises(ValueError, match="coref_src/tgt"):
        kb.validate(B, L)


def test_rep_avg_hand_case():
    var = SimpleInjection("rep_avg", d_token=1, d_ent=1, gated=False)
    with torch.no_grad():
        var.P.weight.fill_(1.0)
        var.P.bias.zero_()
    H = torch.tensor([[[2.0], [4.0], [0.0], [6.0]]])
    kb = empty_knowledge_batch(1, 4)
    kb.coref_mention_doc, kb.coref_mention_start, kb.coref_mention_end = (
        torch.tensor([0, 0]), torch.tensor([0, 3]), torch.tensor([2, 4]))
    kb.coref_src, kb.coref_tgt = torch.tensor([0, 1]), torch.tensor([1, 0])
    out = var.inject_coref(H, kb)
    assert out[0, :, 0].tolist() == [4.5, 4.5, 0.0, 4.5]  # mean of 3 and 6
    out = var.inject_kg(H, torch.ones(1, 4, dtype=torch.bool), torch.tensor([[[10.0]]]), torch.tensor([[0, -1, 0, -1]]))
    assert out[0, :, 0].tolist() == [6.0, 4.0, 5.0, 6.0]


@pytest.mark.parametrize("kind", ["rep_avg", "rep_concat", "mlp"])
def test_gated_simple_variants_start_as_the_identity(kind):
    var = SimpleInjection(kind, d_token=1, d_ent=1)
    H = torch.tensor([[[2.0], [4.0], [0.0], [6.0]]])
    kb = empty_knowledge_batch(1, 4)
    kb.coref_mention_doc, kb.coref_mention_start, kb.coref_mention_end = (
        torch.tensor([0, 0]), torch.tensor([0, 3]), torch.tensor([2, 4]))
    kb.coref_src, kb.coref_tgt = torch.tensor([0, 1]), torch.tensor([1, 0])
    assert torch.equal(var.inject_coref(H, kb), H)
    assert torch.equal(var.inject_kg(H, torch.ones(1, 4, dtype=torch.bool), torch.tensor([[[10.0]]]),
                                     torch.tensor([[0, -1, 0, -1]])), H)
    with torch.no_grad():
        var.g_kg.fill_(1.0)
    fused = var.inject_kg(H, torch.ones(1, 4, dtype=torch.bool), torch.tensor([[[10.0]]]),
                          torch.tensor([[0, -1, 0, -1]]))
    assert fused[0, 1, 0] == 4.0 and fused[0, 3, 0] == 6.0  # unaligned tokens keep their state
    assert not torch.equal(fused, H)


def test_partner_means_counts_partners():
    m = torch.tensor([[1.0], [3.0], [5.0]])
    mean, count = partner_means(m, torch.tensor([0, 0, 1]), torch.tensor([1, 2, 0]))
    assert mean[:, 0].tolist() == [4.0, 1.0, 0.0] and count.tolist() == [2.0, 1.0, 0.0]
