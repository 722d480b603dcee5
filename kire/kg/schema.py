"""Schemas of the KG tables every later stage reads.

Each table is a Parquet dataset ``<kg_dir>/<table>/part-*.parquet`` (zstd).
"""

from __future__ import annotations

import pyarrow as pa

#: columns with few distinct values, the only ones worth Parquet's dictionary encoding: ids, values,
#: titles and statement ids are (nearly) unique per chunk, and trying a dictionary on them cost more
#: CPU than it saved space (measured on 210 MB of synthetic dump: 0.113 -> 0.095 CPU-s of Parquet
#: writing, and 4% smaller files)
DICTIONARY_COLUMNS = frozenset({"type", "datatype", "property", "rank", "lang", "site"})

KG_TABLES: dict[str, pa.Schema] = {
    # One row per item or property.
    "entities": pa.schema([
        ("id", pa.string()), ("type", pa.string()),  # type: item | property
        ("label", pa.string()), ("description", pa.string()),
        ("datatype", pa.string()),  # properties only, e.g. wikibase-item, time
        ("n_sitelinks", pa.int32()), ("n_statements", pa.int32()),
    ]),
    # The label and every alias in the configured languages.
    "aliases": pa.schema([
        ("id", pa.string()), ("lang", pa.string()), ("alias", pa.string()), ("is_label", pa.bool_()),
    ]),
    # Statements whose main snak is a value snak with an item value.
    "relation_triples": pa.schema([
        ("head", pa.string()), ("property", pa.string()), ("tail", pa.string()),
        ("rank", pa.string()), ("statement_id", pa.string()),
    ]),
    # Every other value statement, its value rendered as text; rank and statement_id as in
    # relation_triples (qualifiers join on statement_id).
    "attribute_triples": pa.schema([
        ("id", pa.string()), ("property", pa.string()), ("value", pa.string()),
        ("datatype", pa.string()), ("rank", pa.string()), ("statement_id", pa.string()),
    ]),
    # Qualifier snaks of statements (when configured).
    "qualifiers": pa.schema([
        ("statement_id", pa.string()), ("property", pa.string()), ("value", pa.string()),
        ("datatype", pa.string()),
    ]),
    # The item's page on each configured wiki (kg.sitelinks, default enwiki): the title exactly as
    # in the dump (spaces, not underscores), badges as QIDs (e.g. Q17437796 featured article, Q17437798 good article).
    "sitelinks": pa.schema([
        ("id", pa.string()), ("site", pa.string()), ("title", pa.string()),
        ("badges", pa.list_(pa.string())),
    ]),
}
