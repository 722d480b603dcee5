"""`kire kg synth`: a synthetic Wikidata dump for scale tests, in the official format and shape.

A real dump is a few well-known, very large entities (the head: tens to hundreds of KB each, with
labels in hundreds of languages, thousands of statements, references and sitelinks) followed by a
long tail of small ones (scholarly articles, people, taxa: a few KB). The synthetic dump mixes both:

- head entities (``HEAD_SHARE`` of items): copies of the real dump head's entities under new ids;
- tail entities: generated from templates of the commonest kinds of items, with every value type
  (item, external id, string, monolingual text, time, quantity, coordinates, url, media), references,
  qualifiers, occasional novalue/somevalue snaks and deprecated statements, a few sitelinks;
- one property entity per property used, at the end.

Output: ``[`` / one entity per line followed by ``,`` / ``]`` like latest-all.json; compressed by suffix.
"""

from __future__ import annotations

import gzip
import os
import random
import uuid
from pathlib import Path

import orjson

from kire.errors import InputError
from kire.io import atomic_path

HEAD_SHARE = 0.03
FIRST_ID = 100_000_000  # synthetic item ids, clear of the real head's ids
REFERENCE_DEFAULT = Path(__file__).resolve().parents[3] / "shared" / "data" / "wikidata" / "latest-all-head50.json"
# Where ../shared/data is absent (a user's machine), the project's own sample dump is the reference.
REFERENCE_FALLBACK = Path(__file__).resolve().parents[2] / "resources" / "sample" / "wikidata-sample.json.gz"


def default_reference() -> Path:
    """The real dump head in ../shared/data when present, else the bundled sample dump."""
    return REFERENCE_DEFAULT if REFERENCE_DEFAULT.exists() else REFERENCE_FALLBACK

LANGS = ["en", "de", "fr", "es", "it", "nl", "pl", "ru", "ja", "zh", "pt", "sv"]
WORDS = ("alpha beta gamma delta river mountain study analysis protein cell quantum network model "
         "city museum church school novel journal history theory system data effect human species "
         "north south east west old new great little saint lake valley bridge road castle").split()

PROP_TYPES = {
    "P31": "wikibase-item", "P17": "wikibase-item", "P50": "wikibase-item", "P21": "wikibase-item",
    "P27": "wikibase-item", "P106": "wikibase-item", "P131": "wikibase-item", "P171": "wikibase-item",
    "P105": "wikibase-item", "P921": "wikibase-item", "P1433": "wikibase-item", "P735": "wikibase-item",
    "P248": "wikibase-item", "P143": "wikibase-item", "P1687": "wikibase-property",
    "P356": "external-id", "P698": "external-id", "P214": "external-id", "P227": "external-id",
    "P2093": "string", "P304": "string", "P478": "string", "P433": "string", "P1545": "string",
    "P1476": "monolingualtext", "P1559": "monolingualtext",
    "P577": "time", "P569": "time", "P570": "time", "P813": "time", "P571": "time",
    "P1082": "quantity", "P2046": "quantity", "P2044": "quantity",
    "P625": "globe-coordinate", "P856": "url", "P854": "url", "P18": "commonsMedia", "P225": "string",
}
VALUE_TYPE = {"wikibase-item": "wikibase-entityid", "wikibase-property": "wikibase-entityid",
              "external-id": "string", "string": "string", "url": "string", "commonsMedia": "string",
              "monolingualtext": "monolingualtext", "time": "time", "quantity": "quantity",
              "globe-coordinate": "globecoordinate"}
# Tail templates: (weight, [(property, probability, (min, max) count)]).
TEMPLATES = {
    "article": (0.5, "Q13442814", [("P1476", 1, (1, 1)), ("P577", 1, (1, 1)), ("P356", 0.9, (1, 1)),
                                   ("P698", 0.6, (1, 1)), ("P1433", 0.9, (1, 1)), ("P50", 0.6, (1, 8)),
                                   ("P2093", 0.7, (1, 12)), ("P304", 0.7, (1, 1)), ("P478", 0.7, (1, 1)),
                                   ("P433", 0.5, (1, 1)), ("P921", 0.4, (1, 5))]),
    "human": (0.2, "Q5", [("P21", 0.95, (1, 1)), ("P569", 0.8, (1, 1)), ("P570", 0.4, (1, 1)),
                          ("P27", 0.7, (1, 2)), ("P106", 0.8, (1, 3)), ("P735", 0.6, (1, 1)),
                          ("P214", 0.5, (1, 1)), ("P227", 0.3, (1, 1)), ("P18", 0.2, (1, 1))]),
    "taxon": (0.1, "Q16521", [("P105", 1, (1, 1)), ("P171", 1, (1, 1)), ("P225", 1, (1, 1)),
                              ("P1559", 0.2, (1, 2))]),
    "place": (0.2, "Q486972", [("P17", 1, (1, 1)), ("P131", 0.9, (1, 2)), ("P625", 0.9, (1, 1)),
                               ("P1082", 0.5, (1, 4)), ("P2046", 0.4, (1, 1)), ("P2044", 0.3, (1, 1)),
                               ("P856", 0.2, (1, 1)), ("P18", 0.4, (1, 1)), ("P571", 0.3, (1, 1))]),
    "concept": (0.02, "Q151885", [("P1687", 1, (1, 1)), ("P18", 0.3, (1, 1))]),
}


class _Generator:
    def __init__(self, n_items: int, rng: random.Random):
        self.rng, self.n_items = rng, n_items

    def words(self, lo: int, hi: int) -> str:
        return " ".join(self.rng.choice(WORDS) for _ in range(self.rng.randint(lo, hi)))

    def item_id(self) -> str:
        return f"Q{FIRST_ID + self.rng.randrange(max(1, self.n_items))}"

    def value(self, dtype: str):
        r = self.rng
        if dtype == "wikibase-item":
            qid = self.item_id()
            return {"entity-type": "item", "numeric-id": int(qid[1:]), "id": qid}
        if dtype == "wikibase-property":
            pid = r.choice(list(PROP_TYPES))
            return {"entity-type": "property", "numeric-id": int(pid[1:]), "id": pid}
        if dtype == "external-id":
            return f"{r.randrange(10**8):08d}"
        if dtype == "url":
            return f"https://example.org/{self.words(1, 3).replace(' ', '/')}"
        if dtype == "commonsMedia":
            return f"{self.words(1, 3).title()}.jpg"
        if dtype == "string":
            return self.words(1, 3).title()
        if dtype == "monolingualtext":
            return {"text": self.words(2, 8).capitalize(), "language": r.choice(LANGS[:4])}
        if dtype == "time":
            precision = r.choice([9, 10, 11, 11, 11])
            y, m, d = r.randint(1500, 2025), r.randint(1, 12), r.randint(1, 28)
            m, d = (m if precision >= 10 else 0), (d if precision >= 11 else 0)
            return {"time": f"+{y:04d}-{m:02d}-{d:02d}T00:00:00Z", "timezone": 0, "before": 0,
                    "after": 0, "precision": precision,
                    "calendarmodel": "http://www.wikidata.org/entity/Q1985727"}
        if dtype == "quantity":
            unit = r.choice(["1", "http://www.wikidata.org/entity/Q712226",
                             "http://www.wikidata.org/entity/Q11573"])
            return {"amount": f"+{r.randrange(10**7)}", "unit": unit}
        if dtype == "globe-coordinate":
            return {"latitude": round(r.uniform(-90, 90), 6), "longitude": round(r.uniform(-180, 180), 6),
                    "altitude": None, "precision": 1e-06, "globe": "http://www.wikidata.org/entity/Q2"}
        raise ValueError(dtype)

    def snak(self, prop: str, with_hash: bool = False) -> dict:
        dtype = PROP_TYPES[prop]
        roll = self.rng.random()
        snaktype = "novalue" if roll < 0.003 else "somevalue" if roll < 0.006 else "value"
        snak = {"snaktype": snaktype, "property": prop}
        if with_hash:
            snak["hash"] = uuid.UUID(int=self.rng.getrandbits(128)).hex + "12345678"
        if snaktype == "value":
            snak["datavalue"] = {"value": self.value(dtype), "type": VALUE_TYPE[dtype]}
        snak["datatype"] = dtype
        return snak

    def statement(self, qid: str, prop: str) -> dict:
        r = self.rng
        st = {"mainsnak": self.snak(prop), "type": "statement"}
        if r.random() < 0.15:
            qprop = r.choice(["P1545", "P577", "P248"])
            st["qualifiers"] = {qprop: [self.snak(qprop, with_hash=True)]}
            st["qualifiers-order"] = [qprop]
        st["id"] = f"{qid}${uuid.UUID(int=r.getrandbits(128))}"
        st["rank"] = "deprecated" if r.random() < 0.005 else "preferred" if r.random() < 0.02 else "normal"
        if r.random() < 0.7:
            snaks = {"P248": [self.snak("P248")], "P813": [self.snak("P813")]}
            st["references"] = [{"hash": uuid.UUID(int=r.getrandbits(128)).hex + "abcdef01",
                                 "snaks": snaks, "snaks-order": list(snaks)}]
        return st

    def tail_entity(self, qid: str) -> dict:
        r = self.rng
        kinds = list(TEMPLATES)
        kind = r.choices(kinds, weights=[TEMPLATES[k][0] for k in kinds])[0]
        _, instance_of, props = TEMPLATES[kind]
        name = self.words(1, 4).title()
        langs = r.sample(LANGS, r.choice([1, 1, 2, 3, 5, 8]))
        claims = {"P31": [self.statement(qid, "P31")]}
        claims["P31"][0]["mainsnak"] = {
            "snaktype": "value", "property": "P31", "datatype": "wikibase-item",
            "datavalue": {"value": {"entity-type": "item", "numeric-id": int(instance_of[1:]),
                                    "id": instance_of}, "type": "wikibase-entityid"}}
        for prop, p, (lo, hi) in props:
            if r.random() < p:
                claims[prop] = [self.statement(qid, prop) for _ in range(r.randint(lo, hi))]
        n_sites = r.choice([0, 0, 0, 1, 1, 2, 4])
        return {
            "type": "item", "id": qid,
            "labels": {lg: {"language": lg, "value": name} for lg in langs},
            "descriptions": {lg: {"language": lg, "value": f"{kind} {self.words(1, 5)}"} for lg in langs[:3]},
            "aliases": ({langs[0]: [{"language": langs[0], "value": self.words(1, 3)}]}
                        if r.random() < 0.2 else {}),
            "claims": claims,
            "sitelinks": {f"{lg}wiki": {"site": f"{lg}wiki", "title": name, "badges": []}
                          for lg in LANGS[:n_sites]},
        }


def _read_reference(path: Path) -> list[tuple[str, str]]:
    """(id, line text) of every entity line of the reference dump head."""
    out = []
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as fh:
        for raw in fh:
            line = raw.strip().rstrip(b",")
            if not line or line in (b"[", b"]"):
                continue
            try:
                entity = orjson.loads(line)
            except orjson.JSONDecodeError as err:
                raise InputError(str(path), None, None, f"reference line is not JSON: {err}") from err
            out.append((entity["id"], line.decode("utf-8")))
    if not out:
        raise InputError(str(path), None, None, "no entities in the reference dump")
    return out


def _property_entity(pid: str) -> dict:
    label = f"property {pid}"
    return {"type": "property", "datatype": PROP_TYPES[pid], "id": pid,
            "labels": {"en": {"language": "en", "value": label}},
            "descriptions": {"en": {"language": "en", "value": f"synthetic {PROP_TYPES[pid]} property"}},
            "aliases": {}, "claims": {}}


def _open_out(path: Path, tmp: Path):
    name = path.name
    if name.endswith(".gz"):
        from isal import igzip

        return igzip.open(tmp, "wb", compresslevel=2)
    if name.endswith(".bz2"):
        import bz2

        return bz2.open(tmp, "wb", compresslevel=9)
    return open(tmp, "wb")


def write_synthetic_dump(out: str | os.PathLike, n_entities: int, reference: str | os.PathLike | None = None,
                         seed: int = 0) -> dict:
    """Write a dump of ``n_entities`` entities to ``out``; return {entities, items, properties, json_bytes}."""
    if n_entities < len(PROP_TYPES) + 1:
        raise InputError(str(out), None, None, f"need at least {len(PROP_TYPES) + 1} entities")
    out = Path(out)
    ref = _read_reference(Path(reference) if reference else default_reference())
    rng = random.Random(seed)
    n_items = n_entities - len(PROP_TYPES)
    gen = _Generator(n_items, rng)
    written = 0
    with atomic_path(out, suffix=".tmp") as tmp:
        with _open_out(out, tmp) as fh:
            fh.write(b"[\n")
            written += 2
            for i in range(n_entities):
                if i < n_items:
                    qid = f"Q{FIRST_ID + i}"
                    if rng.random() < HEAD_SHARE:
                        old, text = rng.choice(ref)
                        line = text.replace(f'"id":"{old}"', f'"id":"{qid}"', 1)
                        line = line.replace(f'"{old}$', f'"{qid}$').replace(f'"{old.lower()}$', f'"{qid}$')
                        data = line.encode("utf-8")
                    else:
                        data = orjson.dumps(gen.tail_entity(qid))
                else:
                    data = orjson.dumps(_property_entity(list(PROP_TYPES)[i - n_items]))
                data += b",\n" if i < n_entities - 1 else b"\n"
                fh.write(data)
                written += len(data)
            fh.write(b"]\n")
            written += 2
    return {"path": str(out), "entities": n_entities, "items": n_items, "properties": len(PROP_TYPES),
            "json_bytes": written}
