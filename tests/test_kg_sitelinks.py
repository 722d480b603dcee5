"""The sitelinks table of `kire kg extract`: configured wikis only, titles unchanged, badges kept."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from kire.cli import main
from kire.kg.duck import run_query
from kire.kg.extract import extract
from kire.kg.schema import KG_TABLES
from kire.kg.tables import ExtractOptions
from tests.conftest import shared_file


def item(qid: str, label: str, sitelinks) -> dict:
    return {"type": "item", "id": qid, "labels": {"en": {"language": "en", "value": label}},
            "descriptions": {}, "aliases": {}, "claims": {}, "sitelinks": sitelinks}


def link(site: str, title: str, badges=()) -> dict:
    return {"site": site, "title": title, "badges": list(badges)}


def write_dump(path: Path, entities: list[dict]) -> Path:
    lines = ",\n".join(json.dumps(e, ensure_ascii=False) for e in entities)
    path.write_text(f"[\n{lines}\n]\n", encoding="utf-8")
    return path


@pytest.fixture
def wiki_dump(tmp_path) -> Path:
    # Invented: a disambiguated title, a town whose label differs from its article title, a village
    # whose label is that title, an item with no sitelinks serialised as [] (PHP), another wiki only.
    return write_dump(tmp_path / "dump.json", [
        item("Q900001", "Mercia", {"enwiki": link("enwiki", "Mercia (kingdom)", ["Q17437798"]),
                                   "dewiki": link("dewiki", "Mercien")}),
        item("Q900002", "Eastbrook, Kent", {"enwiki": link("enwiki", "Eastbrook")}),
        item("Q900003", "Eastbrook", {"enwiki": link("enwiki", "Eastbrook (village)")}),
        item("Q900004", "Nowhere", []),
        item("Q900005", "Nur Deutsch", {"dewiki": link("dewiki", "Nur Deutsch")}),
    ])


def sitelinks(out: Path) -> list[dict]:
    table = pq.read_table(out / "sitelinks")
    assert table.schema.equals(KG_TABLES["sitelinks"])
    return sorted(table.to_pylist(), key=lambda r: (r["id"], r["site"]))


def test_default_site_is_enwiki_and_titles_stay_unchanged(wiki_dump, tmp_path):
    manifest = extract(wiki_dump, tmp_path / "kg", ExtractOptions(("en",)), workers=0)
    assert manifest["rejected"] == 0 and manifest["rows"]["sitelinks"] == 3
    assert sitelinks(tmp_path / "kg") == [
        {"id": "Q900001", "site": "enwiki", "title": "Mercia (kingdom)", "badges": ["Q17437798"]},
        {"id": "Q900002", "site": "enwiki", "title": "Eastbrook", "badges": []},
        {"id": "Q900003", "site": "enwiki", "title": "Eastbrook (village)", "badges": []},
    ]
    # n_sitelinks still counts every wiki
    _, rows = run_query(tmp_path / "kg", "SELECT id, n_sitelinks FROM entities ORDER BY id")
    assert rows == [("Q900001", 2), ("Q900002", 1), ("Q900003", 1), ("Q900004", 0), ("Q900005", 1)]
    # the README's query: the item behind a Wikipedia title
    _, rows = run_query(tmp_path / "kg", "SELECT s.id, e.label FROM sitelinks s JOIN entities e "
                                         "ON e.id = s.id WHERE s.site = 'enwiki' AND s.title = 'Eastbrook'")
    assert rows == [("Q900002", "Eastbrook, Kent")]


def test_cli_sites_option_and_none(wiki_dump, tmp_path, capsys):
    assert main(["kg", "extract", str(wiki_dump), "--out", str(tmp_path / "kg"), "--workers", "0",
                 "--sitelinks", "dewiki,enwiki"]) == 0
    got = {(r["id"], r["site"]) for r in sitelinks(tmp_path / "kg")}
    assert got == {("Q900001", "dewiki"), ("Q900001", "enwiki"), ("Q900002", "enwiki"),
                   ("Q900003", "enwiki"), ("Q900005", "dewiki")}
    assert main(["kg", "extract", str(wiki_dump), "--out", str(tmp_path / "none"), "--workers", "0",
                 "--sitelinks", "none"]) == 0
    assert not (tmp_path / "none" / "sitelinks").exists()
    with pytest.raises(SystemExit):
        main(["kg", "extract", str(wiki_dump), "--out", str(tmp_path / "bad"), "--sitelinks", "en wiki"])
    assert "invalid wiki site id 'en wiki'" in capsys.readouterr().err


def test_a_malformed_sitelink_rejects_its_line(tmp_path):
    dump = write_dump(tmp_path / "dump.json", [
        item("Q1", "Good", {"enwiki": link("enwiki", "Good")}),
        item("Q2", "Bad", {"enwiki": {"site": "enwiki", "title": 42, "badges": []}}),
    ])
    manifest = extract(dump, tmp_path / "kg", ExtractOptions(("en",)), workers=0, max_reject_share=0.5)
    assert manifest["rejected"] == 1 and manifest["rows"]["sitelinks"] == 1
    reject = json.loads((tmp_path / "kg" / "rejects.jsonl").read_text())
    assert "sitelinks.enwiki" in reject["error"] and '"Q2"' in reject["line"]


def test_head50_sitelinks_match_the_json(tmp_path):
    head50 = shared_file("wikidata/latest-all-head50.json")
    extract(head50, tmp_path / "kg", ExtractOptions(("en",), sitelinks=("enwiki", "dewiki")), workers=0)
    expected = []
    for line in head50.read_text(encoding="utf-8").splitlines():
        line = line.strip().rstrip(",")
        if line not in ("[", "]", ""):
            e = json.loads(line)
            expected += [{"id": e["id"], "site": s, "title": e["sitelinks"][s]["title"],
                          "badges": e["sitelinks"][s]["badges"]}
                         for s in ("dewiki", "enwiki") if s in (e.get("sitelinks") or {})]
    assert sitelinks(tmp_path / "kg") == sorted(expected, key=lambda r: (r["id"], r["site"]))
    assert len(expected) == 98
    assert {"id": "Q313", "site": "dewiki", "title": "Venus (Planet)", "badges": ["Q17437796"]} in expected
