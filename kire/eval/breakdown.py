"""The metric by group: of entity pairs (mention count, sentences, distance, linking, KG edge) or
of relations (Re-DocRED's frequent vs long-tail).

A group's scores are :func:`kire.eval.metric.tally` over the gold facts and the distinct records
that fall in the group, so each has P, R, F1, Ign F1 (and the distant Ign F1, and evidence scores
when evidence is predicted) computed as the main scores are.

Re-DocRED's benchmark breakdowns follow its authors' scorer (tonytan48/Re-DocRED ``evaluation.py``,
``official_evaluate_benchmark``): a pair's distance is the smallest ``|i - j|`` over a sentence i of
a head mention and a sentence j of a tail mention; *intra* is distance 0, *inter* distance >= 1,
and ``sentence_distance[">5"]`` distance > 5 (a subset of inter). *frequent* are their ten
relations (:data:`FREQUENT_RELATIONS`), *long_tail* every other relation of rel_info (every other
relation when rel_info is not given); a relation outside rel_info is in neither, as there. A record
falls in a relation group by its ``r`` alone, whatever its title. Their scorer reports no Ign F1 per
group; kire's is the main rule restricted to the group. Their ``1e-5`` in Ign P's denominator is
left out (it only avoids a division by zero, which gives 0 here), and a submission of one record
is scored as one record (their benchmark function drops it).

A pair breakdown cannot place a record whose title is not in the truth or whose index is no entity
of its document (their scorer stops there with a KeyError/IndexError): such records are left out
of every pair group and counted in the main scores' ``records.unplaced``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable

from kire.eval.knowledge import PairKnowledge
from kire.eval.metric import Fact, Truth, tally
from kire.eval.records import Prediction, screen_submission

MENTION_BUCKETS = ("1", "(1,3]", ">3")
# Re-DocRED's ten frequent relations (freq_keys of its authors' evaluation.py)
FREQUENT_RELATIONS = frozenset({"P17", "P131", "P27", "P150", "P175", "P577", "P463", "P527", "P495", "P361"})
LONG_RANGE = 5  # sentences: Re-DocRED's long inter-sentence pairs are further apart than this


def mention_bucket(truth: Truth, title: str, h: int, t: int) -> str:
    """Bucket of the pair's average mention count per entity: 1, (1,3] or >3."""
    names = truth.mention_names[title]
    avg = (len(names[h]) + len(names[t])) / 2
    return "1" if avg <= 1 else "(1,3]" if avg <= 3 else ">3"


def sentence_distance(truth: Truth, title: str, h: int, t: int) -> int:
    """Smallest number of sentences between a mention of the head and a mention of the tail."""
    sents = truth.mention_sents[title]
    return min(abs(i - j) for i in sents[h] for j in sents[t])


def sentence_scope(truth: Truth, title: str, h: int, t: int) -> str:
    """"intra" when some mention of the head shares a sentence with some mention of the tail."""
    sents = truth.mention_sents[title]
    return "intra" if sents[h] & sents[t] else "inter"


def long_range(truth: Truth, title: str, h: int, t: int) -> str | None:
    """">5" when the pair's sentence distance exceeds :data:`LONG_RANGE`, else no group."""
    return f">{LONG_RANGE}" if sentence_distance(truth, title, h, t) > LONG_RANGE else None


def relation_group(relations: Iterable[str] | None) -> Callable[[Any], str | None]:
    """Re-DocRED's frequent/long-tail group of a relation id, given the dataset's relation ids."""
    known = None if relations is None else set(relations)

    def group(r: Any) -> str | None:
        if r in FREQUENT_RELATIONS:
            return "frequent"
        if known is None or (isinstance(r, str) and r in known):
            return "long_tail"
        return None

    return group


@dataclass(frozen=True)
class Grouping:
    """Groups of a breakdown and how a gold key or a record finds its group (None: no group).

    ``of_pair(truth, title, h, t)`` places by the entity pair (placed records only);
    ``of_relation(r)`` by the relation (every record).
    """

    groups: tuple[str, ...]
    of_pair: Callable[[Truth, str, int, int], str | None] | None = None
    of_relation: Callable[[Any], str | None] | None = None

    def group_of(self, truth: Truth, title: Any, h: Any, t: Any, r: Any, placed: bool) -> str | None:
        if self.of_relation is not None:
            return self.of_relation(r)
        return self.of_pair(truth, title, int(h), int(t)) if placed else None


def group_scores(truth: Truth, predictions: list[Prediction], train_facts: set[Fact], grouping: Grouping,
                 distant_facts: set[Fact] | None = None) -> dict[str, dict]:
    """``{group: tally's scores}`` for each group of ``grouping``, in its order."""
    gold_parts: dict[str, dict] = {g: {} for g in grouping.groups}
    for key, evidence in truth.gold.items():
        g = grouping.group_of(truth, *key, placed=True)
        if g is not None:
            gold_parts[g][key] = evidence
    pred_parts: dict[str, list[Prediction]] = {g: [] for g in grouping.groups}
    for pred in predictions:
        g = grouping.group_of(truth, *pred.key, placed=pred.placed)
        if g is not None:
            pred_parts[g].append(pred)
    return {g: tally(truth, pred_parts[g], gold_parts[g], sum(len(v) for v in gold_parts[g].values()),
                     train_facts, distant_facts)
            for g in grouping.groups}


def groupings(relations: Iterable[str] | None = None,
              knowledge: PairKnowledge | None = None) -> dict[str, Grouping]:
    """Every breakdown kire reports: the paper's mention buckets, Re-DocRED's benchmark breakdowns,
    and, when ``knowledge`` is given, linked entities per pair and KG edge per pair."""
    out = {
        "mentions": Grouping(MENTION_BUCKETS, of_pair=mention_bucket),
        "sentences": Grouping(("intra", "inter"), of_pair=sentence_scope),
        "sentence_distance": Grouping((f">{LONG_RANGE}",), of_pair=long_range),
        "relations": Grouping(("frequent", "long_tail"), of_relation=relation_group(relations)),
    }
    if knowledge is not None and knowledge.linked is not None:
        out["linking"] = Grouping(("both", "one", "none"), of_pair=knowledge.linked_group)
    if knowledge is not None and knowledge.kg_pairs is not None:
        out["kg_edge"] = Grouping(("edge", "no_edge"), of_pair=knowledge.edge_group)
    return out


def breakdowns(truth: Truth, submission: list, train_facts: set[Fact], *,
               relations: Iterable[str] | None = None, distant_facts: set[Fact] | None = None,
               knowledge: PairKnowledge | None = None, file: str = "result") -> dict[str, dict]:
    """``{breakdown: {group: scores}}`` for every breakdown of :func:`groupings`."""
    relations = None if relations is None else list(relations)
    predictions = screen_submission(truth.n_entities, submission, relations, file).predictions
    return {name: group_scores(truth, predictions, train_facts, grouping, distant_facts)
            for name, grouping in groupings(relations, knowledge).items()}
