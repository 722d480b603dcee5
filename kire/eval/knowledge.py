"""What the knowledge channel knew about each entity pair of a split, for the breakdowns:
whether its entities are linked to the KG, and whether a KG edge of the split's subgraph joins them.

Read from the pipeline's own tables (their layouts: kire.linking.link and kire.subgraph.build):

- the dataset's links table ``RESULTS/links/<dataset>/links.parquet`` (``split``, ``doc``,
  ``entity``, ``qid``): an entity is *linked* when it has a row of this split with a QID;
- the split's subgraph ``RESULTS/subgraph/<dataset>/<split>/`` (``doc_entities.parquet``: doc,
  entity -> node; ``edges.parquet``: src, rel, dst): a pair is joined by a *KG edge* when an edge
  runs between its two entities' nodes in either direction. The subgraph is built from the
  filtered triples, so an edge the leakage filter removed does not count.

``doc`` in both tables is the document's position in the split (the document tables of
`kire docs prepare`); the truth maps each title to that position (titles are unique in a scored
split), so evaluate against the document tables the links and the subgraph were made from.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kire.errors import InputError
from kire.eval.metric import Truth


@dataclass(frozen=True)
class PairKnowledge:
    """Per title: the linked entity indices, and the unordered entity pairs a KG edge joins.

    Either part may be None (not given).
    """

    linked: dict[str, frozenset[int]] | None = None
    kg_pairs: dict[str, frozenset[tuple[int, int]]] | None = None

    def linked_group(self, truth: Truth, title: str, h: int, t: int) -> str:
        """"both", "one" or "none": how many of the pair's two entities are linked."""
        linked = self.linked.get(title, frozenset())
        return ("none", "one", "both")[(h in linked) + (t in linked)]

    def edge_group(self, truth: Truth, title: str, h: int, t: int) -> str:
        """"edge" when a KG edge of the split's subgraph joins the pair's entities, else "no_edge"."""
        return "edge" if (min(h, t), max(h, t)) in self.kg_pairs.get(title, frozenset()) else "no_edge"


def _read_table(path: Path, columns: list[str]):
    import pyarrow as pa
    import pyarrow.parquet as pq

    if not path.is_file():
        raise InputError(str(path), None, None, "file not found")
    try:
        table = pq.read_table(path)
    except (pa.ArrowInvalid, OSError) as err:
        raise InputError(str(path), None, None, f"not a Parquet file ({err})") from None
    missing = [c for c in columns if c not in table.column_names]
    if missing:
        raise InputError(str(path), None, missing[0], f"missing column (needs {', '.join(columns)})")
    return table.select(columns).to_pylist()


def _check_entity(path: Path, i: int, doc, entity, n_entities: list[int]) -> None:
    if not (isinstance(doc, int) and 0 <= doc < len(n_entities)):
        raise InputError(str(path), f"row {i}", "doc",
                         f"{doc} is no document of the split ({len(n_entities)} documents): "
                         "are these the tables of another split or dataset?")
    if not (isinstance(entity, int) and 0 <= entity < n_entities[doc]):
        raise InputError(str(path), f"row {i}", "entity",
                         f"{entity} is no entity of document {doc} ({n_entities[doc]} entities)")


def linked_entities(links_path: str | Path, split: str, n_entities: list[int]) -> dict[int, frozenset[int]]:
    """``{doc: linked entity indices}`` of ``split`` from a links table (file or its folder).

    ``n_entities``: entities per document of the split, by position (rows outside raise InputError).
    """
    path = Path(links_path)
    if path.is_dir():
        path = path / "links.parquet"
    out: dict[int, set[int]] = {}
    for i, row in enumerate(_read_table(path, ["split", "doc", "entity", "qid"])):
        if row["split"] != split or not row["qid"]:
            continue
        _check_entity(path, i, row["doc"], row["entity"], n_entities)
        out.setdefault(row["doc"], set()).add(row["entity"])
    return {doc: frozenset(ents) for doc, ents in out.items()}


def kg_joined_pairs(subgraph_dir: str | Path, n_entities: list[int]) -> dict[int, frozenset[tuple[int, int]]]:
    """``{doc: {(i, j), i <= j}}``: entity pairs of each document joined by an edge of the split's
    subgraph ``subgraph_dir`` (``RESULTS/subgraph/<dataset>/<split>``), in either direction."""
    folder = Path(subgraph_dir)
    edges = {(min(e["src"], e["dst"]), max(e["src"], e["dst"]))
             for e in _read_table(folder / "edges.parquet", ["src", "dst"])}
    nodes_of: dict[int, dict[int, int]] = {}
    path = folder / "doc_entities.parquet"
    for i, row in enumerate(_read_table(path, ["doc", "entity", "node"])):
        _check_entity(path, i, row["doc"], row["entity"], n_entities)
        nodes_of.setdefault(row["doc"], {})[row["entity"]] = row["node"]
    out: dict[int, frozenset[tuple[int, int]]] = {}
    for doc, nodes in nodes_of.items():
        items = sorted(nodes.items())
        out[doc] = frozenset(
            (h, t) for a, (h, u) in enumerate(items) for t, v in items[a:]
            if (min(u, v), max(u, v)) in edges
        )
    return out


def pair_knowledge(truth: Truth, split: str, links: str | Path | None = None,
                   subgraph_root: str | Path | None = None) -> PairKnowledge | None:
    """The breakdown inputs of one split, mapped onto ``truth``'s titles by document position.

    ``links``: the dataset's links table (file or folder); ``subgraph_root``: the dataset's
    subgraph folder, whose ``<split>/`` is read. None when neither is given.
    """
    if links is None and subgraph_root is None:
        return None
    titles = sorted(truth.doc_index, key=truth.doc_index.get)
    n_entities = [truth.n_entities[title] for title in titles]
    linked = kg_pairs = None
    if links is not None:
        by_doc = linked_entities(links, split, n_entities)
        linked = {title: by_doc.get(i, frozenset()) for i, title in enumerate(titles)}
    if subgraph_root is not None:
        by_doc = kg_joined_pairs(Path(subgraph_root) / split, n_entities)
        kg_pairs = {title: by_doc.get(i, frozenset()) for i, title in enumerate(titles)}
    return PairKnowledge(linked, kg_pairs)
