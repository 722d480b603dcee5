"""The knowledge of new documents, prepared as in training: linking, KG subgraph, coreference.

Knowledge-injection runs (+KIRE, its ablations, the competitors) read per-split folders named in
their variant settings (kire.inject.training). For new documents this module builds the same
folders for split ``predict`` in a work folder, with the stages' own functions and options:

1. entity linking against the KG (kire.linking.link.link_entities) -> ``links.parquet``;
2. the split's KG subgraph from the leakage-filtered triples (kire.subgraph.build.build_subgraphs);
   its relation ids are then renumbered into the *training* vocabulary (``relations.parquet`` of
   the run's subgraph folder), because the trained graph encoder embeds relations by id; triples
   of relations the run never saw are dropped (their number is logged);
3. coreference triples (kire.coref.build.build_coref) -> ``coref/predict.parquet``.

Attribute codes are read from the run's codes folder, as in training.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pyarrow as pa

from kire.docs.model import Document, documents_to_tables
from kire.errors import KireError

log = logging.getLogger(__name__)

SPLIT = "predict"


def link_documents(documents: list[Document], kg_dir: str | Path, options: dict[str, Any] | None = None,
                   threads: int | None = None) -> pa.Table:
    """The links table (kire.linking.link.LINKS_SCHEMA, dataset and split ``predict``) of the
    documents' entities; ``options``: the config section ``linking``."""
    from kire.kg.duck import connect
    from kire.linking.link import LINKS_SCHEMA, LinkingConfig, link_entities

    tables = documents_to_tables(documents)
    split = lambda t: t.append_column("split", pa.array([SPLIT] * len(t), pa.string()))  # noqa: E731
    con = connect(threads)
    try:
        chosen = link_entities(con, split(tables["entities"]), split(tables["mentions"]), kg_dir,
                               LinkingConfig(**(options or {})))
    finally:
        con.close()
    return pa.table({"dataset": pa.array([SPLIT] * len(chosen), pa.string()),
                     **{name: chosen[name] for name in LINKS_SCHEMA.names[1:]}}).cast(LINKS_SCHEMA)


def kb_ids_of(links: pa.Table) -> dict[tuple[int, int], str]:
    """(document, entity) -> KG id of a links table."""
    return {(r["doc"], r["entity"]): r["qid"] for r in links.select(["doc", "entity", "qid"]).to_pylist()}


def renumber_relations(subgraph_dir: Path, trained_relations: Path) -> dict[str, int]:
    """Rewrite ``subgraph_dir``'s relations and split edges in the trained relation vocabulary.

    Returns {"edges": kept, "dropped": triples of relations unknown to the run}.
    """
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from kire.io import write_parquet_atomic

    if not trained_relations.is_file():
        raise KireError(f"{trained_relations} not found: the run's subgraph folder is needed to map relations")
    trained = {r["property"]: r["rel"] for r in pq.read_table(trained_relations).to_pylist()}
    new = {r["rel"]: r["property"] for r in pq.read_table(subgraph_dir / "relations.parquet").to_pylist()}
    path = subgraph_dir / SPLIT / "edges.parquet"
    edges = pq.read_table(path)
    mapped = pa.array([trained.get(new[r], -1) for r in edges.column("rel").to_pylist()], pa.int32())
    keep = pc.greater_equal(mapped, 0)
    edges = edges.set_column(edges.schema.get_field_index("rel"), "rel", mapped).filter(keep)
    write_parquet_atomic(edges, path)
    write_parquet_atomic(pq.read_table(trained_relations), subgraph_dir / "relations.parquet")
    return {"edges": edges.num_rows, "dropped": int(len(keep) - pc.sum(keep).as_py() if len(keep) else 0)}


def knowledge_settings(documents: list[Document], settings: dict[str, Any], work_dir: str | Path, *,
                       kg_dir: str | Path, filtered_dir: str | Path, links: pa.Table,
                       subgraph_options: dict[str, Any] | None = None,
                       coref_options: dict[str, Any] | None = None, threads: int | None = None) -> dict[str, Any]:
    """Build the knowledge folders of ``documents`` in ``work_dir``; return the run's variant
    ``settings`` pointing at them (subgraph, coref) instead of the training splits'."""
    from kire.io import write_parquet_atomic
    from kire.subgraph.build import SubgraphConfig, build_subgraphs

    work = Path(work_dir)
    if not settings.get("subgraph"):
        raise KireError("the run's variant settings name no 'subgraph' folder: no KG knowledge to rebuild")
    for path, what in ((kg_dir, "KG folder (`kire kg extract`)"), (filtered_dir, "filtered KG folder (`kire kg filter`)")):
        if not Path(path).is_dir():
            raise KireError(f"{path} not found: the {what} is needed to link new documents; pass --kg/--filtered")
    write_parquet_atomic(links, work / "links.parquet")
    cfg = SubgraphConfig(**(subgraph_options or {}))
    build_subgraphs(work / "links.parquet", kg_dir, filtered_dir, work / "subgraph", cfg, splits=(SPLIT,),
                    threads=threads)
    counts = renumber_relations(work / "subgraph", Path(settings["subgraph"]) / "relations.parquet")
    log.info("subgraph of the new documents: %d relation triples kept, %d of relations the run never saw dropped",
             counts["edges"], counts["dropped"])
    out = {k: v for k, v in settings.items() if k != "init_from"}
    out["subgraph"] = str(work / "subgraph")
    if settings.get("coref"):
        from kire.coref.build import CorefOptions, build_coref

        table, summary = build_coref(documents, CorefOptions.from_dict(coref_options or {}), split=SPLIT,
                                     links_path=work / "links.parquet", kg_dir=kg_dir)
        write_parquet_atomic(table, work / "coref" / f"{SPLIT}.parquet")
        log.info("coreference triples of the new documents: %s", summary["kept_by_source"])
        out["coref"] = str(work / "coref" / "{split}.parquet")
    return out
