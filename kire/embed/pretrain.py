"""Self-supervised pretraining of the attribute AutoEncoder (eq. 7) on all attribute sequences.

Identical token sequences are trained on once (a class label such as "instance of human" would
otherwise dominate and leak into the held-out set). The distinct sequences are split, seeded,
into training and a held-out part (2% by default, at least min(50, 10%) of the sequences) that
picks the epoch and gives the reported token reconstruction accuracy: the epoch with the best
held-out accuracy is kept, and training stops after ``patience`` epochs without improvement.
Batches hold sequences of one length, so no padding is ever read. The reconstruction targets
are the lowercased tokens, the ``vocab_size`` most frequent of them in the training part, every
other token mapping to ``<unk>`` (id 0).
"""

from __future__ import annotations

import copy
import logging
import time
from collections import Counter
from dataclasses import asdict, dataclass

import numpy as np

from kire.embed.lookup import LPLookup
from kire.errors import KireError

log = logging.getLogger(__name__)

UNK = "<unk>"


@dataclass
class PretrainSettings:
    """Hyper-parameters of AutoEncoder pretraining (config section ``embed``)."""

    hidden: int = 50
    vocab_size: int = 20000
    batch_size: int = 64
    lr: float = 5e-3
    max_epochs: int = 30
    patience: int = 3
    heldout: float = 0.02
    seed: int = 13
    threads: int = 1
    progress: bool = True


def distinct_sequences(sequences: list[list[str]]) -> list[tuple[str, ...]]:
    """Return the distinct non-empty token sequences, sorted (a deterministic order)."""
    return sorted({tuple(s) for s in sequences if s})


def output_vocabulary(sequences: list[tuple[str, ...]], size: int) -> list[str]:
    """Return ``[<unk>]`` + the ``size`` most frequent lowercased tokens of ``sequences``
    (ties broken alphabetically)."""
    counts = Counter(t.lower() for s in sequences for t in s)
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:size]
    return [UNK] + [t for t, _ in ranked]


def length_batches(lengths: np.ndarray, batch_size: int,
                   rng: np.random.Generator | None = None) -> list[np.ndarray]:
    """Return batches of indices into ``lengths`` where every batch holds one length.

    With ``rng`` the sequences within a length and the order of batches are shuffled; without,
    batches come in index order (for deterministic encoding).
    """
    batches: list[np.ndarray] = []
    for length in np.unique(lengths):
        idx = np.flatnonzero(lengths == length)
        if rng is not None:
            idx = rng.permutation(idx)
        batches.extend(idx[i:i + batch_size] for i in range(0, len(idx), batch_size))
    if rng is not None:
        batches = [batches[i] for i in rng.permutation(len(batches))]
    return batches


def lp_coverage(lookup: LPLookup, sequences: list[tuple[str, ...]]) -> dict[str, float]:
    """Return the share of token occurrences in ``sequences`` whose LP (eq. 6) comes from a word
    vector, from character vectors, or is zero."""
    counts = Counter(lookup.source(t) for s in sequences for t in s)
    total = sum(counts.values()) or 1
    return {k: counts.get(k, 0) / total for k in ("word", "char", "zero")}


class _Data:
    """Token ids of the distinct sequences: ``inputs[i]`` ids into the LP table, ``targets[i]``
    ids into the output vocabulary; both int64 arrays of the sequence's length."""

    def __init__(self, sequences: list[tuple[str, ...]], lookup: LPLookup, out_vocab: list[str]):
        import torch

        words = sorted({t for s in sequences for t in s})
        in_index = {w: i for i, w in enumerate(words)}
        out_index = {w: i for i, w in enumerate(out_vocab)}
        self.lp = torch.from_numpy(lookup.matrix(words))  # [U, d] frozen LP vectors
        self.inputs = [np.array([in_index[t] for t in s], np.int64) for s in sequences]
        self.targets = [np.array([out_index.get(t.lower(), 0) for t in s], np.int64)
                        for s in sequences]
        self.lengths = np.array([len(s) for s in sequences], np.int64)
        out_lp = lookup.matrix(out_vocab)
        out_lp[0] = 0.0  # <unk> has no vector of its own
        self.out_lp = torch.from_numpy(out_lp)  # [V, d] tied output weights

    def batch(self, idx: np.ndarray):
        """Return (LP vectors [B, M, d], targets [B, M]) of the equal-length sequences ``idx``."""
        import torch

        ids = torch.from_numpy(np.stack([self.inputs[i] for i in idx]))
        targets = torch.from_numpy(np.stack([self.targets[i] for i in idx]))
        return self.lp[ids], targets


def _evaluate(model, data: _Data, idx: np.ndarray, batch_size: int) -> dict[str, float]:
    """Held-out loss and token accuracy (all positions, and positions whose target is known)."""
    import torch

    model.eval()
    loss_sum, n, correct, known, known_correct = 0.0, 0, 0, 0, 0
    with torch.no_grad():
        for b in length_batches(data.lengths[idx], batch_size):
            x, y = data.batch(idx[b])
            logits = model(x)
            loss_sum += float(torch.nn.functional.cross_entropy(
                logits.flatten(0, 1), y.flatten(), reduction="sum"))
            hit = logits.argmax(-1) == y
            n += y.numel()
            correct += int(hit.sum())
            known += int((y != 0).sum())
            known_correct += int((hit & (y != 0)).sum())
    return {"loss": loss_sum / max(n, 1), "accuracy": correct / max(n, 1),
            "accuracy_known": known_correct / max(known, 1)}


def _baseline(data: _Data, train: np.ndarray, held: np.ndarray) -> dict:
    """The trivial baseline: always predict the most frequent training target token."""
    counts = Counter(int(t) for i in train for t in data.targets[i])
    top = max(counts.items(), key=lambda kv: (kv[1], -kv[0]))[0]
    held_targets = np.concatenate([data.targets[i] for i in held])
    known = held_targets != 0
    return {"token_id": top, "accuracy": float((held_targets == top).mean()),
            "accuracy_known": float((held_targets[known] == top).mean()) if known.any() else 0.0}


def pretrain_autoencoder(sequences: list[list[str]], lookup: LPLookup,
                         settings: PretrainSettings = PretrainSettings()):
    """Pretrain the AutoEncoder on ``sequences`` (token lists) embedded by ``lookup``.

    Returns ``(model, report)``: the AttributeAutoEncoder with the weights of its best held-out
    epoch, and a JSON-able report (sizes, per-epoch losses, held-out token accuracy and the
    most-frequent-token baseline, LP coverage, seconds).
    """
    import torch

    from kire.embed.autoencoder import AttributeAutoEncoder
    from kire.progress import Progress

    start = time.perf_counter()
    torch.manual_seed(settings.seed)
    torch.set_num_threads(settings.threads)
    rng = np.random.default_rng(settings.seed)

    distinct = distinct_sequences(sequences)
    if len(distinct) < 2:
        raise KireError(f"AutoEncoder pretraining needs at least 2 distinct attribute sequences, "
                        f"got {len(distinct)}")
    order = rng.permutation(len(distinct))
    # A tiny KG (the sample) would hold out a handful of sequences: keep at least min(50, 10%).
    n_held = max(1, round(settings.heldout * len(distinct)), min(50, len(distinct) // 10))
    n_held = min(len(distinct) - 1, n_held)
    held, train = np.sort(order[:n_held]), np.sort(order[n_held:])
    out_vocab = output_vocabulary([distinct[i] for i in train], settings.vocab_size)
    data = _Data(distinct, lookup, out_vocab)

    model = AttributeAutoEncoder(lookup.dim, settings.hidden, data.out_lp)
    optimizer = torch.optim.Adam(model.parameters(), lr=settings.lr)
    baseline = _baseline(data, train, held)
    history, best, best_state, stale = [], None, None, 0
    for epoch in range(1, settings.max_epochs + 1):
        model.train()
        batches = length_batches(data.lengths[train], settings.batch_size, rng)
        # A bar on a terminal, a plain line every 30 s in a rule log (no carriage-return redraws).
        bar = Progress(f"autoencoder epoch {epoch}", total=len(batches), unit="batch",
                       enabled=settings.progress)
        loss_sum, n_tok = 0.0, 0
        for b in batches:
            x, y = data.batch(train[b])
            loss = torch.nn.functional.cross_entropy(model(x).flatten(0, 1), y.flatten())
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            loss_sum += loss.item() * y.numel()
            n_tok += y.numel()
            bar.update(1, note=f"loss {loss_sum / n_tok:.3f}")
        bar.close()
        metrics = _evaluate(model, data, held, settings.batch_size)
        history.append({"epoch": epoch, "train_loss": loss_sum / max(n_tok, 1),
                        "heldout_loss": metrics["loss"], "heldout_accuracy": metrics["accuracy"]})
        log.info("epoch %d: train loss %.4f, held-out loss %.4f, held-out token accuracy %.4f",
                 epoch, history[-1]["train_loss"], metrics["loss"], metrics["accuracy"])
        # The reported figure, held-out token accuracy, picks the epoch (loss breaks ties).
        if best is None or (metrics["accuracy"], -metrics["loss"]) > (best["accuracy"], -best["loss"]):
            best, best_state, stale = {**metrics, "epoch": epoch}, copy.deepcopy(model.state_dict()), 0
        else:
            stale += 1
            if stale >= settings.patience:
                break
    model.load_state_dict(best_state)
    model.eval()
    report = {
        "settings": {k: v for k, v in asdict(settings).items() if k != "progress"},
        "sequences": len(sequences), "distinct_sequences": len(distinct),
        "train_sequences": int(len(train)), "heldout_sequences": int(len(held)),
        "heldout_tokens": int(sum(len(distinct[i]) for i in held)),
        "lp_dim": lookup.dim, "code_dim": 2 * settings.hidden,
        "input_vocabulary": int(data.lp.shape[0]), "output_vocabulary": len(out_vocab),
        "lp_coverage": lp_coverage(lookup, distinct),
        "epochs_run": len(history), "best_epoch": best["epoch"],
        "heldout_loss": best["loss"], "heldout_token_accuracy": best["accuracy"],
        "heldout_token_accuracy_known": best["accuracy_known"],
        "baseline_most_frequent_token": {**baseline, "token": out_vocab[baseline["token_id"]]},
        "history": history, "seconds": round(time.perf_counter() - start, 1),
    }
    return model, report
