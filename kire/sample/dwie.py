"""The sample's DWIE-format dataset: drafts written as DWIE article files.

One JSON object per article (``DW_<n>.json``) in DWIE's ``data/annos_with_content`` shape: ``id``,
``content`` (headline, newline, body), ``tags`` (``["all", "train"]`` or ``["all", "test"]``),
``mentions`` (``{begin, end, text, concept}`` with character offsets, ``end`` exclusive; linked
mentions also carry ``candidates``/``scores``, Wikipedia titles with prior scores), ``concepts``
(``{concept, text, keyword, count, link, tags}``; ``link`` is an English Wikipedia title, which the
dump's ``enwiki`` sitelinks map to Wikidata; unlinked concepts carry no ``link``), ``relations``
(``{s, p, o}`` over concept ids, DWIE predicate names) and ``iptc``.

DWIE annotates names, demonyms ("French") and values, not pronouns. As in DWIE, a country implied
only by a demonym is a concept with ``count`` 0 that relations may point to.
"""

from __future__ import annotations

import random
from typing import Any

from kire.sample.facts import SampleKG
from kire.sample.realize import Draft, DraftFact, plan_and_realize
from kire.sample.templates import DWIE_TEMPLATES

# DWIE predicates used by the sample and their meaning.
DWIE_RELATIONS: dict[str, str] = {
    "in0": "located in country",
    "in0-x": "located in country (via demonym)",
    "gpe0": "demonym of country",
    "citizen_of": "citizen of",
    "citizen_of-x": "citizen of (via demonym)",
    "based_in0": "organization based in country",
    "based_in0-x": "organization based in country (via demonym)",
    "member_of": "member of",
    "head_of_state": "head of state of",
    "head_of_state-x": "head of state of (via demonym)",
    "head_of_gov": "head of government of",
    "head_of_gov-x": "head of government of (via demonym)",
}

# (topic, split): DW_1.json .. DW_12.json
DWIE_TOPICS: tuple[tuple[str, str], ...] = (
    ("Q567", "train"), ("Q90", "train"), ("Q26678", "train"), ("Q3052772", "train"),
    ("Q145", "train"), ("Q1794", "train"), ("Q7184", "train"), ("Q9682", "train"),
    ("Q64", "test"), ("Q43274", "test"), ("Q183", "test"), ("Q329", "test"),
)

HEADLINES = ("{}: a profile", "{} at a glance", "Facts and figures: {}", "{} in brief")

# IPTC media topics by the topic's coarse type (politics, science, economy, travel).
IPTC_OF_TYPE = {"PER": ["11000000"], "ORG": ["04000000", "11000000"], "LOC": ["10000000", "11000000"]}


def concept_tags(kg: SampleKG, key: str) -> list[str]:
    """DWIE ``tags`` of a concept (the entity's coarse type, its gpe level, gender)."""
    if key.startswith("ADJ:"):
        return ["topic::none", "type::gpe0-x", "type::other"]
    if key.startswith("V:TIME:"):
        return ["topic::none", "type::time", "type::value"]
    if key.startswith("V:"):
        return ["topic::none", "type::value"]
    kind, classes = kg.doc_type(key), kg.classes(key)
    if kind == "PER":
        gender = kg.entities[key].gender
        return sorted(["topic::none", "type::entity", "type::person", f"gender::{gender}"])
    if kind == "ORG":
        extra = ["type::igo"] if "Q484652" in classes else []
        return sorted(["topic::none", "type::entity", "type::organization", *extra])
    if kind == "MISC":
        return ["topic::none", "type::entity", "type::misc"]
    level = "gpe0" if "Q6256" in classes else "gpe2" if "Q515" in classes else "gpe1"
    return sorted(["topic::none", "type::entity", "type::gpe", f"type::{level}", "type::location"])


def wiki_link(kg: SampleKG, key: str) -> str | None:
    """The English Wikipedia title (DWIE style, underscores) of an item concept, else None."""
    if ":" in key:
        return None
    title = kg.entities[key].sitelinks.get("enwiki")
    return title.replace(" ", "_") if title else None


def candidates(kg: SampleKG, surface: str) -> tuple[list[str], list[float]]:
    """Wikipedia titles of every entity named ``surface`` (label first) with prior-like scores."""
    ranked = []
    for ent in kg.entities.values():
        if ent.id[0] != "Q" or "enwiki" not in ent.sitelinks:
            continue
        names = [n.lower() for n in kg.names(ent.id)]
        if surface.lower() in names:
            ranked.append((names.index(surface.lower()) > 0, -len(ent.sitelinks), ent.id))
    ranked.sort()
    titles = [wiki_link(kg, qid) for _, _, qid in ranked]
    weights = [1.0 / (i + 1) ** 2 for i in range(len(titles))]
    total = sum(weights)
    return titles, [round(w / total, 6) for w in weights]


def dwie_relations(kg: SampleKG, fact: DraftFact) -> list[tuple[str, str, str]]:
    """DWIE ``(s, p, o)`` keys for an asserted fact (empty if DWIE has no such predicate).

    A fact whose country is written as a demonym also gets DWIE's ``-x`` twin pointing to the
    demonym concept, and the demonym its ``gpe0`` link to the country.
    """
    s, p, o = fact.subject, fact.prop, fact.obj
    if o.startswith("V:"):
        return []
    if p == "P36":  # country --capital--> city: the city lies in the country
        s, o, p = o, s, "P1376"
    if p in ("P35", "P6"):  # country --head--> person: DWIE points from the person
        s, o = o, s
        pred = "head_of_state" if p == "P35" else "head_of_gov"
    elif p in ("P17", "P131", "P1376"):
        if "Q6256" not in kg.classes(o):
            return []
        pred = "based_in0" if kg.doc_type(s) == "ORG" else "in0"
    elif p == "P27":
        pred = "citizen_of"
    elif p == "P463":
        pred = "member_of"
    else:
        return []
    out = [(s, pred, o)]
    if fact.via_adjective:
        out += [(s, f"{pred}-x", f"ADJ:{o}"), (f"ADJ:{o}", "gpe0", o)]
    return out


def dwie_record(kg: SampleKG, draft: Draft, doc_id: str, split: str, headline: str) -> dict[str, Any]:
    """The DWIE article object of ``draft`` with ``headline`` as its first line."""
    named = [m for m in draft.mentions if m.form in ("label", "alias", "value", "adjective")]
    # character offsets: detokenize each sentence, remembering where every token starts
    content, token_char = headline + "\n", {}
    for i, sent in enumerate(draft.sents):
        if i:
            content += " "
        for j, tok in enumerate(sent):
            if tok == "." and content.endswith("."):  # "the U.K." ends the sentence too
                token_char[i, j] = len(content) - 1
                continue
            if j and tok not in (".", ",", "'s", ")") and sent[j - 1] != "(":
                content += " "
            token_char[i, j] = len(content)
            content += tok
    order: list[str] = []
    mentions = []
    topic_name = kg.label(draft.topic)
    start = headline.find(topic_name)
    if start >= 0:
        mentions.append((start, start + len(topic_name), topic_name, draft.topic))
        order.append(draft.topic)
    for m in sorted(named, key=lambda m: (m.sent, m.start)):
        begin = token_char[m.sent, m.start]
        end = token_char[m.sent, m.end - 1] + len(draft.sents[m.sent][m.end - 1])
        mentions.append((begin, end, content[begin:end], m.key))
        if m.key not in order:
            order.append(m.key)
    relations = []
    for fact in draft.facts:
        for rel in dwie_relations(kg, fact):
            if rel not in relations:
                relations.append(rel)
    for s, _, o in relations:
        for key in (s, o):
            if key not in order:
                order.append(key)  # implied only (a country behind a demonym): count 0
    cid = {key: i for i, key in enumerate(order)}
    out_mentions = []
    for begin, end, text, key in mentions:
        men: dict[str, Any] = {"begin": begin, "end": end, "text": text, "concept": cid[key]}
        if ":" not in key:
            men["candidates"], men["scores"] = candidates(kg, text)
        out_mentions.append(men)
    concepts = []
    for key in order:
        texts = [t for _, _, t, k in mentions if k == key]
        concept: dict[str, Any] = {"concept": cid[key]}
        if texts:
            concept["text"] = max(texts, key=len)
        concept["keyword"] = key == draft.topic
        concept["count"] = len(texts)
        link = wiki_link(kg, key)
        if link:
            concept["link"] = link
        concept["tags"] = concept_tags(kg, key) if texts else []
        concepts.append(concept)
    return {
        "id": doc_id,
        "content": content,
        "tags": ["all", split],
        "mentions": out_mentions,
        "concepts": concepts,
        "relations": [{"s": cid[s], "p": p, "o": cid[o]} for s, p, o in relations],
        "iptc": IPTC_OF_TYPE.get(kg.doc_type(draft.topic), []),
    }


def dwie_documents(kg: SampleKG, rng: random.Random) -> dict[str, dict[str, Any]]:
    """``{file name: article}`` for the sample's DWIE articles."""
    out = {}
    for n, (topic, split) in enumerate(DWIE_TOPICS, start=1):
        draft = plan_and_realize(kg, rng, topic, DWIE_TEMPLATES, n_sents=rng.randint(5, 7))
        headline = rng.choice(HEADLINES).format(kg.label(topic))
        out[f"DW_{n}.json"] = dwie_record(kg, draft, f"DW_{n}", split, headline)
    return out


def dwie_rel_info() -> dict[str, str]:
    """``rel_info.json`` of the DWIE sample: predicate -> readable name."""
    return dict(DWIE_RELATIONS)

