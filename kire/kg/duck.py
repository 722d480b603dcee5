"""The DuckDB side of the KG: ``<kg_dir>/kg.duckdb`` with one view per table, and SQL queries over it."""

from __future__ import annotations

import json
from pathlib import Path

from kire.errors import KireError
from kire.io import atomic_path

DB_NAME = "kg.duckdb"


def _view_sql(root: Path, table: str) -> str:
    pattern = str((root / table / "part-*.parquet").resolve()).replace("'", "''")
    return f"CREATE OR REPLACE VIEW {table} AS SELECT * FROM read_parquet('{pattern}')"


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


def connect(root: str | Path):
    """A read-only connection with the KG's views; rebuilt in memory when the folder was moved.

    Raises KireError when the folder holds no finished extraction (no manifest.json).
    """
    import duckdb

    root = Path(root)
    manifest = root / "manifest.json"
    if not manifest.is_file():
        raise KireError(f"{root} holds no finished KG extraction (no manifest.json); run `kire kg extract`")
    info = json.loads(manifest.read_text(encoding="utf-8"))
    if Path(info.get("out", "")) == root.resolve() and (root / DB_NAME).is_file():
        return duckdb.connect(str(root / DB_NAME), read_only=True)
    con = duckdb.connect(":memory:")
    for table in info["rows"]:
        con.execute(_view_sql(root, table))
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

    con = connect(root)
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
