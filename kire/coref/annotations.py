"""The ``annotations`` source: every pair of mentions of the same dataset entity, p = 1."""

from __future__ import annotations

from itertools import combinations

from kire.coref.table import Triple
from kire.docs.model import Document

SOURCE = "annotations"


def annotation_triples(doc: Document) -> list[Triple]:
    """Return one triple (p = 1) per pair of distinct mention spans of each entity of ``doc``."""
    triples = []
    for ent in doc.entities:
        spans = sorted({doc.doc_span(m) for m in ent.mentions})
        triples.extend(Triple(a, b, SOURCE, 1.0) for a, b in combinations(spans, 2))
    return triples
