"""Dataset entity types onto the linker's types (the keys of ``linking.type_classes``).

The type score compares a candidate's P31 classes with the classes configured for the entity's
type. DocRED's types (PER, ORG, LOC, ...) are those keys; other datasets name types their own way
(DWIE's ``type::person``, ``type::gpe``; spaCy/OntoNotes ``PERSON``, ``GPE``), and
``linking.type_map`` maps them onto the keys. A type that is a key is used as is; a type neither a
key nor mapped gets no type check (score 0.5, "unknown"). When no type of a dataset maps, the type
score says nothing for the whole dataset: :func:`type_report` warns.
"""

from __future__ import annotations

import logging

import pyarrow as pa
import pyarrow.compute as pc

log = logging.getLogger(__name__)

# DWIE's entity tags (native files and DocRED-format conversions), bare DWIE type names and the
# spaCy/OntoNotes labels that have a DocRED counterpart.
DEFAULT_TYPE_MAP: dict[str, str] = {
    "type::person": "PER", "type::organization": "ORG", "type::location": "LOC", "type::gpe": "LOC",
    "type::gpe0": "LOC", "type::gpe1": "LOC", "type::gpe2": "LOC", "type::igo": "ORG",
    "person": "PER", "organization": "ORG", "location": "LOC", "gpe": "LOC",
    "PERSON": "PER", "GPE": "LOC", "FAC": "LOC",
}


def linking_type(dataset_type: str | None, type_map: dict[str, str], type_classes: dict[str, list[str]]) -> str | None:
    """The ``type_classes`` key a dataset type is checked against, or None (not checked)."""
    if dataset_type is None:
        return None
    if dataset_type in type_classes:
        return dataset_type
    mapped = type_map.get(dataset_type)
    return mapped if mapped in type_classes else None


def with_linking_types(entities: pa.Table, type_map: dict[str, str], type_classes: dict[str, list[str]]) -> pa.Table:
    """``entities`` with its ``type`` column replaced by the linking type (null: not checked)."""
    mapping = {t: linking_type(t, type_map, type_classes) for t in pc.unique(entities["type"]).to_pylist()}
    types = pa.array([mapping[t] for t in entities["type"].to_pylist()], pa.string())
    return entities.set_column(entities.schema.get_field_index("type"), "type", types)


def type_report(dataset: str, entities: pa.Table, type_map: dict[str, str],
                type_classes: dict[str, list[str]]) -> dict:
    """``{mapped: {dataset type: linking type}, unchecked: [dataset types without one]}``; warns when
    the dataset has entity types and none of them maps."""
    mapped, unchecked = {}, []
    for t in sorted(t for t in pc.unique(entities["type"]).to_pylist() if t is not None):
        target = linking_type(t, type_map, type_classes)
        if target is None:
            unchecked.append(t)
        else:
            mapped[t] = target
    if unchecked and not mapped and type_classes:
        log.warning("%s: no entity type of the dataset (%s) is a key of linking.type_classes (%s) or mapped onto "
                    "one by linking.type_map: the type score is 0.5 (unknown) for every candidate; add the "
                    "dataset's types to linking.type_map", dataset, ", ".join(unchecked), ", ".join(type_classes))
    return {"mapped": mapped, "unchecked": unchecked}
