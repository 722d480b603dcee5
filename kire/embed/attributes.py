"""Attribute sequences q = [a; v] (paper 4.2): one token sequence per attribute triple of an entity.

An entity's attributes, in this order: its label, its description, one ``instance of`` triple per
P31 value (the class's label as value), its aliases (other than the label itself), then its
attribute triples (``attribute_triples`` table; the property's label is the attribute name, the
value text as rendered by the KG stage: numbers and dates are text). Datatypes listed in
``exclude_datatypes`` (external ids, media, urls by default) are left out, and at most
``max_triples`` are kept per entity, in that order.

Table ``attribute_sequences`` (one Parquet file), sorted by ``entity`` then ``triple``:

``entity``     string   KG id (e.g. Q64)
``triple``     int32    0-based ordinal of the triple within its entity
``attribute``  string   attribute name a (e.g. "label", "instance of", "population")
``value``      string   value text v
``tokens``     list<string>  tokenize(a) + tokenize(v), cut to ``max_tokens``
``value_id``   string   the class's KG id on ``instance of`` rows (the triple's tail), else null

The ``instance of`` rows are relation triples: the leakage filter (kire.subgraph.filter) may drop
some of them, so :func:`without_dropped_classes` removes those rows before codes are exported.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pyarrow as pa

from kire.embed.tokenize import tokenize_many
from kire.errors import InputError

log = logging.getLogger(__name__)

SEQUENCE_SCHEMA = pa.schema([
    ("entity", pa.string()), ("triple", pa.int32()), ("attribute", pa.string()),
    ("value", pa.string()), ("tokens", pa.list_(pa.string())), ("value_id", pa.string()),
])

DEFAULT_EXCLUDED_DATATYPES = ("external-id", "commonsMedia", "url", "geo-shape", "tabular-data")
INSTANCE_OF = "P31"


def kg_table_glob(kg_dir: str | Path, table: str) -> str:
    """Return the glob of a KG table's shards, ``<kg_dir>/<table>/part-*.parquet``; raise an
    InputError when it has none."""
    folder = Path(kg_dir) / table
    if not any(folder.glob("part-*.parquet")):
        raise InputError(str(folder), None, None, "no part-*.parquet shards (run `kire kg extract`)")
    return str(folder / "part-*.parquet")


def attribute_rows(kg_dir: str | Path, entity_ids: list[str] | None = None,
                   exclude_datatypes: tuple[str, ...] | list[str] = DEFAULT_EXCLUDED_DATATYPES,
                   max_triples: int = 64) -> pa.Table:
    """Return (entity, triple, attribute, value, value_id) rows of the items of the KG at ``kg_dir``
    (all items, or those of ``entity_ids``), ordered as the module docstring says."""
    import duckdb

    con = duckdb.connect()
    for table in ("entities", "aliases", "relation_triples", "attribute_triples"):
        con.sql(f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{kg_table_glob(kg_dir, table)}')")
    if entity_ids is None:
        con.sql("CREATE VIEW items AS SELECT id, label, description FROM entities WHERE type = 'item'")
    else:
        wanted = pa.table({"id": pa.array(sorted(set(entity_ids)), pa.string())})
        con.register("wanted", wanted)
        con.sql("CREATE VIEW items AS SELECT e.id, e.label, e.description "
                "FROM entities e JOIN wanted w USING (id) WHERE e.type = 'item'")
    excluded = pa.table({"datatype": pa.array(list(exclude_datatypes), pa.string())})
    con.register("excluded", excluded)
    query = f"""
    WITH props AS (SELECT id, label FROM entities WHERE type = 'property'),
    rows AS (
        SELECT id AS entity, 0 AS kind, '' AS k1, '' AS k2, 'label' AS attribute, label AS value,
               CAST(NULL AS VARCHAR) AS value_id
        FROM items
      UNION ALL
        SELECT id, 1, '', '', 'description', description, NULL FROM items
      UNION ALL
        SELECT r.head, 2, r.tail, coalesce(r.statement_id, ''),
               coalesce((SELECT label FROM props WHERE id = '{INSTANCE_OF}'), 'instance of'),
               coalesce(t.label, r.tail), r.tail
        FROM relation_triples r JOIN items i ON r.head = i.id
        LEFT JOIN entities t ON t.id = r.tail
        WHERE r.property = '{INSTANCE_OF}'
      UNION ALL
        SELECT a.id, 3, a.lang, a.alias, 'alias', a.alias, NULL
        FROM aliases a JOIN items i ON a.id = i.id
        WHERE a.alias IS DISTINCT FROM i.label
      UNION ALL
        SELECT t.id, 4, t.property, t.value, coalesce(p.label, t.property), t.value, NULL
        FROM attribute_triples t JOIN items i ON t.id = i.id
        LEFT JOIN props p ON p.id = t.property
        WHERE t.datatype IS NULL OR t.datatype NOT IN (SELECT datatype FROM excluded)
    ),
    kept AS (
        SELECT DISTINCT ON (entity, attribute, value) entity, kind, k1, k2, attribute, value, value_id
        FROM rows WHERE value IS NOT NULL AND trim(value) <> ''
        ORDER BY entity, attribute, value, kind, k1, k2
    ),
    numbered AS (
        SELECT entity, attribute, value, value_id,
               row_number() OVER (PARTITION BY entity ORDER BY kind, k1, k2, attribute, value) - 1
                 AS triple
        FROM kept
    )
    SELECT entity, CAST(triple AS INTEGER) AS triple, attribute, value, value_id
    FROM numbered WHERE triple < {int(max_triples)}
    ORDER BY entity, triple
    """
    return con.sql(query).to_arrow_table()


def selected_entity_ids(kg_dir: str | Path, entity_ids: list[str] | None = None) -> list[str]:
    """Return the sorted ids of the KG's items (all, or those of ``entity_ids`` found in the KG)."""
    import duckdb

    con = duckdb.connect()
    glob = kg_table_glob(kg_dir, "entities")
    ids = con.sql(f"SELECT id FROM read_parquet('{glob}') WHERE type = 'item' ORDER BY id")
    found = ids.to_arrow_table().column("id").to_pylist()
    if entity_ids is None:
        return found
    wanted = set(entity_ids)
    return [i for i in found if i in wanted]


def attribute_sequences(kg_dir: str | Path, entity_ids: list[str] | None = None,
                        exclude_datatypes=DEFAULT_EXCLUDED_DATATYPES, max_triples: int = 64,
                        max_tokens: int = 32, progress: bool = False) -> pa.Table:
    """Return the ``attribute_sequences`` table (module docstring) of the KG at ``kg_dir``."""
    from kire.progress import progress_iter

    rows = attribute_rows(kg_dir, entity_ids, exclude_datatypes, max_triples)
    attributes = rows.column("attribute").to_pylist()
    values = rows.column("value").to_pylist()
    name_tokens = {a: toks for a, toks in zip(sorted(set(attributes)),
                                              tokenize_many(sorted(set(attributes))))}
    value_tokens = tokenize_many(values)
    # A bar on a terminal, plain lines in a rule log (no carriage-return redraws).
    value_tokens = progress_iter(value_tokens, "tokenize attributes", total=len(values), unit="triple",
                                 enabled=progress)
    # value_tokens first: zip then draws it to its end, so its progress counts the last triple too
    tokens = [(name_tokens[a] + v)[:max_tokens] for v, a in zip(value_tokens, attributes)]
    log.info("%d attribute triples of %d entities", rows.num_rows,
             len(set(rows.column("entity").to_pylist())))
    return pa.table({
        "entity": rows.column("entity"), "triple": rows.column("triple"),
        "attribute": rows.column("attribute"), "value": rows.column("value"),
        "tokens": pa.array(tokens, pa.list_(pa.string())), "value_id": rows.column("value_id"),
    }, schema=SEQUENCE_SCHEMA)


def without_dropped_classes(sequences: pa.Table, filtered_dir: str | Path,
                            file: str = "sequences") -> pa.Table:
    """Return ``sequences`` (the table above) without the ``instance of`` rows whose triple
    ``entity -P31-> value_id`` is not among the relation triples of ``filtered_dir`` (the output of
    `kire kg filter`), with ``triple`` renumbered 0.. within each entity.

    Raises InputError when ``sequences`` has no ``value_id`` column (written before it existed:
    rerun `kire embed sequences`) or ``filtered_dir`` has no relation triples.
    """
    import duckdb

    if "value_id" not in sequences.column_names:
        raise InputError(file, None, "value_id", "column missing: rerun `kire embed sequences`")
    con = duckdb.connect()
    try:
        con.register("seq", sequences)
        kept = con.sql(f"""
            SELECT s.* REPLACE (
                CAST(row_number() OVER (PARTITION BY s.entity ORDER BY s.triple) - 1 AS INTEGER) AS triple)
            FROM seq s
            WHERE s.value_id IS NULL OR EXISTS (
                SELECT 1 FROM read_parquet('{kg_table_glob(filtered_dir, "relation_triples")}') r
                WHERE r.head = s.entity AND r.property = '{INSTANCE_OF}' AND r.tail = s.value_id)
            ORDER BY s.entity, triple""").to_arrow_table()
    finally:
        con.close()
    return kept.cast(sequences.schema)
