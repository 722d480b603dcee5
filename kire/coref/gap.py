"""GAP (gendered ambiguous pronouns, Wikipedia text): reader, GAP's scorer, calibration, fitting.

A GAP example is a text, a pronoun and two candidate names A and B with gold A-coref / B-coref.
GAP's scorer treats A-coref and B-coref as two binary decisions per example and counts TP, FP and
FN over all decisions of the file: precision = TP / (TP + FP), recall = TP / (TP + FN).

The resolver reads the raw text with A and B as given mentions, resolves every pronoun, and the
decision for the GAP pronoun is its best entity when p >= the threshold: A-coref is true when that
entity contains A's mention (so a third entity or "no antecedent" makes both decisions false).
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

import numpy as np

from kire.errors import InputError, KireError

GAP_COLUMNS = ("ID", "Text", "Pronoun", "Pronoun-offset", "A", "A-offset", "A-coref",
               "B", "B-offset", "B-coref", "URL")


@dataclass
class GapExample:
    """One GAP row; offsets are character offsets into ``text``."""

    id: str
    text: str
    pronoun: str
    pronoun_offset: int
    a: str
    a_offset: int
    a_coref: bool
    b: str
    b_offset: int
    b_coref: bool
    url: str

    @property
    def title(self) -> str:
        """The Wikipedia page title from the URL (GAP's page-title signal)."""
        return unquote(self.url.rsplit("/", 1)[-1]).replace("_", " ")


def read_gap(path: str | Path) -> list[GapExample]:
    """Read a GAP TSV file; raises :class:`InputError` naming the file, row and column."""
    path = Path(path)
    if not path.exists():
        raise InputError(str(path), None, None, "file not found")
    examples = []
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        missing = [c for c in GAP_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise InputError(str(path), None, ", ".join(missing), "column missing (not a GAP TSV?)")
        for n, row in enumerate(reader, start=2):
            where = f"line {n} ({row.get('ID')})"
            try:
                ex = GapExample(
                    row["ID"], row["Text"], row["Pronoun"], int(row["Pronoun-offset"]),
                    row["A"], int(row["A-offset"]), parse_bool(row["A-coref"]),
                    row["B"], int(row["B-offset"]), parse_bool(row["B-coref"]), row["URL"],
                )
            except (TypeError, ValueError) as err:
                raise InputError(str(path), where, None, str(err)) from None
            for col, name, off in (("A", ex.a, ex.a_offset), ("B", ex.b, ex.b_offset),
                                   ("Pronoun", ex.pronoun, ex.pronoun_offset)):
                if ex.text[off:off + len(name)] != name:
                    raise InputError(str(path), where, f"{col}-offset",
                                     f"text at {off} is not {name!r}")
            examples.append(ex)
    return examples


def parse_bool(value: str) -> bool:
    """GAP's TRUE / FALSE."""
    low = value.strip().lower()
    if low not in ("true", "false"):
        raise ValueError(f"expected TRUE or FALSE, got {value!r}")
    return low == "true"


def char_span_to_tokens(doc, start: int, end: int) -> tuple[int, int]:
    """Token ``[start, end)`` of the tokens of spaCy ``doc`` overlapping characters ``[start, end)``."""
    toks = [t.i for t in doc if t.idx < end and t.idx + len(t.text) > start]
    if not toks:
        raise ValueError(f"no token at characters {start}..{end}")
    return toks[0], toks[-1] + 1


@dataclass
class GapScores:
    """The resolver's view of one GAP example: p of A's and B's entity, and the decisions."""

    p_a: float
    p_b: float
    best: str | None  # "A", "B", "other" or None (no candidate)
    p_best: float


def score_example(ex: GapExample, doc, model, chain: bool = True, lexicon=None):
    """Run the salience resolver on one parsed GAP text; return (GapScores, candidates of the
    GAP pronoun, which candidate holds A, which holds B)."""
    from kire.coref.salience import resolve

    a = char_span_to_tokens(doc, ex.a_offset, ex.a_offset + len(ex.a))
    b = char_span_to_tokens(doc, ex.b_offset, ex.b_offset + len(ex.b))
    pron_tok = char_span_to_tokens(doc, ex.pronoun_offset, ex.pronoun_offset + len(ex.pronoun))[0]
    given = [(a[0], a[1], None, "PER")]
    if b != a:
        given.append((b[0], b[1], None, "PER"))
    res = resolve(doc, given, title=ex.title, model=model, chain=chain, lexicon=lexicon)
    cands = next((c for m, c in res.pronouns if m.start == pron_tok), [])

    def holds(cand, span):
        return any(m.given and (m.start, m.end) == span for m in cand.cluster.mentions)

    cand_a = next((c for c in cands if holds(c, a)), None)
    cand_b = next((c for c in cands if holds(c, b)), None)
    best, p_best = None, 0.0
    if cands:
        top = max(cands, key=lambda c: c.p)
        p_best = top.p
        best = "A" if top is cand_a else "B" if top is cand_b else "other"
    scores = GapScores(cand_a.p if cand_a else 0.0, cand_b.p if cand_b else 0.0, best, p_best)
    return scores, cands, cand_a, cand_b


def decisions(scores: GapScores, threshold: float) -> tuple[bool, bool]:
    """(A-coref, B-coref) predicted: the pronoun's best entity, if its p reaches ``threshold``."""
    if scores.best is None or scores.p_best < threshold:
        return False, False
    return scores.best == "A", scores.best == "B"


def prf(gold: list[tuple[bool, bool]], pred: list[tuple[bool, bool]]) -> dict[str, float]:
    """GAP's scorer: precision, recall and F1 over the A and B decisions of every example."""
    tp = fp = fn = 0
    for g, p in zip(gold, pred, strict=True):
        for gi, pi in zip(g, p):
            tp += gi and pi
            fp += pi and not gi
            fn += gi and not pi
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "tp": tp, "fp": fp, "fn": fn}


def calibration_table(ps: list[float], labels: list[bool], bins: int = 10) -> list[dict]:
    """Reliability table of probabilities ``ps`` against ``labels``: one row per non-empty bin of
    width 1/bins with its count, mean p and observed fraction of positives; plus the ECE row."""
    ps_a, y = np.asarray(ps, dtype=np.float64), np.asarray(labels, dtype=np.float64)
    rows = []
    ece = 0.0
    for k in range(bins):
        lo, hi = k / bins, (k + 1) / bins
        sel = (ps_a >= lo) & ((ps_a < hi) if k < bins - 1 else (ps_a <= hi))
        if not sel.any():
            continue
        mean_p, frac = float(ps_a[sel].mean()), float(y[sel].mean())
        ece += sel.sum() / len(ps_a) * abs(mean_p - frac)
        rows.append({"bin": f"[{lo:.1f}, {hi:.1f}{']' if k == bins - 1 else ')'}",
                     "n": int(sel.sum()), "mean_p": round(mean_p, 4), "observed": round(frac, 4)})
    return rows + [{"ece": round(float(ece), 4), "n": len(ps_a)}]


def fit_ranking(groups: list[tuple[np.ndarray, np.ndarray]], l2: float = 1.0,
                iters: int = 3000, lr: float = 0.5) -> np.ndarray:
    """Fit a mention-ranking model: P(c) = softmax over [null, candidates] of [0, x_c . w].

    ``groups``: one ``(x, allowed)`` per pronoun, x [k, d] its candidates' features and allowed [k+1]
    a boolean mask over [null, candidates] of the gold outcomes (e.g. [F, T, F]: the first
    candidate; [T, F, F, T]: no antecedent, or an unlabeled third candidate). Maximizes
    sum log P(allowed) - l2/2 |w|^2 by gradient ascent (the problem is convex). Returns w [d].
    """
    groups = [(x, np.asarray(allowed, dtype=bool)) for x, allowed in groups if len(x)]
    x = np.concatenate([g[0] for g in groups])
    sizes = np.array([len(g[0]) for g in groups])
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    gid = np.repeat(np.arange(len(groups)), sizes)
    allowed_null = np.array([g[1][0] for g in groups], dtype=np.float64)
    allowed_row = np.concatenate([g[1][1:] for g in groups]).astype(np.float64)
    w = np.zeros(x.shape[1])
    for _ in range(iters):
        s = x @ w
        top = np.maximum(np.maximum.reduceat(s, starts), 0.0)
        e, e0 = np.exp(s - top[gid]), np.exp(-top)
        p = e / (e0 + np.add.reduceat(e, starts))[gid]
        qe = e * allowed_row
        q = qe / (e0 * allowed_null + np.add.reduceat(qe, starts))[gid]
        step = lr * (x.T @ (q - p) - l2 * w) / len(groups)
        w += step
        if np.abs(step).max() < 1e-7:
            break
    return w


def best_threshold(scores: list[GapScores], gold: list[tuple[bool, bool]]) -> float:
    """The threshold in 0.05 .. 0.95 that maximizes GAP F1 on ``scores`` (ties: the lowest)."""
    grid = [round(t, 2) for t in np.arange(0.05, 0.951, 0.05)]
    return max(grid, key=lambda t: (prf(gold, [decisions(s, t) for s in scores])["f1"], -t))


def log_loss(ps: list[float], labels: list[bool]) -> float:
    """Mean negative log-likelihood of ``labels`` under ``ps``."""
    eps = 1e-7
    return -sum(math.log(max(p, eps)) if y else math.log(max(1 - p, eps))
                for p, y in zip(ps, labels)) / max(len(ps), 1)


def evaluate_gap(path: str | Path, backend: str, model_path: str | Path | None = None,
                 nlp=None, limit: int | None = None) -> dict:
    """Score ``backend`` on a GAP file: GAP's precision/recall/F1 (plus TP/FP/FN), the threshold
    used, and a calibration table of p for the A and B candidates against their gold labels."""
    from kire.coref.backends import BACKENDS, unknown_backend

    if backend not in BACKENDS:
        raise unknown_backend(backend)
    if backend == "neuralcoref":
        from kire.coref.neuralcoref import INSTALL_HINT

        raise KireError("eval-gap cannot run NeuralCoref inside kire's environment (NeuralCoref 4.0 "
                        f"needs Python <= 3.8). {INSTALL_HINT}")
    from kire.coref.backends import SalienceBackend

    examples = read_gap(path)[:limit]
    nlp_default, model = SalienceBackend(None if model_path is None else str(model_path)).check()
    nlp = nlp or nlp_default
    docs = nlp.pipe((ex.text for ex in examples), batch_size=64)
    scores = [score_example(ex, doc, model)[0] for ex, doc in zip(examples, docs)]
    gold = [(ex.a_coref, ex.b_coref) for ex in examples]
    result = prf(gold, [decisions(s, model.threshold) for s in scores])
    result.update({
        "backend": backend, "file": Path(path).name, "examples": len(examples),
        "threshold": model.threshold,
        "calibration": calibration_table([p for s in scores for p in (s.p_a, s.p_b)],
                                         [y for g in gold for y in g]),
    })
    return result
