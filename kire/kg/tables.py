"""Turn decoded dump entities into the rows of the KG tables (schemas in :mod:`kire.kg.schema`)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import pyarrow as pa

from kire.kg.records import language_values
from kire.kg.render import entity_id, render_value
from kire.kg.schema import KG_TABLES


@dataclass(frozen=True)
class ExtractOptions:
    """What to keep: ``languages[0]`` is the display language of ``entities.label/description``."""

    languages: tuple[str, ...] = ("en",)
    keep_deprecated: bool = False
    qualifiers: bool = False

    def tables(self) -> tuple[str, ...]:
        """Names of the tables this extraction writes."""
        names = ("entities", "aliases", "relation_triples", "attribute_triples")
        return names + (("qualifiers",) if self.qualifiers else ())


@dataclass
class TableRows:
    """Column lists of every table for one chunk, plus what happened to each entity and statement.

    ``counts`` keys: ``entities``, ``skipped_entity_type:<type>``, ``statements``, ``statements_relation``,
    ``statements_attribute``, ``statements_novalue``, ``statements_somevalue``,
    ``statements_deprecated_dropped``, ``statements_other_language``.
    Every statement lands in exactly one of the ``statements_*`` buckets.
    """

    options: ExtractOptions
    columns: dict[str, dict[str, list]] = field(default_factory=dict)
    counts: Counter = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self.columns = {
            name: {col: [] for col in KG_TABLES[name].names} for name in self.options.tables()
        }

    def add_entity(self, entity) -> None:
        """Append the rows of one decoded entity; raises ValueError on a malformed value."""
        if entity.type not in ("item", "property"):
            self.counts[f"skipped_entity_type:{entity.type}"] += 1
            return
        langs = self.options.languages
        # Build every row first so that a ValueError leaves the tables untouched (the line is rejected).
        claims = entity.claims if isinstance(entity.claims, dict) else {}
        relation, attribute, qualifier, fate = [], [], [], Counter()
        for statements in claims.values():
            for st in statements:
                self._statement_rows(entity.id, st, relation, attribute, qualifier, fate)
        labels = dict(language_values(entity.labels, langs))
        descriptions = dict(language_values(entity.descriptions, langs))
        display = langs[0]

        ent = self.columns["entities"]
        ent["id"].append(entity.id)
        ent["type"].append(entity.type)
        ent["label"].append(labels[display].value if display in labels else None)
        ent["description"].append(descriptions[display].value if display in descriptions else None)
        ent["datatype"].append(entity.datatype)
        ent["n_sitelinks"].append(len(entity.sitelinks))
        ent["n_statements"].append(sum(len(s) for s in claims.values()))

        al = self.columns["aliases"]
        aliases = dict(language_values(entity.aliases, langs))
        for lang in langs:
            names = ([(labels[lang].value, True)] if lang in labels else []) + [
                (a.value, False) for a in aliases.get(lang, ())
            ]
            for name, is_label in names:
                al["id"].append(entity.id)
                al["lang"].append(lang)
                al["alias"].append(name)
                al["is_label"].append(is_label)

        for table, rows in (("relation_triples", relation), ("attribute_triples", attribute),
                            ("qualifiers", qualifier)):
            if table in self.columns and rows:
                cols = list(self.columns[table].values())
                for row in rows:
                    for col, value in zip(cols, row):
                        col.append(value)
        self.counts["entities"] += 1
        self.counts.update(fate)

    def _statement_rows(self, head, st, relation, attribute, qualifier, fate) -> None:
        fate["statements"] += 1
        if st.rank == "deprecated" and not self.options.keep_deprecated:
            fate["statements_deprecated_dropped"] += 1
            return
        snak = st.mainsnak
        if snak.snaktype != "value" or snak.datavalue is None:
            fate[f"statements_{snak.snaktype}"] += 1
            return
        dv = snak.datavalue
        if dv.type == "wikibase-entityid" and not isinstance(dv.value, str) and (
            dv.value.entity_type == "item" or (dv.value.id or "").startswith("Q")
        ):
            tail = entity_id(dv.value)
            if tail is None:
                raise ValueError(f"statement {st.id}: item value without id")
            relation.append((head, snak.property, tail, st.rank, st.id))
            fate["statements_relation"] += 1
        else:
            text = render_value(dv, self.options.languages)
            if text is None:
                fate["statements_other_language"] += 1
                return
            attribute.append((head, snak.property, text, snak.datatype or dv.type))
            fate["statements_attribute"] += 1
        quals = getattr(st, "qualifiers", None)
        if self.options.qualifiers and isinstance(quals, dict):
            for prop, snaks in quals.items():
                for q in snaks:
                    if q.snaktype != "value" or q.datavalue is None:
                        continue
                    text = render_value(q.datavalue, self.options.languages)
                    if text is not None:
                        qualifier.append((st.id, prop, text, q.datatype or q.datavalue.type))

    def arrow_tables(self) -> dict[str, pa.Table]:
        """The accumulated rows as Arrow tables with the schemas of :data:`KG_TABLES`."""
        return {
            name: pa.Table.from_pydict(cols, schema=KG_TABLES[name])
            for name, cols in self.columns.items()
        }
