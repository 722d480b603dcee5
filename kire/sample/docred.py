"""The sample's DocRED-format dataset: drafts written as DocRED records.

Each record: ``vertexSet`` (entities in order of first mention; mentions ``{name, pos, sent_id,
type}``), ``labels`` (``{h, t, r, evidence}``; absent in test, as in DocRED's test file), ``title``
and ``sents``. Labels are the KG facts the sentences assert, plus their inverses that the KG also
states (capital/capital of via P1696, spouse both ways). Pronoun and nominal mentions ("It",
"the city") are in the vertex set only in documents drawn as coreference-annotated; in the others
they stay in the text for a resolver to find.
"""

from __future__ import annotations

import random
from typing import Any

from kire.sample.facts import SampleKG
from kire.sample.realize import Draft, plan_and_realize
from kire.sample.templates import FACT_TEMPLATES

# The DocRED relations (Wikidata properties) the sample's documents express.
DOCRED_RELATIONS = ("P6", "P17", "P19", "P26", "P27", "P35", "P36", "P69", "P131", "P159", "P166",
                    "P463", "P569", "P571", "P1376")

# Document topics per split. Test and dev topics share facts with train topics (Berlin/Germany,
# Paris/France, ...) so that Ign F1 differs from F1, and test pairs are KG facts the leakage filter
# must remove.
SPLIT_TOPICS: dict[str, tuple[str, ...]] = {
    "train": ("Q64", "Q142", "Q145", "Q1726", "Q1055", "Q350", "Q7186", "Q937", "Q9682", "Q458",
              "Q26678", "Q13371", "Q31", "Q980", "Q3052772", "Q456"),
    "dev": ("Q183", "Q84", "Q37463", "Q7184", "Q1794", "Q43274"),
    "test": ("Q90", "Q567", "Q49111", "Q35794", "Q4024", "Q7259"),
}


def docred_record(kg: SampleKG, draft: Draft, title: str, coref_annotated: bool,
                  labeled: bool) -> dict[str, Any]:
    """One DocRED record of ``draft``."""
    keep = {"label", "alias", "value"} | ({"pronoun", "nominal"} if coref_annotated else set())
    order: list[str] = []
    by_key: dict[str, list] = {}
    for men in sorted(draft.mentions, key=lambda m: (m.sent, m.start)):
        if men.form not in keep:
            continue
        if men.key not in by_key:
            order.append(men.key)
            by_key[men.key] = []
        by_key[men.key].append(men)
    index = {key: i for i, key in enumerate(order)}

    def etype(key: str) -> str:
        return draft.value_type(key) if key.startswith("V:") else kg.doc_type(key)

    vertex_set = [
        [{"name": m.text, "pos": [m.start, m.end], "sent_id": m.sent, "type": etype(key)} for m in by_key[key]]
        for key in order
    ]
    rec: dict[str, Any] = {"vertexSet": vertex_set}
    if labeled:
        rec["labels"] = docred_labels(kg, draft, index)
    rec["title"] = title
    rec["sents"] = draft.sents
    return rec


def docred_labels(kg: SampleKG, draft: Draft, index: dict[str, int]) -> list[dict[str, Any]]:
    """``{h, t, r, evidence}`` for every asserted fact in DocRED's relation set, with inverses."""
    found: dict[tuple[int, int, str], set[int]] = {}

    def add(h: str, t: str, r: str, evidence: set[int]) -> None:
        if r in DOCRED_RELATIONS and h in index and t in index:
            found.setdefault((index[h], index[t], r), set()).update(evidence)

    for fact in draft.facts:
        add(fact.subject, fact.obj, fact.prop, fact.evidence)
        inverse = kg.inverse.get(fact.prop)
        if inverse and kg.holds(fact.obj, inverse, fact.subject):
            add(fact.obj, fact.subject, inverse, fact.evidence)
        if fact.prop == "P26" and kg.holds(fact.obj, "P26", fact.subject):
            add(fact.obj, fact.subject, "P26", fact.evidence)
    return [{"h": h, "t": t, "r": r, "evidence": sorted(ev)} for (h, t, r), ev in sorted(found.items())]


def docred_split(kg: SampleKG, rng: random.Random, split: str) -> list[dict[str, Any]]:
    """The DocRED records of ``split`` (train, dev or test)."""
    records = []
    for topic in SPLIT_TOPICS[split]:
        draft = plan_and_realize(kg, rng, topic, FACT_TEMPLATES, n_sents=rng.randint(4, 6))
        title = kg.entities[topic].sitelinks.get("enwiki", kg.label(topic))
        records.append(docred_record(kg, draft, title, coref_annotated=rng.random() < 0.5,
                                     labeled=split != "test"))
    return records


def rel_info(kg: SampleKG) -> dict[str, str]:
    """``rel_info.json``: property id -> English label, for :data:`DOCRED_RELATIONS`."""
    return {p: kg.label(p) for p in sorted(DOCRED_RELATIONS, key=lambda p: int(p[1:]))}
