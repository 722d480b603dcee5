"""Turn a topic entity into a tokenized draft document: plan sentences from templates, choose
surface forms (label, alias, pronoun, nominal), and record every mention and asserted fact.

The draft is format-neutral; :mod:`kire.sample.docred` and :mod:`kire.sample.dwie` write it out.
Entity keys: item ids (``Q64``), ``V:<text>`` for dates and amounts, ``ADJ:<country>`` for demonyms.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from kire.sample.facts import SampleKG, quantity_surfaces, time_surfaces
from kire.sample.templates import FILLERS, SLOT, Template, bindings
from kire.sample.world import Time

TOKEN = re.compile(r"[\w.'’-]+|[^\w\s]", re.UNICODE)


def tokenize(text: str) -> list[str]:
    """DocRED-like tokens of a name: words ("U.N." is one), punctuation split off ("Frankfurt ( Oder )")."""
    return TOKEN.findall(text)


@dataclass
class DraftMention:
    """``tokens[start:end]`` of sentence ``sent`` mention entity ``key``; ``form`` says how:
    label, alias, pronoun, nominal, value or adjective."""

    key: str
    sent: int
    start: int
    end: int
    text: str
    form: str


@dataclass
class DraftFact:
    """Sentence ``sent`` asserts ``subject --prop--> obj`` (keys); ``evidence`` are the sentences
    needed to read it (the sentence, plus where a pronoun's antecedent was named);
    ``via_adjective`` marks a fact whose country is written as a demonym ("the French capital")."""

    subject: str
    prop: str
    obj: str
    sent: int
    evidence: set[int]
    via_adjective: bool = False


@dataclass
class Draft:
    """A generated document before it is written in a dataset format."""

    topic: str
    sents: list[list[str]] = field(default_factory=list)
    mentions: list[DraftMention] = field(default_factory=list)
    facts: list[DraftFact] = field(default_factory=list)
    named_in: dict[str, int] = field(default_factory=dict)

    def value_type(self, key: str) -> str:
        return "TIME" if key.startswith("V:TIME:") else "NUM"


ARTICLE_PREFIXES = ("United ", "European ", "Nobel ", "North Atlantic ", "University of ", "Free State ", "Federal ",
                    "French Republic", "Kingdom of ", "Republic of ", "Swiss ", "Commonwealth of ",
                    "State of ", "City of ", "Free and ")
ARTICLE_ABBREVIATIONS = {"UK", "U.K.", "USA", "U.S.", "EU", "E.U.", "UN", "U.N.", "FRG"}


def takes_article(name: str) -> bool:
    """Whether English puts "the" before ``name`` ("the United Kingdom", "the EU")."""
    return name.startswith(ARTICLE_PREFIXES) or name in ARTICLE_ABBREVIATIONS


def article(word: str) -> str:
    """The indefinite article before ``word`` ("an island", "a university", "a European")."""
    vowel_sound = word[0].lower() in "aeiou" and not word.lower().startswith(("uni", "eu"))
    return "an" if vowel_sound else "a"


class Realizer:
    """Writes the sentences of one draft; ``rng`` makes every choice, so output is seeded."""

    def __init__(self, kg: SampleKG, rng: random.Random, topic: str) -> None:
        self.kg, self.rng = kg, rng
        self.draft = Draft(topic)
        self.no_pronoun_next = False

    # --- surface forms -------------------------------------------------------------------
    def pronoun(self, entity: str, possessive: bool) -> str:
        gender = self.kg.entities[entity].gender
        if gender == "female":
            return "her" if possessive else "she"
        if gender == "male":
            return "his" if possessive else "he"
        return "its" if possessive else "it"

    def entity_form(self, entity: str, at_start: bool, nominal_ok: bool = True,
                    others: tuple[str, ...] = ()) -> tuple[str, str]:
        """``(surface, form)`` for a mention of ``entity``; ``nominal_ok`` False when the sentence
        names the entity's class itself ("the city is a city in ..."); no alias that names one of
        the ``others`` in the sentence ("Cambridge is located in Cambridge")."""
        kg, rng, d = self.kg, self.rng, self.draft
        taken = {n.casefold() for o in others for n in kg.names(o)}
        aliases = [a for a in kg.aliases(entity) if a.casefold() not in taken]
        if entity == d.topic and entity in d.named_in and not self.no_pronoun_next:
            r = rng.random()
            noun = kg.noun(entity) if nominal_ok else None
            if noun in {kg.noun(o) for o in others}:
                noun = None  # "the city" would be ambiguous next to another city
            if at_start and r < 0.55:
                if noun and r < 0.2:
                    return f"the {noun}", "nominal"
                return self.pronoun(entity, False), "pronoun"
            if not at_start and noun and r < 0.12:
                return f"the {noun}", "nominal"
        first = entity not in d.named_in
        if aliases and rng.random() < (0.2 if first else 0.35):
            return rng.choice(aliases), "alias"
        return kg.label(entity), "label"

    # --- sentences -----------------------------------------------------------------------
    def add(self, template: Template, binding: dict[str, str]) -> None:
        """Append one sentence realizing ``template`` under ``binding``."""
        d = self.draft
        sentence = _Sentence(len(d.sents))
        noun_slots = {slot for kind, slot, _, _ in template.slots() if kind in ("a_noun", "noun")}
        for tok in template.text.split():
            m = SLOT.match(tok)
            if not m:
                sentence.tokens.append(tok)
                continue
            kind, slot, prop, possessive = m.group(1) or "", m.group(2), m.group(3), bool(m.group(4))
            ent = binding[slot]
            if kind == "":
                others = tuple(e for e in binding.values() if e != ent)
                self.add_entity(sentence, ent, possessive, slot not in noun_slots, others)
            elif kind in ("a_noun", "noun"):
                noun = self.kg.noun(ent)
                sentence.tokens.extend([article(noun), noun] if kind == "a_noun" else [noun])
            elif kind in ("adj", "a_adj"):
                self.add_adjective(sentence, ent, with_article=kind == "a_adj")
                sentence.adjective_slots.add(slot)
            else:
                self.add_value(sentence, ent, prop, year_only=kind == "y")
        d.sents.append(sentence.tokens)
        evidence = {sentence.index} | {d.named_in[e] for e in sentence.anaphoric if e in d.named_in}
        for s, p, o in template.facts:
            d.facts.append(DraftFact(binding[s], p, binding[o], sentence.index, set(evidence),
                                     bool({s, o} & sentence.adjective_slots)))
        for (ent, prop), key in sentence.values.items():
            d.facts.append(DraftFact(ent, prop, key, sentence.index, set(evidence)))
        for ent in sentence.named:
            d.named_in.setdefault(ent, sentence.index)
        lead = template.lead_slot()
        self.no_pronoun_next = lead is not None and binding[lead] != d.topic

    def add_entity(self, sentence: "_Sentence", ent: str, possessive: bool, nominal_ok: bool,
                   others: tuple[str, ...]) -> None:
        """A mention of item ``ent`` (with "the" before names that take it, "'s" if possessive)."""
        tokens, at_start = sentence.tokens, not sentence.tokens
        if possessive and ent in sentence.seen:
            surface, form = self.pronoun(ent, True), "pronoun"  # "... for his work"
        else:
            surface, form = self.entity_form(ent, at_start, nominal_ok, others)
        if form == "pronoun" and possessive:
            surface, possessive = self.pronoun(ent, True), False
        if form in ("label", "alias") and takes_article(surface):
            tokens.append("The" if at_start else "the")  # outside the mention, as in DocRED
        elif at_start:
            surface = surface[:1].upper() + surface[1:]
        start = len(tokens)
        tokens.extend(tokenize(surface))
        sentence.seen.add(ent)
        self.draft.mentions.append(DraftMention(ent, sentence.index, start, len(tokens), surface, form))
        if possessive:
            tokens.append("'s")
        (sentence.anaphoric.add if form in ("pronoun", "nominal") else sentence.named.append)(ent)

    def add_adjective(self, sentence: "_Sentence", country: str, with_article: bool) -> None:
        """A demonym mention ("French") standing for ``country``."""
        adj = self.kg.entities[country].demonym
        if with_article:
            sentence.tokens.append(article(adj))
        start = len(sentence.tokens)
        sentence.tokens.append(adj)
        self.draft.mentions.append(DraftMention(f"ADJ:{country}", sentence.index, start, start + 1, adj, "adjective"))

    def add_value(self, sentence: "_Sentence", ent: str, prop: str, year_only: bool) -> None:
        """A TIME or NUM mention: ``ent``'s value of ``prop``, written out (or just its year)."""
        value = self.kg.value(ent, prop)
        if isinstance(value, Time):
            text = str(value.year) if year_only else self.rng.choice(time_surfaces(value))
            key = f"V:TIME:{text}"
        else:
            text = self.rng.choice(quantity_surfaces(value))
            key = f"V:NUM:{text}"
        start = len(sentence.tokens)
        sentence.tokens.extend(value_tokens(text))
        self.draft.mentions.append(DraftMention(key, sentence.index, start, len(sentence.tokens), text, "value"))
        sentence.values[(ent, prop)] = key


@dataclass
class _Sentence:
    """The sentence being written: its tokens and what its mentions did."""

    index: int
    tokens: list[str] = field(default_factory=list)
    anaphoric: set[str] = field(default_factory=set)  # entities written as pronoun or nominal
    named: list[str] = field(default_factory=list)  # entities written by label or alias
    seen: set[str] = field(default_factory=set)
    adjective_slots: set[str] = field(default_factory=set)
    values: dict[tuple[str, str], str] = field(default_factory=dict)


def value_tokens(text: str) -> list[str]:
    """Tokens of a written value: "July 17, 1954" -> July 17 , 1954; "3,755,251" stays whole."""
    if "," in text and not text[0].isdigit():
        text = text.replace(",", " ,")
    return text.split()


def topic_options(kg: SampleKG, templates: tuple[Template, ...], topic: str) -> list[tuple[Template, dict]]:
    """Every (template, binding) in which ``topic`` fills some slot, in a fixed order."""
    seen, out = set(), []
    for template in templates:
        for slot in template.entity_slots():
            for binding in bindings(template, kg, {slot: topic}):
                key = (template.text, tuple(sorted(binding.items())))
                if key not in seen:
                    seen.add(key)
                    out.append((template, binding))
    return out


def fact_keys(kg: SampleKG, template: Template, binding: dict[str, str]) -> set[tuple]:
    """What a sentence asserts, with inverse statements folded together (P36/P1376, P26)."""
    keys = set()
    for s, p, o in template.facts:
        a, b = binding[s], binding[o]
        inv = kg.inverse.get(p)
        keys.add(min((a, p, b), (b, inv, a)) if inv else (a, p, b))
        if p == "P26":
            keys.add((min(a, b), p, max(a, b)))
    for kind, slot, prop, _ in template.slots():
        if kind in ("v", "y"):
            keys.add((binding[slot], prop, "value"))
    return keys


def plan_and_realize(kg: SampleKG, rng: random.Random, topic: str,
                     templates: tuple[Template, ...], n_sents: int) -> Draft:
    """A draft about ``topic``: an opening sentence naming it, ``n_sents - 1`` more facts about it
    (fewer if the KG has fewer), possibly a sentence about another entity it mentions ("bridge")
    and a filler sentence without facts."""
    options = topic_options(kg, templates, topic)
    openers = [(t, b) for t, b in options if t.lead_slot() and b[t.lead_slot()] == topic and t.facts]
    if not openers:
        raise ValueError(f"no opening sentence for topic {topic}")
    chosen = [rng.choice(openers)]
    covered = fact_keys(kg, *chosen[0])
    used_texts = {chosen[0][0].text}
    rest = options[:]
    rng.shuffle(rest)
    for template, binding in rest:
        if len(chosen) >= n_sents:
            break
        keys = fact_keys(kg, template, binding)
        if template.text in used_texts or keys <= covered:
            continue
        # one sentence per fact: skip any sentence that repeats an already covered fact
        if keys & covered:
            continue
        chosen.append((template, binding))
        covered |= keys
        used_texts.add(template.text)
    body = chosen[1:]
    # a bridge: a fact between two other entities the document already mentions
    mentioned = [v for _, b in chosen for v in b.values() if v != topic]
    if mentioned and rng.random() < 0.7:
        other = rng.choice(sorted(set(mentioned)))
        bridges = [
            (t, b) for t, b in topic_options(kg, templates, other)
            if t.lead_slot() and b[t.lead_slot()] == other and topic not in b.values()
            and not fact_keys(kg, t, b) & covered and t.text not in used_texts
        ]
        if bridges:
            body.insert(rng.randrange(len(body) + 1), rng.choice(bridges))
    kind = kg.noun(topic) or kg.doc_type(topic)
    fillers = [f for f in FILLERS if kind in f.kinds or kg.doc_type(topic) in f.kinds]
    if fillers and rng.random() < 0.6:
        body.insert(rng.randrange(len(body) + 1), (rng.choice(fillers), {"s": topic}))
    realizer = Realizer(kg, rng, topic)
    for template, binding in [chosen[0], *body]:
        realizer.add(template, binding)
    return realizer.draft
