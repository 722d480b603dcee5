"""Render the sample KG (:mod:`kire.sample.world`) in the Wikidata JSON dump format.

The dump is what ``https://dumps.wikimedia.org/wikidatawiki/entities/latest-all.json.gz`` holds: a
``[`` line, one entity JSON object per line, each followed by ``,`` except the last, and a ``]``
line. Entities carry ``type, id, labels, descriptions, aliases, claims, sitelinks`` (properties:
``datatype`` and no sitelinks) and the page metadata ``pageid, ns, title, lastrevid, modified``.
Output is deterministic: statement GUIDs and snak hashes derive from content, ``modified`` is a
fixed date, and the gzip header has mtime 0 and no file name.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import uuid
from typing import Any

from kire.sample.world import (
    Claim, Coord, EntitySpec, Quantity, Text, Time, Value, Valueless, all_entities,
)

ENTITY_URI = "http://www.wikidata.org/entity/"
MODIFIED = "2026-01-05T09:30:00Z"  # a fixed "last edited" date: the sample has no real history
DUMP_NAME = "wikidata-sample.json.gz"  # the dump's file name in a sample folder (kire.sample.generate)


def datavalue(value: Value, datatype: str) -> dict[str, Any]:
    """The ``datavalue`` object of a value snak (``{"value": ..., "type": ...}``)."""
    if isinstance(value, Time):
        return {"value": {"time": value.time, "timezone": 0, "before": 0, "after": 0,
                          "precision": value.precision, "calendarmodel": ENTITY_URI + value.calendar},
                "type": "time"}
    if isinstance(value, Quantity):
        unit = ENTITY_URI + value.unit if value.unit else "1"
        return {"value": {"amount": value.amount, "unit": unit}, "type": "quantity"}
    if isinstance(value, Coord):
        return {"value": {"latitude": value.latitude, "longitude": value.longitude, "altitude": None,
                          "precision": value.precision, "globe": ENTITY_URI + "Q2"},
                "type": "globecoordinate"}
    if isinstance(value, Text):
        return {"value": {"text": value.text, "language": value.language}, "type": "monolingualtext"}
    if datatype in ("wikibase-item", "wikibase-property"):
        kind = "item" if value[0] == "Q" else "property"
        return {"value": {"entity-type": kind, "numeric-id": int(value[1:]), "id": value},
                "type": "wikibase-entityid"}
    # string, external-id, url and commonsMedia values are all plain strings
    return {"value": value, "type": "string"}


def snak(prop: str, value: Value, datatypes: dict[str, str], with_hash: bool = False) -> dict[str, Any]:
    """A snak; ``somevalue``/``novalue`` markers give value-less snaks (no ``datavalue``)."""
    datatype = datatypes[prop]
    out: dict[str, Any] = {"snaktype": "value", "property": prop}
    if isinstance(value, Valueless):
        out["snaktype"] = str(value)
    if with_hash:
        out["hash"] = ""  # filled below, over the snak without its hash
    if out["snaktype"] == "value":
        out["datavalue"] = datavalue(value, datatype)
    out["datatype"] = datatype
    if with_hash:
        out["hash"] = content_hash({k: v for k, v in out.items() if k != "hash"})
    return out


def content_hash(obj: Any) -> str:
    """A 40-hex-digit hash of ``obj``'s canonical JSON (Wikibase uses SHA-1 hashes of snaks too)."""
    return hashlib.sha1(json.dumps(obj, sort_keys=True).encode()).hexdigest()


def statement_guid(entity_id: str, index: int, claim: Claim) -> str:
    """A ``Q64$xxxxxxxx-xxxx-…`` statement id, deterministic in the entity, position and content."""
    digest = hashlib.sha1(f"{entity_id}|{index}|{claim!r}".encode()).digest()
    guid = str(uuid.UUID(bytes=digest[:16], version=4))
    # Wikidata has GUIDs in both cases (older statements are upper case); mimic both.
    return f"{entity_id}${guid.upper() if digest[16] % 3 == 0 else guid}"


def statement(entity_id: str, index: int, claim: Claim, datatypes: dict[str, str]) -> dict[str, Any]:
    """One statement object of ``claims[P]``."""
    out: dict[str, Any] = {"mainsnak": snak(claim.prop, claim.value, datatypes), "type": "statement"}
    if claim.qualifiers:
        quals: dict[str, list] = {}
        for prop, value in claim.qualifiers:
            quals.setdefault(prop, []).append(snak(prop, value, datatypes, with_hash=True))
        out["qualifiers"] = quals
        out["qualifiers-order"] = list(quals)
    out["id"] = statement_guid(entity_id, index, claim)
    out["rank"] = claim.rank
    if claim.references:
        refs = []
        for ref in claim.references:
            snaks: dict[str, list] = {}
            for prop, value in ref:
                snaks.setdefault(prop, []).append(snak(prop, value, datatypes))
            refs.append({"hash": content_hash(snaks), "snaks": snaks, "snaks-order": list(snaks)})
        out["references"] = refs
    return out


def terms(values: dict[str, str]) -> dict[str, dict[str, str]]:
    return {lang: {"language": lang, "value": text} for lang, text in values.items()}


def entity_json(spec: EntitySpec, datatypes: dict[str, str], pageid: int) -> dict[str, Any]:
    """The dump record of one entity."""
    out: dict[str, Any] = {"type": "property" if spec.id[0] == "P" else "item"}
    if spec.datatype:
        out["datatype"] = spec.datatype
    out["id"] = spec.id
    out["labels"] = terms(spec.labels)
    out["descriptions"] = terms(spec.descriptions)
    out["aliases"] = {lang: [{"language": lang, "value": a} for a in names]
                      for lang, names in spec.aliases.items()}
    claims: dict[str, list] = {}
    for i, claim in enumerate(spec.claims):
        claims.setdefault(claim.prop, []).append(statement(spec.id, i, claim, datatypes))
    out["claims"] = claims
    if out["type"] == "item":
        out["sitelinks"] = {site: {"site": site, "title": title, "badges": []}
                            for site, title in sorted(spec.sitelinks.items())}
    out["pageid"] = pageid
    out["ns"] = 120 if out["type"] == "property" else 0
    out["title"] = f"Property:{spec.id}" if out["type"] == "property" else spec.id
    out["lastrevid"] = 2_000_000_000 + int(content_hash([spec.id, pageid])[:6], 16)
    out["modified"] = MODIFIED
    return out


def dump_records(entities: list[EntitySpec] | None = None) -> list[dict[str, Any]]:
    """The dump records of ``entities`` (default: the whole sample KG), in dump order."""
    entities = all_entities() if entities is None else entities
    datatypes = {e.id: e.datatype for e in entities if e.datatype}
    return [entity_json(e, datatypes, pageid=100 + i) for i, e in enumerate(entities)]


def dump_text(records: list[dict[str, Any]]) -> str:
    """The uncompressed dump: ``[``, one record per line (``,``-terminated but the last), ``]``."""
    lines = [json.dumps(r, ensure_ascii=True, separators=(",", ":")) for r in records]
    return "[\n" + ",\n".join(lines) + "\n]\n"


def gzip_bytes(data: bytes) -> bytes:
    """``data`` gzip-compressed reproducibly (mtime 0, no file name in the header)."""
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, compresslevel=9, mtime=0) as gz:
        gz.write(data)
    return buf.getvalue()
