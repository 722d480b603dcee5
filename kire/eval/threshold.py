"""Choosing the decision threshold theta on dev: the best F1 over all cut-offs of the sorted scores,
and the warning for a degenerate choice."""

from __future__ import annotations

import numpy as np


def best_threshold(scores: np.ndarray, correct: np.ndarray, n_gold: int) -> tuple[float, float]:
    """Return ``(theta, f1)``: predicting every candidate with score >= theta gives the best F1.

    ``scores`` ``[N]``: one score per distinct (document, head, tail, relation) candidate;
    ``correct`` ``[N]`` bool: the candidate is a gold fact; ``n_gold``: gold facts of the split
    (including any the candidates miss). Cut-offs fall only between different scores, so ties
    are predicted together, as ``score >= theta`` does at test time.
    """
    if len(scores) == 0:
        return 0.5, 0.0
    order = np.argsort(-scores, kind="stable")
    s, c = scores[order], correct[order].astype(np.int64)
    hits = np.cumsum(c)
    n_pred = np.arange(1, len(s) + 1)
    last_of_tie = np.append(s[1:] != s[:-1], True)
    f1 = np.where(last_of_tie, 2 * hits / (n_pred + n_gold), -1.0)
    k = int(np.argmax(f1))
    return float(s[k]), float(max(f1[k], 0.0))


# A dev threshold this low, or one that predicts this many times the gold facts, means the scores do
# not separate facts from non-facts (an untrained or collapsed model, a tiny dev set): F1 then comes
# from predicting (nearly) everything, and the run's scores say little.
DEGENERATE_THETA = 1e-6
DEGENERATE_RATIO = 50


def degenerate_threshold_warning(theta: float | None, n_predicted: int, n_gold: int) -> str | None:
    """One line when ``theta`` is below :data:`DEGENERATE_THETA` or the ``n_predicted`` dev triples
    at theta exceed :data:`DEGENERATE_RATIO` times the ``n_gold`` gold facts; None otherwise.

    ``theta`` None: the model fixes its own threshold (ATLOP's learned class 0, whose scores are
    margins with a cut-off of 0 by design), so only the count is checked."""
    reasons = []
    if theta is not None and theta < DEGENERATE_THETA:
        reasons.append(f"theta {theta:.3g} is below {DEGENERATE_THETA:g}")
    if n_predicted > DEGENERATE_RATIO * n_gold:
        reasons.append(f"it predicts {n_predicted} dev triples for {n_gold} gold facts (more than "
                       f"{DEGENERATE_RATIO}x)")
    if not reasons:
        return None
    return ("degenerate dev threshold: " + " and ".join(reasons)
            + "; the scores do not separate facts from non-facts, so F1 says little about this run")
