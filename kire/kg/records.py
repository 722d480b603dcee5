"""Typed msgspec structs for one line of the Wikidata JSON dump, decoding only what the KG tables need.

Fields that are not declared here (references, sitelinks of other sites, labels in other languages,
hashes, qualifiers when they are not configured) are skipped by the decoder without building Python objects,
which is what makes decoding faster than a full ``json.loads``. Label, description and alias maps are
structs whose fields are the configured languages, built at run time by :func:`entity_decoder`.

Empty maps are sometimes serialised as ``[]`` by Wikibase (PHP arrays), so every map also accepts a list.
"""

from __future__ import annotations

import functools
from typing import Any, Literal, Union

import msgspec


class DataValueBody(msgspec.Struct, gc=False):
    """The object form of ``datavalue.value``: the union of the fields of every value type."""

    id: str | None = None  # wikibase-entityid
    numeric_id: int | None = msgspec.field(default=None, name="numeric-id")
    entity_type: str | None = msgspec.field(default=None, name="entity-type")
    time: str | None = None  # time
    precision: float | None = None  # time (int) and globecoordinate (float)
    amount: str | None = None  # quantity
    unit: str | None = None
    latitude: float | None = None  # globecoordinate
    longitude: float | None = None
    globe: str | None = None
    text: str | None = None  # monolingualtext
    language: str | None = None


class DataValue(msgspec.Struct, gc=False):
    """``datavalue``: its ``type`` (string, time, quantity, ...) and a string or object value."""

    type: str
    value: Union[str, DataValueBody]


# Fields with a fixed set of values are Literals: msgspec then returns one shared string object per
# value instead of a new one per statement (the rank is kept in the triple rows of every statement:
# measured 3-4% of the decoding time), and a value outside the set rejects the line.
SnakType = Literal["value", "somevalue", "novalue"]
Rank = Literal["preferred", "normal", "deprecated"]


class Snak(msgspec.Struct, gc=False):
    """A main or qualifier snak; ``datavalue`` is present only when ``snaktype == "value"``."""

    snaktype: SnakType
    property: str
    datatype: str | None = None
    datavalue: DataValue | None = None


class Statement(msgspec.Struct, gc=False):
    """A statement without qualifiers (they are skipped unless configured)."""

    mainsnak: Snak
    id: str = ""
    rank: Rank = "normal"


class StatementWithQualifiers(msgspec.Struct, gc=False):
    """A statement with its qualifier snaks, by property."""

    mainsnak: Snak
    id: str = ""
    rank: Rank = "normal"
    qualifiers: Union[dict[str, list[Snak]], list[Any]] = {}


class Sitelink(msgspec.Struct, gc=False):
    """One sitelink: the wiki (``enwiki``), the page title as the dump spells it, its badges (QIDs)."""

    title: str
    site: str = ""
    badges: list[str] = []


#: decodes the raw JSON of one sitelink (only for the configured sites: the others stay raw)
sitelink_decoder = msgspec.json.Decoder(Sitelink)


class Term(msgspec.Struct, gc=False):
    """A label or description: only its text is needed (the language is the field it sits in)."""

    value: str


def _language_struct(name: str, languages: tuple[str, ...], field_type: Any) -> type:
    """A struct with one optional field per language (named l0, l1, ... and renamed to the codes)."""
    fields = [(f"l{i}", field_type | None, None) for i in range(len(languages))]
    rename = {f"l{i}": lang for i, lang in enumerate(languages)}
    return msgspec.defstruct(name, fields, rename=rename, gc=False)


@functools.lru_cache(maxsize=16)
def entity_type_for(languages: tuple[str, ...], qualifiers: bool) -> type:
    """The Entity struct type for these languages (labels, descriptions and aliases per language)."""
    terms = _language_struct("Terms", languages, Term)
    alias_lists = _language_struct("AliasLists", languages, list[Term])
    statement = StatementWithQualifiers if qualifiers else Statement
    return msgspec.defstruct(
        "Entity",
        [
            ("id", str),
            ("type", str),
            ("datatype", str | None, None),  # properties only
            ("labels", Union[terms, list[Any]], []),
            ("descriptions", Union[terms, list[Any]], []),
            ("aliases", Union[alias_lists, list[Any]], []),
            ("claims", Union[dict[str, list[statement]], list[Any]], {}),
            # Raw values: all are counted; only the configured sites are decoded (sitelink_decoder).
            ("sitelinks", Union[dict[str, msgspec.Raw], list[Any]], {}),
        ],
        gc=False,
    )


def entity_decoder(languages: tuple[str, ...], qualifiers: bool = False) -> msgspec.json.Decoder:
    """A decoder of one dump line (without its trailing comma) into the Entity struct."""
    return msgspec.json.Decoder(entity_type_for(tuple(languages), qualifiers))

