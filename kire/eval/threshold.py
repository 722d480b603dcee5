"""Choosing the decision threshold theta on dev: the best F1 over all cut-offs of the sorted scores."""

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
