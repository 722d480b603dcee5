"""Checks that a written sample is what the issue promises; each failure names file and record.

``validate_sample(folder)`` reads the files back (not the generator's objects) and returns a
report of counts, or raises :class:`kire.errors.InputError`.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any, Iterator

from kire.errors import InputError
from kire.sample.dump import DUMP_NAME

SNAK_TYPES = {"value", "somevalue", "novalue"}
DATATYPES = {"wikibase-item", "wikibase-property", "string", "external-id", "monolingualtext", "time",
             "quantity", "globe-coordinate", "commonsMedia", "url"}
RANKS = {"preferred", "normal", "deprecated"}
LANGUAGES = {"en", "de", "fr"}
VALUE_TYPES = {"TIME", "NUM"}


def dump_entities(path: Path) -> Iterator[dict[str, Any]]:
    """The entities of a dump file, checking the line format: ``[``, entity lines ending in ``,``
    except the last, ``]``."""
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        lines = fh.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if len(lines) < 3 or lines[0] != "[" or lines[-1] != "]":
        raise InputError(str(path), None, None, "expected a '[' line, entity lines and a ']' line")
    body = lines[1:-1]
    for i, line in enumerate(body):
        last = i == len(body) - 1
        if line.endswith(",") == last:
            raise InputError(str(path), f"line {i + 2}", None,
                             "the last entity line must not end with ','" if last else "must end with ','")
        try:
            yield json.loads(line[:-1] if not last else line)
        except json.JSONDecodeError as err:
            raise InputError(str(path), f"line {i + 2}", None, f"not valid JSON ({err})") from None


def snaks_of(entity: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """``(role, snak)`` for main snaks, qualifiers and reference snaks of every statement."""
    for statements in entity.get("claims", {}).values():
        for st in statements:
            yield "main", st["mainsnak"]
            for quals in st.get("qualifiers", {}).values():
                for q in quals:
                    yield "qualifier", q
            for ref in st.get("references", []):
                for snaks in ref["snaks"].values():
                    for s in snaks:
                        yield "reference", s


def dump_coverage(path: Path) -> dict[str, Any]:
    """Coverage of the dump (snak, data and value types, ranks, languages ...); raises if any
    required kind is missing."""
    seen: dict[str, set] = {k: set() for k in ("snaktypes", "datatypes", "valuetypes", "ranks",
                                               "label_langs", "description_langs", "alias_langs")}
    counts = {"items": 0, "properties": 0, "statements": 0, "qualifiers": 0, "sitelinks": 0,
              "items_without_statements": 0, "items_without_sitelinks": 0}
    names: dict[str, set[str]] = {}
    for ent in dump_entities(path):
        kind = ent.get("type")
        for key in ("id", "labels", "descriptions", "aliases", "claims"):
            if key not in ent:
                raise InputError(str(path), ent.get("id"), key, "missing")
        counts["items" if kind == "item" else "properties"] += 1
        if kind == "property" and ent.get("datatype") not in DATATYPES:
            raise InputError(str(path), ent["id"], "datatype", f"unexpected {ent.get('datatype')!r}")
        n_statements = sum(len(v) for v in ent["claims"].values())
        counts["statements"] += n_statements
        if kind == "item":
            counts["sitelinks"] += len(ent.get("sitelinks", {}))
            counts["items_without_statements"] += n_statements == 0
            counts["items_without_sitelinks"] += not ent.get("sitelinks")
        seen["label_langs"] |= set(ent["labels"])
        seen["description_langs"] |= set(ent["descriptions"])
        seen["alias_langs"] |= set(ent["aliases"])
        names[ent["id"]] = {v["value"].casefold() for v in ent["labels"].values()} | {
            a["value"].casefold() for group in ent["aliases"].values() for a in group}
        for statements in ent["claims"].values():
            for st in statements:
                seen["ranks"].add(st["rank"])
                counts["qualifiers"] += sum(len(q) for q in st.get("qualifiers", {}).values())
        for role, snak in snaks_of(ent):
            seen["snaktypes"].add(snak["snaktype"])
            seen["datatypes"].add(snak["datatype"])
            if "datavalue" in snak:
                dv = snak["datavalue"]
                vt = dv["type"]
                if vt == "wikibase-entityid":
                    vt += ":" + dv["value"]["entity-type"]
                if vt == "quantity":
                    vt += ":unit" if dv["value"]["unit"] != "1" else ":unitless"
                seen["valuetypes"].add(vt)
            elif snak["snaktype"] == "value":
                raise InputError(str(path), ent["id"], snak["property"], "value snak without datavalue")
    required = {
        "snaktypes": SNAK_TYPES, "datatypes": DATATYPES, "ranks": RANKS,
        "valuetypes": {"wikibase-entityid:item", "wikibase-entityid:property", "string", "monolingualtext",
                       "time", "quantity:unit", "quantity:unitless", "globecoordinate"},
        "label_langs": LANGUAGES, "description_langs": LANGUAGES, "alias_langs": LANGUAGES,
    }
    for key, need in required.items():
        if not need <= seen[key]:
            raise InputError(str(path), None, None, f"no {key} {sorted(need - seen[key])}")
    for key in ("qualifiers", "sitelinks", "items_without_statements", "items_without_sitelinks"):
        if not counts[key]:
            raise InputError(str(path), None, None, f"no {key}")
    return {**counts, **{k: sorted(v) for k, v in seen.items()}, "names": names}


def value_names(path: Path) -> set[str]:
    """How the sample writes the dump's time and quantity values ("17 July 1954", "3.8 million")."""
    from kire.sample.facts import quantity_surfaces, time_surfaces
    from kire.sample.world import Quantity, Time

    out: set[str] = set()
    for ent in dump_entities(path):
        for _, snak in snaks_of(ent):
            dv = snak.get("datavalue")
            if not dv:
                continue
            if dv["type"] == "time":
                t = Time(dv["value"]["time"], dv["value"]["precision"])
                out |= {str(t.year), *time_surfaces(t)}
            elif dv["type"] == "quantity":
                out |= set(quantity_surfaces(Quantity(dv["value"]["amount"])))
    return out


def validate_docred(folder: Path, names: dict[str, set[str]], values: set[str],
                    kg_pairs: set[tuple[str, str]]) -> dict[str, Any]:
    """DocRED files load with the project's reader; names are dump labels/aliases (entities) or
    written dump values (TIME/NUM); test has no labels; dev shares facts with train; test has
    entity pairs that are train facts and pairs the KG relates (``kg_pairs``: item id pairs)."""
    from kire.docs.docred import read_docred

    rel_path = folder / "rel_info.json"
    relations = json.loads(rel_path.read_text())
    all_names = set().union(*names.values())
    report: dict[str, Any] = {}
    facts: dict[str, set] = {}
    for split in ("train", "dev", "test"):
        path = folder / f"{split}.json"
        docs = read_docred(path, relations)
        raw = json.loads(path.read_text())
        facts[split] = set()
        for d, (doc, rec) in enumerate(zip(docs, raw)):
            if (doc.labels is None) != (split == "test"):
                raise InputError(str(path), f"document {d}", "labels",
                                 "must be absent in test" if split == "test" else "missing")
            for e, ent in enumerate(doc.entities):
                pool = values if ent.type in VALUE_TYPES else all_names
                if ent.name.casefold() not in {n.casefold() for n in pool}:
                    raise InputError(str(path), f"document {d} ({doc.title!r})", f"vertexSet[{e}]",
                                     f"name {ent.name!r} is not a label/alias/value of the dump")
            for lab in doc.labels or ():
                facts[split].add((doc.entities[lab.head].name, doc.entities[lab.tail].name, lab.relation))
        report[split] = {"documents": len(docs), "labels": sum(len(d.labels or ()) for d in docs)}
    shared = facts["dev"] & facts["train"]
    if not shared:
        raise InputError(str(folder), "dev", None, "no fact shared with train: Ign F1 would equal F1")
    report["dev"]["facts_in_train"] = len(shared)
    # test has no labels: count its entity pairs that are train facts, and those the KG relates
    # (what the leakage filter must remove)
    ids_of: dict[str, set[str]] = {}
    for qid, ns in names.items():
        for n in ns:
            ids_of.setdefault(n, set()).add(qid)
    train_pairs = {(h, t) for h, t, _ in facts["train"]}
    in_train = in_kg = 0
    for doc in read_docred(folder / "test.json", relations):
        for h in doc.entities:
            for t in doc.entities:
                if h is t or h.type in VALUE_TYPES or t.type in VALUE_TYPES:
                    continue
                in_train += (h.name, t.name) in train_pairs
                heads, tails = ids_of.get(h.name.casefold(), set()), ids_of.get(t.name.casefold(), set())
                in_kg += any((a, b) in kg_pairs for a in heads for b in tails)
    if not in_train or not in_kg:
        raise InputError(str(folder / "test.json"), None, None,
                         f"test pairs: {in_train} in train facts, {in_kg} related in the KG; need both")
    report["test"].update(pairs_in_train=in_train, pairs_in_kg=in_kg)
    return report


def validate_dwie(folder: Path, enwiki_titles: set[str]) -> dict[str, Any]:
    """DWIE articles: offsets slice the content to the mention text, ids and predicates resolve,
    links are enwiki titles of the dump, train and test tags both occur."""
    rel_info = json.loads((folder / "rel_info.json").read_text())
    splits = {"train": 0, "test": 0}
    n_mentions = 0
    for path in sorted((folder / "data").glob("*.json")):
        art = json.loads(path.read_text())
        ids = {c["concept"] for c in art["concepts"]}
        for m, men in enumerate(art["mentions"]):
            if art["content"][men["begin"]:men["end"]] != men["text"]:
                raise InputError(str(path), art["id"], f"mentions[{m}]", "offsets do not slice the text")
            if men["concept"] not in ids:
                raise InputError(str(path), art["id"], f"mentions[{m}].concept", "unknown concept")
            n_mentions += 1
        for c in art["concepts"]:
            if "link" in c and c["link"].replace("_", " ") not in enwiki_titles:
                raise InputError(str(path), art["id"], f"concepts[{c['concept']}].link",
                                 f"{c['link']!r} is no enwiki sitelink of the dump")
            if c["count"] != sum(men["concept"] == c["concept"] for men in art["mentions"]):
                raise InputError(str(path), art["id"], f"concepts[{c['concept']}].count", "wrong count")
        for r, rel in enumerate(art["relations"]):
            if rel["s"] not in ids or rel["o"] not in ids or rel["p"] not in rel_info:
                raise InputError(str(path), art["id"], f"relations[{r}]", "unknown concept or predicate")
        split = "test" if "test" in art["tags"] else "train"
        splits[split] += 1
    if not all(splits.values()):
        raise InputError(str(folder), None, "tags", f"need train and test articles, have {splits}")
    return {**splits, "mentions": n_mentions}


def validate_sample(folder: str | Path) -> dict[str, Any]:
    """Validate a whole sample folder (see :mod:`kire.sample.generate`); return counts."""
    folder = Path(folder)
    dump = folder / DUMP_NAME
    coverage = dump_coverage(dump)
    names = coverage.pop("names")
    enwiki, kg_pairs = set(), set()
    for ent in dump_entities(dump):
        if "enwiki" in ent.get("sitelinks", {}):
            enwiki.add(ent["sitelinks"]["enwiki"]["title"])
        for statements in ent["claims"].values():
            for st in statements:
                dv = st["mainsnak"].get("datavalue")
                if dv and dv["type"] == "wikibase-entityid" and st["rank"] != "deprecated":
                    kg_pairs.add((ent["id"], dv["value"]["id"]))
    return {
        "dump": coverage,
        "docred": validate_docred(folder / "docred", names, value_names(dump), kg_pairs),
        "dwie": validate_dwie(folder / "dwie", enwiki),
    }
