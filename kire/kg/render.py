"""Render a Wikidata datavalue as the text stored in ``attribute_triples.value`` and ``qualifiers.value``.

| datavalue type      | rendered as                                   | example                      |
|---------------------|-----------------------------------------------|------------------------------|
| time                | ISO date cut to its precision (decades and    | ``1990-10-03``, ``1237``,    |
|                     | centuries as ISO 8601-2 ``198X``; calendar    | ``198X``, ``-0500``          |
|                     | model not kept)                               |                              |
| quantity            | amount without ``+``, then the unit's id      | ``3644826``, ``891.68 Q712226`` |
| globecoordinate     | ``lat,lon`` (+ `` Qglobe`` if not Earth)       | ``52.516666666667,13.383333333333`` |
| monolingualtext     | the text, only in the configured languages    | ``Berlin``                   |
| string              | the string (string, external-id, url, commonsMedia, math, geo-shape, ...) | ``122530980`` |
| wikibase-entityid   | the id (used for non-item values: properties, lexemes, forms, senses) | ``P31`` |
"""

from __future__ import annotations

from kire.kg.records import DataValue, DataValueBody

EARTH = "http://www.wikidata.org/entity/Q2"
_ENTITY_PREFIX = {"item": "Q", "property": "P", "lexeme": "L"}


def entity_id(body: DataValueBody) -> str | None:
    """The id of a wikibase-entityid value (older dumps give only ``numeric-id``)."""
    if body.id:
        return body.id
    if body.numeric_id is not None and body.entity_type in _ENTITY_PREFIX:
        return f"{_ENTITY_PREFIX[body.entity_type]}{body.numeric_id}"
    return None


def iso_time(time: str, precision: int) -> str:
    """``+1990-10-03T00:00:00Z`` at precision 11 -> ``1990-10-03``; 10 -> ``1990-10``; 9 -> ``1990``;
    8 (decade) -> ``199X``, 7 -> ``19XX``, 6 -> ``1XXX``; coarser precisions give the year as stored."""
    sign = "-" if time.startswith("-") else ""
    body = time[1:] if time[:1] in "+-" else time
    date, _, clock = body.partition("T")
    year, month, day = (date.split("-") + ["00", "00"])[:3]
    year = sign + (year.lstrip("0") or "0").zfill(4)
    if precision <= 9:
        # Decade, century, millennium: the insignificant digits become X (ISO 8601-2, "198X").
        hidden = {8: 1, 7: 2, 6: 3}.get(precision, 0)
        return year[: len(year) - hidden] + "X" * hidden if hidden else year
    if precision == 10:
        return f"{year}-{month}"
    if precision == 11:
        return f"{year}-{month}-{day}"
    clock = clock.rstrip("Z")
    keep = {12: 2, 13: 5}.get(precision, 8)  # hour, minute, second
    return f"{year}-{month}-{day}T{clock[:keep]}"


def _unit_id(unit: str | None) -> str:
    if not unit or unit == "1":
        return ""
    return unit.rsplit("/", 1)[-1]


def render_value(dv: DataValue, languages: tuple[str, ...]) -> str | None:
    """The text of a datavalue, or None when it is a monolingual text in another language.

    Raises ValueError for a value whose shape does not match its type (the caller rejects the line).
    """
    value, kind = dv.value, dv.type
    if isinstance(value, str):
        return value
    if kind == "time":
        if value.time is None:
            raise ValueError("time value without 'time'")
        return iso_time(value.time, int(value.precision if value.precision is not None else 11))
    if kind == "quantity":
        if value.amount is None:
            raise ValueError("quantity value without 'amount'")
        amount = value.amount.lstrip("+")
        unit = _unit_id(value.unit)
        return f"{amount} {unit}" if unit else amount
    if kind == "globecoordinate":
        if value.latitude is None or value.longitude is None:
            raise ValueError("globecoordinate value without latitude/longitude")
        text = f"{value.latitude!r},{value.longitude!r}"
        if value.globe and value.globe != EARTH:
            text += f" {_unit_id(value.globe)}"
        return text
    if kind == "monolingualtext":
        if value.text is None:
            raise ValueError("monolingualtext value without 'text'")
        return value.text if value.language in languages else None
    if kind == "wikibase-entityid":
        eid = entity_id(value)
        if eid is None:
            raise ValueError("entity value without 'id'")
        return eid
    raise ValueError(f"unknown datavalue type {kind!r}")
