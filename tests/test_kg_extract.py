"""`kire kg extract` on the real dump head and the benchmark KG, checked against independent counts."""

from __future__ import annotations

import gzip
import json
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from kire.kg.extract import extract
from kire.kg.schema import KG_TABLES
from kire.kg.tables import ExtractOptions
from tests.conftest import shared_file

LANGS = ("en", "de")


def dump_entities(path: Path):
    """Every entity of a dump, parsed with the standard json module (the independent reference)."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            line = line.strip().rstrip(",")
            if line and line not in "[]":
                yield json.loads(line)


def independent_counts(path: Path, langs=LANGS) -> Counter:
    """What the tables must hold, counted directly from the JSON with plain Python."""
    c = Counter()
    for e in dump_entities(path):
        c["entities"] += 1
        for lang in langs:
            c["labels"] += lang in (e.get("labels") or {})
            c["aliases"] += len((e.get("aliases") or {}).get(lang, []))
        for statements in (e.get("claims") or {}).values():
            for st in statements:
                snak = st["mainsnak"]
                if st["rank"] == "deprecated":
                    continue
                if snak["snaktype"] != "value":
                    c[snak["snaktype"]] += 1
                elif snak["datavalue"]["type"] == "wikibase-entityid" and \
                        snak["datavalue"]["value"].get("entity-type") == "item":
                    c["relation"] += 1
                elif snak["datavalue"]["type"] == "monolingualtext" and \
                        snak["datavalue"]["value"]["language"] not in langs:
                    c["other_language"] += 1
                else:
                    c["attribute"] += 1
                    c[f"attribute:{snak['datatype']}"] += 1
    return c


def read_table(out: Path, name: str):
    table = pq.read_table(out / name)
    assert table.schema.equals(KG_TABLES[name]), name
    return table.to_pylist()


@pytest.fixture(scope="module")
def head50() -> Path:
    return shared_file("wikidata/latest-all-head50.json")


@pytest.fixture(scope="module")
def head50_kg(head50, tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("kg") / "head50"
    # Small chunks: many chunk boundaries fall inside lines (lines are up to 326 KB).
    manifest = extract(head50, out, ExtractOptions(LANGS, qualifiers=True), workers=0, chunk_mb=0.1)
    return out, manifest


def test_head50_counts_match_an_independent_count(head50, head50_kg):
    out, manifest = head50_kg
    ref = independent_counts(head50)
    assert manifest["chunks"] > 30
    assert manifest["rejected"] == 0
    rows = manifest["rows"]
    assert rows["entities"] == ref["entities"] == 49
    assert rows["aliases"] == ref["labels"] + ref["aliases"]
    assert rows["relation_triples"] == ref["relation"] == 1958
    assert rows["attribute_triples"] == ref["attribute"]
    counts = manifest["counts"]
    assert counts["statements_novalue"] == ref["novalue"]
    assert counts["statements_somevalue"] == ref["somevalue"]
    assert counts["statements_other_language"] == ref["other_language"]
    # Every statement is accounted for in exactly one bucket.
    buckets = sum(v for k, v in counts.items() if k.startswith("statements_"))
    assert buckets == counts["statements"]
    aliases = read_table(out, "aliases")
    assert sum(a["is_label"] for a in aliases) == ref["labels"]


def test_every_datatype_lands_in_its_table(head50, head50_kg):
    out, _ = head50_kg
    ref = independent_counts(head50)
    got = Counter(r["datatype"] for r in read_table(out, "attribute_triples"))
    expected = {k.split(":", 1)[1]: v for k, v in ref.items() if k.startswith("attribute:")}
    assert dict(got) == expected
    assert {"commonsMedia", "external-id", "globe-coordinate", "math", "monolingualtext", "quantity",
            "string", "time", "url"} <= set(got)
    rel = read_table(out, "relation_triples")
    assert all(r["tail"].startswith("Q") for r in rel)
    assert "deprecated" not in {r["rank"] for r in rel}


def test_berlin_by_hand(head50_kg):
    out, _ = head50_kg
    ent = {e["id"]: e for e in read_table(out, "entities")}
    berlin = ent["Q64"]
    assert (berlin["type"], berlin["label"], berlin["description"]) == (
        "item", "Berlin", "capital city of Germany")
    assert berlin["n_sitelinks"] == 286
    aliases = {(a["lang"], a["alias"], a["is_label"]) for a in read_table(out, "aliases") if a["id"] == "Q64"}
    assert ("en", "Berlin", True) in aliases and ("en", "Berlin, Germany", False) in aliases
    assert ("de", "Berlin", True) in aliases
    rel = read_table(out, "relation_triples")
    assert {"head": "Q64", "property": "P17", "tail": "Q183", "rank": "preferred",
            "statement_id": "q64$25A421CA-14DF-463C-ACAD-F1199ADFACE7"} in rel
    attrs = {(a["property"], a["value"], a["datatype"]) for a in read_table(out, "attribute_triples")
             if a["id"] == "Q64"}
    assert ("P625", "52.516666666667,13.383333333333", "globe-coordinate") in attrs
    assert ("P571", "1237", "time") in attrs  # precision 9: the year
    assert ("P1082", "1200", "quantity") in attrs  # unit "1": no unit
    assert ("P856", "http://www.berlin.de/", "url") in attrs
    assert ("P214", "122530980", "external-id") in attrs
    assert ("P18", "Berlin Montage 4.jpg", "commonsMedia") in attrs
    assert ("P1448", "Berlin", "monolingualtext") in attrs  # language de is configured


POPULATION_SQL = """
SELECT a.value AS population, q.value AS point_in_time
FROM attribute_triples a JOIN qualifiers q ON q.statement_id = a.statement_id AND q.property = 'P585'
WHERE a.id = 'Q64' AND a.property = 'P1082' AND a.rank = 'preferred'
"""


def test_attribute_statements_carry_rank_and_statement_id(head50, head50_kg):
    """The README's query: Berlin's preferred population with its point in time (qualifier join)."""
    from kire.kg.duck import run_query

    out, _ = head50_kg
    attrs = read_table(out, "attribute_triples")
    assert all(a["statement_id"] and a["rank"] in ("preferred", "normal") for a in attrs)
    ref = {st["id"]: st["rank"] for e in dump_entities(head50) for sts in e["claims"].values()
           for st in sts}
    assert all(ref[a["statement_id"]] == a["rank"] for a in attrs)
    populations = [a for a in attrs if a["id"] == "Q64" and a["property"] == "P1082"]
    assert len(populations) == 32 and sum(a["rank"] == "preferred" for a in populations) == 1
    cols, rows = run_query(out, POPULATION_SQL)
    assert cols == ["population", "point_in_time"] and rows == [("3469849", "2014-12-31")]
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    assert " ".join(POPULATION_SQL.split()) in " ".join(readme.split())


def test_duckdb_views_answer_queries(head50_kg):
    from kire.kg.duck import run_query

    out, manifest = head50_kg
    assert (out / "kg.duckdb").is_file() and (out / "manifest.json").is_file()
    cols, rows = run_query(out, "SELECT count(*) AS n FROM relation_triples WHERE head = 'Q64'")
    assert cols == ["n"] and rows[0][0] == sum(
        1 for r in read_table(out, "relation_triples") if r["head"] == "Q64")
    _, rows = run_query(out, "SELECT count(*) FROM entities")
    assert rows[0][0] == manifest["rows"]["entities"]


def test_kg_bench_extracts_with_dask(tmp_path):
    bench = shared_file("bench/kg-bench.json.gz")
    ref = independent_counts(bench, ("en",))
    manifest = extract(bench, tmp_path / "kg", ExtractOptions(("en",)), workers=2, chunk_mb=8)
    assert manifest["scheduler"] == "local" and manifest["chunks"] > 1
    assert manifest["rejected"] == 0
    assert manifest["rows"]["entities"] == ref["entities"] == 21800
    assert manifest["rows"]["relation_triples"] == ref["relation"]
    assert manifest["rows"]["attribute_triples"] == ref["attribute"]
    assert manifest["rows"]["aliases"] == ref["labels"] + ref["aliases"]
    props = [e for e in read_table(tmp_path / "kg", "entities") if e["type"] == "property"]
    assert len(props) == 96 and all(p["datatype"] for p in props)


def test_bundled_sample_every_snak_and_value_type(sample, tmp_path):
    dump = sample / "wikidata-sample.json.gz"
    if not dump.is_file():
        pytest.skip(f"{dump} not written yet (run `kire sample`)")
    ref = independent_counts(dump)
    manifest = extract(dump, tmp_path / "kg", ExtractOptions(LANGS), workers=0, chunk_mb=0.01)
    counts = manifest["counts"]
    assert manifest["rejected"] == 0 and manifest["rows"]["entities"] == ref["entities"]
    assert counts["statements_novalue"] == ref["novalue"] > 0
    assert counts["statements_somevalue"] == ref["somevalue"] > 0
    assert counts["statements_deprecated_dropped"] > 0
    assert manifest["rows"]["relation_triples"] == ref["relation"]
    got = Counter(r["datatype"] for r in read_table(tmp_path / "kg", "attribute_triples"))
    assert dict(got) == {k.split(":", 1)[1]: v for k, v in ref.items() if k.startswith("attribute:")}
    entities = read_table(tmp_path / "kg", "entities")
    assert all(e["datatype"] for e in entities if e["type"] == "property")
    assert all(e["datatype"] is None for e in entities if e["type"] == "item")
