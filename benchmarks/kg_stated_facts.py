"""Share of a split's gold facts that the KG states, under the two readings of the leakage filter.

A gold fact (h, r, t) of a document is *KG-stated* when both entities are linked and the relation
triples hold ``qid(h) -r-> qid(t)``; *KG-joined* when they hold any triple between the two items
(either direction). Two readings of the paper's "we remove all the relation triples with entity
pairs to be labeled in the test sets":

- ``filtered everywhere`` (kire's default): one filtered KG for every split, so training
  documents lose the triples of pairs protected in the scored splits too;
- ``filtered when loading scored splits`` (the original release): training documents read the
  unfiltered triples, only the scored splits the filtered ones.

Reads a results folder of `snakemake docs_linking_all` (docs, links, kg, kg_filtered)::

    python benchmarks/kg_stated_facts.py results/redocred-bilstm --dataset redocred

and prints one Markdown table row per (split, triple set). Every number comes from the files; the
protected splits are those of ``kg_filtered/audit.json``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from kire.kg.duck import connect, kg_table_sql


def stated_shares(results: Path, dataset: str, split: str, triples_dir: Path) -> dict:
    """``{facts, linked_pairs, stated, joined}`` of one split's gold facts against the relation
    triples of ``triples_dir``."""
    con = connect()
    try:
        docs = results / "docs" / dataset / split
        triples = kg_table_sql(triples_dir, "relation_triples")
        row = con.sql(f"""
            WITH facts AS (
                SELECT DISTINCT doc, head, tail, relation FROM read_parquet('{docs / "labels.parquet"}')),
            links AS (
                SELECT doc, entity, qid FROM read_parquet('{results / "links" / dataset / "links.parquet"}')
                WHERE split = '{split}'),
            linked AS (
                SELECT f.*, h.qid AS qh, t.qid AS qt FROM facts f
                JOIN links h ON h.doc = f.doc AND h.entity = f.head
                JOIN links t ON t.doc = f.doc AND t.entity = f.tail)
            SELECT (SELECT count(*) FROM facts),
                   (SELECT count(*) FROM linked),
                   (SELECT count(*) FROM linked l WHERE EXISTS (
                        SELECT 1 FROM {triples} x WHERE x.head = l.qh AND x.property = l.relation AND x.tail = l.qt)),
                   (SELECT count(*) FROM linked l WHERE EXISTS (
                        SELECT 1 FROM {triples} x WHERE (x.head = l.qh AND x.tail = l.qt)
                                                     OR (x.head = l.qt AND x.tail = l.qh)))
        """).fetchall()[0]
    finally:
        con.close()
    return dict(zip(("facts", "linked_pairs", "stated", "joined"), row))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("results", type=Path, help="results_dir of a docs_linking_all run")
    parser.add_argument("--dataset", required=True)
    parser.add_argument("--splits", nargs="*", default=["train", "dev"])
    parser.add_argument("--filtered", type=Path, help="filtered KG folder (default: RESULTS/kg_filtered)")
    args = parser.parse_args()
    filtered = args.filtered or args.results / "kg_filtered"
    audit = json.loads((filtered / "audit.json").read_text())
    print(f"protected splits {audit['splits']}, policy {audit['policy']}: "
          f"{audit['removed']} of {audit['triples_in']} triples removed")
    print("| split | triples read | gold facts | both linked | KG-stated (h -r-> t) | KG-joined (any edge) |")
    print("|---|---|---|---|---|---|")
    for split in args.splits:
        for name, folder in (("unfiltered", args.results / "kg"), ("filtered", filtered)):
            s = stated_shares(args.results, args.dataset, split, folder)
            pct = lambda n: f"{n} ({100 * n / s['facts']:.1f}%)" if s["facts"] else "0"  # noqa: E731
            print(f"| {split} | {name} | {s['facts']} | {pct(s['linked_pairs'])} | {pct(s['stated'])} "
                  f"| {pct(s['joined'])} |")


if __name__ == "__main__":
    main()
