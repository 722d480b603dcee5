"""F1 by group of entity pairs: average mention count (the paper's Table 4) and intra/inter sentence.

A group's scores are the official metric restricted to the gold facts and the predictions whose
(title, head, tail) pair falls in the group.
"""

from __future__ import annotations

from typing import Callable

from kire.eval.metric import Fact, Truth, official_scores

MENTION_BUCKETS = ("1", "(1,3]", ">3")


def mention_bucket(truth: Truth, title: str, h: int, t: int) -> str:
    """Bucket of the pair's average mention count per entity: 1, (1,3] or >3."""
    names = truth.mention_names[title]
    avg = (len(names[h]) + len(names[t])) / 2
    return "1" if avg <= 1 else "(1,3]" if avg <= 3 else ">3"


def sentence_scope(truth: Truth, title: str, h: int, t: int) -> str:
    """"intra" when some mention of the head shares a sentence with some mention of the tail."""
    sents = truth.mention_sents[title]
    return "intra" if sents[h] & sents[t] else "inter"


def restricted_truth(truth: Truth, keep: Callable[[str, int, int], bool]) -> Truth:
    """``truth`` with only the gold facts whose pair passes ``keep``."""
    gold = {k: v for k, v in truth.gold.items() if keep(k[0], k[1], k[2])}
    return Truth(gold=gold, n_evidence=sum(len(v) for v in gold.values()),
                 mention_names=truth.mention_names, mention_sents=truth.mention_sents)


def group_scores(truth: Truth, submission: list[dict], train_facts: set[Fact],
                 group_of: Callable[[Truth, str, int, int], str], groups: tuple[str, ...]) -> dict[str, dict]:
    """``{group: {"f1", "ign_f1", "p", "r", "n_gold", "n_pred", ...}}`` for each group name."""
    known = [rec for rec in submission if rec.get("title") in truth.mention_names]
    out = {}
    for g in groups:
        def keep(title: str, h: int, t: int, g=g) -> bool:
            return group_of(truth, title, h, t) == g

        part = [rec for rec in known if keep(rec["title"], int(rec["h_idx"]), int(rec["t_idx"]))]
        out[g] = official_scores(restricted_truth(truth, keep), part, train_facts)
    return out


def breakdowns(truth: Truth, submission: list[dict], train_facts: set[Fact]) -> dict[str, dict]:
    """Both breakdowns: ``{"mentions": {...}, "sentences": {...}}``."""
    return {
        "mentions": group_scores(truth, submission, train_facts, mention_bucket, MENTION_BUCKETS),
        "sentences": group_scores(truth, submission, train_facts, sentence_scope, ("intra", "inter")),
    }
