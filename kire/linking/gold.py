"""Gold links carried by a dataset (DWIE concept ``link``, DocRED-derived ``kb_id``): resolution to
KG items, and the linker's accuracy against them.

A gold link is a Wikidata id (``Q64``, or its URL ``http://www.wikidata.org/entity/Q64``), taken as
is when the KG has that item, or a Wikipedia page title (``Georgia_(country)``, or its URL
``https://en.wikipedia.org/wiki/Georgia_(country)``), resolved through the KG's ``sitelinks`` table
(written by `kire kg extract`, ``kg.sitelinks``): the item whose page on the dataset's wiki
(``linking.wiki``, default ``enwiki``; per dataset ``linking.wiki_by_dataset``; a URL's host names
its own wiki) has that title. Titles are compared in MediaWiki's canonical form (:func:`title_key`):
surrounding whitespace removed, percent-encoding decoded, underscores as spaces, runs of
whitespace as one space, the first letter upper case.

A title is never matched against labels or aliases: the article ``Eastbrook`` may be about the
town labelled ``Eastbrook, Kent`` while a village is labelled ``Eastbrook``. A title with no
sitelink stays unresolved and is counted; by default (``linking.unresolved_gold: unlinked``) its
entity then has no link at all, with ``alias`` the alias linker may link it (method ``alias``).

The accuracy section of the report compares the alias/prior/coherence linker, which never reads
the gold links, with every resolved gold link (:func:`gold_accuracy`).
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import pyarrow as pa

from kire.kg.duck import kg_table_sql

_QID = re.compile(r"(?:https?://(?:www\.)?wikidata\.org/(?:wiki|entity)/)?(Q[1-9][0-9]*)", re.IGNORECASE)
_WIKI_URL = re.compile(r"https?://([a-z][a-z0-9-]*)(?:\.m)?\.wikipedia\.org/wiki/(.*)", re.IGNORECASE)

GOLD_SCHEMA = pa.schema([
    ("split", pa.string()), ("doc", pa.int32()), ("entity", pa.int32()), ("kb_id", pa.string()),
    ("direct", pa.string()), ("site", pa.string()), ("title", pa.string()),
])


def title_key(title: str) -> str:
    """A Wikipedia page title in canonical form: ``" mercia_(kingdom) "`` and
    ``"Mercia%20(kingdom)"`` both give ``"Mercia (kingdom)"``.

    Steps: strip; percent-decode (invalid sequences are kept, malformed UTF-8 becomes U+FFFD and
    matches nothing); drop a ``#section``; underscores to spaces; whitespace runs to one space;
    first letter upper case (when that stays one letter: ``ß`` is kept).
    """
    text = title.strip()
    if "%" in text:
        text = unquote(text)
    text = " ".join(text.split("#", 1)[0].replace("_", " ").split())
    first = text[:1].upper()
    return (first + text[1:]) if len(first) == 1 else text


def title_key_sql(column: str) -> str:
    """SQL of :func:`title_key` for titles already free of percent-encoding and sections (the
    dump's own titles): underscores to spaces, whitespace collapsed, first letter upper case."""
    canon = f"trim(regexp_replace(replace({column}, '_', ' '), '\\s+', ' ', 'g'))"
    return f"(upper(left({canon}, 1)) || substr({canon}, 2))"


def gold_target(kb_id: str, wiki: str) -> tuple[str | None, str | None, str | None]:
    """``(qid, site, title)`` of one gold link: a QID (its URL too) gives ``(qid, None, None)``,
    anything else a title on ``wiki`` (a Wikipedia URL: on its own wiki), in :func:`title_key` form."""
    text = kb_id.strip()
    qid = _QID.fullmatch(text)
    if qid:
        return qid.group(1).upper(), None, None
    url = _WIKI_URL.fullmatch(text)
    if url:
        return None, f"{url.group(1).lower().replace('-', '_')}wiki", title_key(url.group(2))
    return None, wiki, title_key(text)


def gold_targets(entities: pa.Table, wiki: str) -> pa.Table:
    """Rows :data:`GOLD_SCHEMA` for the entities (``split, doc, entity, kb_id``) with a non-empty
    ``kb_id``: the QID (``direct``) or the ``site`` and canonical ``title`` to look up."""
    rows = []
    for r in entities.select(["split", "doc", "entity", "kb_id"]).to_pylist():
        if r["kb_id"] is None or not r["kb_id"].strip():
            continue
        direct, site, title = gold_target(r["kb_id"], wiki)
        rows.append({**r, "direct": direct, "site": site, "title": title})
    return pa.Table.from_pylist(rows, schema=GOLD_SCHEMA)


def gold_link_table(con, targets: pa.Table, entities_sql: str, sitelinks_sql: str | None) -> str:
    """Create the temp table ``gold`` and return its name: ``split, doc, entity, kb_id, qid, via``
    for every target of :func:`gold_targets`; ``qid`` NULL when unresolved, ``via`` ``qid`` or
    ``sitelink``. ``entities_sql``: the KG entities table; ``sitelinks_sql``: the KG sitelinks
    table, None when the KG has none (every title is then unresolved). Also leaves ``gold_pages``
    (the sitelinks of the wanted wikis, canonical titles) for :func:`sites_without_pages`.
    """
    con.register("gold_targets", targets)
    if sitelinks_sql is None:
        pages = "SELECT NULL::VARCHAR AS id, NULL::VARCHAR AS site, NULL::VARCHAR AS key WHERE false"
    else:
        pages = (f"SELECT id, site, {title_key_sql('title')} AS key FROM {sitelinks_sql} "
                 "WHERE site IN (SELECT DISTINCT site FROM gold_targets WHERE site IS NOT NULL)")
    con.execute(f"CREATE OR REPLACE TEMP TABLE gold_pages AS {pages}")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE gold AS
        WITH pages AS (SELECT * FROM gold_pages),
        items AS (SELECT id, coalesce(n_sitelinks, 0) AS n_sitelinks FROM {entities_sql} WHERE type = 'item'),
        matched AS (
            SELECT g.split, g.doc, g.entity, g.kb_id, coalesce(g.direct, p.id) AS id,
                   CASE WHEN g.direct IS NOT NULL THEN 'qid' ELSE 'sitelink' END AS via
            FROM gold_targets g
            LEFT JOIN pages p ON g.direct IS NULL AND p.site = g.site AND p.key = g.title
        )
        SELECT m.split, m.doc, m.entity, any_value(m.kb_id) AS kb_id,
               arg_max(i.id, i.n_sitelinks) AS qid,
               CASE WHEN arg_max(i.id, i.n_sitelinks) IS NULL THEN NULL ELSE any_value(m.via) END AS via
        FROM matched m LEFT JOIN items i ON i.id = m.id
        GROUP BY m.split, m.doc, m.entity;
    """)
    return "gold"


def sites_without_pages(con) -> list[str]:
    """The wikis that gold titles are looked up on but the KG's sitelinks table has no page of
    (after :func:`gold_link_table`): the extraction's ``kg.sitelinks`` lacks them."""
    return [r[0] for r in con.execute("""
        SELECT DISTINCT site FROM gold_targets WHERE site IS NOT NULL
        EXCEPT SELECT DISTINCT site FROM gold_pages ORDER BY 1
    """).fetchall()]


def gold_accuracy(con, best_alias: str, scored: str, gold: str, samples: int) -> dict | None:
    """How often the alias linker (``best_alias``: its pick per entity, made without the gold links)
    picks the resolved gold item; None when the dataset has no resolved gold link.

    ``{gold: resolved gold links, linked: entities the alias linker links, correct,
    accuracy: correct / gold, precision: correct / linked, gold_in_candidates (the gold item is
    among the entity's candidates), by_split: {split: {gold, linked, correct, accuracy}},
    error_samples: [[split, doc, entity, gold qid, picked qid or null]]}``.
    """
    rows = con.execute(f"""
        SELECT g.split, count(*) AS n, count(b.qid) AS linked,
               count(*) FILTER (WHERE b.qid = g.qid) AS correct,
               count(*) FILTER (WHERE EXISTS (SELECT 1 FROM {scored} c WHERE c.split = g.split AND c.doc = g.doc
                                              AND c.entity = g.entity AND c.id = g.qid)) AS in_cands
        FROM {gold} g LEFT JOIN {best_alias} b USING (split, doc, entity)
        WHERE g.qid IS NOT NULL GROUP BY g.split ORDER BY g.split
    """).fetchall()
    if not rows:
        return None
    total, linked, correct, in_cands = (sum(r[i] for r in rows) for i in (1, 2, 3, 4))
    errors = con.execute(f"""
        SELECT g.split, g.doc, g.entity, g.qid, b.qid
        FROM {gold} g LEFT JOIN {best_alias} b USING (split, doc, entity)
        WHERE g.qid IS NOT NULL AND b.qid IS DISTINCT FROM g.qid
        ORDER BY g.split, g.doc, g.entity LIMIT {int(samples)}
    """).fetchall()
    return {
        "gold": total, "linked": linked, "correct": correct, "accuracy": round(correct / total, 4),
        "precision": round(correct / linked, 4) if linked else 0.0, "gold_in_candidates": in_cands,
        "by_split": {split: {"gold": n, "linked": lk, "correct": c, "accuracy": round(c / n, 4)}
                     for split, n, lk, c, _ in rows},
        "error_samples": [list(r) for r in errors],
    }


def sitelinks_sql(kg_dir: str | Path) -> str | None:
    """SQL source of the KG's ``sitelinks`` table, None when the extraction wrote none
    (``kg.sitelinks: []``, or a KG extracted before the table existed)."""
    if not any(Path(kg_dir, "sitelinks").glob("*.parquet")):
        return None
    return kg_table_sql(kg_dir, "sitelinks")
