"""Sentence templates over KG facts, and how a template is bound to the sample KG.

A template is a space-separated token pattern with slots:

``{x}``            a mention of the entity bound to slot ``x``
``{x's}``          the same, possessive ("Germany 's", "Its", "The country 's")
``{a_noun:x}``     "a"/"an" + the class noun of ``x`` ("a city"); not a mention
``{noun:x}``       the class noun alone
``{a_adj:x}``      "a"/"an" + the demonym of country ``x`` ("a German"); a mention (DWIE)
``{adj:x}``        the demonym of country ``x`` ("French"); a mention (DWIE)
``{v:x:P}``        the value of ``x``'s property ``P`` (a date written out, or an amount)
``{y:x:P}``        the year of ``x``'s time property ``P``

``facts`` are the item-valued statements ``(slot, P, slot)`` the sentence asserts; binding finds
entities for every slot such that each is a true fact of the KG (so generated labels are KG facts).
``tense`` restricts facts to statements without an end time ("current") or with one ("past").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterator

from kire.sample.facts import SampleKG
from kire.sample.world import Time

SLOT = re.compile(r"^\{(?:(a_noun|noun|a_adj|adj|v|y):)?([a-z0-9]+)(?::(P\d+))?('s)?\}$")


@dataclass(frozen=True)
class Template:
    """A sentence pattern and the facts it asserts (see module docstring)."""

    text: str
    facts: tuple[tuple[str, str, str], ...] = ()
    tense: str = "any"  # any | current | past
    kinds: frozenset[str] = field(default_factory=frozenset)  # topic kinds a filler suits

    def slots(self) -> list[tuple[str, str, str | None, bool]]:
        """``(kind, slot, prop, possessive)`` per slot token, in text order; kind '' is a mention."""
        out = []
        for tok in self.text.split():
            m = SLOT.match(tok)
            if m:
                out.append((m.group(1) or "", m.group(2), m.group(3), bool(m.group(4))))
        return out

    def entity_slots(self) -> list[str]:
        names: list[str] = []
        for kind, slot, _, _ in self.slots():
            if slot not in names:
                names.append(slot)
        for s, _, o in self.facts:
            for slot in (s, o):
                if slot not in names:
                    names.append(slot)
        return names

    def lead_slot(self) -> str | None:
        """The slot whose mention opens the sentence (a pronoun may stand there), if any."""
        m = SLOT.match(self.text.split()[0])
        return m.group(2) if m and not m.group(1) else None


def _t(text: str, *facts: tuple[str, str, str], tense: str = "any") -> Template:
    return Template(text, tuple(facts), tense)


def _filler(text: str, *kinds: str) -> Template:
    return Template(text, (), "any", frozenset(kinds))


# Statements expressed by the sample's DocRED documents. Several templates per relation, several
# relations per surface pattern ("is located in" is P131 or P17): learnable, not trivial.
FACT_TEMPLATES: tuple[Template, ...] = (
    _t("{s} is the capital of {o} .", ("s", "P1376", "o")),
    _t("{s} is the capital city of {o} .", ("s", "P1376", "o")),
    _t("{s} serves as the capital of {o} .", ("s", "P1376", "o")),
    _t("The capital of {s} is {o} .", ("s", "P36", "o")),
    _t("{s's} capital is {o} .", ("s", "P36", "o")),
    _t("{s} is {a_noun:s} in {o} .", ("s", "P17", "o")),
    _t("{s} is located in {o} .", ("s", "P17", "o")),
    _t("{s} is located in {o} .", ("s", "P131", "o")),
    _t("{s} lies in {o} .", ("s", "P131", "o")),
    _t("{s} is {a_noun:s} in {o} , {c} .", ("s", "P131", "o"), ("s", "P17", "c"), ("o", "P17", "c")),
    _t("{s} was born in {o} .", ("s", "P19", "o")),
    _t("{s} was born in {o} on {v:s:P569} .", ("s", "P19", "o")),
    _t("{s} was born on {v:s:P569} in {o} .", ("s", "P19", "o")),
    _t("{s} was born on {v:s:P569} ."),
    _t("{s} was a citizen of {o} .", ("s", "P27", "o")),
    _t("{s} held citizenship of {o} .", ("s", "P27", "o")),
    _t("{s} was married to {o} .", ("s", "P26", "o")),
    _t("{s} and {o} were married .", ("s", "P26", "o")),
    _t("{s} studied at {o} .", ("s", "P69", "o")),
    _t("{s} was educated at {o} .", ("s", "P69", "o")),
    _t("{s} received {o} .", ("s", "P166", "o")),
    _t("{s} was awarded {o} .", ("s", "P166", "o")),
    _t("{o} is the head of state of {s} .", ("s", "P35", "o"), tense="current"),
    _t("{s's} head of state is {o} .", ("s", "P35", "o"), tense="current"),
    _t("{o} served as head of state of {s} .", ("s", "P35", "o"), tense="past"),
    _t("{o} was head of government of {s} .", ("s", "P6", "o"), tense="past"),
    _t("{o} led the government of {s} .", ("s", "P6", "o"), tense="past"),
    _t("{s} is a member of {o} .", ("s", "P463", "o"), tense="current"),
    _t("{s} belongs to {o} .", ("s", "P463", "o"), tense="current"),
    _t("{s} was a member of {o} .", ("s", "P463", "o"), tense="past"),
    _t("{s} is headquartered in {o} .", ("s", "P159", "o")),
    _t("{s} has its headquarters in {o} .", ("s", "P159", "o")),
    _t("{s} was founded in {y:s:P571} ."),
    _t("{s} was established on {v:s:P571} ."),
    _t("{s} has a population of {v:s:P1082} ."),
    _t("About {v:s:P1082} people live in {s} ."),
    _t("{s} has about {v:s:P1082} inhabitants ."),
    _t("{s} covers an area of {v:s:P2046} square kilometres ."),
)

# Sentences that assert nothing about the KG: context, and more pronouns for coreference.
FILLERS: tuple[Template, ...] = (
    _filler("{s} attracts many visitors every year .", "city"),
    _filler("{s} is known for its museums and parks .", "city"),
    _filler("{s} has a long and varied history .", "country", "state", "city"),
    _filler("{s} is often in the news .", "country", "organization", "PER"),
    _filler("{s} remains widely known today .", "PER"),
    _filler("{s} is remembered for {s's} work .", "PER"),
    _filler("{s} has grown considerably since then .", "company", "university", "organization"),
    _filler("{s} attracts students from many countries .", "university"),
)

# DWIE-style sentences with demonyms ("the French capital"), as in Deutsche Welle news text.
DWIE_TEMPLATES: tuple[Template, ...] = (
    *FACT_TEMPLATES,
    _t("{s} is {a_adj:o} {noun:s} .", ("s", "P17", "o")),
    _t("The {adj:o} capital {s} has {v:s:P1082} inhabitants .", ("s", "P1376", "o")),
    _t("{s} is the {adj:o} head of state .", ("o", "P35", "s"), tense="current"),
    _t("{s} served as {adj:o} head of state .", ("o", "P35", "s"), tense="past"),
    _t("{s} led the {adj:o} government .", ("o", "P6", "s"), tense="past"),
    _t("{s} is {a_adj:o} citizen .", ("s", "P27", "o")),
)


def _has_value(kg: SampleKG, entity: str, kind: str, prop: str) -> bool:
    value = kg.value(entity, prop)
    if value is None:
        return False
    if kind == "v" and isinstance(value, Time) and prop == "P571":
        return value.precision >= 11  # "established on 1237" would be wrong
    return kind != "y" or isinstance(value, Time)


def bindings(template: Template, kg: SampleKG, fixed: dict[str, str]) -> Iterator[dict[str, str]]:
    """Every assignment of distinct entities to the template's slots, extending ``fixed``, under
    which all its facts hold in ``kg`` (respecting ``tense``) and all its values exist."""
    slots = template.entity_slots()

    def ok(binding: dict[str, str]) -> bool:
        for kind, slot, prop, _ in template.slots():
            ent = binding[slot]
            if kind in ("v", "y") and not _has_value(kg, ent, kind, prop):
                return False
            if kind in ("a_noun", "noun") and kg.noun(ent) is None:
                return False
            if kind in ("adj", "a_adj") and not kg.entities[ent].demonym:
                return False
        return True

    def fact_ok(s: str, p: str, o: str) -> bool:
        matches = [f for f in kg.objects(s, p) if f.obj == o]
        if template.tense == "current":
            return any(not f.ended for f in matches)
        if template.tense == "past":
            return any(f.ended for f in matches)
        return bool(matches)

    def extend(binding: dict[str, str]) -> Iterator[dict[str, str]]:
        for s, p, o in template.facts:
            if s in binding and o in binding:
                if not fact_ok(binding[s], p, binding[o]):
                    return
        for s, p, o in template.facts:
            if s in binding and o not in binding:
                cands = sorted({f.obj for f in kg.objects(binding[s], p)})
                free = o
            elif o in binding and s not in binding:
                cands = sorted({f.subject for f in kg.subjects(p, binding[o])})
                free = s
            else:
                continue
            for cand in cands:
                if cand not in binding.values():
                    yield from extend({**binding, free: cand})
            return
        if all(slot in binding for slot in slots) and ok(binding):
            yield binding

    if any(slot not in slots for slot in fixed):
        return
    yield from extend(dict(fixed))

