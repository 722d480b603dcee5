"""The inject layers follow torch-geometric's conventions: ``reset_parameters()`` draws what construction
drew, ``repr`` gives the constructor's arguments, and sizes beyond the first two are keyword-only."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from kire.inject.attributes import AttributeEncoder, LabelEncoder
from kire.inject.competitors import KBGraph, RECON, RESIDE, RelationContextGAT, SideInformation
from kire.inject.coref import CorefEncoder
from kire.inject.graph import GRAPH_ENCODERS, GraphEncoder, RGATConv
from kire.inject.reconcile import Aggregator, Reconciler, SelfAttention

SIDE = SideInformation(["Q1"], np.ones((1, 3), np.float32), np.zeros((1, 3), np.float32))

# layers that call reset_parameters() last in __init__: a seeded reset must give what a seeded construction gave
RESET_LAST = {
    "rgat": lambda: RGATConv(6, 5, n_relations=4, heads=2, d_rel=3),
    "self_attention": lambda: SelfAttention(8, 2),
    "aggregator": lambda: Aggregator(4, 6, d_fuse=5, heads_token=2, heads_ent=3),
    "aggregator_literal": lambda: Aggregator(4, 6, d_fuse=5, heads_token=2, heads_ent=3, residual=False),
    "reconciler": lambda: Reconciler(4, 6, n_aggregators=2, heads_token=2, heads_ent=3),
    "attributes": lambda: AttributeEncoder(5, 7, kernel_size=3),
    "labels": lambda: LabelEncoder(4, 3),
    "coref": lambda: CorefEncoder(4, d_mlp=6, d_dist=3, beta=2),
    "reside": lambda: RESIDE(8, SIDE, d_side=4),
}
# layers built on torch-geometric's GCN/GAT, which draw more when built than when reset: their
# reset_parameters() is not called at construction but must still reach every parameter
RESET_ON_DEMAND = {
    **{f"graph_{kind}": (lambda kind=kind: GraphEncoder(8, n_relations=3, kind=kind, layers=2, heads=2, d_rel=4))
       for kind in GRAPH_ENCODERS},
    "relation_context": lambda: RelationContextGAT(6, n_relations=3, layers=2, heads=2, d_rel=4),
    "recon": lambda: RECON(8, n_relations=3, d_auto=3, d_ent=6, layers=2, heads=2, d_rel=4),
    "kb_graph": lambda: KBGraph(8, n_relations=3, d_ent=6, layers=2),
}


def _spoiled(module: torch.nn.Module) -> torch.nn.Module:
    with torch.no_grad():
        for p in module.parameters():
            p.fill_(float("nan"))
    return module


@pytest.mark.parametrize("name", list(RESET_LAST))
def test_reset_parameters_draws_what_construction_drew(name):
    torch.manual_seed(5)
    module = RESET_LAST[name]()
    built = {k: v.clone() for k, v in module.state_dict().items()}
    after_build = torch.random.get_rng_state()
    torch.manual_seed(5)
    _spoiled(module).reset_parameters()
    assert {k: v for k, v in module.state_dict().items() if not torch.equal(v, built[k])} == {}
    assert torch.equal(torch.random.get_rng_state(), after_build)  # what is drawn next is the same too


@pytest.mark.parametrize("name", list(RESET_ON_DEMAND))
def test_reset_parameters_reaches_every_parameter(name):
    module = _spoiled(RESET_ON_DEMAND[name]())
    module.reset_parameters()
    assert [k for k, p in module.named_parameters() if not torch.isfinite(p).all()] == []


def test_residual_layers_start_as_the_identity_after_a_reset():
    agg, reside, recon = RESET_LAST["aggregator"](), RESET_LAST["reside"](), RESET_ON_DEMAND["recon"]()
    for module in (agg, reside, recon):
        _spoiled(module).reset_parameters()
    zero = [agg.W_w.weight, agg.W_w.bias, agg.W_e.weight, agg.W_e.bias, reside.W_o.weight, reside.W_o.bias,
            recon.W_o.weight, recon.W_o.bias]
    assert all(p.abs().sum() == 0 for p in zero)
    literal = RESET_LAST["aggregator_literal"]()
    assert literal.W_w.weight.abs().sum() > 0


def test_layers_print_their_constructor_arguments():
    assert repr(RGATConv(100, 100, n_relations=97, heads=2)) == "RGATConv(100, 100, n_relations=97, heads=2)"
    assert repr(GraphEncoder(8, n_relations=3, kind="gcn", layers=2)) == \
        "GraphEncoder(8, n_relations=3, kind='gcn', layers=2)"
    assert repr(SelfAttention(8, 2)) == "SelfAttention(8, heads=2)"
    assert repr(RESET_LAST["aggregator"]()) == \
        "Aggregator(4, 6, d_fuse=5, heads_token=2, heads_ent=3, residual=True, update_unaligned=False)"
    assert repr(RESET_LAST["reconciler"]()) == "Reconciler(4, 6, n_aggregators=2)"
    assert repr(AttributeEncoder(5, 7, kernel_size=3)) == "AttributeEncoder(5, 7, kernel_size=3)"
    assert repr(LabelEncoder(50, 100)) == "LabelEncoder(50, 100)"
    assert repr(RESET_LAST["coref"]()) == "CorefEncoder(4, d_mlp=6, d_dist=3, beta=2, distill=True, exchange='gated')"


@pytest.mark.parametrize("build", [
    lambda: RGATConv(6, 5, 4),
    lambda: GraphEncoder(8, 3),
    lambda: Aggregator(4, 6, 5, 2, 3),
    lambda: Reconciler(4, 6, 2, 4, 2, 2, True, False),  # two head counts swapped would run silently
    lambda: CorefEncoder(4, 256, 20, 5),
    lambda: RelationContextGAT(6, 3, 2, 2, 4),
    lambda: RECON(8, 3, 3, 6, 2, 2, 4),
    lambda: KBGraph(8, 3, 6, 2),
], ids=["rgat", "graph", "aggregator", "reconciler", "coref", "relation_context", "recon", "kb_graph"])
def test_sizes_beyond_the_first_two_must_be_named(build):
    with pytest.raises(TypeError, match="positional argument"):
        build()
