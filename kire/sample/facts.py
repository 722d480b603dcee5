"""Queries over the sample KG that the text generators need: true facts, values, names, types.

Only statements of ``normal`` or ``preferred`` rank are facts; ``deprecated`` statements (known to
be wrong) and value-less snaks never reach the generated text.
"""

from __future__ import annotations

from dataclasses import dataclass

from kire.sample.world import Claim, EntitySpec, Quantity, Time, Valueless, all_entities

# DocRED's coarse entity types of the sample's classes (P31 values); items of no listed class are
# places (LOC) unless listed in MISC_ITEMS.
TYPE_OF_CLASS = {
    "Q5": "PER", "Q484652": "ORG", "Q4830453": "ORG", "Q3918": "ORG",
}
MISC_ITEMS = {"Q38104", "Q44585"}

# Nominal anaphors ("the city") and the noun used in "X is a <noun> in Y", by class.
NOUN_OF_CLASS = {
    "Q515": "city", "Q6256": "country", "Q3336843": "country", "Q1221156": "state", "Q35657": "state",
    "Q3918": "university", "Q4830453": "company", "Q484652": "organization", "Q23442": "island",
}

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")


@dataclass(frozen=True)
class Fact:
    """A true item-valued statement ``subject --prop--> obj`` and whether it has ended (P582)."""

    subject: str
    prop: str
    obj: str
    ended: bool


class SampleKG:
    """Index of :func:`kire.sample.world.all_entities` for the generators."""

    def __init__(self, entities: list[EntitySpec] | None = None) -> None:
        self.entities = {e.id: e for e in (entities if entities is not None else all_entities())}
        self.facts: list[Fact] = []
        for e in self.entities.values():
            for claim in e.claims:
                if self.is_fact(claim) and isinstance(claim.value, str) and claim.value[:1] == "Q":
                    ended = any(p == "P582" for p, _ in claim.qualifiers)
                    self.facts.append(Fact(e.id, claim.prop, claim.value, ended))
        self.fact_set = {(f.subject, f.prop, f.obj) for f in self.facts}
        # inverse properties declared in the KG itself (P1696 on property entities)
        self.inverse = {
            e.id: c.value for e in self.entities.values() if e.id[0] == "P"
            for c in e.claims if c.prop == "P1696"
        }

    @staticmethod
    def is_fact(claim: Claim) -> bool:
        return claim.rank != "deprecated" and not isinstance(claim.value, Valueless)

    def objects(self, subject: str, prop: str) -> list[Fact]:
        return [f for f in self.facts if f.subject == subject and f.prop == prop]

    def subjects(self, prop: str, obj: str) -> list[Fact]:
        return [f for f in self.facts if f.obj == obj and f.prop == prop]

    def holds(self, subject: str, prop: str, obj: str) -> bool:
        return (subject, prop, obj) in self.fact_set

    def value(self, subject: str, prop: str) -> Time | Quantity | None:
        """The best-ranked (preferred, else first normal) time or quantity value of ``prop``."""
        claims = [c for c in self.entities[subject].claims if c.prop == prop and self.is_fact(c)]
        claims.sort(key=lambda c: c.rank != "preferred")
        for claim in claims:
            if isinstance(claim.value, (Time, Quantity)):
                return claim.value
        return None

    def classes(self, entity: str) -> list[str]:
        return [f.obj for f in self.objects(entity, "P31")]

    def doc_type(self, entity: str) -> str:
        """DocRED's coarse type: PER, ORG, LOC or MISC."""
        if entity in MISC_ITEMS:
            return "MISC"
        for cls in self.classes(entity):
            if cls in TYPE_OF_CLASS:
                return TYPE_OF_CLASS[cls]
        return "LOC"

    def noun(self, entity: str) -> str | None:
        """The class noun of ``entity`` ("city", "university"), None if it has none."""
        for cls in self.classes(entity):
            if cls in NOUN_OF_CLASS:
                return NOUN_OF_CLASS[cls]
        return None

    def label(self, entity: str) -> str:
        return self.entities[entity].labels["en"]

    def aliases(self, entity: str) -> list[str]:
        return list(self.entities[entity].aliases.get("en", []))

    def names(self, entity: str) -> list[str]:
        """Every English label and alias of ``entity``."""
        return [self.label(entity), *self.aliases(entity)]


def time_surfaces(value: Time) -> list[str]:
    """Ways to write a time value in running text: "17 July 1954", "July 17, 1954" or "1237"."""
    year = str(value.year)
    if value.precision < 11:
        return [year]
    month, day = int(value.time[6:8]), int(value.time[9:11])
    return [f"{day} {MONTHS[month - 1]} {year}", f"{MONTHS[month - 1]} {day}, {year}"]


def quantity_surfaces(value: Quantity) -> list[str]:
    """Ways to write an amount: "3.8 million", "3,755,251", "891.12"."""
    amount = float(value.amount)
    if amount.is_integer():
        n = int(amount)
        out = [f"{n:,}"]
        if n >= 1_000_000:
            out.insert(0, f"{n / 1_000_000:.1f} million")
        return out
    return [value.amount.lstrip("+")]
