"""Plain text to a :class:`~kire.docs.model.Document`: sentences, tokens and mentions from spaCy.

Mentions are spaCy's named entities, typed with DocRED's six types (:func:`docred_type`). Mentions
become one entity when their normalised surface forms are equal and their types agree, and a
person mentioned by a single word (a surname or first name) joins the earlier multi-word person
name that contains that word, as DocRED's annotators group "Markle" with "Meghan Markle". Further
coreference (pronouns, KG aliases) is the knowledge variants' business, as in training.
"""

from __future__ import annotations

import re
import unicodedata

from kire.docs.model import Document, Entity, Mention
from kire.errors import InputError

# spaCy (OntoNotes) entity labels -> DocRED types; other labels are MISC, except ordinals ("first",
# "third"), which DocRED does not annotate as entities.
NOT_ENTITIES = frozenset({"ORDINAL"})
DOCRED_TYPES: dict[str, str] = {
    "PERSON": "PER",
    "ORG": "ORG",
    "GPE": "LOC", "LOC": "LOC", "FAC": "LOC",
    "DATE": "TIME", "TIME": "TIME",
    "CARDINAL": "NUM", "QUANTITY": "NUM", "MONEY": "NUM", "PERCENT": "NUM",
    "NORP": "MISC", "EVENT": "MISC", "WORK_OF_ART": "MISC", "LAW": "MISC", "LANGUAGE": "MISC",
    "PRODUCT": "MISC",
}


def docred_type(label: str) -> str | None:
    """DocRED's type of a spaCy entity label (:data:`DOCRED_TYPES`, else MISC); None for ordinals."""
    return None if label in NOT_ENTITIES else DOCRED_TYPES.get(label, "MISC")


def normalized(text: str) -> str:
    """Case-folded, accent-free, whitespace-collapsed form of a surface string; a leading "the" dropped."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = re.sub(r"\s+", " ", text).strip()
    return re.sub(r"^the ", "", text)


def group_mentions(mentions: list[Mention]) -> list[Entity]:
    """Entities of ``mentions`` (in document order): equal normalised names of the same type, and
    one-word person mentions joined to the earlier multi-word person name containing the word."""
    entities: list[Entity] = []
    by_key: dict[tuple[str, str], Entity] = {}
    for m in mentions:
        key = (normalized(m.name), m.type)
        ent = by_key.get(key)
        if ent is None and m.type == "PER" and " " not in key[0]:
            ent = next((e for e in entities if e.type == "PER"
                        and key[0] in normalized(e.mentions[0].name).split(" ")
                        and " " in normalized(e.mentions[0].name)), None)
        if ent is None:
            ent = Entity(mentions=[], type=m.type)
            entities.append(ent)
        ent.mentions.append(m)
        by_key.setdefault(key, ent)
    return entities


def document_from_text(text: str, nlp, title: str, file: str = "text") -> Document:
    """The unlabeled Document of ``text`` parsed by spaCy pipeline ``nlp`` (sentences, tokens, NER).

    Raises InputError when the text is empty or has fewer than two entities (no pair to classify).
    """
    if not text.strip():
        raise InputError(file, f"document {title!r}", None, "the text is empty")
    parsed = nlp(text)
    sents: list[list[str]] = []
    sent_of: dict[int, tuple[int, int]] = {}  # token index -> (sentence, position in sentence)
    for s, sent in enumerate(parsed.sents):
        words = [tok for tok in sent if not tok.is_space]
        for k, tok in enumerate(words):
            sent_of[tok.i] = (s, k)
        if words:
            sents.append([tok.text for tok in words])
    # renumber sentences after dropping whitespace-only ones
    kept = sorted({s for s, _ in sent_of.values()})
    renumber = {s: i for i, s in enumerate(kept)}
    mentions = []
    for span in parsed.ents:
        kind = docred_type(span.label_)
        toks = [t for t in span if not t.is_space]
        if kind is None or not toks:
            continue
        s0, k0 = sent_of[toks[0].i]
        s1, k1 = sent_of[toks[-1].i]
        if s0 != s1:  # an entity span across a sentence break: keep the part in the first sentence
            k1 = len(sents[renumber[s0]]) - 1
        mentions.append(Mention(sent_id=renumber[s0], start=k0, end=k1 + 1,
                                name=" ".join(sents[renumber[s0]][k0:k1 + 1]), type=kind))
    entities = group_mentions(mentions)
    if len(entities) < 2:
        raise InputError(file, f"document {title!r}", "entities",
                         f"spaCy found {len(entities)} entity mention group(s); relations need at least two")
    return Document(title=title, sents=sents, entities=entities, labels=None)
