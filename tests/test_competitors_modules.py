"""RESIDE, RECON and KB-graph injection modules on a small hand-made KnowledgeBatch."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
import torch

from kire.inject.batch import KnowledgeBatch, empty_knowledge_batch
from kire.inject.competitors import COMPETITORS, SideInformation, aligned_mask, build_competitor

B, L, D, D_AUTO = 2, 6, 8, 4


def small_batch() -> KnowledgeBatch:
    """Two documents; nodes Q1, Q2, Q3 (Q3 not linked); edges Q1 -r0-> Q2, Q2 -r1-> Q3.

    Document 0 links Q1 (slot 0, tokens 1-2) and Q2 (slot 1, token 4); document 1 links Q2
    (slot 0, token 0); every other position is unaligned.
    """
    kb = empty_knowledge_batch(B, L, D_AUTO)
    kb.node_codes = torch.arange(6 * D_AUTO, dtype=torch.float32).view(6, D_AUTO) / 10  # 2, 1, 3 codes
    kb.node_code_ptr = torch.tensor([0, 2, 3, 6])
    kb.edge_index = torch.tensor([[0, 1], [1, 2]])
    kb.edge_type = torch.tensor([0, 1])
    kb.doc_nodes = torch.tensor([[0, 1], [1, -1]])
    align = torch.full((B, L), -1)
    align[0, 1:3], align[0, 4], align[1, 0] = 0, 1, 0
    kb.token_align = align
    kb.node_ids = ["Q1", "Q2", "Q3"]
    kb.validate(B, L)
    return kb


def side_information(tmp_path) -> SideInformation:
    """A real attribute-codes folder (kire.embed.codes format) with known codes."""
    from kire.embed.codes import write_attribute_codes

    rows = [("Q1", "label", "one"), ("Q1", "instance of", "city"), ("Q1", "instance of", "town"),
            ("Q1", "alias", "uno"), ("Q2", "label", "two"), ("Q2", "population", "5")]
    table = pa.table({"entity": [r[0] for r in rows], "triple": pa.array([0, 1, 2, 3, 0, 1], pa.int32()),
                      "attribute": [r[1] for r in rows], "value": [r[2] for r in rows]})
    codes = np.arange(len(rows) * D_AUTO, dtype=np.float32).reshape(len(rows), D_AUTO)
    write_attribute_codes(tmp_path / "codes", ["Q1", "Q2"], table, codes)
    return SideInformation.from_codes(tmp_path / "codes")


def test_side_information_means_by_kind(tmp_path):
    side = side_information(tmp_path)
    types, aliases = side.lookup(["Q1", "Q2", "Q9"])
    codes = np.arange(6 * D_AUTO, dtype=np.float32).reshape(6, D_AUTO)
    np.testing.assert_allclose(types[0], (codes[1] + codes[2]) / 2)
    np.testing.assert_allclose(aliases[0], codes[3])
    # Q2 has neither types nor aliases, Q9 is not in the folder
    assert not types[1:].any() and not aliases[1:].any()


def test_aligned_mask():
    kb = small_batch()
    expected = torch.zeros(B, L, dtype=torch.bool)
    expected[0, 1:3], expected[0, 4], expected[1, 0] = True, True, True
    assert torch.equal(aligned_mask(kb), expected)


@pytest.mark.parametrize("name", COMPETITORS)
def test_only_aligned_positions_change_and_training_moves_them(name, tmp_path):
    torch.manual_seed(0)
    kb = small_batch()
    module = build_competitor(name, D, n_relations=2, d_auto=D_AUTO, d_ent=6, d_rel=5,
                              side_information=side_information(tmp_path))
    H = torch.randn(B, L, D)
    mask = torch.ones(B, L, dtype=torch.bool)
    out = module(H, mask, kb)
    assert out.H.shape == H.shape and out.L_cr is None and out.L_kg is None
    aligned = aligned_mask(kb)
    assert torch.equal(out.H[~aligned], H[~aligned])
    # a few steps toward a target on the aligned positions: gradients reach the module
    opt = torch.optim.Adam(module.parameters(), lr=0.05)
    target = torch.randn(B, L, D)
    first = None
    for _ in range(5):
        loss = ((module(H, mask, kb).H - target)[aligned] ** 2).mean()
        first = first if first is not None else loss.item()
        opt.zero_grad()
        loss.backward()
        opt.step()
    after = module(H, mask, kb).H
    assert ((after - target)[aligned] ** 2).mean().item() < first
    assert torch.equal(after[~aligned], H[~aligned])


def test_concat_and_gated_injections_start_as_identity(tmp_path):
    kb = small_batch()
    H = torch.randn(B, L, D)
    for name in ("reside", "recon", "kb_graph"):
        module = build_competitor(name, D, n_relations=2, d_auto=D_AUTO, d_ent=6, d_rel=5,
                                  side_information=side_information(tmp_path))
        assert torch.equal(module(H, torch.ones(B, L, dtype=torch.bool), kb).H, H)


def test_kb_graph_is_the_average_of_token_and_entity_embedding():
    torch.manual_seed(0)
    kb = small_batch()
    module = build_competitor("kb_graph", D, n_relations=2, d_ent=6)
    H = torch.randn(B, L, D)
    assert torch.equal(module(H, torch.ones(B, L, dtype=torch.bool), kb).H, H)  # its gate starts at 0
    with torch.no_grad():
        module.g.fill_(1.0)  # fully open: the published average
    out = module(H, torch.ones(B, L, dtype=torch.bool), kb).H
    # the entity embedding of a token: recompute it independently from the module's parameters
    with torch.no_grad():
        R = module.R.weight
        # R[r]: tail of r, R[2 + r]: head of r. Q1 heads r0; Q2 is r0's tail and r1's head; Q3 r1's tail
        sig = torch.stack([R[2], (R[0] + R[3]) / 2, R[1]])
        assert torch.allclose(module.signatures(3, kb.edge_index, kb.edge_type), sig)
        e = sig
        ei = torch.cat([kb.edge_index, kb.edge_index.flip(0)], dim=1)
        for layer in module.layers:
            e = torch.nn.functional.elu(layer(e, ei))
        q2 = module.W(e[1])
    assert torch.allclose(out[1, 0], (H[1, 0] + q2) / 2, atol=1e-6)
    assert torch.allclose(out[0, 4], (H[0, 4] + q2) / 2, atol=1e-6)


@pytest.mark.parametrize("name", COMPETITORS)
def test_no_linked_entity_passes_through(name, tmp_path):
    kb = empty_knowledge_batch(B, L, D_AUTO)
    module = build_competitor(name, D, n_relations=2, d_auto=D_AUTO, d_ent=6, d_rel=5,
                              side_information=side_information(tmp_path))
    H = torch.randn(B, L, D)
    assert torch.equal(module(H, torch.ones(B, L, dtype=torch.bool), kb).H, H)


def test_unknown_competitor_and_reside_without_side_information():
    with pytest.raises(ValueError, match="competitor must be one of"):
        build_competitor("kire2", D, n_relations=1)
    with pytest.raises(ValueError, match="side_information"):
        build_competitor("reside", D, n_relations=1)


def write_subgraph(root):
    """A KG subgraph folder (kire.subgraph.build layout) for split 'train': Q1 -r0-> Q2 -r1-> Q3."""
    import pyarrow.parquet as pq

    root.mkdir(parents=True)
    pq.write_table(pa.table({"relation": ["P1", "P2"]}), root / "relations.parquet")
    split = root / "train"
    split.mkdir()
    pq.write_table(pa.table({"node": pa.array([0, 1, 2], pa.int64()), "qid": ["Q1", "Q2", "Q3"],
                             "hop": pa.array([0, 0, 1], pa.int32()), "label": ["one", "two", "three"]}),
                   split / "nodes.parquet")
    pq.write_table(pa.table({"src": pa.array([0, 1], pa.int64()), "rel": pa.array([0, 1], pa.int64()),
                             "dst": pa.array([1, 2], pa.int64())}), split / "edges.parquet")
    # document 0: entity 0 -> Q1, entity 1 -> Q2
    pq.write_table(pa.table({"doc": pa.array([0, 0], pa.int64()), "entity": pa.array([0, 1], pa.int64()),
                             "node": pa.array([0, 1], pa.int64())}), split / "doc_entities.parquet")
    return root


def one_doc_batch():
    from kire.models.batch import Batch

    z = torch.zeros(1, L, dtype=torch.long)
    return Batch(
        token_ids=z, token_mask=torch.ones(1, L, dtype=torch.bool), ner_ids=z, coref_ids=z,
        word_starts=torch.arange(L).unsqueeze(0), word_mask=torch.ones(1, L, dtype=torch.bool),
        mention_doc=torch.tensor([0, 0]), mention_entity=torch.tensor([0, 1]),
        mention_start=torch.tensor([1, 4]), mention_end=torch.tensor([3, 5]), n_entities=torch.tensor([2]),
        pair_doc=torch.zeros(0, dtype=torch.long), pair_head=torch.zeros(0, dtype=torch.long),
        pair_tail=torch.zeros(0, dtype=torch.long), pair_dist=torch.zeros(0, dtype=torch.long), doc_index=[0])


@pytest.mark.parametrize("name", COMPETITORS)
def test_training_variant_reads_the_knowledge_folders(name, tmp_path):
    from types import SimpleNamespace

    from kire.errors import KireError
    from kire.inject.competitors import competitor_variant

    side_information(tmp_path)  # writes tmp_path/codes
    settings = {"subgraph": str(write_subgraph(tmp_path / "subgraph")), "codes": str(tmp_path / "codes"),
                "d_ent": 6, "d_rel": 5}
    if name == "kb_graph":
        settings.pop("codes")
    model = SimpleNamespace(hidden_size=D)
    parts = competitor_variant(name, model, settings, {"train": [None]})
    b = one_doc_batch()
    kb = parts.batch_inputs("train", b)
    assert kb.node_ids == ["Q1", "Q2", "Q3"] and len(kb.coref_src) == 0  # 1 hop; no coreference
    assert kb.token_align[0].tolist() == [-1, 0, 0, -1, 1, -1]
    H = torch.randn(1, L, D)
    out = parts.inject(H, b, kb)
    assert out.shape == H.shape and torch.equal(out[0, [0, 3, 5]], H[0, [0, 3, 5]])
    assert parts.spec["competitor"] == name and parts.spec["n_relations"] == 2
    # every module size is saved, the given ones and the defaults, so a saved run rebuilds as trained
    assert (parts.spec["d_ent"], parts.spec["d_rel"], parts.spec["layers"], parts.spec["heads"]) == (6, 5, 2, 2)
    with pytest.raises(KireError, match="unknown"):
        competitor_variant(name, model, {**settings, "bogus": 1}, {"train": [None]})
    if name != "kb_graph":
        with pytest.raises(KireError, match="codes"):
            competitor_variant(name, model, {"subgraph": settings["subgraph"]}, {"train": [None]})
