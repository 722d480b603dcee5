"""Values rendered as text, and the `kire kg` commands (query, synth) end to end."""

from __future__ import annotations

import argparse
import gzip
import json

import msgspec
import pytest

from kire.kg.records import DataValue
from kire.kg.render import iso_time, render_value


def dv(obj) -> DataValue:
    return msgspec.convert(obj, DataValue)


@pytest.mark.parametrize("time,precision,expected", [
    ("+1990-10-03T00:00:00Z", 11, "1990-10-03"),
    ("+1990-10-00T00:00:00Z", 10, "1990-10"),
    ("+1237-01-01T00:00:00Z", 9, "1237"),
    ("+1988-00-00T00:00:00Z", 8, "198X"),  # decade: 1988 at precision 8 means the 1980s
    ("+1900-00-00T00:00:00Z", 7, "19XX"),
    ("-0500-00-00T00:00:00Z", 6, "-0XXX"),
    ("-0500-01-01T00:00:00Z", 9, "-0500"),
    ("-13798000000-00-00T00:00:00Z", 3, "-13798000000"),
    ("+2001-02-03T04:05:06Z", 14, "2001-02-03T04:05:06"),
    ("+2001-02-03T04:05:06Z", 12, "2001-02-03T04"),
])
def test_iso_time_is_cut_to_its_precision(time, precision, expected):
    assert iso_time(time, precision) == expected


def test_values_render_by_type():
    langs = ("en", "de")
    assert render_value(dv({"type": "quantity", "value": {
        "amount": "+891.68", "unit": "http://www.wikidata.org/entity/Q712226"}}), langs) == "891.68 Q712226"
    assert render_value(dv({"type": "quantity", "value": {"amount": "-3", "unit": "1"}}), langs) == "-3"
    assert render_value(dv({"type": "globecoordinate", "value": {
        "latitude": 1.5, "longitude": -2.25, "globe": "http://www.wikidata.org/entity/Q405"}}), langs) \
        == "1.5,-2.25 Q405"
    assert render_value(dv({"type": "monolingualtext", "value": {"text": "Berlin", "language": "de"}}),
                        langs) == "Berlin"
    assert render_value(dv({"type": "monolingualtext", "value": {"text": "Berlino", "language": "it"}}),
                        langs) is None
    assert render_value(dv({"type": "wikibase-entityid", "value": {
        "entity-type": "property", "numeric-id": 31}}), langs) == "P31"
    assert render_value(dv({"type": "string", "value": "x.jpg"}), langs) == "x.jpg"
    with pytest.raises(ValueError):
        render_value(dv({"type": "quantity", "value": {"unit": "1"}}), langs)


def kg_parser() -> argparse.ArgumentParser:
    """The `kire` parser with only the kg group (the stage's own commands, isolated from others')."""
    from kire.kg import cli

    parser = argparse.ArgumentParser(prog="kire")
    cli.register(parser.add_subparsers())
    return parser


def run(argv: list[str]) -> int:
    args = kg_parser().parse_args(argv)
    return args.func(args)


def test_synth_then_extract_then_query(tmp_path, capsys):
    dump = tmp_path / "synth.json.gz"
    assert run(["kg", "synth", "--entities", "300", "--out", str(dump), "--seed", "7"]) == 0
    lines = gzip.decompress(dump.read_bytes()).splitlines()
    assert lines[0] == b"[" and lines[-1] == b"]" and len(lines) == 302
    assert all(line.endswith(b",") for line in lines[1:-2]) and not lines[-2].endswith(b",")
    kinds = [json.loads(line.rstrip(b","))["type"] for line in lines[1:-1]]
    assert kinds.count("property") > 10 and kinds.count("item") > 200
    out = tmp_path / "kg"
    assert run(["kg", "extract", str(dump), "--out", str(out), "--workers", "0", "--qualifiers"]) == 0
    capsys.readouterr()
    assert run(["kg", "query", str(out),
                "SELECT property, count(*) AS n FROM relation_triples GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 3"]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].split() == ["property", "n"] and printed[1].startswith("---")
    assert len(printed) == 5 and "P31" in {line.split()[0] for line in printed[2:]}
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["rows"]["qualifiers"] > 0 and manifest["rows"]["entities"] == 300
    # Every value type of the synthetic dump reached attribute_triples.
    assert run(["kg", "query", str(out), "SELECT DISTINCT datatype FROM attribute_triples ORDER BY 1",
                "--format", "jsonl"]) == 0
    types = {json.loads(x)["datatype"] for x in capsys.readouterr().out.splitlines()}
    assert {"external-id", "string", "monolingualtext", "time", "quantity", "globe-coordinate", "url",
            "commonsMedia", "wikibase-property"} <= types


def test_query_refuses_an_unfinished_folder(tmp_path):
    from kire.errors import KireError

    with pytest.raises(KireError, match="no manifest.json"):
        run(["kg", "query", str(tmp_path), "SELECT 1"])
