"""Mentions of a parsed document and their agreement attributes (gender, number, animacy, role).

A mention is a pronoun, a name (a named-entity span or a given dataset mention) or a nominal (a
noun chunk). Given mentions (a dataset's annotated spans, GAP's candidate names) always win over
detected ones that share their head token.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

# Third-person pronouns: surface -> (gender, number, possessive, reflexive). Gender m | f | n | None
# (plural, unknown); number sg | pl.
PRONOUNS: dict[str, tuple[str | None, str, bool, bool]] = {
    "he": ("m", "sg", False, False), "him": ("m", "sg", False, False),
    "his": ("m", "sg", True, False), "himself": ("m", "sg", False, True),
    "she": ("f", "sg", False, False), "her": ("f", "sg", False, False),
    "hers": ("f", "sg", True, False), "herself": ("f", "sg", False, True),
    "it": ("n", "sg", False, False), "its": ("n", "sg", True, False),
    "itself": ("n", "sg", False, True),
    "they": (None, "pl", False, False), "them": (None, "pl", False, False),
    "their": (None, "pl", True, False), "theirs": (None, "pl", True, False),
    "themselves": (None, "pl", False, True),
}

# Common nouns and titles that fix a person's gender.
GENDERED_NOUNS: dict[str, str] = {
    **dict.fromkeys(
        "man boy father son brother husband king prince uncle nephew grandfather grandson "
        "mr mr. sir lord gentleman actor monk emperor duke baron boyfriend stepfather stepson "
        "businessman chairman spokesman sultan pope", "m"),
    **dict.fromkeys(
        "woman girl mother daughter sister wife queen princess aunt niece grandmother "
        "granddaughter mrs mrs. ms ms. miss lady actress nun empress duchess baroness widow "
        "bride girlfriend stepmother stepdaughter businesswoman chairwoman spokeswoman", "f"),
}

# spaCy (OntoNotes) entity labels of names, and which of them denote non-persons.
NAME_LABELS = {"PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART",
               "LAW", "LANGUAGE"}
# Dataset entity types (DocRED: PER ORG LOC TIME NUM MISC; spaCy labels too) -> animate?
ANIMATE_TYPES = {"PER", "PERSON"}
INANIMATE_TYPES = {"ORG", "LOC", "TIME", "NUM", "MISC", "FAC", "GPE", "PRODUCT", "EVENT",
                   "WORK_OF_ART", "LAW", "LANGUAGE", "DATE", "CARDINAL", "MONEY", "PERCENT",
                   "QUANTITY", "ORDINAL"}
# Groups that may be referred to with "they".
GROUP_TYPES = {"ORG", "NORP"}

SUBJ_DEPS = {"nsubj", "nsubjpass", "csubj", "csubjpass", "expl"}
OBJ_DEPS = {"dobj", "iobj", "dative", "obj", "attr", "oprd"}


@dataclass
class Mention:
    """A mention in a parsed document: ``[start, end)`` tokens, ``head`` its syntactic head."""

    start: int
    end: int
    head: int
    kind: str  # pronoun | name | nominal
    sent: int
    role: str  # subj | obj | pobj | poss | appos | other
    gender: str | None
    number: str | None
    animate: bool | None
    text: str  # lower-cased surface form
    given: bool = False
    key: object = None  # entity key of a given mention (its dataset entity), None otherwise
    etype: str | None = None
    possessive: bool = False
    reflexive: bool = False
    root_subject: bool = False  # subject of its sentence's root verb

    @property
    def span(self) -> tuple[int, int]:
        return self.start, self.end


@lru_cache(maxsize=1)
def name_genders() -> dict[str, str]:
    """First name (lower-cased) -> m | f, the lexicon shipped in ``kire/coref/data`` (see docs/coref.md)."""
    path = resources.files("kire.coref") / "data" / "name_gender.json"
    return json.loads(path.read_text(encoding="utf-8"))


def role_of(tok) -> str:
    """Grammatical role class of a head token (spaCy dependency label)."""
    dep = tok.dep_
    if dep == "conj":  # a conjunct shares its first conjunct's role
        return role_of(tok.head) if tok.head is not tok else "other"
    if dep in SUBJ_DEPS:
        return "subj"
    if dep in OBJ_DEPS:
        return "obj"
    if dep == "pobj":
        return "pobj"
    if dep == "poss":
        return "poss"
    if dep == "appos":
        return "appos"
    return "other"


def is_root_subject(tok) -> bool:
    """Whether ``tok`` is a subject whose verb is its sentence's root."""
    return tok.dep_ in SUBJ_DEPS and tok.head.dep_ == "ROOT"


def name_gender(tokens: list[str], lexicon: dict[str, str]) -> str | None:
    """Gender of a person name from a title or its first name in ``lexicon``, else None."""
    lex = lexicon
    for tok in tokens:
        low = tok.lower()
        if low in GENDERED_NOUNS:
            return GENDERED_NOUNS[low]
        if tok[:1].isupper() and low in lex:
            return lex[low]
        if tok[:1].isupper():
            return None  # only the first capitalized word is a first name
    return None


def detect_mentions(doc, given: list[tuple[int, int, object, str | None]] = (),
                    lexicon: dict[str, str] | None = None) -> list[Mention]:
    """Return the mentions of a parsed spaCy ``doc`` in text order.

    ``given``: ``(start, end, key, type)`` spans that are mentions whatever the parser says;
    ``key`` groups given mentions of one entity (None: no known entity), ``type`` a dataset or
    spaCy entity type (None: unknown). ``lexicon``: first name -> gender (default: shipped).
    """
    lexicon = name_genders() if lexicon is None else lexicon
    sent_of = {}
    for s, sent in enumerate(doc.sents):
        for tok in sent:
            sent_of[tok.i] = s
    by_head: dict[int, Mention] = {}
    given_mentions: dict[tuple[int, int], Mention] = {}
    in_given: set[int] = {i for start, end, _, _ in given for i in range(start, end)}

    def add(start: int, end: int, kind: str, etype: str | None, key=None, given_: bool = False):
        span = doc[start:end]
        head = span.root
        if not given_ and (head.i in by_head or head.i in in_given):
            return
        toks = [t.text for t in span]
        low = span.text.lower()
        gender = number = animate = None
        if etype in ANIMATE_TYPES:
            animate, number, gender = True, "sg", name_gender(toks, lexicon)
        elif etype in INANIMATE_TYPES:
            animate, gender = False, "n"
            number = "pl" if head.tag_ in ("NNS", "NNPS") and etype != "ORG" else "sg"
        else:
            number = "pl" if head.tag_ in ("NNS", "NNPS") else "sg"
            gender = GENDERED_NOUNS.get(head.lower_)
            animate = True if gender else None
        mention = Mention(
            start, end, head.i, kind, sent_of[head.i], role_of(head), gender, number, animate, low,
            given=given_, key=key, etype=etype, root_subject=is_root_subject(head),
        )
        if given_:
            given_mentions[start, end] = mention
        else:
            by_head[head.i] = mention

    for start, end, key, etype in given:
        add(start, end, "name", etype, key, given_=True)
    # A proper-noun phrase that holds a tagged name is one name ("IBM Research Brazil", though the
    # tagger may cut it into ORG "IBM Research" and GPE "Brazil"); its type is its head's.
    covered: set[int] = set()
    for chunk in doc.noun_chunks:
        toks = [t for t in chunk if t.tag_ not in ("DT", "PRP$", "POS")]
        if (len(toks) > 1 and all(t.tag_ in ("NNP", "NNPS") for t in toks)
                and any(t.ent_type_ in NAME_LABELS for t in toks)):
            label = chunk.root.ent_type_ or next(t.ent_type_ for t in toks if t.ent_type_ in NAME_LABELS)
            add(toks[0].i, toks[-1].i + 1, "name", label)
            covered.update(t.i for t in toks)
    for ent in doc.ents:
        if ent.label_ in NAME_LABELS and not covered.intersection(range(ent.start, ent.end)):
            add(ent.start, ent.end, "name", ent.label_)
    for chunk in doc.noun_chunks:
        root = chunk.root
        if root.pos_ in ("NOUN", "PROPN") and root.i not in by_head:
            # Start after a possessive pronoun so that "his brother" and "his" stay apart.
            start = chunk.start
            while start < root.i and doc[start].tag_ in ("PRP$", "POS"):
                start += 1
            add(start, chunk.end, "name" if root.pos_ == "PROPN" else "nominal", None)
    for tok in doc:
        low = tok.lower_
        if low in PRONOUNS and tok.tag_ in ("PRP", "PRP$") and tok.i not in by_head \
                and (tok.i, tok.i + 1) not in given_mentions:
            gender, number, poss, refl = PRONOUNS[low]
            poss = poss or tok.tag_ == "PRP$"
            by_head[tok.i] = Mention(
                tok.i, tok.i + 1, tok.i, "pronoun", sent_of[tok.i], "poss" if poss else role_of(tok),
                gender, number, None if gender is None else gender != "n", low,
                possessive=poss, reflexive=refl, root_subject=is_root_subject(tok),
            )
    return sorted([*given_mentions.values(), *by_head.values()], key=lambda m: (m.start, m.end))
