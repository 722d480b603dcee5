"""The input's entity types onto the entity-type scheme of the run that scores them.

A model embeds each entity type it was trained with (``model.json`` ``space.ner_types``); any other
type gets the one id no training entity had, whose embedding never learned anything. So before
scoring, every entity type of the input is mapped onto the run's scheme:

1. a type of the scheme is kept;
2. otherwise both are compared through DocRED's coarse classes (PER, ORG, LOC, TIME, NUM, MISC):
   spaCy's labels (PERSON -> PER, GPE/LOC/FAC -> LOC, DATE/TIME -> TIME, CARDINAL/QUANTITY/MONEY/
   PERCENT -> NUM, other labels -> MISC; kire.predict.text) and DWIE's tags (``type::person`` ->
   PER, ...; kire.docs.dwie, kire.linking.types) name their class, and the input type takes the
   scheme's type of the same class (the class itself when the scheme has it, as a DocRED or a
   kire-read DWIE run does; else the first such type by name, e.g. ``type::person`` in a run
   trained on a DocRED-format conversion of DWIE);
3. a type with no class, or whose class the scheme lacks, does not map.

Entities found by spaCy in plain text whose type does not map are left out with a warning (they
would only be scored through an untrained type); an entity of a DocRED JSON input whose type does
not map, or an input none of whose types maps, is refused with an InputError naming the type and
the run's scheme.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from kire.docs.dwie import COARSE_TYPES
from kire.docs.model import Document
from kire.errors import InputError
from kire.linking.types import DEFAULT_TYPE_MAP
from kire.predict.text import DOCRED_TYPES

log = logging.getLogger(__name__)

DOCRED_CLASSES = ("PER", "ORG", "LOC", "TIME", "NUM", "MISC")


def coarse_class(entity_type: str) -> str | None:
    """DocRED's class of a type name (a DocRED type, a spaCy label or a DWIE tag); None if unknown."""
    if entity_type in DOCRED_CLASSES:
        return entity_type
    for known in (DOCRED_TYPES, dict(COARSE_TYPES), DEFAULT_TYPE_MAP):
        if entity_type in known:
            return known[entity_type]
    return None


def scheme_map(input_types: set[str], run_types: list[str]) -> dict[str, str | None]:
    """``{input type: the run's type it maps onto, or None}`` (steps 1-3 of the module docstring)."""
    by_class: dict[str, str] = {}
    for run_type in sorted(run_types):
        cls = coarse_class(run_type)
        if cls is not None and (cls not in by_class or run_type == cls):
            by_class[cls] = run_type
    scheme = set(run_types)
    return {t: t if t in scheme else by_class.get(coarse_class(t) or "") for t in sorted(input_types)}


def documents_in_run_scheme(documents: list[Document], run_types: list[str], source: str, *,
                            from_text: bool) -> tuple[list[Document], dict[str, str | None]]:
    """``(documents with every entity and mention retyped onto run_types, the type map)``.

    ``from_text``: the entities are spaCy's (kire.predict.text), whose unmapped ones are left out
    (warning); else they come from ``source``, a DocRED JSON file, and an unmapped one raises
    InputError naming document, entity and type. Raises InputError when no input type maps, or
    when a text document keeps fewer than two entities.
    """
    types = {e.type for d in documents for e in d.entities}
    mapping = scheme_map(types, run_types)
    scheme = ", ".join(sorted(run_types))
    if types and not any(mapping.values()):
        raise InputError(source, None, "entity types",
                         f"none of the input's entity types ({', '.join(sorted(types))}) maps onto the "
                         f"run's entity types ({scheme}); the run cannot score these entities")
    renamed = {t: m for t, m in mapping.items() if m is not None and m != t}
    if renamed:
        log.info("entity types mapped onto the run's scheme (%s): %s", scheme,
                 ", ".join(f"{t} -> {m}" for t, m in renamed.items()))
    out = []
    for d, doc in enumerate(documents):
        kept = []
        for e, ent in enumerate(doc.entities):
            target = mapping[ent.type]
            if target is None and not from_text:
                raise InputError(source, f"document {d} ({doc.title!r})", f"vertexSet[{e}] type",
                                 f"entity type {ent.type!r} has no counterpart among the run's "
                                 f"entity types ({scheme})")
            if target is not None:
                kept.append(replace(ent, type=target,
                                    mentions=[replace(m, type=target) for m in ent.mentions]))
        dropped = len(doc.entities) - len(kept)
        if dropped:
            lost = sorted({ent.type for ent in doc.entities if mapping[ent.type] is None})
            log.warning("%s: %d of the %d entities spaCy found are left out: their types (%s) have no "
                        "counterpart among the run's entity types (%s)", doc.title, dropped,
                        len(doc.entities), ", ".join(lost), scheme)
        if from_text and len(kept) < 2:
            raise InputError(source, f"document {doc.title!r}", "entities",
                             f"{len(kept)} entity of a type the run knows ({scheme}); relations "
                             f"need at least two")
        out.append(replace(doc, entities=kept))
    return out, mapping
