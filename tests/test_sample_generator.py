"""The bundled sample: `kire sample` reproduces it byte for byte, and it is what issue 2 promises."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from kire.cli import main
from kire.docs.docred import read_docred
from kire.errors import InputError, KireError
from kire.sample.dump import DUMP_NAME
from kire.sample.generate import write_sample
from kire.sample.validate import dump_coverage, dump_entities, validate_sample


def relative_files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sample") / "sample"
    assert main(["--log-level", "WARNING", "sample", "--out", str(out)]) == 0
    return out


def test_regenerating_reproduces_the_committed_sample_byte_for_byte(regenerated, sample):
    committed, fresh = relative_files(sample), relative_files(regenerated)
    assert sorted(committed) == sorted(fresh)
    differing = [name for name in committed if committed[name] != fresh[name]]
    assert differing == [], f"run `kire sample` and commit: {differing} differ"
    head = fresh[DUMP_NAME][:10]
    assert head[:2] == b"\x1f\x8b" and head[4:8] == b"\0\0\0\0", "gzip header must carry mtime 0"


def test_sample_is_small_enough_for_ci(sample):
    assert sum(len(b) for b in relative_files(sample).values()) < 1_000_000


def test_dump_follows_the_dump_line_format(sample):
    raw = gzip.decompress((sample / DUMP_NAME).read_bytes()).decode("ascii").split("\n")
    assert raw[0] == "[" and raw[-2] == "]" and raw[-1] == ""
    body = raw[1:-2]
    assert all(line.endswith(",") for line in body[:-1]) and not body[-1].endswith(",")
    entities = [json.loads(line.rstrip(",")) for line in body]
    assert 40 <= len(entities) <= 90
    assert {e["type"] for e in entities} == {"item", "property"}
    ids = [e["id"] for e in entities]
    assert len(set(ids)) == len(ids)
    for e in entities:
        assert {"labels", "descriptions", "aliases", "claims", "lastrevid", "modified"} <= set(e)
        for statements in e["claims"].values():
            for st in statements:
                assert st["id"].split("$")[0].upper() == e["id"].upper()
                assert set(st.get("qualifiers", {})) == set(st.get("qualifiers-order", []))


def test_dump_covers_every_snak_type_datavalue_type_and_rank(sample):
    cov = dump_coverage(sample / DUMP_NAME)
    assert set(cov["snaktypes"]) == {"value", "somevalue", "novalue"}
    assert set(cov["ranks"]) == {"preferred", "normal", "deprecated"}
    assert {"wikibase-entityid:item", "wikibase-entityid:property", "string", "monolingualtext", "time",
            "quantity:unit", "quantity:unitless", "globecoordinate"} <= set(cov["valuetypes"])
    assert {"string", "external-id", "url", "commonsMedia", "wikibase-property"} <= set(cov["datatypes"])
    assert {"en", "de", "fr"} <= set(cov["label_langs"]) & set(cov["alias_langs"]) & set(cov["description_langs"])
    assert cov["qualifiers"] > 0 and cov["sitelinks"] > 0
    assert cov["items_without_statements"] > 0 and cov["items_without_sitelinks"] > 0
    assert cov["properties"] >= 15


def test_dump_has_ambiguous_aliases(sample):
    owners: dict[str, set[str]] = {}
    for e in dump_entities(sample / DUMP_NAME):
        names = {e["labels"]["en"]["value"]} | {a["value"] for a in e["aliases"].get("en", [])}
        for name in names:
            owners.setdefault(name.casefold(), set()).add(e["id"])
    assert owners["cambridge"] >= {"Q350", "Q49111", "Q35794"}
    assert owners["frankfurt"] == {"Q1794", "Q4024"}
    assert owners["britain"] == {"Q145", "Q23666"}


def test_docred_sample_loads_and_names_match_the_dump(sample):
    folder = sample / "docred"
    relations = json.loads((folder / "rel_info.json").read_text())
    names = set()
    for e in dump_entities(sample / DUMP_NAME):
        names |= {v["value"].casefold() for v in e["labels"].values()}
        names |= {a["value"].casefold() for group in e["aliases"].values() for a in group}
    sizes = {}
    for split in ("train", "dev", "test"):
        docs = read_docred(folder / f"{split}.json", relations)
        sizes[split] = len(docs)
        for doc in docs:
            assert len(doc.sents) >= 3
            for ent in doc.entities:
                if ent.type not in ("TIME", "NUM"):
                    assert ent.name.casefold() in names, (doc.title, ent.name)
    assert sizes == {"train": 16, "dev": 6, "test": 6}


def test_every_docred_label_is_a_statement_of_the_dump(sample):
    from kire.sample.facts import time_surfaces
    from kire.sample.world import Time

    ids_of: dict[str, set[str]] = {}
    statements: set[tuple[str, str, str]] = set()
    for e in dump_entities(sample / DUMP_NAME):
        for name in [*e["labels"].values(), *(a for g in e["aliases"].values() for a in g)]:
            ids_of.setdefault(name["value"].casefold(), set()).add(e["id"])
        for prop, group in e["claims"].items():
            for st in group:
                dv = st["mainsnak"].get("datavalue")
                if not dv or st["rank"] == "deprecated":
                    continue
                if dv["type"] == "wikibase-entityid":
                    statements.add((e["id"], prop, dv["value"]["id"]))
                elif dv["type"] == "time":
                    t = Time(dv["value"]["time"], dv["value"]["precision"])
                    for text in {str(t.year), *time_surfaces(t)}:
                        statements.add((e["id"], prop, text))
    relations = json.loads((sample / "docred" / "rel_info.json").read_text())
    checked = 0
    for split in ("train", "dev"):
        for doc in read_docred(sample / "docred" / f"{split}.json", relations):
            for lab in doc.labels:
                head, tail = doc.entities[lab.head], doc.entities[lab.tail]
                heads = ids_of[head.name.casefold()]
                tails = {tail.name} if tail.type == "TIME" else ids_of[tail.name.casefold()]
                assert any((h, lab.relation, t) in statements for h in heads for t in tails), \
                    (doc.title, head.name, lab.relation, tail.name)
                checked += 1
    assert checked > 50


def test_test_split_has_no_labels_and_others_do(sample):
    for split, labeled in (("train", True), ("dev", True), ("test", False)):
        raw = json.loads((sample / "docred" / f"{split}.json").read_text())
        assert all(("labels" in rec) == labeled for rec in raw)


def test_docred_has_annotated_and_unannotated_anaphora(sample):
    pronouns = {"it", "he", "she", "its", "his", "her"}
    annotated = unannotated = 0
    for split in ("train", "dev", "test"):
        for rec in json.loads((sample / "docred" / f"{split}.json").read_text()):
            spans = {(m["sent_id"], m["pos"][0]) for v in rec["vertexSet"] for m in v}
            for s, sent in enumerate(rec["sents"]):
                for i, tok in enumerate(sent):
                    if tok.lower() in pronouns or (tok.lower() == "the" and i + 1 < len(sent)
                                                   and sent[i + 1] in ("city", "country", "university")):
                        if (s, i) in spans:
                            annotated += 1
                        else:
                            unannotated += 1
    assert annotated > 0 and unannotated > 0


def test_validation_reports_overlap_and_kg_related_test_pairs(sample):
    report = validate_sample(sample)
    assert report["docred"]["dev"]["facts_in_train"] > 0
    assert report["docred"]["test"]["pairs_in_train"] > 0
    assert report["docred"]["test"]["pairs_in_kg"] > 0
    assert report["dwie"] == {"train": 8, "test": 4, "mentions": report["dwie"]["mentions"]}


def test_dwie_offsets_slice_the_content(sample):
    files = sorted((sample / "dwie" / "data").glob("DW_*.json"))
    assert len(files) == 12
    predicates = json.loads((sample / "dwie" / "rel_info.json").read_text())
    for path in files:
        art = json.loads(path.read_text())
        assert set(art) >= {"id", "content", "tags", "mentions", "concepts", "relations"}
        assert art["tags"] in (["all", "train"], ["all", "test"])
        for men in art["mentions"]:
            assert art["content"][men["begin"]:men["end"]] == men["text"]
        ids = [c["concept"] for c in art["concepts"]]
        assert ids == list(range(len(ids)))
        assert all(r["p"] in predicates for r in art["relations"])


def test_validation_rejects_a_broken_dump_line(tmp_path, sample):
    lines = gzip.decompress((sample / DUMP_NAME).read_bytes()).decode().split("\n")
    lines[3] = lines[3].rstrip(",")  # an entity line that is not the last loses its comma
    bad = tmp_path / DUMP_NAME
    bad.write_bytes(gzip.compress("\n".join(lines).encode()))
    with pytest.raises(InputError, match="line 4"):
        dump_coverage(bad)


def test_write_sample_refuses_a_folder_that_is_not_a_sample(tmp_path):
    (tmp_path / "precious.txt").write_text("keep me")
    with pytest.raises(KireError, match="holds no sample"):
        write_sample(tmp_path)
    assert (tmp_path / "precious.txt").read_text() == "keep me"
