"""From documents to model inputs: the label space, one document's features, and their collation.

A model turns a :class:`~kire.docs.model.Document` into :class:`DocFeatures` (its own tokenization,
positions in its encoder's coordinates); :func:`collate` pads a list of them into a
:class:`~kire.models.batch.Batch`. Pairs are every ordered pair of distinct entities, as in DocRED.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from kire.docs.model import Document
from kire.errors import InputError
from kire.models.batch import Batch

# DocRED's relative-distance bins: |delta| in 0, 1, 2-3, 4-7, ..., >= 256 -> 0..9, signed around 10.
N_DIST_BINS = 10
DIST_CENTER = N_DIST_BINS
N_DIST_IDS = 2 * N_DIST_BINS  # ids 1..19 are used; 0 stays free


def distance_bin(delta: int) -> int:
    """Return DocRED's signed log-scale bin id (1..19) of a word distance ``delta`` (head - tail)."""
    size = abs(int(delta))
    bucket = 0 if size == 0 else min(size.bit_length(), N_DIST_BINS - 1)
    return DIST_CENTER + (bucket if delta >= 0 else -bucket)


def mirrored_bin(dist: torch.Tensor) -> torch.Tensor:
    """Bin ids of the reversed pair (tail - head) for ``dist`` from :func:`distance_bin`."""
    return 2 * DIST_CENTER - dist


@dataclass
class LabelSpace:
    """Relation classes and entity types of a dataset.

    Relation ``relations[i]`` is logit column ``i + 1`` (column 0 is "no relation"); type
    ``ner_types[i]`` is id ``i + 1`` (0: outside a mention). ``max_entities`` bounds the entity-id
    embedding.
    """

    relations: list[str]
    ner_types: list[str]
    max_entities: int = 128

    @property
    def n_classes(self) -> int:
        """R: the relations plus "no relation"."""
        return len(self.relations) + 1

    def relation_column(self, relation: str) -> int:
        """Logit column of ``relation``."""
        return self._relation_index[relation] + 1

    def ner_id(self, ner_type: str) -> int:
        """Id of an entity type; types unseen when the space was built share the last id."""
        return self._type_index.get(ner_type, len(self.ner_types)) + 1

    @property
    def n_ner_ids(self) -> int:
        """Size of the type embedding: outside, each type, unseen."""
        return len(self.ner_types) + 2

    def __post_init__(self) -> None:
        self._relation_index = {r: i for i, r in enumerate(self.relations)}
        self._type_index = {t: i for i, t in enumerate(self.ner_types)}

    def to_json(self) -> dict:
        return {"relations": self.relations, "ner_types": self.ner_types,
                "max_entities": self.max_entities}

    @classmethod
    def from_documents(cls, relations: list[str], documents: list[Document],
                       max_entities: int = 128) -> "LabelSpace":
        """The space of ``relations`` (e.g. the keys of rel_info.json) and every type in ``documents``."""
        types = sorted({m.type for d in documents for e in d.entities for m in e.mentions})
        return cls(relations=list(relations), ner_types=types, max_entities=max_entities)


@dataclass
class DocFeatures:
    """One document in a model's coordinates (L encoder positions, W words, M mentions, P pairs)."""

    doc_index: int
    title: str
    token_ids: np.ndarray   # [L] int64
    ner_ids: np.ndarray     # [L] int64
    coref_ids: np.ndarray   # [L] int64
    word_starts: np.ndarray  # [W] int64
    mentions: np.ndarray    # [M, 3] int64: entity, start, end (H positions)
    n_entities: int
    pairs: np.ndarray       # [P, 3] int64: head, tail, distance bin id
    labels: np.ndarray | None  # [K, 2] int64: pair row, relation column; None when unlabeled
    # Document structure, for models that read it (SSAN's attention bias, GLRE's graph):
    sentence_ids: np.ndarray | None = None   # [L] int64: sentence of each position, -1 outside
    mention_sent: np.ndarray | None = None   # [M] int64: sentence of each mention
    n_sentences: int = 0
    # [K, 3] int64 (source, target, edge type) over the document's nodes: its M mentions, then its
    # entities (M + e), then its sentences (M + E + s); built once with the features.
    graph_edges: np.ndarray | None = None


def entity_pairs(doc: Document) -> np.ndarray:
    """``[P, 3]``: every ordered pair (head, tail, distance bin) of distinct entities.

    The distance is between the first mentions' first words, as in the DocRED baselines.
    """
    firsts = [min(doc.doc_span(m)[0] for m in e.mentions) for e in doc.entities]
    n = len(firsts)
    rows = [(h, t, distance_bin(firsts[h] - firsts[t])) for h in range(n) for t in range(n) if h != t]
    return np.asarray(rows, dtype=np.int64).reshape(-1, 3)


def pair_row(n_entities: int, head: int, tail: int) -> int:
    """Row of pair (head, tail) in :func:`entity_pairs` order (h-major, self-pairs skipped)."""
    return head * (n_entities - 1) + tail - (tail > head)


def pair_labels(doc: Document, space: LabelSpace, file: str = "documents") -> np.ndarray | None:
    """``[K, 2]``: (pair row in :func:`entity_pairs` order, relation column) of each label."""
    if doc.labels is None:
        return None
    n = len(doc.entities)
    rows = []
    for k, lab in enumerate(doc.labels):
        if lab.head == lab.tail:
            raise InputError(file, f"document {doc.title!r}", f"labels[{k}]",
                             "head and tail are the same entity")
        if lab.relation not in space._relation_index:
            raise InputError(file, f"document {doc.title!r}", f"labels[{k}].r",
                             f"relation {lab.relation!r} is not in rel_info")
        rows.append((pair_row(n, lab.head, lab.tail), space.relation_column(lab.relation)))
    return np.asarray(rows, dtype=np.int64).reshape(-1, 2)


def check_entity_count(doc: Document, space: LabelSpace, file: str = "documents") -> None:
    """Raise InputError when ``doc`` has more entities than the entity-id embedding holds."""
    if len(doc.entities) > space.max_entities:
        raise InputError(file, f"document {doc.title!r}", "vertexSet",
                         f"{len(doc.entities)} entities, more than train.max_entities="
                         f"{space.max_entities}")


def mark_mentions(length: int, mentions: np.ndarray, entity_types: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """``([L], [L])``: type id and 1 + entity index at every position covered by a mention."""
    ner = np.zeros(length, dtype=np.int64)
    coref = np.zeros(length, dtype=np.int64)
    for ent, start, end in mentions:
        ner[start:end] = entity_types[ent]
        coref[start:end] = ent + 1
    return ner, coref


def position_sentences(length: int, word_starts: np.ndarray, content_end: int, sent_lengths: list[int],
                       mentions: np.ndarray, mention_sent: np.ndarray) -> np.ndarray:
    """``[length]``: the sentence of every encoder position; -1 before the first word and from
    ``content_end`` on (special tokens such as [CLS] and [SEP]).

    A position belongs to the last word starting at or before it; a mention's whole span (markers
    included) belongs to the mention's sentence, so a marker before a sentence's first word is not
    given to the previous sentence.
    """
    word_sent = np.repeat(np.arange(len(sent_lengths), dtype=np.int64), sent_lengths)
    word = np.searchsorted(word_starts, np.arange(length), side="right") - 1
    out = np.full(length, -1, dtype=np.int64)
    inside = (word >= 0) & (np.arange(length) < content_end)
    out[inside] = word_sent[word[inside]]
    for (_, start, end), sent in zip(mentions, mention_sent):
        out[start:end] = sent
    return out


def collate(items: list[DocFeatures], n_classes: int) -> Batch:
    """Pad ``items`` into one :class:`Batch`; labels are multi-hot ``[P, R]`` with column 0 set
    for pairs without a relation (absent when any document is unlabeled)."""
    B = len(items)
    L = max(len(f.token_ids) for f in items)
    W = max(len(f.word_starts) for f in items)
    token_ids = torch.zeros(B, L, dtype=torch.long)
    ner_ids = torch.zeros(B, L, dtype=torch.long)
    coref_ids = torch.zeros(B, L, dtype=torch.long)
    token_mask = torch.zeros(B, L, dtype=torch.bool)
    word_starts = torch.zeros(B, W, dtype=torch.long)
    word_mask = torch.zeros(B, W, dtype=torch.bool)
    for b, f in enumerate(items):
        n = len(f.token_ids)
        token_ids[b, :n] = torch.from_numpy(f.token_ids)
        ner_ids[b, :n] = torch.from_numpy(f.ner_ids)
        coref_ids[b, :n] = torch.from_numpy(f.coref_ids)
        token_mask[b, :n] = True
        word_starts[b, : len(f.word_starts)] = torch.from_numpy(f.word_starts)
        word_mask[b, : len(f.word_starts)] = True
    mentions = [torch.from_numpy(f.mentions) for f in items]
    pairs = [torch.from_numpy(f.pairs) for f in items]
    mention_doc = torch.cat([torch.full((len(m),), b, dtype=torch.long) for b, m in enumerate(mentions)])
    pair_doc = torch.cat([torch.full((len(p),), b, dtype=torch.long) for b, p in enumerate(pairs)])
    M, P = torch.cat(mentions), torch.cat(pairs)
    labels = None
    if all(f.labels is not None for f in items):
        labels = torch.zeros(len(P), n_classes)
        offset = 0
        for f in items:
            if len(f.labels):
                labels[offset + f.labels[:, 0], f.labels[:, 1]] = 1.0
            offset += len(f.pairs)
        labels[:, 0] = (labels[:, 1:].sum(1) == 0).float()
    structure = collate_structure(items, L)
    return Batch(
        token_ids=token_ids, token_mask=token_mask, ner_ids=ner_ids, coref_ids=coref_ids,
        word_starts=word_starts, word_mask=word_mask,
        mention_doc=mention_doc, mention_entity=M[:, 0], mention_start=M[:, 1], mention_end=M[:, 2],
        n_entities=torch.tensor([f.n_entities for f in items], dtype=torch.long),
        pair_doc=pair_doc, pair_head=P[:, 0], pair_tail=P[:, 1], pair_dist=P[:, 2],
        labels=labels, titles=[f.title for f in items], doc_index=[f.doc_index for f in items],
        **structure,
    )


def collate_structure(items: list[DocFeatures], L: int) -> dict[str, torch.Tensor]:
    """Batch fields of the document structure (see :class:`Batch`); empty when some document lacks
    sentence ids, and no ``graph_edges`` when some document lacks a graph."""
    if any(f.sentence_ids is None or f.mention_sent is None for f in items):
        return {}
    sentence_ids = torch.full((len(items), L), -1, dtype=torch.long)
    for b, f in enumerate(items):
        sentence_ids[b, : len(f.sentence_ids)] = torch.from_numpy(f.sentence_ids)
    out = {"sentence_ids": sentence_ids,
           "mention_sent": torch.cat([torch.from_numpy(f.mention_sent) for f in items]),
           "n_sentences": torch.tensor([f.n_sentences for f in items], dtype=torch.long)}
    if any(f.graph_edges is None for f in items):
        return out
    n_m = np.array([len(f.mentions) for f in items])
    n_e = np.array([f.n_entities for f in items])
    n_s = np.array([f.n_sentences for f in items])
    starts = [np.cumsum(n) - n for n in (n_m, n_e, n_s)]  # each document's first row per node type
    base = np.array([0, n_m.sum(), n_m.sum() + n_e.sum()])
    edges = []
    for b, f in enumerate(items):
        local = f.graph_edges[:, :2]
        kind = np.where(local < n_m[b], 0, np.where(local < n_m[b] + n_e[b], 1, 2))
        within = local - np.array([0, n_m[b], n_m[b] + n_e[b]])[kind]
        rows = base[kind] + np.stack([s[b] for s in starts])[kind] + within
        edges.append(np.column_stack([rows, f.graph_edges[:, 2]]))
    out["graph_edges"] = torch.from_numpy(np.concatenate(edges).astype(np.int64)).reshape(-1, 3)
    return out
