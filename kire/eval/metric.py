"""The official DocRED metric: P, R, F1, Ign F1 and evidence F1 of a submission.

A submission is a list of ``{"title", "h_idx", "t_idx", "r", "evidence"?}`` records. As in the
official scorer: records are deduplicated by (title, h_idx, t_idx, r); P = correct / #pred and
R = correct / #gold, gold facts keyed by (title, h, t, r); a correct record is *in train* when some
(head mention name, tail mention name, r) is a training fact, and Ign P = (correct - in_train) /
(#pred - in_train), Ign F1 its harmonic mean with plain R. Evidence P/R count predicted evidence
sentences of correct records against gold evidence sentences of all gold facts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Iterable

from kire.docs.model import Document
from kire.errors import InputError

Fact = tuple[str, str, str]  # (head mention name, tail mention name, relation)


@dataclass
class Truth:
    """Gold facts of an evaluation split, with what the metric and its breakdowns need per title."""

    gold: dict[tuple[str, int, int, str], set[int]] = field(default_factory=dict)  # -> evidence
    n_evidence: int = 0  # gold evidence sentences summed over labels, duplicates included
    mention_names: dict[str, list[list[str]]] = field(default_factory=dict)  # title -> entity -> names
    mention_sents: dict[str, list[set[int]]] = field(default_factory=dict)   # title -> entity -> sentences

    @cached_property
    def by_title(self) -> dict[str, list[tuple[str, int, int, str]]]:
        """Gold keys (title, h, t, r) grouped by title."""
        index: dict[str, list[tuple[str, int, int, str]]] = {}
        for key in self.gold:
            index.setdefault(key[0], []).append(key)
        return index

    @classmethod
    def from_documents(cls, documents: Iterable[Document], file: str = "truth") -> "Truth":
        truth = cls()
        for doc in documents:
            if doc.labels is None:
                raise InputError(file, f"document {doc.title!r}", "labels",
                                 "missing: the truth must be a labeled split")
            truth.mention_names[doc.title] = [[m.name for m in e.mentions] for e in doc.entities]
            truth.mention_sents[doc.title] = [{m.sent_id for m in e.mentions} for e in doc.entities]
            for lab in doc.labels:
                truth.gold[doc.title, lab.head, lab.tail, lab.relation] = set(lab.evidence)
                truth.n_evidence += len(lab.evidence)
        return truth


def facts_of_documents(documents: Iterable[Document]) -> set[Fact]:
    """Training facts: (head mention name, tail mention name, r) for every mention pair of a label."""
    facts: set[Fact] = set()
    for doc in documents:
        for lab in doc.labels or ():
            for m1 in doc.entities[lab.head].mentions:
                for m2 in doc.entities[lab.tail].mentions:
                    facts.add((m1.name, m2.name, lab.relation))
    return facts


def read_fact_file(path: str | Path) -> set[Fact]:
    """Facts of a ``.fact`` file: a JSON list of [head name, tail name, relation]."""
    from kire.docs.validate import read_json_file

    rows = read_json_file(path)
    if not isinstance(rows, list):
        raise InputError(str(path), None, None, "expected a JSON list of [head, tail, relation]")
    facts = set()
    for i, row in enumerate(rows):
        if not (isinstance(row, list) and len(row) == 3 and all(isinstance(x, str) for x in row)):
            raise InputError(str(path), f"fact {i}", None, "expected [head name, tail name, relation]")
        facts.add((row[0], row[1], row[2]))
    return facts


def read_train_facts(path: str | Path, relations: list[str] | None = None) -> set[Fact]:
    """Ign F1's training facts: from a ``.fact`` list, or from a DocRED file / document folder."""
    from kire.docs.read import read_split

    path = Path(path)
    if path.suffix == ".fact":
        return read_fact_file(path)
    return facts_of_documents(read_split(path, relations))


def deduplicate(submission: list[dict]) -> list[dict]:
    """Records with a distinct (title, h_idx, t_idx, r), first occurrence kept, in that key's order."""
    seen: dict[tuple, dict] = {}
    for i, rec in enumerate(submission):
        try:
            key = (str(rec["title"]), int(rec["h_idx"]), int(rec["t_idx"]), str(rec["r"]))
        except (KeyError, TypeError, ValueError):
            raise InputError("result", f"record {i}", None, "needs title, h_idx, t_idx, r") from None
        seen.setdefault(key, rec)
    return [seen[k] for k in sorted(seen)]


def harmonic(p: float, r: float) -> float:
    """F1 of precision ``p`` and recall ``r`` (0 when both are 0)."""
    return 0.0 if p + r == 0 else 2 * p * r / (p + r)


def official_scores(truth: Truth, submission: list[dict], train_facts: set[Fact]) -> dict[str, float]:
    """The official metric of ``submission`` against ``truth`` (see the module docstring)."""
    records = deduplicate(submission)
    correct = in_train = correct_evidence = predicted_evidence = 0
    for rec in records:
        title, h, t, r = str(rec["title"]), int(rec["h_idx"]), int(rec["t_idx"]), str(rec["r"])
        evidence = set(rec.get("evidence") or ())
        predicted_evidence += len(evidence)
        gold = truth.gold.get((title, h, t, r))
        if gold is None:
            continue
        correct += 1
        correct_evidence += len(gold & evidence)
        names = truth.mention_names[title]
        if any((n1, n2, r) in train_facts for n1 in names[h] for n2 in names[t]):
            in_train += 1
    n_pred, n_gold = len(records), len(truth.gold)
    p = correct / n_pred if n_pred else 0.0
    r = correct / n_gold if n_gold else 0.0
    ign_p = (correct - in_train) / (n_pred - in_train) if n_pred > in_train else 0.0
    scores = {
        "f1": harmonic(p, r), "ign_f1": harmonic(ign_p, r), "p": p, "r": r, "ign_p": ign_p,
        "n_pred": n_pred, "n_gold": n_gold, "n_correct": correct, "n_correct_in_train": in_train,
    }
    if predicted_evidence:
        evi_p = correct_evidence / predicted_evidence
        evi_r = correct_evidence / truth.n_evidence if truth.n_evidence else 0.0
        scores.update(evidence_p=evi_p, evidence_r=evi_r, evidence_f1=harmonic(evi_p, evi_r))
    return scores


def read_submission(path: str | Path) -> list[dict]:
    """Records of a submission file: a JSON list of {title, h_idx, t_idx, r, evidence?}."""
    from kire.docs.validate import read_json_file

    records = read_json_file(path)
    if not isinstance(records, list):
        raise InputError(str(path), None, None, "expected a JSON list of records")
    for i, rec in enumerate(records):
        if not isinstance(rec, dict) or not {"title", "h_idx", "t_idx", "r"} <= rec.keys():
            raise InputError(str(path), f"record {i}", None, "needs title, h_idx, t_idx, r")
    return records
