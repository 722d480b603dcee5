"""Fitting the salience resolver on GAP's development split (``kire coref fit-gap``).

Writes two files into ``kire/coref/data`` (or another folder):

- ``name_gender.json``: first name -> m | f, from GAP development's candidate names: GAP picks both
  candidates with the pronoun's gender, so each candidate's first word votes for that gender;
  names with at least 80 % of their votes for one gender are kept.
- ``salience_model.json``: mention-ranking weights over the salience features, fitted on GAP's
  pronouns (the antecedent is A's entity, B's entity, or neither: no antecedent or a third entity), and the decision threshold that maximizes GAP
  F1 on the same split. Two rounds: the first without pronoun chains, the second with chains built
  by the first model.

Evaluate on another file (gap-validation), never on the development split used here.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from kire.coref import salience
from kire.coref.gap import (best_threshold, decisions, fit_ranking, prf, read_gap,
                            score_example)
from kire.coref.mentions import PRONOUNS
from kire.io import write_json_atomic

log = logging.getLogger(__name__)


def name_gender_lexicon(examples, min_share: float = 0.8) -> dict[str, str]:
    """First name (lower-cased) -> m | f from the candidates of GAP ``examples`` (module docstring)."""
    votes: dict[str, dict[str, int]] = {}
    for ex in examples:
        gender = PRONOUNS[ex.pronoun.lower()][0]
        for name in (ex.a, ex.b):
            words = name.split()
            if len(words) < 2 or not words[0].isalpha() or not words[0][0].isupper():
                continue  # a lone word may be a surname
            counts = votes.setdefault(words[0].lower(), {"m": 0, "f": 0})
            counts[gender] += 1
    lexicon = {}
    for name, counts in sorted(votes.items()):
        total = counts["m"] + counts["f"]
        for g in ("m", "f"):
            if counts[g] >= min_share * total:
                lexicon[name] = g
    return lexicon


def training_groups(examples, docs, model, chain: bool, lexicon: dict[str, str]):
    """Per GAP pronoun, its candidates' features and the mask of gold outcomes over [none,
    candidates] (see :func:`fit_ranking`); plus every example's GapScores."""
    groups, all_scores = [], []
    for ex, doc in zip(examples, docs):
        scores, cands, cand_a, cand_b = score_example(ex, doc, model, chain=chain, lexicon=lexicon)
        all_scores.append(scores)
        if not cands or (cand_a is not None and cand_a is cand_b):
            continue
        if ex.a_coref or ex.b_coref:
            gold = cand_a if ex.a_coref else cand_b
            if gold is None:
                continue  # the antecedent was filtered out: nothing to learn from
            allowed = [False] + [c is gold for c in cands]
        else:  # neither: no antecedent or some third entity
            allowed = [True] + [c is not cand_a and c is not cand_b for c in cands]
        groups.append((np.stack([c.x for c in cands]), np.array(allowed)))
    return groups, all_scores


def fit_gap(dev_path: str | Path, out_dir: str | Path, nlp=None, l2: float = 1.0) -> dict:
    """Fit the lexicon and the model on a GAP file and write them to ``out_dir``; return a summary."""
    from kire.coref.parse import load_spacy

    examples = read_gap(dev_path)
    nlp = nlp or load_spacy()
    out_dir = Path(out_dir)
    lexicon = name_gender_lexicon(examples)
    write_json_atomic(out_dir / "name_gender.json", lexicon, indent=0)
    docs = list(nlp.pipe((ex.text for ex in examples), batch_size=64))
    gold = [(ex.a_coref, ex.b_coref) for ex in examples]
    groups, _ = training_groups(examples, docs, None, False, lexicon)
    model = salience.SalienceModel(fit_ranking(groups, l2), 0.5)
    log.info("round 1: %d pronouns", len(groups))
    groups, _ = training_groups(examples, docs, model, True, lexicon)
    model = salience.SalienceModel(fit_ranking(groups, l2), 0.5)
    _, scores = training_groups(examples, docs, model, True, lexicon)
    model.threshold = best_threshold(scores, gold)
    dev = prf(gold, [decisions(s, model.threshold) for s in scores])
    model.meta = {"fitted_on": Path(dev_path).name, "examples": len(examples), "pronouns": len(groups),
                  "l2": l2, "dev_f1": round(dev["f1"], 4), "lexicon_names": len(lexicon)}
    write_json_atomic(out_dir / salience.MODEL_FILE, model.to_json())
    return model.meta


def sieve_precision(documents, nlp=None, batch_size: int = 32) -> dict[str, dict]:
    """Precision of each string sieve on annotated documents: the sieves run with the annotated
    mentions given but their entity ids hidden; a link between two annotated mentions is correct
    when both belong to the same annotated entity. Returns {sieve: {links, correct, precision}}."""
    from kire.coref.mentions import detect_mentions
    from kire.coref.parse import given_mentions, load_spacy, parse_documents
    from kire.coref.salience import build_clusters

    nlp = nlp or load_spacy()
    counts: dict[str, list[int]] = {}
    for doc, parsed in zip(documents, parse_documents(nlp, documents, batch_size)):
        entity_of = {(s, e): k for s, e, k, _ in given_mentions(doc)}
        hidden = [(s, e, None, t) for s, e, _, t in given_mentions(doc)]
        for cluster in build_clusters(detect_mentions(parsed, hidden), parsed):
            for a, b, sieve in cluster.links:
                if a.given and b.given:
                    c = counts.setdefault(sieve, [0, 0])
                    c[0] += 1
                    c[1] += entity_of[a.span] == entity_of[b.span]
    return {s: {"links": n, "correct": k, "precision": round(k / n, 4)} for s, (n, k) in counts.items()}
