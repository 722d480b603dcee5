"""DuckDB access to the KG written by `kire kg extract` (layout: DIR/<table>/part-*.parquet).

The one place that opens DuckDB connections for KG work: ``<kg_dir>/kg.duckdb`` with one view per
table (:func:`write_views`), :func:`connect` (a fresh connection, optionally with the KG's views),
:func:`kg_table_sql` (one table's Parquet parts as a SQL source, checked so that a wrong folder fails
with one clear line) and :func:`run_query` (`kire kg query`). Schemas are fixed in
:mod:`kire.kg.schema`.
"""

from __future__ import annotations

import json
from pathlib import Path

from kire.errors import KireError
from kire.io import atomic_path

DB_NAME = "kg.duckdb"


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


def _view_sql(root: Path, table: str) -> str:
    pattern = str((root / table / "part-*.parquet").resolve())
    return f"CREATE OR REPLACE VIEW {table} AS SELECT * FROM read_parquet({sql_string(pattern)})"


def write_views(root: Path, tables: list[str]) -> Path:
    """Write ``root/kg.duckdb`` with a view per table over its Parquet shards (absolute paths)."""
    import duckdb

    target = root / DB_NAME
    with atomic_path(target) as tmp:
        tmp.unlink()  # duckdb refuses to open an empty file as a database
        con = duckdb.connect(str(tmp))
        try:
            for table in tables:
                con.execute(_view_sql(root, table))
        finally:
            con.close()
    return target


def connect(threads: int | None = None, memory_limit: str | None = None, *, kg_dir: str | Path | None = None):
    """A DuckDB connection, optionally limited in threads and memory (e.g. ``"6000MB"``).

    Without ``kg_dir``: a fresh in-memory database; KG tables are read with :func:`kg_table_sql`.
    With ``kg_dir``: the KG's views (one per extracted table), read-only from ``kg_dir/kg.duckdb``,
    or rebuilt in memory when the folder was moved since extraction. Raises KireError when
    ``kg_dir`` holds no finished extraction (no manifest.json).
    """
    import duckdb

    if kg_dir is None:
        con = duckdb.connect()
    else:
        root = Path(kg_dir)
        manifest = root / "manifest.json"
        if not manifest.is_file():
            raise KireError(f"{root} holds no finished KG extraction (no manifest.json); run `kire kg extract`")
        info = json.loads(manifest.read_text(encoding="utf-8"))
        if Path(info.get("out", "")) == root.resolve() and (root / DB_NAME).is_file():
            con = duckdb.connect(str(root / DB_NAME), read_only=True)
        else:
            con = duckdb.connect(":memory:")
            for table in info["rows"]:
                con.execute(_view_sql(root, table))
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    if memory_limit:
        con.execute(f"SET memory_limit = {sql_string(memory_limit)}")
    if kg_dir is None:  # pipeline stages order their results themselves; `kire kg query` prints SQL's order
        con.execute("SET preserve_insertion_order = false")
    return con


def format_table(columns: list[str], rows: list[tuple], max_width: int = 60) -> str:
    """Rows as an aligned text table with a header line (cells cut to ``max_width`` characters)."""

    def cell(value) -> str:
        text = "NULL" if value is None else str(value)
        text = text.replace("\n", " ")
        return text if len(text) <= max_width else text[: max_width - 1] + "…"

    cells = [[cell(v) for v in row] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    line = lambda values: "  ".join(v.ljust(w) for v, w in zip(values, widths)).rstrip()  # noqa: E731
    out = [line(columns), line(["-" * w for w in widths])] + [line(r) for r in cells]
    return "\n".join(out)


def run_query(root: str | Path, sql: str, limit: int | None = 1000) -> tuple[list[str], list[tuple]]:
    """Run ``sql`` over the KG's views; return (column names, rows), at most ``limit`` rows."""
    import duckdb

    con = connect(kg_dir=root)
    try:
        try:
            rel = con.sql(sql)
        except duckdb.Error as err:
            raise KireError(f"query failed: {err}") from err
        if rel is None:  # a statement without a result
            return [], []
        rows = rel.limit(limit).fetchall() if limit else rel.fetchall()
        return list(rel.columns), rows
    finally:
        con.close()
