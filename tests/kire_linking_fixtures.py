"""Tiny KGs and documents for the docs/linking/filter tests (written with kire.kg.schema's schemas)."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from kire.docs.model import Document, Entity, Label, Mention, write_documents
from kire.kg.schema import KG_TABLES


def write_kg(kg_dir: Path, items: dict[str, tuple[str, int, int]], aliases: dict[str, list[str]] | None = None,
             triples: list[tuple[str, str, str]] = (), attributes: list[tuple[str, str, str]] = (),
             sitelinks: dict[str, str | dict[str, str]] | None = None) -> Path:
    """Write a KG folder: ``items`` {qid: (label, sitelinks, statements)}, extra English ``aliases``,
    relation ``triples`` (head, property, tail), attribute rows (id, property, value) and
    ``sitelinks`` {qid: enwiki title, or {site: title}} (the table as `kire kg extract` writes it;
    none given: every item's label is its enwiki title)."""
    aliases = aliases or {}
    if sitelinks is None:
        sitelinks = {q: lab for q, (lab, _, _) in items.items()}
    pages = {q: ({"enwiki": t} if isinstance(t, str) else t) for q, t in sitelinks.items()}
    rows = {
        "entities": [{"id": q, "type": "item", "label": lab, "description": f"desc of {lab}", "datatype": None,
                      "n_sitelinks": sl, "n_statements": st} for q, (lab, sl, st) in items.items()],
        "aliases": [{"id": q, "lang": "en", "alias": lab, "is_label": True} for q, (lab, _, _) in items.items()]
        + [{"id": q, "lang": "en", "alias": a, "is_label": False} for q, names in aliases.items() for a in names],
        "relation_triples": [{"head": h, "property": p, "tail": t, "rank": "normal", "statement_id": f"{h}${i}"}
                             for i, (h, p, t) in enumerate(triples)],
        "attribute_triples": [{"id": q, "property": p, "value": v, "datatype": "string", "rank": "normal",
                               "statement_id": f"{q}$a{i}"} for i, (q, p, v) in enumerate(attributes)],
        "qualifiers": [],
        "sitelinks": [{"id": q, "site": site, "title": title, "badges": []}
                      for q, by_site in pages.items() for site, title in by_site.items()],
    }
    for table, schema in KG_TABLES.items():
        (kg_dir / table).mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.Table.from_pylist(rows[table], schema=schema), kg_dir / table / "part-0.parquet")
    return kg_dir


def doc(title: str, names: list[tuple[str, str]], labels: list[tuple[int, int, str]] | None = None) -> Document:
    """A one-sentence document whose entities are ``names`` [(surface, type)], one mention each."""
    sents, entities = [[]], []
    for name, etype in names:
        toks = name.split()
        start = len(sents[0])
        sents[0].extend(toks + ["and"])
        entities.append(Entity([Mention(0, start, start + len(toks), name, etype)], etype))
    return Document(title, sents, entities, None if labels is None else [Label(h, t, r) for h, t, r in labels])


def write_splits(root: Path, splits: dict[str, list[Document]]) -> Path:
    """Write document tables under ``root/<split>``."""
    for split, docs in splits.items():
        write_documents(docs, root / split)
    return root
