"""A small KG written with the schemas of kire.kg.schema, for the embed tests."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from kire.kg.schema import KG_TABLES

_ENTITIES = [
    # id, type, label, description, datatype
    ("P31", "property", "instance of", "", "wikibase-item"),
    ("P1082", "property", "population", "", "quantity"),
    ("P571", "property", "inception", "", "time"),
    ("P214", "property", "VIAF ID", "", "external-id"),
    ("Q515", "item", "city", "large human settlement", None),
    ("Q6256", "item", "country", "distinct territorial body", None),
    ("Q64", "item", "Berlin", "capital and largest city of Germany", None),
    ("Q84", "item", "London", "capital and largest city of the United Kingdom", None),
    ("Q183", "item", "Germany", "country in Central Europe", None),
    ("Q900000001", "item", "Zyqqa Vrelt", None, None),
]
_ALIASES = [
    ("Q64", "en", "Berlin", True), ("Q64", "de", "Berlin", True), ("Q64", "en", "Berlin, Germany", False),
    ("Q84", "en", "London", True), ("Q84", "en", "London, UK", False),
    ("Q183", "en", "Germany", True), ("Q183", "en", "FRG", False), ("Q183", "de", "Deutschland", True),
]
_RELATIONS = [
    ("Q64", "P31", "Q515", "normal", "s1"), ("Q84", "P31", "Q515", "normal", "s2"),
    ("Q183", "P31", "Q6256", "normal", "s3"), ("Q64", "P17", "Q183", "normal", "s4"),
]
_ATTRIBUTES = [  # id, property, value, datatype, rank, statement_id
    ("Q64", "P1082", "3,755,251", "quantity", "normal", "a1"), ("Q64", "P571", "1237", "time", "normal", "a2"),
    ("Q64", "P214", "000000123", "external-id", "normal", "a3"),
    ("Q84", "P1082", "8,799,800", "quantity", "normal", "a4"), ("Q84", "P999", "mystery value", "string", "normal", "a5"),
]


def _table(name: str, rows: list[tuple]) -> pa.Table:
    schema = KG_TABLES[name]
    columns = list(zip(*rows)) if rows else [[] for _ in schema]
    return pa.table({f.name: pa.array(list(c), f.type) for f, c in zip(schema, columns)},
                    schema=schema)


def write_small_kg(kg_dir: Path, extra_items: list[tuple[str, str, str | None]] = ()) -> Path:
    """Write entities/aliases/relation_triples/attribute_triples under ``kg_dir``; return it.

    ``extra_items`` adds (id, label, description) items.
    """
    entities = [(i, t, lab, desc, dt, 1, 1) for i, t, lab, desc, dt in _ENTITIES]
    entities += [(i, "item", lab, desc, None, 0, 0) for i, lab, desc in extra_items]
    tables = {"entities": entities, "aliases": _ALIASES, "relation_triples": _RELATIONS,
              "attribute_triples": _ATTRIBUTES}
    for name, rows in tables.items():
        (kg_dir / name).mkdir(parents=True, exist_ok=True)
        pq.write_table(_table(name, rows), kg_dir / name / "part-00000.parquet")
    return kg_dir
