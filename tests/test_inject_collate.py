"""From a split's knowledge to a batch's KnowledgeBatch: coordinates, neighbourhood, slots, alignment."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from kire.inject.collate import knowledge_batch, neighbourhood, padded_rows, ragged_index, span_distance, word_spans_to_h
from kire.inject.knowledge import SplitKnowledge, coref_arrays
from kire.models.batch import Batch


def split_knowledge() -> SplitKnowledge:
    """Two documents; doc 0 has coreference triples and three linked entities (two share node 0)."""
    codes = np.arange(7 * 2, dtype=np.float32).reshape(7, 2)
    return SplitKnowledge(
        n_docs=2,
        coref_offsets=np.array([0, 2, 2]),
        coref_spans=np.array([[0, 2, 5, 6], [0, 2, 8, 9]]),
        coref_p=np.array([0.8, 0.4], np.float32),
        entity_offsets=np.array([0, 3, 3]),
        entity_nodes=np.array([[0, 0], [1, 3], [2, 0]]),
        node_qids=[f"Q{i}" for i in range(6)],
        edges=np.array([[0, 0, 1], [1, 1, 2], [3, 0, 4], [4, 0, 5]]),
        n_relations=2,
        code_offsets=np.array([0, 2, 3, 3, 6, 7, 7]),  # node 0: 2 codes, 1: 1, 2: 0, 3: 3, 4: 1, 5: 0
        codes=codes,
    )


def batch(word_starts: list[int], length: int, doc_index: list[int]) -> Batch:
    B = len(doc_index)
    W = len(word_starts)
    z = torch.zeros(B, length, dtype=torch.long)
    return Batch(
        token_ids=z, token_mask=torch.ones(B, length, dtype=torch.bool), ner_ids=z, coref_ids=z,
        word_starts=torch.tensor([word_starts] * B), word_mask=torch.ones(B, W, dtype=torch.bool),
        # doc 0: entity 0 at H [0, 2), entity 1 at [5, 6), entity 2 at [8, 9); doc 1: entity 0 at [1, 2)
        mention_doc=torch.tensor([0, 0, 0, 1][: 3 + (B > 1)]), mention_entity=torch.tensor([0, 1, 2, 0][: 3 + (B > 1)]),
        mention_start=torch.tensor([0, 5, 8, 1][: 3 + (B > 1)]), mention_end=torch.tensor([2, 6, 9, 2][: 3 + (B > 1)]),
        n_entities=torch.tensor([3, 1][:B]), pair_doc=torch.zeros(0, dtype=torch.long),
        pair_head=torch.zeros(0, dtype=torch.long), pair_tail=torch.zeros(0, dtype=torch.long),
        pair_dist=torch.zeros(0, dtype=torch.long), doc_index=doc_index,
    )


def test_word_spans_to_h_with_subwords_and_truncation():
    ws = np.array([1, 2, 4, 5, 7])  # word 1 has two subwords; the window ends at 8
    s, e, valid = word_spans_to_h(np.array([0, 1, 4, 3, 2]), np.array([2, 2, 5, 6, 2]), ws, 8)
    assert s[:3].tolist() == [1, 2, 7] and e[:3].tolist() == [4, 4, 8]
    assert valid.tolist() == [True, True, True, False, False]  # beyond the words; empty
    _, _, valid = word_spans_to_h(np.array([4]), np.array([5]), ws, 7)
    assert valid.tolist() == [False]  # cut by the window


def test_span_distance():
    assert span_distance(np.array([[0, 2, 5, 6], [5, 6, 0, 2], [0, 3, 2, 4], [0, 2, 2, 3]])).tolist() == [3, 3, 0, 0]


def test_neighbourhood_hops():
    sk = split_knowledge()
    assert neighbourhood(sk, np.array([0, 3, 0]), 0).tolist() == [0, 3]
    assert neighbourhood(sk, np.array([0, 3]), 1).tolist() == [0, 1, 3, 4]
    assert neighbourhood(sk, np.array([0]), 2).tolist() == [0, 1, 2]


def test_knowledge_batch_hand_case():
    sk = split_knowledge()
    kb = knowledge_batch(sk, batch(list(range(10)), 10, [0, 1]), hops=1)
    kb.validate(2, 10)
    # three distinct spans of doc 0, both directions of each triple
    assert kb.coref_mention_start.tolist() == [0, 5, 8] and kb.coref_mention_end.tolist() == [2, 6, 9]
    assert kb.coref_src.tolist() == [0, 0, 1, 2] and kb.coref_tgt.tolist() == [1, 2, 0, 0]
    assert kb.coref_p.tolist() == pytest.approx([0.8, 0.4, 0.8, 0.4])
    assert kb.coref_dist.tolist() == [3, 6, 3, 6]
    # nodes {0, 1, 3, 4}; edges among them only; slots: node 0 (entities 0 and 2), node 3 (entity 1)
    assert kb.node_ids == ["Q0", "Q1", "Q3", "Q4"]
    assert kb.edge_index.tolist() == [[0, 2], [1, 3]] and kb.edge_type.tolist() == [0, 0]
    assert kb.doc_nodes.tolist() == [[0, 2], [-1, -1]]
    assert kb.token_align[0].tolist() == [0, 0, -1, -1, -1, 1, -1, -1, 0, -1]
    assert (kb.token_align[1] == -1).all()
    assert kb.node_codes.shape == (7, 2) and kb.node_code_ptr.tolist() == [0, 2, 3, 6, 7]
    assert kb.node_codes[5].tolist() == [10.0, 11.0]  # node 3's third code is row 5


def test_knowledge_batch_subword_coordinates_and_empty_document():
    sk = split_knowledge()
    ws = [1, 2, 4, 5, 6, 8, 9, 10, 11, 12]  # word 1 spans H [2, 4)
    kb = knowledge_batch(sk, batch(ws, 14, [0]), kg=False)
    assert kb.coref_mention_start.tolist() == [1, 8, 11] and kb.coref_mention_end.tolist() == [4, 9, 12]
    assert kb.doc_nodes.shape == (1, 0) and kb.n_nodes == 0
    kb = knowledge_batch(sk, batch(list(range(10)), 10, [1]))  # a document with nothing
    kb.validate(1, 10)
    assert len(kb.coref_src) == 0 and kb.n_nodes == 0 and kb.doc_nodes.shape == (1, 0)


def test_coref_arrays_groups_by_document_and_rejects_bad_rows():
    import pyarrow as pa

    from kire.errors import InputError

    table = pa.table({"doc": [1, 0, 1], "ms_start": [0, 1, 2], "ms_end": [1, 2, 3], "mt_start": [4, 5, 6],
                      "mt_end": [5, 6, 7], "p": pa.array([0.5, 0.9, 1.0], pa.float32())})
    offsets, spans, p = coref_arrays(table, 3)
    assert offsets.tolist() == [0, 1, 3, 3] and spans[:, 0].tolist() == [1, 0, 2]
    assert p.tolist() == pytest.approx([0.9, 0.5, 1.0])
    with pytest.raises(InputError, match="row 0"):
        coref_arrays(table.set_column(5, "p", pa.array([1.5, 0.9, 1.0], pa.float32())), 3)
    with pytest.raises(InputError, match="doc"):
        coref_arrays(table, 1)


def test_ragged_index_equals_the_per_item_ranges():
    offsets = np.array([0, 2, 2, 5, 6])  # item 1 is empty
    for items in ([0, 1, 2, 3], [3, 0, 2], [1], []):
        expected = [r for n in items for r in range(offsets[n], offsets[n + 1])]
        assert ragged_index(offsets, np.array(items, np.int64)).tolist() == expected
    rows = np.arange(12, dtype=np.float32).reshape(6, 2)
    out, mask = padded_rows(offsets, rows, np.array([2, 1, 0]), 2)
    assert mask.tolist() == [[True, True, True], [False, False, False], [True, True, False]]
    assert out[0].tolist() == rows[2:5].tolist() and out[1].abs().sum() == 0 and out[2, :2].tolist() == rows[:2].tolist()
