"""One split's knowledge, read once from the other stages' outputs and indexed by document.

Inputs (all per dataset and split; ``doc`` is the document's index in its split's docs tables):

- coreference triples: the ``coref`` table (kire.coref.table: doc, ms_start, ms_end, mt_start,
  mt_end in document word offsets, source, p), one unordered pair per row;
- the split's KG subgraph (kire.subgraph.build): ``nodes`` (node, qid, hop, label), ``edges``
  (src, rel, dst), ``doc_entities`` (doc, entity, node) and the dataset's ``relations`` vocabulary;
- AutoEncoder attribute codes (kire.embed.codes.AttributeCodes: codes per entity id).

:class:`SplitKnowledge` keeps them as flat numpy arrays; :mod:`kire.inject.collate` cuts out what
a batch needs.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kire.errors import InputError

log = logging.getLogger(__name__)


@dataclass
class SplitKnowledge:
    """Knowledge of one split (N subgraph nodes, E relation triples, T attribute codes).

    ``coref_spans[coref_offsets[d]:coref_offsets[d+1]]`` are document d's triples as
    (ms_start, ms_end, mt_start, mt_end) word offsets with teacher p in ``coref_p``;
    ``entity_nodes[entity_offsets[d]:entity_offsets[d+1]]`` are its (entity, node) links.
    Node n owns attribute codes ``codes[code_offsets[n]:code_offsets[n+1]]`` and, for the
    "w/o attr." ablation, label word vectors ``label_vectors[label_offsets[n]:label_offsets[n+1]]``.
    """

    n_docs: int
    coref_offsets: np.ndarray    # [n_docs + 1] int64
    coref_spans: np.ndarray      # [C, 4] int64
    coref_p: np.ndarray          # [C] float32
    entity_offsets: np.ndarray   # [n_docs + 1] int64
    entity_nodes: np.ndarray     # [K, 2] int64: (document entity, subgraph node)
    node_qids: list[str]         # [N]
    edges: np.ndarray            # [E, 3] int64: src, rel, dst
    n_relations: int
    code_offsets: np.ndarray     # [N + 1] int64
    codes: np.ndarray            # [T, d_auto] float32
    label_offsets: np.ndarray | None = None  # [N + 1] int64
    label_vectors: np.ndarray | None = None  # [V, d_word] float32
    adj_offsets: np.ndarray | None = None    # [N + 1] int64: CSR of the undirected neighbours
    adj_nodes: np.ndarray | None = None      # [2E] int64

    def __post_init__(self) -> None:
        if self.adj_offsets is None:
            self.adj_offsets, self.adj_nodes = undirected_csr(self.edges, self.n_nodes)

    @property
    def n_nodes(self) -> int:
        """N, the subgraph's node count."""
        return len(self.node_qids)

    @property
    def d_auto(self) -> int:
        """Size of one attribute code."""
        return int(self.codes.shape[1])

    def doc_coref(self, doc: int) -> tuple[np.ndarray, np.ndarray]:
        """``([C_d, 4], [C_d])``: document ``doc``'s triples and teacher p (empty beyond n_docs)."""
        if doc >= self.n_docs:
            return self.coref_spans[:0], self.coref_p[:0]
        a, b = self.coref_offsets[doc], self.coref_offsets[doc + 1]
        return self.coref_spans[a:b], self.coref_p[a:b]

    def doc_links(self, doc: int) -> np.ndarray:
        """``[K_d, 2]``: (entity, node) of document ``doc``'s linked entities."""
        if doc >= self.n_docs:
            return self.entity_nodes[:0]
        return self.entity_nodes[self.entity_offsets[doc]:self.entity_offsets[doc + 1]]


def undirected_csr(edges: np.ndarray, n_nodes: int) -> tuple[np.ndarray, np.ndarray]:
    """Return (offsets [N+1], neighbours [2E]) of the edges followed in both directions."""
    a = np.concatenate([edges[:, 0], edges[:, 2]]).astype(np.int64)
    b = np.concatenate([edges[:, 2], edges[:, 0]]).astype(np.int64)
    order = np.argsort(a, kind="stable")
    counts = np.bincount(a, minlength=n_nodes)
    return np.concatenate([[0], np.cumsum(counts)]).astype(np.int64), b[order]


def grouped_offsets(doc: np.ndarray, n_docs: int) -> tuple[np.ndarray, np.ndarray]:
    """Return (stable order sorting rows by doc, offsets [n_docs + 1]) for a doc column."""
    order = np.argsort(doc, kind="stable")
    counts = np.bincount(doc, minlength=n_docs)[:n_docs] if len(doc) else np.zeros(n_docs, np.int64)
    return order, np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)


def coref_arrays(table, n_docs: int, file: str = "coref") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (offsets [n_docs+1], spans [C, 4], p [C]) of a coref table (kire.coref.table schema).

    Raises InputError for a row whose spans are empty or whose p is outside [0, 1].
    """
    cols = {name: table.column(name).to_numpy().astype(np.int64)
            for name in ("doc", "ms_start", "ms_end", "mt_start", "mt_end")}
    p = table.column("p").to_numpy().astype(np.float32)
    bad = np.flatnonzero((cols["ms_start"] >= cols["ms_end"]) | (cols["mt_start"] >= cols["mt_end"])
                         | (cols["ms_start"] < 0) | (cols["mt_start"] < 0) | (p < 0) | (p > 1)
                         | (cols["doc"] < 0))
    if len(bad):
        r = int(bad[0])
        raise InputError(file, f"row {r}", "ms/mt/p",
                         f"empty or negative span or p outside [0, 1] (doc {cols['doc'][r]}, p {p[r]})")
    keep = cols["doc"] < n_docs
    if not keep.all():
        raise InputError(file, f"row {int(np.flatnonzero(~keep)[0])}", "doc",
                         f"document index beyond the split's {n_docs} documents")
    order, offsets = grouped_offsets(cols["doc"], n_docs)
    spans = np.stack([cols[k] for k in ("ms_start", "ms_end", "mt_start", "mt_end")], axis=1)[order]
    return offsets, spans, p[order]


def ragged_codes(qids: list[str], codes_of, d: int, max_rows: int) -> tuple[np.ndarray, np.ndarray]:
    """Return (offsets [N+1], rows [T, d]): at most ``max_rows`` rows of ``codes_of(qid)`` per node."""
    parts = [np.asarray(codes_of(q), dtype=np.float32)[:max_rows] for q in qids]
    counts = np.array([len(x) for x in parts], dtype=np.int64)
    rows = np.concatenate(parts) if parts and counts.sum() else np.zeros((0, d), np.float32)
    return np.concatenate([[0], np.cumsum(counts)]).astype(np.int64), rows.reshape(-1, d)


def label_word_vectors(labels: list[str | None], lookup) -> tuple[np.ndarray, np.ndarray]:
    """Return (offsets [N+1], vectors [V, d_word]): LP of each node label's tokens (eq. 6)."""
    from kire.embed.tokenize import tokenize_many

    tokens = list(tokenize_many([label or "" for label in labels]))
    return ragged_codes(list(range(len(tokens))), lambda i: lookup.matrix(tokens[i]), lookup.dim, 1 << 30)


def load_split_knowledge(*, n_docs: int, coref: str | Path | None, subgraph_dir: str | Path, split: str,
                         codes_dir: str | Path | None, max_attributes: int = 20, label_lookup=None
                         ) -> SplitKnowledge:
    """Read one split's knowledge (see module docstring).

    ``coref`` None: no coreference triples; ``codes_dir`` None: every node without attribute codes
    (only sensible with the "w/o attr." ablation, which needs ``label_lookup``, an LPLookup).
    """
    import pyarrow.parquet as pq

    root = Path(subgraph_dir)
    split_dir = root / split
    tables = {}
    for name in ("nodes", "edges", "doc_entities"):
        path = split_dir / f"{name}.parquet"
        if not path.is_file():
            raise InputError(str(path), None, None, "file not found (run the subgraph stage first)")
        tables[name] = pq.read_table(path)
    rel_path = root / "relations.parquet"
    if not rel_path.is_file():
        raise InputError(str(rel_path), None, None, "file not found (run the subgraph stage first)")
    n_relations = max(pq.read_table(rel_path).num_rows, 1)

    nodes = tables["nodes"].sort_by("node")
    node_ids = nodes.column("node").to_numpy()
    if not np.array_equal(node_ids, np.arange(len(node_ids))):
        raise InputError(str(split_dir / "nodes.parquet"), None, "node", "node ids are not 0..N-1")
    qids = nodes.column("qid").to_pylist()
    edges = np.stack([tables["edges"].column(c).to_numpy().astype(np.int64) for c in ("src", "rel", "dst")],
                     axis=1) if tables["edges"].num_rows else np.zeros((0, 3), np.int64)
    if len(edges) and (edges[:, [0, 2]].max() >= len(qids) or edges[:, 1].max() >= n_relations):
        raise InputError(str(split_dir / "edges.parquet"), None, "src/rel/dst", "index beyond nodes or relations")
    links = tables["doc_entities"]
    link_doc = links.column("doc").to_numpy().astype(np.int64)
    if len(link_doc) and link_doc.max() >= n_docs:
        raise InputError(str(split_dir / "doc_entities.parquet"), None, "doc",
                         f"document index beyond the split's {n_docs} documents")
    order, entity_offsets = grouped_offsets(link_doc, n_docs)
    entity_nodes = np.stack([links.column("entity").to_numpy().astype(np.int64),
                             links.column("node").to_numpy().astype(np.int64)], axis=1)[order] \
        if len(link_doc) else np.zeros((0, 2), np.int64)

    if coref is not None:
        from kire.coref.table import read_coref

        coref_offsets, spans, p = coref_arrays(read_coref(coref), n_docs, str(coref))
    else:
        coref_offsets, spans, p = np.zeros(n_docs + 1, np.int64), np.zeros((0, 4), np.int64), np.zeros(0, np.float32)

    if codes_dir is not None:
        from kire.embed.codes import read_attribute_codes

        attr = read_attribute_codes(codes_dir)
        code_offsets, codes = ragged_codes(qids, attr.codes_of, attr.code_dim, max_attributes)
    else:
        code_offsets, codes = np.zeros(len(qids) + 1, np.int64), np.zeros((0, 100), np.float32)
    label_offsets = label_vectors = None
    if label_lookup is not None:
        label_offsets, label_vectors = label_word_vectors(nodes.column("label").to_pylist(), label_lookup)
    log.info("%s knowledge: %d coreference triples, %d links, %d nodes, %d edges, %d attribute codes",
             split, len(spans), len(entity_nodes), len(qids), len(edges), len(codes))
    return SplitKnowledge(n_docs=n_docs, coref_offsets=coref_offsets, coref_spans=spans, coref_p=p,
                          entity_offsets=entity_offsets, entity_nodes=entity_nodes, node_qids=qids, edges=edges,
                          n_relations=n_relations, code_offsets=code_offsets, codes=codes,
                          label_offsets=label_offsets, label_vectors=label_vectors)
