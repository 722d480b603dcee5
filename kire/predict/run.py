"""Relations a trained run finds in documents: load the run folder, score every entity pair.

A run folder (``results/<dataset>/<model>/<variant>/seed<k>/``, written by `kire train`) holds
``model.json`` + ``model.safetensors`` (the pipeline) and ``theta.json`` (the threshold chosen on
dev). A relation is reported when its score reaches theta.

Output records (JSON list, one per relation found, by document, then decreasing score)::

    {"title", "h_idx", "t_idx", "r": relation id (e.g. P17), "r_label": its name, "score": float,
     "head": {"name", "type", "kb_id"}, "tail": {...}}

``kb_id`` is the KG id the entity was linked to (null when unlinked or no KG was used).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import numpy as np

from kire.docs.model import Document
from kire.errors import InputError

log = logging.getLogger(__name__)

SPLIT = "predict"  # the split name new documents get in the variant's knowledge source
# Fewer training documents than this and a run's relations are a demonstration (the bundled sample
# trains on 16; DocRED's training set has 3,053).
TINY_TRAINING = 100


def training_documents(results_dir: str | Path, dataset: str) -> int | None:
    """Documents of the run's training split: the rows of RESULTS/docs/<dataset>/train/docs.parquet
    (what rule train passed as --train); None when that table is not there."""
    import pyarrow.parquet as pq

    path = Path(results_dir, "docs", dataset, "train", "docs.parquet")
    if not path.is_file():
        return None
    return pq.ParquetFile(path).metadata.num_rows


def training_size_note(results_dir: str | Path, dataset: str) -> tuple[str, bool]:
    """``(one line stating the run's training size, whether it is tiny)``."""
    n = training_documents(results_dir, dataset)
    where = Path(results_dir, "docs", dataset, "train")
    if n is None:
        return f"training size unknown ({where}/docs.parquet not found)", False
    tiny = n < TINY_TRAINING
    line = f"trained on {n} documents ({where})"
    if tiny:
        line += (f": fewer than {TINY_TRAINING}, so its relations are a demonstration of the "
                 f"pipeline, not a reliable extraction (DocRED trains on 3,053)")
    return line, tiny


def read_theta(run_dir: str | Path) -> float:
    """The threshold a run chose on dev (``theta.json``)."""
    path = Path(run_dir) / "theta.json"
    try:
        theta = json.loads(path.read_text(encoding="utf-8"))["theta"]
    except FileNotFoundError:
        raise InputError(str(path), None, None, "not found: is this a finished `kire train` run folder?") from None
    except (json.JSONDecodeError, KeyError, TypeError):
        raise InputError(str(path), None, "theta", "missing or not valid JSON") from None
    if not isinstance(theta, (int, float)):
        raise InputError(str(path), None, "theta", f"expected a number, got {theta!r}")
    return float(theta)


def load_run(run_dir: str | Path, documents: list[Document], settings: dict[str, Any] | None = None):
    """``(pipeline, meta)`` of a run folder, its variant fed with ``documents`` as split ``predict``.

    ``settings`` replaces the variant settings stored in model.json (knowledge folders of the new
    documents, see kire.predict.knowledge); None keeps them.
    """
    from kire.train.run import load_pipeline

    return load_pipeline(run_dir, {SPLIT: documents}, settings)


def extend_vocabulary(model, documents: list[Document]) -> int:
    """Give the documents' words that a word-vector model never saw their LP vectors (eq. 6).

    The DocRED baselines keep frozen LP vectors of the words of their training files only; a new
    document's other words would all be read as ``<unk>``. They get their vectors from the same
    lookup the model was built with, appended to the frozen embedding: the trained weights are
    untouched. Returns the number of words added (0 for models without a word vocabulary).
    """
    import torch
    from torch import nn

    from kire.models.word_model import WordREModel, word_vectors_for

    if not isinstance(model, WordREModel):
        return 0
    new = sorted({w for doc in documents for sent in doc.sents for w in sent} - set(model.word_index))
    if not new:
        return 0
    vectors = word_vectors_for(new, model.settings["word_vectors"], model.settings["char_vectors"])
    old = model.word_emb
    weight = torch.cat([old.weight.data, torch.from_numpy(vectors).to(old.weight.dtype)])
    model.word_emb = nn.Embedding.from_pretrained(weight, freeze=True, padding_idx=old.padding_idx).to(
        old.weight.device)
    model.word_index.update({w: len(model.vocab) + i for i, w in enumerate(new)})
    model.vocab = [*model.vocab, *new]
    return len(new)


def relation_records(documents: list[Document], features, scores: list[np.ndarray], theta: float,
                     relations: list[str], labels: dict[str, str],
                     kb_ids: dict[tuple[int, int], str] | None = None) -> list[dict]:
    """The output records (module docstring) of every score >= theta.

    ``scores[d]``: ``[P_d, R-1]`` of document d's pairs in ``features[d].pairs`` order;
    ``kb_ids``: (document, entity) -> KG id.
    """
    kb_ids = kb_ids or {}
    out = []
    for d, (doc, f, s) in enumerate(zip(documents, features, scores)):
        rows, cols = np.nonzero(s >= theta)
        found = []
        for row, col in zip(rows.tolist(), cols.tolist()):
            h, t = int(f.pairs[row, 0]), int(f.pairs[row, 1])
            r = relations[col]

            def entity(e: int) -> dict:
                ent = doc.entities[e]
                return {"name": ent.name, "type": ent.type, "kb_id": kb_ids.get((d, e)) or ent.kb_id}

            found.append({"title": doc.title, "h_idx": h, "t_idx": t, "r": r, "r_label": labels.get(r, r),
                          "score": round(float(s[row, col]), 6), "head": entity(h), "tail": entity(t)})
        out.extend(sorted(found, key=lambda x: (-x["score"], x["h_idx"], x["t_idx"], x["r"])))
    return out


def predict(run_dir: str | Path, documents: list[Document], labels: dict[str, str], *,
            settings: dict[str, Any] | None = None, kb_ids: dict[tuple[int, int], str] | None = None,
            batch_size: int = 4, device: str = "cpu", theta: float | None = None) -> list[dict]:
    """Score ``documents`` with the run at ``run_dir``; return the relations found (module docstring).

    ``theta`` None: the run's own (theta.json).
    """
    import torch

    from kire.train.scores import relation_scores

    theta = read_theta(run_dir) if theta is None else theta
    pipeline, meta = load_run(run_dir, documents, settings)
    model = pipeline.model
    added = extend_vocabulary(model, documents)
    if added:
        log.info("%d words of the input were not in the run's vocabulary: LP vectors added", added)
    features = [model.featurize(doc, i, "input") for i, doc in enumerate(documents)]
    dev = torch.device(device)
    pipeline.to(dev)
    scores = relation_scores(pipeline, features, SPLIT, batch_size, dev)
    return relation_records(documents, features, scores, theta, model.space.relations, labels, kb_ids)
