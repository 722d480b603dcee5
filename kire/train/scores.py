"""Relation scores of a pipeline over featurized documents, and what is read off them: batches in,
scores out, candidates with their gold flags (for theta), official-format submission records."""

from __future__ import annotations

from typing import Iterator, Sequence

import numpy as np
import torch

from kire.eval.metric import Truth
from kire.models.batch import Batch
from kire.models.features import DocFeatures, collate, pair_row


def iter_batches(features: Sequence[DocFeatures], batch_size: int, n_classes: int,
                 order: Sequence[int] | None = None) -> Iterator[Batch]:
    """Batches of ``batch_size`` documents, in ``order`` (default: as given)."""
    order = range(len(features)) if order is None else order
    order = list(order)
    for i in range(0, len(order), batch_size):
        yield collate([features[j] for j in order[i:i + batch_size]], n_classes)


@torch.no_grad()
def relation_scores(pipeline, features: Sequence[DocFeatures], split: str, batch_size: int,
                    device: torch.device, progress: bool = False) -> list[np.ndarray]:
    """Per document, ``[P_doc, R-1]`` float32 scores (``model.scores``) of its pairs' relations."""
    from tqdm import tqdm

    pipeline.eval()
    out: list[np.ndarray] = []
    n_classes = pipeline.model.space.n_classes
    total = (len(features) + batch_size - 1) // batch_size
    for batch in tqdm(iter_batches(features, batch_size, n_classes), total=total,
                      desc=f"predict {split}", disable=not progress, leave=False):
        batch = batch.to(device)
        _, logits, _ = pipeline(batch, split)
        scores = pipeline.model.scores(logits).float().cpu().numpy()
        counts = torch.bincount(batch.pair_doc, minlength=len(batch.titles)).tolist()
        out.extend(np.split(scores, np.cumsum(counts)[:-1]))
    return out


def candidate_correctness(features: Sequence[DocFeatures], scores: Sequence[np.ndarray],
                          truth: Truth, relations: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """``([N], [N])``: every (document, pair, relation) score, flattened, and whether it is gold.

    A title that occurs in several documents is scored once (the official key is the title).
    """
    column = {r: i for i, r in enumerate(relations)}
    flat, hits, seen = [], [], set()
    for f, s in zip(features, scores):
        if f.title in seen:
            continue
        seen.add(f.title)
        gold = np.zeros(s.shape, dtype=bool)
        for (_, h, t, r) in truth.by_title.get(f.title, ()):
            if r in column:
                gold[pair_row(f.n_entities, h, t), column[r]] = True
        flat.append(s.ravel())
        hits.append(gold.ravel())
    if not flat:
        return np.zeros(0, np.float32), np.zeros(0, bool)
    return np.concatenate(flat), np.concatenate(hits)


def submission(features: Sequence[DocFeatures], scores: Sequence[np.ndarray], theta: float,
               relations: list[str]) -> list[dict]:
    """Official-format records ``{title, h_idx, t_idx, r, evidence}`` of every score >= theta."""
    records = []
    for f, s in zip(features, scores):
        rows, cols = np.nonzero(s >= theta)
        for row, col in zip(rows.tolist(), cols.tolist()):
            h, t = int(f.pairs[row, 0]), int(f.pairs[row, 1])
            records.append({"title": f.title, "h_idx": h, "t_idx": t, "r": relations[col],
                            "evidence": []})
    return records
