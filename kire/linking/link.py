"""Entity linking: every document entity (all its mentions together) to at most one KG entity.

Candidates come from the KG ``aliases`` table by normalised surface form (:mod:`.normalize`), in
one DuckDB join per dataset (no Python loop over the KG). Each candidate ``c`` of entity ``e`` is
scored

    score = w_name * name + w_label * label + w_prior * prior + w_type * type + w_coherence * coherence

- ``name``: share of e's mentions whose normalised form is an alias of c (in [0, 1]);
- ``label``: 1 if one of those matches is c's label rather than an alias;
- ``prior``: popularity, ``ln(1 + sitelinks) + 0.5 ln(1 + statements)``, divided by the largest
  value among e's candidates (in [0, 1]);
- ``type``: 1 if c's ``instance of`` (P31) classes meet the classes configured for e's dataset
  type (with their P279 subclasses down to ``type_class_depth`` levels), 0 if c has P31 values but
  none meets them, 0.5 when unknown (no P31, or the type has no configured classes);
- ``coherence``: share of the other entities of the document (those with candidates) that have a
  candidate joined to c by a relation triple, in either direction. Documents of the *protected*
  splits (config ``filter.splits``, the scored ones) get no coherence (0 for every candidate, so it
  does not rank): linking runs before the leakage filter, which needs the links, and every triple
  coherence reads there joins two entities of one protected document, the very pairs the filter
  protects (policy ``cooccurrence``; under ``labeled_pairs`` a superset). Links thus do not depend
  on the filter policy, so the positive control (``none``) differs from a protected run only in
  the triples. For the same reason ``type`` there leaves out a P31 class that is itself a
  candidate of another entity of the document (a mention "city" next to "Berlin").

The dataset's entity types are checked through ``linking.type_map`` (:mod:`.types`).

The best-scoring candidate wins (ties: more sitelinks, then the smaller id). A gold link carried by
the dataset (DWIE concept ``link``: a Wikipedia title, or a QID) is resolved through the KG's
``sitelinks`` of the dataset's wiki (:mod:`.gold`), never through labels, and used instead, with
method ``gold``; an unresolved one is counted in the report and leaves its entity unlinked
(``linking.unresolved_gold: unlinked``) or to the alias linker (``alias``). The report also gives
the alias linker's accuracy against the resolved gold links. An entity without any candidate is
unlinked: it has no row.

Output ``links`` table (one row per linked entity; :data:`LINKS_SCHEMA`)::

    dataset:string, split:string, doc:int32, entity:int32, qid:string, score:float32,
    method:string (gold | alias), n_candidates:int32

``doc``/``entity`` index the document tables of ``RESULTS/docs/<dataset>/<split>``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from pathlib import Path

import pyarrow as pa

from kire.errors import KireError
from kire.kg.duck import connect, kg_table_sql, sql_string
from kire.linking import PROTECTED_SPLITS
from kire.linking.gold import gold_accuracy, gold_link_table, gold_targets, sitelinks_sql, sites_without_pages
from kire.linking.normalize import DEFAULT_ARTICLES, norm_macro_sql
from kire.linking.types import DEFAULT_TYPE_MAP, type_report, with_linking_types

LINKS_SCHEMA = pa.schema([
    ("dataset", pa.string()), ("split", pa.string()), ("doc", pa.int32()), ("entity", pa.int32()),
    ("qid", pa.string()), ("score", pa.float32()), ("method", pa.string()),
    ("n_candidates", pa.int32()),
])

log = logging.getLogger(__name__)

# Wikidata classes per DocRED type (other datasets' types are mapped onto them: linking.type_map).
DEFAULT_TYPE_CLASSES: dict[str, list[str]] = {
    "PER": ["Q5"],
    "ORG": ["Q43229", "Q4830453", "Q783794", "Q3918", "Q7278", "Q476028", "Q215380", "Q18127",
            "Q2085381", "Q1664720", "Q327333"],
    "LOC": ["Q17334923", "Q2221906", "Q515", "Q6256", "Q3624078", "Q486972", "Q1549591", "Q5119",
            "Q35657", "Q10864048", "Q82794", "Q23442", "Q8502", "Q4022", "Q5107", "Q532"],
}


@dataclass
class LinkingConfig:
    """Config ``linking``: languages of the aliases used, score weights, type classes."""

    languages: list[str] = field(default_factory=lambda: ["en"])
    articles: list[str] = field(default_factory=lambda: list(DEFAULT_ARTICLES))
    weights: dict[str, float] = field(default_factory=lambda: {
        "name": 1.0, "label": 0.5, "prior": 1.0, "type": 1.0, "coherence": 1.0})
    type_classes: dict[str, list[str]] = field(default_factory=lambda: dict(DEFAULT_TYPE_CLASSES))
    type_class_depth: int = 2
    type_map: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_TYPE_MAP))
    wiki: str = "enwiki"
    wiki_by_dataset: dict[str, str] = field(default_factory=dict)
    unresolved_gold: str = "unlinked"
    unlinked_samples: int = 20

    def weight(self, name: str) -> float:
        """The weight of score component ``name`` (0 when not configured)."""
        return float(self.weights.get(name, 0.0))


def entity_tables(docs_root: str | Path, splits: list[str]) -> tuple[pa.Table, pa.Table]:
    """``(entities, mentions)`` of all ``splits`` under ``docs_root``, each with a ``split`` column."""
    import pyarrow.parquet as pq

    ents, mens = [], []
    for split in splits:
        folder = Path(docs_root) / split
        for name, bucket in (("entities", ents), ("mentions", mens)):
            path = folder / f"{name}.parquet"
            if not path.exists():
                raise KireError(f"{path} not found (run `kire docs prepare` first)")
            table = pq.read_table(path)
            bucket.append(table.append_column("split", pa.array([split] * len(table), pa.string())))
    return pa.concat_tables(ents), pa.concat_tables(mens)


@dataclass(frozen=True)
class KgTables:
    """SQL expressions of the KG tables linking reads (:func:`kire.kg.duck.kg_table_sql`)."""

    aliases: str
    entities: str
    triples: str
    sitelinks: str | None = None  # None: the KG was extracted without sitelinks (kg.sitelinks: [])


def registered_inputs(con, entities: pa.Table, mentions: pa.Table, kg_dir: str | Path,
                      cfg: LinkingConfig) -> KgTables:
    """Register the document tables (``doc_entities``, ``doc_mentions``), the configured type classes
    (``type_roots``) and the ``kire_norm`` macro in ``con``; return the KG tables to read.

    Raises KireError when ``cfg.languages`` is empty or the KG has no alias in those languages.
    """
    if not cfg.languages:
        raise KireError("linking.languages must name at least one language")
    if cfg.unresolved_gold not in ("unlinked", "alias"):
        raise KireError(f"linking.unresolved_gold must be unlinked or alias, not {cfg.unresolved_gold!r}")
    con.execute(norm_macro_sql(cfg.articles))
    con.register("doc_entities", with_linking_types(entities.select(["split", "doc", "entity", "type", "kb_id"]),
                                                    cfg.type_map, cfg.type_classes))
    con.register("doc_mentions", mentions.select(["split", "doc", "entity", "name"]))
    kg = KgTables(*(kg_table_sql(kg_dir, t) for t in ("aliases", "entities", "relation_triples")),
                  sitelinks=sitelinks_sql(kg_dir))
    if not con.sql(f"SELECT 1 FROM {kg.aliases} WHERE lang IN ({_languages_sql(cfg)}) LIMIT 1").fetchall():
        raise KireError(f"the KG in {kg_dir} has no aliases in linking.languages {cfg.languages} "
                        "(they must be among the kg.languages it was extracted with)")
    type_rows = [(t, q) for t, qs in cfg.type_classes.items() for q in qs]
    con.register("type_roots", pa.table({"type": [t for t, _ in type_rows], "class": [q for _, q in type_rows]},
                                        schema=pa.schema([("type", pa.string()), ("class", pa.string())])))
    return kg


def _languages_sql(cfg: LinkingConfig) -> str:
    return ", ".join(sql_string(lang) for lang in cfg.languages)


def candidate_table(con, kg: KgTables, cfg: LinkingConfig) -> str:
    """Create the temp table ``cand0`` and return its name: one row per (entity, candidate) pair,
    ``split, doc, entity, id, matched, label_match, n_sitelinks, n_statements``.

    A candidate is a KG item with an alias (in ``cfg.languages``) equal to the normalised form of
    one of the entity's mentions; ``matched`` counts those mentions. Also leaves ``mnorm`` (mention
    forms) and ``ment_total`` (mentions per entity) for the features.
    """
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE mnorm AS
        SELECT split, doc, entity, kire_norm(name) AS key, count(*) AS n
        FROM doc_mentions GROUP BY ALL HAVING key <> '';
        CREATE OR REPLACE TEMP TABLE ment_total AS
        SELECT split, doc, entity, sum(n) AS n_total FROM mnorm GROUP BY ALL;
        CREATE OR REPLACE TEMP TABLE hits AS
        SELECT k.key, a.id, bool_or(a.is_label) AS is_label
        FROM {kg.aliases} a JOIN (SELECT DISTINCT key FROM mnorm) k ON kire_norm(a.alias) = k.key
        WHERE a.lang IN ({_languages_sql(cfg)}) GROUP BY ALL;
        CREATE OR REPLACE TEMP TABLE pop AS
        SELECT id, coalesce(n_sitelinks, 0) AS n_sitelinks, coalesce(n_statements, 0) AS n_statements
        FROM {kg.entities} WHERE type = 'item' AND id IN (SELECT id FROM hits);
        CREATE OR REPLACE TEMP TABLE cand0 AS
        SELECT m.split, m.doc, m.entity, h.id, sum(m.n) AS matched, bool_or(h.is_label) AS label_match,
               any_value(p.n_sitelinks) AS n_sitelinks, any_value(p.n_statements) AS n_statements
        FROM mnorm m JOIN hits h USING (key) JOIN pop p USING (id) GROUP BY m.split, m.doc, m.entity, h.id;
    """)
    return "cand0"


def scored_candidate_table(con, candidates: str, kg: KgTables, cfg: LinkingConfig,
                           protected_splits: tuple[str, ...] | list[str] = ()) -> str:
    """Create the temp table ``cand`` and return its name: the rows of ``candidates`` with the five
    features ``f_name, f_label, f_prior, f_type, f_coherence`` (each in [0, 1], see the module
    docstring), ``n_candidates`` of the entity and the weighted ``score``. In documents of
    ``protected_splits`` no triple between candidates of two of their entities is read: coherence
    is 0, and ``f_type`` leaves out a P31 class that is a candidate of another entity there.
    """
    w = cfg.weight
    # (NOT IN an empty list is no SQL, and NOT IN (NULL) is never true)
    unprotected = (f"c1.split NOT IN ({', '.join(sql_string(s) for s in protected_splits)})"
                   if protected_splits else "true")
    visible = """NOT EXISTS (SELECT 1 FROM hidden_p31 x WHERE x.split = c.split AND x.doc = c.doc
                                 AND x.entity = c.entity AND x.id = c.id AND x.class = p.class)"""
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE cand_ids AS SELECT DISTINCT id FROM {candidates};
        CREATE OR REPLACE TEMP TABLE cand_edges AS
        SELECT DISTINCT head AS a, tail AS b FROM {kg.triples}
        WHERE head IN (SELECT id FROM cand_ids) AND tail IN (SELECT id FROM cand_ids) AND head <> tail;
        CREATE OR REPLACE TEMP TABLE cand_p31 AS
        SELECT DISTINCT head AS id, tail AS class FROM {kg.triples}
        WHERE property = 'P31' AND head IN (SELECT id FROM cand_ids);
        CREATE OR REPLACE TEMP TABLE subclass AS
        SELECT DISTINCT head, tail FROM {kg.triples} WHERE property = 'P279';
        CREATE OR REPLACE TEMP TABLE type_classes AS
        WITH RECURSIVE closure(type, class, depth) AS (
            SELECT type, class, 0 FROM type_roots
            UNION
            SELECT c.type, s.head, c.depth + 1 FROM closure c JOIN subclass s ON s.tail = c.class
            WHERE c.depth < {int(cfg.type_class_depth)}
        ) SELECT DISTINCT type, class FROM closure;
        CREATE OR REPLACE TEMP TABLE doc_linkable AS
        SELECT split, doc, count(DISTINCT entity) AS n_linkable FROM {candidates} GROUP BY ALL;
        CREATE OR REPLACE TEMP TABLE coherence AS
        SELECT c1.split, c1.doc, c1.entity, c1.id, count(DISTINCT c2.entity) AS n_coherent
        FROM {candidates} c1
        JOIN (SELECT a, b FROM cand_edges UNION SELECT b, a FROM cand_edges) e ON e.a = c1.id
        JOIN {candidates} c2 ON c2.split = c1.split AND c2.doc = c1.doc AND c2.id = e.b
                             AND c2.entity <> c1.entity
        WHERE {unprotected}
        GROUP BY ALL;
        -- P31 triples that join two entities of one protected document: unread by f_type
        CREATE OR REPLACE TEMP TABLE hidden_p31 AS
        SELECT DISTINCT c1.split, c1.doc, c1.entity, c1.id, p.class
        FROM {candidates} c1 JOIN cand_p31 p ON p.id = c1.id
        JOIN {candidates} c2 ON c2.split = c1.split AND c2.doc = c1.doc AND c2.entity <> c1.entity
                             AND c2.id = p.class
        WHERE NOT ({unprotected});
        CREATE OR REPLACE TEMP TABLE cand AS
        WITH feats AS (
            SELECT c.*, e.type AS ent_type,
                   c.matched / t.n_total AS f_name,
                   CASE WHEN c.label_match THEN 1.0 ELSE 0.0 END AS f_label,
                   ln(1 + c.n_sitelinks) + 0.5 * ln(1 + c.n_statements) AS raw_prior,
                   CASE
                     WHEN NOT EXISTS (SELECT 1 FROM type_classes tc WHERE tc.type = e.type) THEN 0.5
                     WHEN NOT EXISTS (SELECT 1 FROM cand_p31 p WHERE p.id = c.id AND {visible}) THEN 0.5
                     WHEN EXISTS (SELECT 1 FROM cand_p31 p JOIN type_classes tc ON tc.class = p.class
                                  WHERE p.id = c.id AND tc.type = e.type AND {visible}) THEN 1.0
                     ELSE 0.0 END AS f_type,
                   CASE WHEN d.n_linkable > 1 THEN coalesce(h.n_coherent, 0) / (d.n_linkable - 1) ELSE 0.0 END
                     AS f_coherence
            FROM {candidates} c
            JOIN doc_entities e USING (split, doc, entity)
            JOIN ment_total t USING (split, doc, entity)
            JOIN doc_linkable d USING (split, doc)
            LEFT JOIN coherence h USING (split, doc, entity, id)
        ), normed AS (
            SELECT *, CASE WHEN max(raw_prior) OVER ent > 0 THEN raw_prior / max(raw_prior) OVER ent ELSE 0.0 END
                        AS f_prior,
                      count(*) OVER ent AS n_candidates
            FROM feats WINDOW ent AS (PARTITION BY split, doc, entity)
        )
        SELECT *, {w('name')} * f_name + {w('label')} * f_label + {w('prior')} * f_prior
                  + {w('type')} * f_type + {w('coherence')} * f_coherence AS score
        FROM normed;
    """)
    return "cand"


def best_alias_table(con, scored: str) -> str:
    """Create the temp table ``best_alias`` and return its name: the alias linker's pick for every
    entity with candidates (``split, doc, entity, qid, score, n_candidates``), made without the gold
    links: best score, ties to more sitelinks, then the smaller id."""
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE best_alias AS
        SELECT split, doc, entity, id AS qid, score, n_candidates
        FROM {scored}
        QUALIFY row_number() OVER (PARTITION BY split, doc, entity ORDER BY score DESC, n_sitelinks DESC, id) = 1
    """)
    return "best_alias"


def best_links(con, best_alias: str, gold: str, unresolved_gold: str = "unlinked") -> pa.Table:
    """The chosen link of every linkable entity: its resolved gold link (method ``gold``, score 1),
    else the alias linker's pick in ``best_alias`` (method ``alias``), except for an entity whose
    gold link is unresolved when ``unresolved_gold`` is ``unlinked``. Columns split, doc, entity,
    qid, score, method, n_candidates, ordered by split, doc, entity.
    """
    keep_alias = "true" if unresolved_gold == "alias" else "u.entity IS NULL"
    return con.sql(f"""
        WITH alias AS (
            SELECT b.* FROM {best_alias} b
            LEFT JOIN (SELECT split, doc, entity FROM {gold} WHERE qid IS NULL) u USING (split, doc, entity)
            WHERE {keep_alias}
        )
        SELECT coalesce(g.split, b.split) AS split, coalesce(g.doc, b.doc) AS doc,
               coalesce(g.entity, b.entity) AS entity,
               CASE WHEN g.qid IS NOT NULL THEN g.qid ELSE b.qid END AS qid,
               CAST(CASE WHEN g.qid IS NOT NULL THEN 1.0 ELSE b.score END AS FLOAT) AS score,
               CASE WHEN g.qid IS NOT NULL THEN 'gold' ELSE 'alias' END AS method,
               CAST(coalesce(b.n_candidates, 0) AS INTEGER) AS n_candidates
        FROM alias b FULL JOIN (SELECT * FROM {gold} WHERE qid IS NOT NULL) g
          ON g.split = b.split AND g.doc = b.doc AND g.entity = b.entity
        ORDER BY split, doc, entity
    """).to_arrow_table()


def link_entities(con, entities: pa.Table, mentions: pa.Table, kg_dir: str | Path,
                  cfg: LinkingConfig, protected_splits: tuple[str, ...] | list[str] = ()) -> pa.Table:
    """Return the chosen link of every linkable entity as a table with columns
    split, doc, entity, qid, score, method, n_candidates (ordered by split, doc, entity).

    ``entities``/``mentions``: the document tables plus a ``split`` column. Leaves the views
    ``cand`` (every scored candidate), ``best_alias`` (the alias linker's picks) and ``gold`` (gold
    links, resolved through the sitelinks of ``cfg.wiki``) in ``con`` for the report.
    ``protected_splits``: the leakage filter's splits, whose documents get no coherence. Steps: :func:`candidate_table`, :func:`scored_candidate_table`, :func:`best_alias_table`,
    :func:`kire.linking.gold.gold_link_table`, :func:`best_links`.
    """
    from kire.progress import Progress

    # The steps are set-wise DuckDB queries over every document at once: progress counts them,
    # naming the documents and entities they cover (a line each in a rule log, a bar on a terminal).
    n_docs = len(set(zip(entities["split"].to_pylist(), entities["doc"].to_pylist())))
    with Progress(f"link {n_docs} documents, {entities.num_rows} entities", total=4, unit="step",
                  interval=0.0) as bar:
        kg = registered_inputs(con, entities, mentions, kg_dir, cfg)
        candidates = candidate_table(con, kg, cfg)
        bar.update(1, note="candidates")
        scored = scored_candidate_table(con, candidates, kg, cfg, protected_splits)
        bar.update(1, note="candidates scored")
        gold = gold_link_table(con, gold_targets(entities, cfg.wiki), kg.entities, kg.sitelinks)
        bar.update(1, note="gold links resolved")
        links = best_links(con, best_alias_table(con, scored), gold, cfg.unresolved_gold)
        bar.update(1, note="best links chosen")
    return links


def link_report(con, dataset: str, entities: pa.Table, links: pa.Table, cfg: LinkingConfig,
                has_sitelinks: bool = True) -> dict:
    """The linking report of one dataset (after :func:`link_entities` on ``con``); ``has_sitelinks``:
    whether the KG has a sitelinks table.

    ``{dataset, languages, weights, totals: {entities, linked, coverage, by_method, gold_links,
    gold_unresolved, with_candidates, ambiguous, mean_candidates}, splits: {split: {entities,
    linked, coverage, by_type: {type: {entities, linked, coverage}}}}, unlinked_samples: {split:
    [[name, count], ...]}, gold_unresolved_samples: [kb_id, ...], gold: {wiki, sitelinks_table,
    unresolved_gold, by: {qid, sitelink}, accuracy: kire.linking.gold.gold_accuracy | null,
    sites_without_pages},
    types: kire.linking.types.type_report}``.
    """
    con.register("report_entities", entities.select(["split", "doc", "entity", "type", "name"]))
    con.register("report_links", links)
    rows = con.execute("""
        SELECT e.split, e.type, count(*) AS n, count(l.qid) AS linked
        FROM report_entities e LEFT JOIN report_links l USING (split, doc, entity)
        GROUP BY ALL ORDER BY ALL
    """).fetchall()
    splits: dict[str, dict] = {}
    for split, etype, n, linked in rows:
        s = splits.setdefault(split, {"entities": 0, "linked": 0, "coverage": 0.0, "by_type": {}})
        s["entities"] += n
        s["linked"] += linked
        s["by_type"][etype] = {"entities": n, "linked": linked, "coverage": round(linked / n, 4)}
    for s in splits.values():
        s["coverage"] = round(s["linked"] / s["entities"], 4) if s["entities"] else 0.0
    unlinked: dict[str, list] = {}
    for split, name, count in con.execute(f"""
        SELECT split, name, n FROM (
            SELECT e.split, e.name, count(*) AS n,
                   row_number() OVER (PARTITION BY e.split ORDER BY count(*) DESC, e.name) AS r
            FROM report_entities e ANTI JOIN report_links l USING (split, doc, entity)
            GROUP BY e.split, e.name)
        WHERE r <= {int(cfg.unlinked_samples)} ORDER BY split, r
    """).fetchall():
        unlinked.setdefault(split, []).append([name, count])
    with_cands, ambiguous, mean_cands = con.execute("""
        SELECT count(*), count(*) FILTER (WHERE n > 1), coalesce(avg(n), 0)
        FROM (SELECT split, doc, entity, count(*) AS n FROM cand GROUP BY ALL)
    """).fetchall()[0]
    gold_total, gold_unresolved = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE qid IS NULL) FROM gold").fetchall()[0]
    gold_samples = [r[0] for r in con.execute(
        "SELECT DISTINCT kb_id FROM gold WHERE qid IS NULL ORDER BY kb_id LIMIT 20").fetchall()]
    gold = {"wiki": cfg.wiki, "sitelinks_table": has_sitelinks, "unresolved_gold": cfg.unresolved_gold,
            "by": dict(con.execute("SELECT via, count(*) FROM gold WHERE qid IS NOT NULL GROUP BY ALL ORDER BY ALL")
                       .fetchall()),
            "accuracy": gold_accuracy(con, "best_alias", "cand", "gold", cfg.unlinked_samples)}
    missing = sites_without_pages(con)
    gold["sites_without_pages"] = missing
    if gold_unresolved:
        why = ("; the KG has no sitelinks table: extract it with kg.sitelinks" if not has_sitelinks else
               f"; the KG's sitelinks table has no page of {', '.join(missing)}: add it to kg.sitelinks"
               if missing else "")
        log.warning("%s: %d of %d gold links unresolved (no %s sitelink with that title%s), e.g. %s", dataset,
                    gold_unresolved, gold_total, cfg.wiki, why, ", ".join(gold_samples[:5]))
    by_method = dict(con.execute(
        "SELECT method, count(*) FROM report_links GROUP BY ALL ORDER BY ALL").fetchall())
    total = len(entities)
    return {
        "dataset": dataset, "languages": cfg.languages, "weights": cfg.weights,
        "totals": {
            "entities": total, "linked": len(links),
            "coverage": round(len(links) / total, 4) if total else 0.0,
            "by_method": by_method, "gold_links": gold_total, "gold_unresolved": gold_unresolved,
            "with_candidates": with_cands, "ambiguous": ambiguous,
            "mean_candidates": round(float(mean_cands), 3),
        },
        "splits": splits, "unlinked_samples": unlinked, "gold_unresolved_samples": gold_samples, "gold": gold,
        "types": type_report(dataset, entities, cfg.type_map, cfg.type_classes),
    }


def link_dataset(dataset: str, docs_root: str | Path, kg_dir: str | Path, out_dir: str | Path,
                 cfg: LinkingConfig, splits: tuple[str, ...] = ("train", "dev", "test"),
                 threads: int | None = None, memory_limit: str | None = None,
                 protected_splits: tuple[str, ...] | list[str] = PROTECTED_SPLITS) -> dict:
    """Link all entities of one dataset; write ``out_dir/links.parquet`` and ``out_dir/report.json``.

    ``protected_splits``: the leakage filter's splits (config ``filter.splits``), linked without
    coherence (module docstring). Gold titles are looked up on ``cfg.wiki_by_dataset[dataset]``, else
    ``cfg.wiki``. Returns the report.
    """
    from kire.io import write_json_atomic, write_parquet_atomic

    cfg = replace(cfg, wiki=str(cfg.wiki_by_dataset.get(dataset, cfg.wiki)))
    entities, mentions = entity_tables(docs_root, list(splits))
    con = connect(threads, memory_limit)
    try:
        chosen = link_entities(con, entities, mentions, kg_dir, cfg, protected_splits)
        links = pa.table({
            "dataset": pa.array([dataset] * len(chosen), pa.string()),
            **{name: chosen[name] for name in LINKS_SCHEMA.names[1:]},
        }).cast(LINKS_SCHEMA)
        report = link_report(con, dataset, entities, links, cfg, sitelinks_sql(kg_dir) is not None)
    finally:
        con.close()
    out_dir = Path(out_dir)
    write_parquet_atomic(links, out_dir / "links.parquet")
    write_json_atomic(out_dir / "report.json", report)
    return report


def read_links(path: str | Path) -> pa.Table:
    """Read a ``links.parquet`` written by :func:`link_dataset` (schema :data:`LINKS_SCHEMA`).

    ``path``: the file, or its folder ``RESULTS/links/<dataset>``.
    """
    import pyarrow.parquet as pq

    path = Path(path)
    if path.is_dir():
        path = path / "links.parquet"
    if not path.exists():
        raise KireError(f"{path} not found (run `kire link` first)")
    return pq.read_table(path).cast(LINKS_SCHEMA)
