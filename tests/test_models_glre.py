"""GLRE over the offline MiniLM weights: the document graph of a hand-built document, its batch
rows, node means, shapes and masks."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from kire.errors import KireError
from kire.models.base import entity_offsets
from kire.models.features import collate
from kire.models.glre import EDGE_TYPES, document_graph_edges, mention_means, sentence_means
from kire.models.registry import model_class
from tests.models_fixtures import docs, space  # noqa: F401 (fixtures)


@pytest.fixture(scope="module")
def glre(docs, space):
    torch.manual_seed(0)
    return model_class("glre").create(space, {}, docs).eval()


def counts_by_type(edges: np.ndarray) -> dict[str, int]:
    return {name: int((edges[:, 2] == k).sum()) for k, name in enumerate(EDGE_TYPES)}


def test_graph_of_a_hand_built_document():
    """Three sentences; entity 0 in s0 (twice) and s2, entity 1 in s0, entity 2 in s1."""
    mention_entity = np.array([0, 0, 1, 2, 0])
    mention_sent = np.array([0, 0, 0, 1, 2])
    edges = document_graph_edges(mention_entity, mention_sent, n_entities=3, n_sentences=3)
    # nodes: mentions 0-4, entities 5-7, sentences 8-10; every edge in both directions
    assert counts_by_type(edges) == {
        "mention-mention": 6,      # the three mentions of s0, pairwise
        "mention-entity": 10,      # 5 mentions
        "mention-sentence": 10,
        "entity-sentence": 8,      # e0-s0, e0-s2, e1-s0, e2-s1
        "sentence-sentence": 6,    # every two of three sentences
    }
    as_set = {tuple(e) for e in edges.tolist()}
    assert (3, 7, 1) in as_set and (7, 3, 1) in as_set            # mention 3 -> entity 2
    assert (4, 10, 2) in as_set and (5, 10, 3) in as_set          # s2 holds mention 4 of entity 0
    assert (6, 9, 3) not in as_set                                # entity 1 is not in s1
    assert all(a != b for a, b, _ in as_set)                      # no self-loops
    assert {(b, a, t) for a, b, t in as_set} == as_set            # undirected


def test_featurized_graph_and_its_batch_rows(glre, docs, space):
    features = [glre.featurize(d, i) for i, d in enumerate(docs)]
    assert counts_by_type(features[0].graph_edges) == {
        "mention-mention": 12, "mention-entity": 12, "mention-sentence": 12, "entity-sentence": 12,
        "sentence-sentence": 2}
    batch = collate(features, space.n_classes)
    M, E = len(batch.mention_doc), int(batch.n_entities.sum())
    assert len(batch.graph_edges) == sum(len(f.graph_edges) for f in features)
    src, dst, kind = batch.graph_edges.T
    # a mention-entity edge joins each mention row to its own entity row, in every document
    me = (kind == 1) & (src < M)
    entity_row = entity_offsets(batch)[batch.mention_doc] + batch.mention_entity
    assert torch.equal(dst[me] - M, entity_row[src[me]])
    # a mention-sentence edge reaches the sentence row of the mention's document
    ms = (kind == 2) & (src < M)
    sentence_offsets = torch.cumsum(batch.n_sentences, 0) - batch.n_sentences
    assert torch.equal(dst[ms] - M - E, sentence_offsets[batch.mention_doc[src[ms]]] + batch.mention_sent[src[ms]])
    # no edge crosses documents
    node_doc = torch.cat([batch.mention_doc, torch.repeat_interleave(torch.arange(3), batch.n_entities),
                          torch.repeat_interleave(torch.arange(3), batch.n_sentences)])
    assert torch.equal(node_doc[src], node_doc[dst])


def test_node_means_over_mention_and_sentence_tokens(glre, docs, space):
    batch = collate([glre.featurize(d, i) for i, d in enumerate(docs[:2])], space.n_classes)
    H = torch.randn(*batch.token_ids.shape, 3)
    m = mention_means(H, batch)
    k = 4  # "Rhone" of document 1
    expected = H[batch.mention_doc[k], batch.mention_start[k]:batch.mention_end[k]].mean(0)
    assert torch.allclose(m[k], expected)
    s = sentence_means(H, batch)
    assert s.shape == (4, 3)
    first = batch.sentence_ids[1] == 0
    assert torch.allclose(s[2], H[1][first].mean(0))  # document 1's first sentence is row 2


def test_shapes_gradients_and_padding(glre, docs, space):
    features = [glre.featurize(d, i) for i, d in enumerate(docs)]
    batch = collate(features, space.n_classes)
    glre.train()
    try:
        encoded = glre.encode(batch)
        assert encoded.H.shape == (3, batch.token_ids.shape[1], glre.hidden_size) and encoded.attention is None
        logits = glre.predict(encoded, batch)
        assert logits.shape == (20 + 12 + 6, space.n_classes)
        glre.loss(logits, batch).backward()
        for name in ("gcn.0.weight", "local.in_proj_weight", "context.weight", "classifier.0.weight"):
            grad = dict(glre.named_parameters())[name].grad
            assert grad is not None and grad.abs().sum() > 0, name
    finally:
        glre.zero_grad()
        glre.eval()
    with torch.no_grad():  # masks: padded positions and padded mention slots change nothing
        together = glre.predict(glre.encode(batch), batch)
        alone = collate(features[2:3], space.n_classes)  # its entities have one mention: no slot padding
        single = glre.predict(glre.encode(alone), alone)
    assert torch.allclose(together[batch.pair_doc == 2], single, atol=1e-4)


def test_missing_graph_and_bad_head_count_are_clear_errors(glre, docs, space):
    from dataclasses import replace

    batch = collate([replace(glre.featurize(docs[0], 0), graph_edges=None)], space.n_classes)
    with pytest.raises(KireError, match="document graphs"):
        glre.predict(glre.encode(batch), batch)
    with pytest.raises(KireError, match="not a multiple of heads 7"):
        model_class("glre").create(space, {"heads": 7}, docs)
