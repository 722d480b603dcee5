"""The ``kg_aliases`` source: spans matching two different aliases (or labels) of one linked entity.

For each document, every linked entity (links table: dataset, split, doc, entity, qid, ...)
contributes its KG label and aliases (KG ``aliases`` table: id, lang, alias, is_label) in the
configured languages. A span of the document's tokens matches an alias when their characters agree
with whitespace removed (so "Apple Inc." matches the tokens "Apple", "Inc."; case counts, so the
pronoun "it" never matches an alias "IT"). Two non-overlapping spans that match two *different*
aliases of the same entity form a triple with p = the configured prior (0.9, as the original).
Only maximal matches count: a match inside a longer one is dropped.
"""

from __future__ import annotations

from collections import defaultdict
from itertools import combinations
from pathlib import Path

from kire.coref.table import Triple
from kire.docs.model import Document
from kire.errors import KireError

SOURCE = "kg_aliases"
MAX_ALIAS_TOKENS = 12
MIN_ALIAS_CHARS = 2


def alias_key(text: str) -> str:
    """Matching key of an alias or a token sequence: its characters without whitespace."""
    return "".join(text.split())


def read_doc_links(links_path: str | Path, split: str) -> dict[int, dict[int, str]]:
    """``{doc: {entity: qid}}`` of one split from a links Parquet file."""
    import pyarrow.parquet as pq

    path = Path(links_path)
    if not path.exists():
        raise KireError(f"links file {path} not found (run the link_entities rule first)")
    table = pq.read_table(path, columns=["split", "doc", "entity", "qid"])
    out: dict[int, dict[int, str]] = defaultdict(dict)
    for row in table.to_pylist():
        if row["split"] == split and row["qid"]:
            out[row["doc"]][row["entity"]] = row["qid"]
    return dict(out)


def read_aliases(kg_dir: str | Path, qids: set[str], languages: list[str]) -> dict[str, set[str]]:
    """``{qid: {label and aliases}}`` in ``languages`` from ``kg_dir/aliases/part-*.parquet``."""
    import pyarrow.dataset as ds

    folder = Path(kg_dir) / "aliases"
    if not folder.is_dir():
        raise KireError(f"KG aliases table {folder} not found (run the extract_kg rule first)")
    if not qids:
        return {}
    table = ds.dataset(folder, format="parquet").to_table(
        columns=["id", "alias"],
        filter=(ds.field("id").isin(sorted(qids))) & (ds.field("lang").isin(list(languages))),
    )
    out: dict[str, set[str]] = defaultdict(set)
    for qid, alias in zip(table.column("id").to_pylist(), table.column("alias").to_pylist()):
        if alias and len(alias.strip()) >= MIN_ALIAS_CHARS:
            out[qid].add(alias.strip())
    return dict(out)


def alias_triples(doc: Document, entity_qids: dict[int, str], aliases: dict[str, set[str]],
                  prior: float = 0.9) -> list[Triple]:
    """Triples (p = ``prior``) of spans of ``doc`` matching two different aliases of one linked entity."""
    by_key: dict[str, set[tuple[str, str]]] = defaultdict(set)  # key -> {(qid, alias key)}
    for qid in set(entity_qids.values()):
        for alias in aliases.get(qid, ()):
            key = alias_key(alias)
            by_key[key].add((qid, key))
    if not by_key:
        return []
    lengths = {len(k) for k in by_key}
    tokens = doc.tokens
    matches: dict[str, list[tuple[tuple[int, int], str]]] = defaultdict(list)
    for start in range(len(tokens)):
        text = ""
        for end in range(start + 1, min(start + MAX_ALIAS_TOKENS, len(tokens)) + 1):
            text += alias_key(tokens[end - 1])
            if len(text) > max(lengths):
                break
            for qid, key in by_key.get(text, ()):
                matches[qid].append(((start, end), key))
    # A match inside a longer match ("IBM Research" in "IBM Research Brazil") is not a mention.
    found = {span for spans in matches.values() for span, _ in spans}
    inside = {a for a in found for b in found if a != b and b[0] <= a[0] and a[1] <= b[1]}
    triples = []
    for qid, spans in matches.items():
        spans = [(span, key) for span, key in spans if span not in inside]
        for (a, ka), (b, kb) in combinations(sorted(spans), 2):
            if ka != kb and (a[1] <= b[0] or b[1] <= a[0]):
                triples.append(Triple(a, b, SOURCE, prior))
    return triples
