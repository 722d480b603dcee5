"""The knowledge of a model batch: cut one batch's ``KnowledgeBatch`` out of its split's knowledge.

Coordinates: coreference spans arrive in document word offsets and are mapped onto H with the
batch's ``word_starts``; token-entity alignment uses the batch's mention spans (already in H).
"""

from __future__ import annotations

import numpy as np
import torch

from kire.inject.attributes import padded_by_node
from kire.inject.batch import KnowledgeBatch
from kire.inject.knowledge import SplitKnowledge
from kire.models.batch import Batch


def word_spans_to_h(starts: np.ndarray, ends: np.ndarray, word_starts: np.ndarray, length: int
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Map word spans ``[start, end)`` of one document onto H positions.

    ``word_starts`` [W]: H position of each word. The end of word k is the start of word k+1; the
    last word ends one position after its start. Returns (h_start, h_end, valid) where ``valid``
    drops spans beyond the document's words or outside H (e.g. truncated by a transformer window).
    """
    n_words = len(word_starts)
    valid = (starts >= 0) & (ends <= n_words) & (starts < ends)
    s = np.clip(starts, 0, max(n_words - 1, 0))
    padded = np.append(word_starts, word_starts[-1] + 1 if n_words else 0)
    e = np.clip(ends, 0, n_words)
    h_start = padded[s] if n_words else np.zeros_like(starts)
    h_end = padded[e] if n_words else np.zeros_like(ends)
    valid &= (h_start < h_end) & (h_end <= length) & (h_start >= 0)
    return h_start, h_end, valid


def span_distance(spans: np.ndarray) -> np.ndarray:
    """psi(m_s, m_t): words strictly between the two spans, 0 when they touch or overlap. [C, 4] -> [C]."""
    return np.maximum(0, np.maximum(spans[:, 2] - spans[:, 1], spans[:, 0] - spans[:, 3]))


def ragged_index(offsets: np.ndarray, items: np.ndarray) -> np.ndarray:
    """Row ids of ragged items: concatenation of ``arange(offsets[n], offsets[n + 1])`` for n in
    ``items`` (offsets [n_items + 1] int64, items [K] int64 -> [sum of the items' lengths] int64)."""
    items = np.asarray(items, np.int64)
    starts, counts = offsets[items], offsets[items + 1] - offsets[items]
    total = int(counts.sum())
    # each row id is its item's start plus its rank inside the item
    first = np.cumsum(counts) - counts
    return np.repeat(starts - first, counts) + np.arange(total, dtype=np.int64)


def neighbourhood(sk: SplitKnowledge, seeds: np.ndarray, hops: int) -> np.ndarray:
    """Sorted node ids of ``seeds`` and everything within ``hops`` undirected steps in the subgraph."""
    nodes = np.unique(seeds)
    frontier = nodes
    for _ in range(hops):
        if not len(frontier):
            break
        reached = np.unique(sk.adj_nodes[ragged_index(sk.adj_offsets, frontier)])
        frontier = np.setdiff1d(reached, nodes, assume_unique=True)
        nodes = np.union1d(nodes, frontier)
    return nodes


def ragged_rows(offsets: np.ndarray, rows: np.ndarray, nodes: np.ndarray, d: int) -> tuple[torch.Tensor, torch.Tensor]:
    """``(rows [T, d], counts [n] long)``: the ragged rows of ``nodes``, node by node."""
    counts = offsets[nodes + 1] - offsets[nodes] if len(nodes) else np.zeros(0, np.int64)
    return (torch.from_numpy(rows[ragged_index(offsets, nodes)].reshape(-1, d)),
            torch.from_numpy(counts.astype(np.int64)))


def padded_rows(offsets: np.ndarray, rows: np.ndarray, nodes: np.ndarray, d: int) -> tuple[torch.Tensor, torch.Tensor]:
    """``([n, A, d], [n, A] bool)``: each node's ragged rows, padded to the longest (A >= 1)."""
    return padded_by_node(*ragged_rows(offsets, rows, nodes, d))


def coref_part(sk: SplitKnowledge, batch: Batch) -> dict[str, torch.Tensor]:
    """The coreference tensors of KnowledgeBatch: unique alias mentions and both directions of each pair."""
    L = batch.token_mask.shape[1]
    word_starts = batch.word_starts.cpu().numpy()
    n_words = batch.word_mask.sum(1).cpu().numpy()
    m_doc, m_start, m_end, src, tgt, p, dist = [], [], [], [], [], [], []
    n_mentions = 0
    for b, doc in enumerate(batch.doc_index):
        spans, probs = sk.doc_coref(doc)
        if not len(spans):
            continue
        flat = np.concatenate([spans[:, :2], spans[:, 2:]])  # [2C, 2]: ms rows then mt rows
        uniq, inverse = np.unique(flat, axis=0, return_inverse=True)
        inverse = inverse.reshape(-1)
        h_start, h_end, valid = word_spans_to_h(uniq[:, 0], uniq[:, 1], word_starts[b, :n_words[b]], L)
        new_id = np.full(len(uniq), -1, np.int64)
        new_id[valid] = n_mentions + np.arange(int(valid.sum()))
        n_mentions += int(valid.sum())
        m_doc.append(np.full(int(valid.sum()), b, np.int64))
        m_start.append(h_start[valid])
        m_end.append(h_end[valid])
        C = len(spans)
        s, t = new_id[inverse[:C]], new_id[inverse[C:]]
        keep = (s >= 0) & (t >= 0) & (s != t)
        psi = span_distance(spans)[keep]
        src += [s[keep], t[keep]]
        tgt += [t[keep], s[keep]]
        p += [probs[keep], probs[keep]]
        dist += [psi, psi]

    def cat(parts, dtype):
        return torch.from_numpy(np.concatenate(parts).astype(dtype)) if parts else torch.zeros(0, dtype=getattr(torch, dtype))

    return {"coref_mention_doc": cat(m_doc, "int64"), "coref_mention_start": cat(m_start, "int64"),
            "coref_mention_end": cat(m_end, "int64"), "coref_src": cat(src, "int64"),
            "coref_tgt": cat(tgt, "int64"), "coref_p": cat(p, "float32"), "coref_dist": cat(dist, "int64")}


def kg_part(sk: SplitKnowledge, batch: Batch, hops: int, with_labels: bool) -> dict:
    """The KG tensors of KnowledgeBatch: the batch's linked nodes and their ``hops``-neighbourhood,
    the relation triples among them, one slot per distinct linked node of each document and the
    alignment of every mention token with its entity's slot."""
    B, L = batch.token_mask.shape
    links = [sk.doc_links(doc) for doc in batch.doc_index]
    seeds = np.concatenate([lk[:, 1] for lk in links]) if links else np.zeros(0, np.int64)
    nodes = neighbourhood(sk, seeds, hops)
    in_set = np.zeros(sk.n_nodes, bool)
    in_set[nodes] = True
    e = sk.edges[in_set[sk.edges[:, 0]] & in_set[sk.edges[:, 2]]] if len(sk.edges) else sk.edges
    remap = np.full(sk.n_nodes, -1, np.int64)
    remap[nodes] = np.arange(len(nodes))
    edge_index = torch.from_numpy(np.stack([remap[e[:, 0]], remap[e[:, 2]]])) if len(e) else torch.zeros(2, 0, dtype=torch.long)
    edge_type = torch.from_numpy(e[:, 1].copy()) if len(e) else torch.zeros(0, dtype=torch.long)

    # slots: one per distinct linked node of the document, in entity order
    slot_of_entity: list[dict[int, int]] = []
    slot_nodes: list[list[int]] = []
    for lk in links:
        slots: dict[int, int] = {}
        ent_slot: dict[int, int] = {}
        for ent, node in lk.tolist():
            ent_slot[ent] = slots.setdefault(int(remap[node]), len(slots))
        slot_of_entity.append(ent_slot)
        slot_nodes.append(list(slots))
    I = max((len(s) for s in slot_nodes), default=0)
    doc_nodes = torch.full((B, I), -1, dtype=torch.long)
    for b, s in enumerate(slot_nodes):
        doc_nodes[b, :len(s)] = torch.tensor(s, dtype=torch.long)
    align = np.full((B, L), -1, np.int64)
    m_doc = batch.mention_doc.tolist()
    m_ent = batch.mention_entity.tolist()
    m_start, m_end = batch.mention_start.tolist(), batch.mention_end.tolist()
    for k in reversed(range(len(m_doc))):  # reversed: where mentions overlap the first one wins
        slot = slot_of_entity[m_doc[k]].get(m_ent[k])
        if slot is not None:
            align[m_doc[k], m_start[k]:m_end[k]] = slot
    # attribute codes stay ragged (node by node): nodes have 1-2 codes on average, A_max is 20
    codes, counts = ragged_rows(sk.code_offsets, sk.codes, nodes, sk.d_auto)
    code_ptr = torch.cat([counts.new_zeros(1), counts.cumsum(0)])
    out = {"node_codes": codes, "node_code_ptr": code_ptr, "edge_index": edge_index, "edge_type": edge_type,
           "doc_nodes": doc_nodes, "token_align": torch.from_numpy(align),
           "node_ids": [sk.node_qids[n] for n in nodes]}
    if with_labels:
        if sk.label_vectors is None:
            raise ValueError("the 'w/o attr.' ablation needs label word vectors in the split knowledge")
        out["node_label_vectors"], out["node_label_mask"] = padded_rows(
            sk.label_offsets, sk.label_vectors, nodes, sk.label_vectors.shape[1])
    return out


def knowledge_batch(sk: SplitKnowledge, batch: Batch, hops: int = 1, with_labels: bool = False,
                    coref: bool = True, kg: bool = True) -> KnowledgeBatch:
    """The KnowledgeBatch of ``batch`` (documents ``batch.doc_index`` of the split of ``sk``), on
    the batch's device. Parts switched off (``coref``/``kg`` False) are empty."""
    from kire.inject.batch import empty_knowledge_batch

    B, L = batch.token_mask.shape
    values = vars(empty_knowledge_batch(B, L, sk.d_auto))
    if coref:
        values.update(coref_part(sk, batch))
    if kg:
        values.update(kg_part(sk, batch, hops, with_labels))
    return KnowledgeBatch(**values).to(batch.token_mask.device)
