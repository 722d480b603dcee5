"""DuckDB access to the KG tables written by `kire kg extract` (layout: DIR/<table>/part-*.parquet).

Schemas are fixed in :mod:`kire.kg.schema`; this module only turns a KG folder into SQL sources and
checks that the columns a query needs are there, so a wrong folder fails with one clear line.
"""

from __future__ import annotations

from pathlib import Path

from kire.errors import KireError


def sql_string(value: str) -> str:
    """``value`` as a SQL string literal."""
    return "'" + str(value).replace("'", "''") + "'"


def kg_table_sql(kg_dir: str | Path, table: str) -> str:
    """SQL source (``read_parquet(...)``) of one KG table; KireError if it has no Parquet part."""
    from kire.kg.schema import KG_TABLES

    if table not in KG_TABLES:
        raise KireError(f"unknown KG table {table!r} (known: {', '.join(KG_TABLES)})")
    folder = Path(kg_dir) / table
    if not any(folder.glob("*.parquet")):
        raise KireError(f"KG table {table} not found: no {folder}/*.parquet (run `kire kg extract` first)")
    return f"read_parquet({sql_string(str(folder / '*.parquet'))}, union_by_name=true)"


def connect(threads: int | None = None, memory_limit: str | None = None):
    """A fresh in-memory DuckDB connection (optionally limited in threads and memory)."""
    import duckdb

    con = duckdb.connect()
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    if memory_limit:
        con.execute(f"SET memory_limit = {sql_string(memory_limit)}")
    con.execute("SET preserve_insertion_order = false")
    return con
