"""The official DocRED metric: P, R, F1, Ign F1 and evidence F1 of a submission.

A submission is a list of ``{"title", "h_idx", "t_idx", "r", "evidence"?}`` records, read as
:mod:`kire.eval.records` says (duplicates dropped, mismatched records counted as wrong). As in
thunlp/DocRED's ``code/evaluation.py``: gold facts are keyed by (title, h, t, r);
P = correct / #pred over the distinct records, *including* those whose title is not in the truth,
and R = correct / #gold. A correct record is *in train* when some (head mention name, tail mention
name, r) is a training fact; Ign P = (correct - in_train) / (#pred - in_train) and Ign F1 its
harmonic mean with plain R (the same again against a distant-supervision file when given).

Evidence, as the official scorer counts it: the predicted evidence sentences of every record whose
title is in the truth (correct or not; records of unknown titles are skipped before their evidence
is counted) make evidence P's denominator; the gold evidence sentences of all gold labels make R's;
the numerator is, over the *correct* records, the predicted sentences that are also gold evidence.

Where the official scorer divides by zero (no records, no gold facts, every record correct and in
train) kire gives 0.

Documents are keyed by title, as submissions are: two documents with one title in a split are
rejected up front (:func:`check_unique_titles`), since their predictions could not be told apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Iterable

from kire.docs.model import Document
from kire.docs.overlap import title_clashes
from kire.errors import InputError
from kire.eval.records import Prediction, screen_submission

Fact = tuple[str, str, str]  # (head mention name, tail mention name, relation)


@dataclass
class Truth:
    """Gold facts of an evaluation split, with what the metric and its breakdowns need per title.

    ``doc_index`` maps each title to its document's position in the split, the ``doc`` index of
    the document tables, links and subgraph tables (titles are unique: :func:`check_unique_titles`).
    """

    gold: dict[tuple[str, int, int, str], set[int]] = field(default_factory=dict)  # -> evidence
    n_evidence: int = 0  # gold evidence sentences summed over labels, duplicates included
    mention_names: dict[str, list[list[str]]] = field(default_factory=dict)  # title -> entity -> names
    mention_sents: dict[str, list[set[int]]] = field(default_factory=dict)   # title -> entity -> sentences
    doc_index: dict[str, int] = field(default_factory=dict)  # title -> position in the split

    @cached_property
    def by_title(self) -> dict[str, list[tuple[str, int, int, str]]]:
        """Gold keys (title, h, t, r) grouped by title."""
        index: dict[str, list[tuple[str, int, int, str]]] = {}
        for key in self.gold:
            index.setdefault(key[0], []).append(key)
        return index

    @cached_property
    def n_entities(self) -> dict[str, int]:
        """Entities per title."""
        return {title: len(names) for title, names in self.mention_names.items()}

    @classmethod
    def from_documents(cls, documents: Iterable[Document], file: str = "truth") -> "Truth":
        """The truth of a labeled split; InputError for an unlabeled document or a repeated title."""
        documents = list(documents)
        check_unique_titles(documents, file)
        truth = cls()
        for i, doc in enumerate(documents):
            if doc.labels is None:
                raise InputError(file, f"document {doc.title!r}", "labels",
                                 "missing: the truth must be a labeled split")
            truth.doc_index[doc.title] = i
            truth.mention_names[doc.title] = [[m.name for m in e.mentions] for e in doc.entities]
            truth.mention_sents[doc.title] = [{m.sent_id for m in e.mentions} for e in doc.entities]
            for lab in doc.labels:
                truth.gold[doc.title, lab.head, lab.tail, lab.relation] = set(lab.evidence)
                truth.n_evidence += len(lab.evidence)
        return truth


def check_unique_titles(documents: list[Document], file: str = "split") -> None:
    """Raise InputError naming ``file``, the title and both record indices when two documents of a
    split share a title (the first :func:`kire.docs.overlap.title_clashes` pair): submissions key
    documents by title, so their predictions could not be mapped back (pooled releases do this;
    rename or drop one of the two)."""
    clashes = title_clashes(documents)
    if not clashes:
        return
    j, i = clashes[0]
    doc = documents[i]
    what = "the same document twice" if documents[j] == doc else "two different documents"
    raise InputError(file, f"documents {j} and {i}", "title",
                     f"{doc.title!r} names {what}; submissions key documents by title, so the "
                     "predictions of the two could not be told apart (rename or drop one)")


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


def harmonic(p: float, r: float) -> float:
    """F1 of precision ``p`` and recall ``r`` (0 when both are 0)."""
    return 0.0 if p + r == 0 else 2 * p * r / (p + r)


def _ratio(num: int, den: int) -> float:
    return num / den if den > 0 else 0.0


def _in_facts(truth: Truth, pred: Prediction, facts: set[Fact]) -> bool:
    names = truth.mention_names[pred.title]
    return any((n1, n2, pred.r) in facts for n1 in names[int(pred.h)] for n2 in names[int(pred.t)])


def tally(truth: Truth, predictions: Iterable[Prediction], gold: dict[tuple, set], n_evidence: int,
          train_facts: set[Fact], distant_facts: set[Fact] | None = None) -> dict[str, float]:
    """The metric of distinct ``predictions`` against ``gold`` (all of ``truth.gold`` or a part)
    whose labels list ``n_evidence`` evidence sentences in all.

    Returns ``{"f1", "ign_f1", "p", "r", "ign_p", "n_pred", "n_gold", "n_correct",
    "n_correct_in_train"}``, with ``ign_f1_distant``, ``ign_p_distant``, ``n_correct_in_distant``
    when ``distant_facts`` is given and ``evidence_p``/``evidence_r``/``evidence_f1`` when some
    evidence is predicted; P/R/F1 are fractions in [0, 1].
    """
    n_pred = correct = in_train = in_distant = correct_evidence = predicted_evidence = 0
    for pred in predictions:
        n_pred += 1
        if not pred.known:  # the official scorer skips it before counting its evidence
            continue
        predicted_evidence += len(pred.evidence)
        gold_evidence = gold.get(pred.key)
        if gold_evidence is None:
            continue
        correct += 1
        correct_evidence += len(gold_evidence & pred.evidence)
        in_train += _in_facts(truth, pred, train_facts)
        if distant_facts is not None:
            in_distant += _in_facts(truth, pred, distant_facts)
    n_gold = len(gold)
    p, r = _ratio(correct, n_pred), _ratio(correct, n_gold)
    ign_p = _ratio(correct - in_train, n_pred - in_train)
    scores = {"f1": harmonic(p, r), "ign_f1": harmonic(ign_p, r), "p": p, "r": r, "ign_p": ign_p,
              "n_pred": n_pred, "n_gold": n_gold, "n_correct": correct, "n_correct_in_train": in_train}
    if distant_facts is not None:
        ign_p_distant = _ratio(correct - in_distant, n_pred - in_distant)
        scores.update(ign_f1_distant=harmonic(ign_p_distant, r), ign_p_distant=ign_p_distant,
                      n_correct_in_distant=in_distant)
    if predicted_evidence:
        evi_p, evi_r = correct_evidence / predicted_evidence, _ratio(correct_evidence, n_evidence)
        scores.update(evidence_p=evi_p, evidence_r=evi_r, evidence_f1=harmonic(evi_p, evi_r))
    return scores


def official_scores(truth: Truth, submission: list, train_facts: set[Fact], *,
                    relations: Iterable[str] | None = None, distant_facts: set[Fact] | None = None,
                    file: str = "result") -> dict:
    """The official metric of ``submission`` against ``truth`` (see the module docstring).

    Returns :func:`tally`'s scores plus ``"records"``: the count of each kind of record
    (:class:`kire.eval.records.Screened`; ``relations`` lets it count unknown relations), and
    ``"records_first"``: the index of each kind's first record in the file.
    Raises InputError (``file``, record, field) for a record the official scorer cannot read.
    """
    screened = screen_submission(truth.n_entities, submission, relations, file)
    scores = tally(truth, screened.predictions, truth.gold, truth.n_evidence, train_facts, distant_facts)
    scores["records"] = screened.counts
    scores["records_first"] = screened.first
    return scores


def read_submission(path: str | Path) -> list:
    """Records of a submission file: a JSON list of {title, h_idx, t_idx, r, evidence?}; each record
    is checked when it is scored (:func:`kire.eval.records.screen_submission`)."""
    from kire.docs.validate import read_json_file

    records = read_json_file(path)
    if not isinstance(records, list):
        raise InputError(str(path), None, None, "expected a JSON list of records")
    return records
