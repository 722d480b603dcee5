"""Per-split KG subgraphs for the KG encoder (`kire subgraph`, rule ``build_subgraph``).

For each split of a dataset: the KG entities linked to its document entities (hop 0) plus their
k-hop neighbourhood in the *filtered* relation triples (edges followed in both directions), at most
``neighbour_cap`` new neighbours per node and hop (the most popular first: sitelinks, then
statements, then the larger id), with every filtered triple between two kept nodes and each node's
attribute rows. Every relation triple read here comes from the filtered folder, the ``instance of``
rows of the attributes included, so no triple the leakage filter dropped reaches a subgraph.

Output (``out_dir`` = ``RESULTS/subgraph/<dataset>``)::

    out_dir/relations.parquet            rel:int32, property:string, label:string
                                         (one vocabulary for all splits of the dataset)
    out_dir/<split>/nodes.parquet        node:int32, qid:string, hop:int8, label:string
                                         (node ids 0..N-1, hop 0 = linked entities first)
    out_dir/<split>/edges.parquet        src:int32, rel:int32, dst:int32   (head -> tail)
    out_dir/<split>/attributes.parquet   node:int32, property:string, value:string, datatype:string
    out_dir/<split>/doc_entities.parquet doc:int32, entity:int32, node:int32
    out_dir/report.json                  {hops, neighbour_cap, attribute_cap, splits: {split:
                                          {nodes, seeds, edges, attributes, doc_entities}}}

Attribute rows: the entity's ``label``, ``description`` and ``alias`` texts (pseudo-properties of
those names, datatype ``string``), its ``instance of`` classes as ``P31`` rows rendered by class
label (datatype ``wikibase-item``, read from the filtered triples), then its attribute triples; at most ``attribute_cap`` per node,
in that order.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from kire.errors import KireError
from kire.kg.duck import connect, kg_table_sql, sql_string

SUBGRAPH_SCHEMAS: dict[str, pa.Schema] = {
    "relations": pa.schema([("rel", pa.int32()), ("property", pa.string()), ("label", pa.string())]),
    "nodes": pa.schema([("node", pa.int32()), ("qid", pa.string()), ("hop", pa.int8()), ("label", pa.string())]),
    "edges": pa.schema([("src", pa.int32()), ("rel", pa.int32()), ("dst", pa.int32())]),
    "attributes": pa.schema([("node", pa.int32()), ("property", pa.string()), ("value", pa.string()),
                             ("datatype", pa.string())]),
    "doc_entities": pa.schema([("doc", pa.int32()), ("entity", pa.int32()), ("node", pa.int32())]),
}
SPLIT_TABLES = ("nodes", "edges", "attributes", "doc_entities")


@dataclass
class SubgraphConfig:
    """Config ``subgraph``."""

    hops: int = 1
    neighbour_cap: int = 20
    attribute_cap: int = 20
    language: str = "en"

    def __post_init__(self) -> None:
        if self.hops < 0 or self.neighbour_cap < 0 or self.attribute_cap < 0:
            raise KireError("subgraph.hops, neighbour_cap and attribute_cap must be >= 0")


def build_subgraphs(links_path: str | Path, kg_dir: str | Path, filtered_dir: str | Path,
                    out_dir: str | Path, cfg: SubgraphConfig,
                    splits: tuple[str, ...] = ("train", "dev", "test"), threads: int | None = None,
                    memory_limit: str | None = None) -> dict:
    """Build and write the subgraphs of every split (see module docstring); return the report."""
    from kire.io import write_json_atomic, write_parquet_atomic
    from kire.linking.link import read_links

    links = read_links(links_path)
    con = connect(threads, memory_limit)
    try:
        con.register("links", links)
        entities = kg_table_sql(kg_dir, "entities")
        con.execute(f"""
            CREATE TEMP VIEW und AS
            SELECT head AS a, tail AS b FROM {kg_table_sql(filtered_dir, "relation_triples")}
            UNION ALL
            SELECT tail AS a, head AS b FROM {kg_table_sql(filtered_dir, "relation_triples")};
            CREATE TEMP VIEW pop AS
            SELECT id, coalesce(n_sitelinks, 0) AS sl, coalesce(n_statements, 0) AS st, label FROM {entities};
        """)
        split_nodes = {split: expand(con, split, cfg) for split in splits}
        con.execute(f"""
            CREATE TEMP TABLE all_nodes AS {" UNION ".join(f"SELECT qid FROM {t}" for t in split_nodes.values())};
            CREATE TEMP TABLE sub_triples AS
            SELECT t.head, t.property, t.tail FROM {kg_table_sql(filtered_dir, "relation_triples")} t
            SEMI JOIN all_nodes h ON h.qid = t.head SEMI JOIN all_nodes x ON x.qid = t.tail;
            CREATE TEMP TABLE relations AS
            SELECT CAST(row_number() OVER (ORDER BY property) - 1 AS INTEGER) AS rel, property,
                   (SELECT label FROM pop WHERE id = property) AS label
            FROM (SELECT DISTINCT property FROM sub_triples);
        """)
        out_dir = Path(out_dir)
        report = {"hops": cfg.hops, "neighbour_cap": cfg.neighbour_cap, "attribute_cap": cfg.attribute_cap,
                  "splits": {}}
        tables_by_split = {split: split_tables(con, split, node_table, kg_dir, filtered_dir, cfg)
                           for split, node_table in split_nodes.items()}
        relations = con.sql("SELECT * FROM relations ORDER BY rel").to_arrow_table()
    finally:
        con.close()
    for split, tables in tables_by_split.items():
        for name, table in tables.items():
            write_parquet_atomic(table.cast(SUBGRAPH_SCHEMAS[name]), out_dir / split / f"{name}.parquet")
        report["splits"][split] = {
            "nodes": len(tables["nodes"]), "seeds": int(sum(h == 0 for h in tables["nodes"]["hop"].to_pylist())),
            **{name: len(tables[name]) for name in ("edges", "attributes", "doc_entities")},
        }
    write_parquet_atomic(relations.cast(SUBGRAPH_SCHEMAS["relations"]), out_dir / "relations.parquet")
    write_json_atomic(out_dir / "report.json", report)
    return report


def expand(con, split: str, cfg: SubgraphConfig) -> str:
    """Create the temp table ``nodes_<split>`` (qid, hop) of the split's seeds and their capped
    k-hop neighbourhood; return its name."""
    table = f"nodes_{split}"
    con.execute(f"""
        CREATE TEMP TABLE {table} AS
        SELECT DISTINCT qid, CAST(0 AS TINYINT) AS hop FROM links WHERE split = {sql_string(split)}
    """)
    for hop in range(1, cfg.hops + 1 if cfg.neighbour_cap > 0 else 1):
        # every node of the previous hop proposes its most popular unseen neighbours; a top-n
        # aggregate, not a sort of every neighbour, because hubs have millions of them
        con.execute(f"""
            INSERT INTO {table}
            SELECT DISTINCT nb, CAST({hop} AS TINYINT) FROM (
                SELECT unnest(max_by(n.nb, (coalesce(p.sl, 0), coalesce(p.st, 0), n.nb),
                                     {int(cfg.neighbour_cap)})) AS nb
                FROM (  -- distinct neighbours of the frontier only: the KG-wide edge list is never deduplicated
                    SELECT DISTINCT u.a AS src, u.b AS nb
                    FROM und u SEMI JOIN {table} f ON f.qid = u.a AND f.hop = {hop - 1}
                ) n
                ANTI JOIN {table} seen ON seen.qid = n.nb
                LEFT JOIN pop p ON p.id = n.nb
                GROUP BY n.src
            )
        """)
    return table


def split_tables(con, split: str, node_table: str, kg_dir: str | Path, filtered_dir: str | Path,
                 cfg: SubgraphConfig) -> dict[str, pa.Table]:
    """The four per-split tables (schemas in :data:`SUBGRAPH_SCHEMAS`); the ``instance of`` rows
    come from the filtered relation triples of ``filtered_dir``, the other tables from ``kg_dir``."""
    aliases = kg_table_sql(kg_dir, "aliases")
    attributes = kg_table_sql(kg_dir, "attribute_triples")
    triples = kg_table_sql(filtered_dir, "relation_triples")
    entities = kg_table_sql(kg_dir, "entities")
    lang = sql_string(cfg.language)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE numbered AS
        SELECT CAST(row_number() OVER (ORDER BY n.hop, n.qid) - 1 AS INTEGER) AS node, n.qid, n.hop, p.label
        FROM (SELECT qid, min(hop) AS hop FROM {node_table} GROUP BY qid) n LEFT JOIN pop p ON p.id = n.qid
    """)
    nodes = con.sql("SELECT node, qid, hop, label FROM numbered ORDER BY node").to_arrow_table()
    edges = con.sql("""
        SELECT DISTINCT h.node AS src, r.rel, t.node AS dst
        FROM sub_triples s JOIN numbered h ON h.qid = s.head JOIN numbered t ON t.qid = s.tail
        JOIN relations r ON r.property = s.property ORDER BY src, rel, dst
    """).to_arrow_table()
    attrs = con.sql(f"""
        WITH rows AS (
            SELECT n.node, 'label' AS property, e.label AS value, 'string' AS datatype, 0 AS k, '' AS o
            FROM numbered n JOIN {entities} e ON e.id = n.qid WHERE e.label IS NOT NULL
            UNION ALL
            SELECT n.node, 'description', e.description, 'string', 1, ''
            FROM numbered n JOIN {entities} e ON e.id = n.qid WHERE e.description IS NOT NULL AND e.description <> ''
            UNION ALL
            SELECT n.node, 'alias', a.alias, 'string', 2, a.alias
            FROM numbered n JOIN {aliases} a ON a.id = n.qid WHERE a.lang = {lang} AND NOT a.is_label
            UNION ALL
            SELECT n.node, 'P31', coalesce(c.label, t.tail), 'wikibase-item', 3, t.tail
            FROM numbered n JOIN {triples} t ON t.head = n.qid AND t.property = 'P31'
            LEFT JOIN pop c ON c.id = t.tail
            UNION ALL
            SELECT n.node, a.property, a.value, a.datatype, 4, a.property || a.value
            FROM numbered n JOIN {attributes} a ON a.id = n.qid
        )
        SELECT node, property, value, datatype FROM (
            SELECT *, row_number() OVER (PARTITION BY node ORDER BY k, o) AS r FROM rows
        ) WHERE r <= {int(cfg.attribute_cap)} ORDER BY node, r
    """).to_arrow_table()
    doc_entities = con.sql(f"""
        SELECT l.doc, l.entity, n.node FROM links l JOIN numbered n ON n.qid = l.qid
        WHERE l.split = {sql_string(split)} ORDER BY l.doc, l.entity
    """).to_arrow_table()
    return {"nodes": nodes, "edges": edges, "attributes": attrs, "doc_entities": doc_entities}


def read_subgraph(root: str | Path, split: str) -> dict[str, pa.Table]:
    """Read one split's subgraph: ``{relations, nodes, edges, attributes, doc_entities}`` (schemas
    in :data:`SUBGRAPH_SCHEMAS`); ``root`` is ``RESULTS/subgraph/<dataset>``."""
    import pyarrow.parquet as pq

    root = Path(root)
    paths = {"relations": root / "relations.parquet",
             **{name: root / split / f"{name}.parquet" for name in SPLIT_TABLES}}
    missing = [str(p) for p in paths.values() if not p.exists()]
    if missing:
        raise KireError(f"subgraph tables not found: {', '.join(missing)} (run `kire subgraph` first)")
    return {name: pq.read_table(path).cast(SUBGRAPH_SCHEMAS[name]) for name, path in paths.items()}
