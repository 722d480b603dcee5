"""Leakage filter (`kire kg filter`): drop the relation triples the model must not see.

The paper removes "all the relation triples with entity pairs to be labeled in the test sets".
Every split that is scored is protected: dev selects the model and is reported, test is reported
when labeled, so ``filter.splits`` defaults to dev and test. Policies (config ``filter.policy``),
applied to the documents of the splits in ``filter.splits`` of every dataset:

- ``cooccurrence`` (default): every pair of linked entities that co-occur in one such document is
  protected, whether or not a label exists for it (the labels are not read: test labels may be
  absent). The KG encoder sees no triple between any two entities of a test document.
- ``labeled_pairs``: only the (head, tail) pairs of the documents' labels are protected (needs
  labels; fails on an unlabeled split).
- ``none``: nothing is removed (an ablation, e.g. to measure leakage).

A protected pair {a, b} removes every relation triple ``a -p-> b`` and ``b -p-> a``, whatever p
(two distinct document entities linked to the same item protect that item's self-loops ``a -p-> a``).

Outputs (``out_dir`` = ``RESULTS/kg_filtered``)::

    out_dir/relation_triples/part-*.parquet   schema kire.kg.schema.KG_TABLES["relation_triples"]
    out_dir/audit.json   {policy, splits, datasets, protected_pairs, triples_in, triples_out,
                          removed, removed_by_property: {P: n}, examples: [{head, head_label,
                          property, tail, tail_label, dataset, split, doc}]}

Every other KG table is unchanged and is read from the unfiltered KG folder.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from typing import TYPE_CHECKING

from kire.errors import KireError
from kire.kg.duck import connect, kg_table_sql, sql_string
from kire.linking import PROTECTED_SPLITS

if TYPE_CHECKING:  # pyarrow is imported where used, to keep this module cheap to import
    import pyarrow as pa

POLICIES = ("cooccurrence", "labeled_pairs", "none")
SHARD_BATCH_ROWS = 1 << 20
SHARD_MAX_ROWS = 1 << 24


@dataclass
class FilterConfig:
    """Config ``filter``."""

    policy: str = "cooccurrence"
    splits: list[str] = field(default_factory=lambda: list(PROTECTED_SPLITS))
    examples: int = 20

    def __post_init__(self) -> None:
        if self.policy not in POLICIES:
            raise KireError(f"filter.policy must be one of {POLICIES}, not {self.policy!r}")


@dataclass
class LinkedDataset:
    """One dataset's inputs to the filter: its links file and its document tables' root."""

    name: str
    links: str | Path  # RESULTS/links/<dataset>/links.parquet
    docs_root: str | Path  # RESULTS/docs/<dataset>


def protected_pairs(datasets: list[LinkedDataset], cfg: FilterConfig) -> pa.Table:
    """The protected KG pairs, both directions: columns a, b (QIDs), dataset, split, doc (a witness
    document), one row per ordered pair."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from kire.linking.link import read_links

    schema = pa.schema([("a", pa.string()), ("b", pa.string()), ("dataset", pa.string()),
                        ("split", pa.string()), ("doc", pa.int32())])
    if cfg.policy == "none":
        return schema.empty_table()
    con = connect()
    try:
        parts = []
        for ds in datasets:
            links = read_links(ds.links)
            con.register("links", links)
            splits = ", ".join(sql_string(s) for s in cfg.splits)
            if cfg.policy == "cooccurrence":
                query = f"""
                    SELECT x.qid AS a, y.qid AS b, x.dataset, x.split, x.doc
                    FROM links x JOIN links y
                      ON x.split = y.split AND x.doc = y.doc AND x.entity <> y.entity
                    WHERE x.split IN ({splits})"""
            else:
                label_parts = []
                for split in cfg.splits:
                    folder = Path(ds.docs_root) / split
                    docs = pq.read_table(folder / "docs.parquet", columns=["doc", "title", "labeled"])
                    if not all(docs.column("labeled").to_pylist()):
                        raise KireError(
                            f"filter.policy labeled_pairs needs labels, but dataset {ds.name} split {split} "
                            f"has unlabeled documents ({folder}); use policy cooccurrence")
                    labels = pq.read_table(folder / "labels.parquet", columns=["doc", "head", "tail"])
                    label_parts.append(labels.append_column("split", pa.array([split] * len(labels), pa.string())))
                con.register("labels", pa.concat_tables(label_parts))
                query = """
                    WITH q AS (
                        SELECT h.qid AS a, t.qid AS b, h.dataset, h.split, h.doc
                        FROM labels l
                        JOIN links h ON h.split = l.split AND h.doc = l.doc AND h.entity = l.head
                        JOIN links t ON t.split = l.split AND t.doc = l.doc AND t.entity = l.tail)
                    SELECT a, b, dataset, split, doc FROM q
                    UNION ALL SELECT b, a, dataset, split, doc FROM q"""
            parts.append(con.sql(query).to_arrow_table().cast(schema))
        pairs = pa.concat_tables(parts) if parts else schema.empty_table()
        con.register("pairs", pairs)
        # one witness per ordered pair keeps the table small on big test sets
        return con.sql("""
            SELECT a, b, arg_min(dataset, doc) AS dataset, arg_min(split, doc) AS split, min(doc) AS doc
            FROM pairs GROUP BY a, b ORDER BY a, b""").to_arrow_table().cast(schema)
    finally:
        con.close()


def filter_relation_triples(kg_dir: str | Path, datasets: list[LinkedDataset], out_dir: str | Path,
                            cfg: FilterConfig, threads: int | None = None,
                            memory_limit: str | None = None) -> dict:
    """Write the filtered relation triples and the audit (see module docstring); return the audit."""
    from kire.io import atomic_dir, write_json_atomic
    from kire.kg.schema import KG_TABLES

    pairs = protected_pairs(datasets, cfg)
    out_dir = Path(out_dir)
    con = connect(threads, memory_limit)
    try:
        triples = kg_table_sql(kg_dir, "relation_triples")
        entities = kg_table_sql(kg_dir, "entities")
        con.register("pairs", pairs)
        columns = ", ".join(f"t.{name}" for name in KG_TABLES["relation_triples"].names)
        with atomic_dir(out_dir / "relation_triples") as tmp:
            reader = con.sql(f"""
                SELECT {columns} FROM {triples} t
                ANTI JOIN pairs p ON t.head = p.a AND t.tail = p.b""").to_arrow_reader(SHARD_BATCH_ROWS)
            triples_out = write_shards(reader, tmp, KG_TABLES["relation_triples"])
        triples_in = con.sql(f"SELECT count(*) FROM {triples}").fetchall()[0][0]
        removed_by_property = dict(con.sql(f"""
            SELECT t.property, count(*) AS n FROM {triples} t
            SEMI JOIN pairs p ON t.head = p.a AND t.tail = p.b
            GROUP BY ALL ORDER BY n DESC, t.property""").fetchall())
        examples = [
            dict(zip(("head", "head_label", "property", "tail", "tail_label", "dataset", "split", "doc"), row))
            for row in con.sql(f"""
                SELECT t.head, eh.label, t.property, t.tail, et.label, p.dataset, p.split, p.doc
                FROM {triples} t JOIN pairs p ON t.head = p.a AND t.tail = p.b
                LEFT JOIN (SELECT id, label FROM {entities}) eh ON eh.id = t.head
                LEFT JOIN (SELECT id, label FROM {entities}) et ON et.id = t.tail
                ORDER BY t.property, t.head, t.tail LIMIT {int(cfg.examples)}""").fetchall()
        ]
    finally:
        con.close()
    audit = {
        "policy": cfg.policy, "splits": cfg.splits, "datasets": [d.name for d in datasets],
        "protected_pairs": sum(a <= b for a, b in zip(pairs["a"].to_pylist(), pairs["b"].to_pylist())),
        "triples_in": triples_in, "triples_out": triples_out, "removed": triples_in - triples_out,
        "removed_by_property": removed_by_property, "examples": examples,
    }
    write_json_atomic(out_dir / "audit.json", audit)
    return audit


def write_shards(reader, folder: Path, schema: pa.Schema, max_rows: int = SHARD_MAX_ROWS) -> int:
    """Stream record batches into ``folder/part-NNNNN.parquet`` files of at most ``max_rows`` rows
    each, cast to ``schema`` (at least one file, possibly empty); return the row count."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    total, shard, writer, in_shard = 0, 0, None, 0
    try:
        for batch in reader:
            batch = pa.Table.from_batches([batch]).cast(schema)
            offset = 0
            while offset < len(batch):
                if writer is None or in_shard >= max_rows:
                    if writer is not None:
                        writer.close()
                    writer = pq.ParquetWriter(folder / f"part-{shard:05d}.parquet", schema, compression="zstd")
                    shard, in_shard = shard + 1, 0
                take = min(len(batch) - offset, max_rows - in_shard)
                writer.write_table(batch.slice(offset, take))
                offset, in_shard, total = offset + take, in_shard + take, total + take
        if writer is None:
            pq.write_table(schema.empty_table(), folder / "part-00000.parquet", compression="zstd")
    finally:
        if writer is not None:
            writer.close()
    return total
