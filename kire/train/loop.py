"""The training loop: Adam or AdamW with an optional warm-up/decay schedule, gradient clipping, early
stopping on dev F1, resumable checkpoints.

Stage 2 of two-stage training (a variant with ``init_from``) starts a fresh optimiser and schedule:
no moment of the base run's optimiser is carried over (the base run's state is not even read, only
its best weights), as is usual when fine-tuning from a checkpoint; its starting weights are scored
as epoch 0 and may be selected.

Every epoch appends one JSON line to ``metrics.jsonl`` and rewrites ``checkpoint/state.safetensors``
(weights, optimizer moments, RNG state) and ``checkpoint/state.json`` (epoch, best F1, patience
counter, the metrics so far); an interrupted run started again with the same settings continues
after the last finished epoch. The best model on dev is kept in ``checkpoint/best/`` (the run's
declared outputs are written only when training is over, so a workflow manager that deletes the
outputs of a failed job never deletes what a resumed run needs).
"""

from __future__ import annotations

import json
import logging
import math
import random
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np
import torch

from kire.eval.metric import Fact, Truth, official_scores
from kire.eval.threshold import best_threshold, degenerate_threshold_warning
from kire.io import atomic_path, write_json_atomic
from kire.models.checkpoint import load_tensors, save_model, save_tensors
from kire.models.features import DocFeatures
from kire.train.events import write_event_file
from kire.train.settings import TrainConfig
from kire.train.scores import candidate_correctness, iter_batches, relation_scores, submission
from kire.train.pipeline import Pipeline

log = logging.getLogger(__name__)


def resolve_device(name: str) -> torch.device:
    """``auto``: CUDA when present, else CPU."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and torch and ask torch for deterministic kernels."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True, warn_only=True)


@dataclass
class DevResult:
    """Dev scores of the current weights at the chosen threshold."""

    f1: float
    ign_f1: float
    p: float
    r: float
    theta: float
    warnings: tuple[str, ...] = ()  # e.g. a degenerate threshold (kire.eval.threshold)


def evaluate_dev(pipeline: Pipeline, features: Sequence[DocFeatures], truth: Truth,
                 train_facts: set[Fact], batch_size: int, device: torch.device,
                 progress: bool = False) -> tuple[DevResult, list[np.ndarray]]:
    """Score dev, choose theta (or take the model's fixed one) and apply the official metric."""
    relations = pipeline.model.space.relations
    scores = relation_scores(pipeline, features, "dev", batch_size, device, progress)
    theta = pipeline.model.fixed_theta
    if theta is None:
        flat, correct = candidate_correctness(features, scores, truth, relations)
        theta, _ = best_threshold(flat, correct, len(truth.gold))
    predicted = submission(features, scores, theta, relations)
    metric = official_scores(truth, predicted, train_facts)
    # a fixed threshold (ATLOP's margins over class 0) is 0 by design: only the count is checked
    chosen = theta if pipeline.model.fixed_theta is None else None
    warning = degenerate_threshold_warning(chosen, len(predicted), len(truth.gold))
    if warning:
        log.warning("%s", warning)
    return DevResult(metric["f1"], metric["ign_f1"], metric["p"], metric["r"], theta,
                     (warning,) if warning else ()), scores


def optimizer_for(pipeline: Pipeline, cfg: TrainConfig) -> torch.optim.Optimizer:
    """Adam or AdamW (``cfg.optimizer``) over the trainable parameters, in named groups: ``base``
    (the model's own parameters, ``lr``), ``encoder`` (pretrained encoder weights, ``encoder_lr``)
    and ``inject`` (the variant's new parameters, ``inject_lr``, default ``lr``)."""
    encoder, inject, rest = [], [], []
    for name, param in pipeline.named_parameters():
        if param.requires_grad:
            if name.startswith("model.encoder."):
                encoder.append(param)
            elif name.startswith("inject."):
                inject.append(param)
            else:
                rest.append(param)
    groups = [{"params": rest, "lr": cfg.lr, "name": "base"}]
    if encoder:
        groups.append({"params": encoder, "lr": cfg.encoder_lr, "name": "encoder"})
    if inject:
        groups.append({"params": inject, "lr": cfg.inject_lr if cfg.inject_lr is not None else cfg.lr,
                       "name": "inject"})
    if cfg.optimizer == "adamw":  # weight decay 0, as the transformers AdamW that ATLOP's authors used
        return torch.optim.AdamW(groups, eps=cfg.adam_eps, weight_decay=0.0, fused=True)
    return torch.optim.Adam(groups, eps=cfg.adam_eps, fused=True)


def schedule_for(optimizer: torch.optim.Optimizer, cfg: TrainConfig, steps_per_epoch: int
                 ) -> torch.optim.lr_scheduler.LambdaLR:
    """The learning-rate schedule, stepped once per batch: each group's rate times a factor that rises
    linearly from 0 over the first ``int(warmup_ratio * total)`` steps (total = epochs x
    ``steps_per_epoch``), then stays 1 (``decay: none``) or falls linearly to 0 at the last step
    (``decay: linear``, transformers' get_linear_schedule_with_warmup, as ATLOP's authors train)."""
    total = cfg.epochs * steps_per_epoch
    warmup = int(cfg.warmup_ratio * total)
    if cfg.decay == "linear":
        from transformers import get_linear_schedule_with_warmup

        return get_linear_schedule_with_warmup(optimizer, num_warmup_steps=warmup, num_training_steps=total)
    return torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: min(1.0, step / warmup) if warmup else 1.0)


def save_state(ckpt_dir: Path, pipeline: Pipeline, optimizer: torch.optim.Optimizer,
               state: dict[str, Any]) -> None:
    """Write the resumable state: tensors to safetensors, the rest to JSON (no pickle anywhere);
    ``state["scheduler"]`` holds the schedule's step count."""
    tensors = {f"p.{k}": v for k, v in pipeline.state_dict().items()}
    opt = optimizer.state_dict()
    for idx, slots in opt["state"].items():
        for key, value in slots.items():
            tensors[f"o.{idx}.{key}"] = value if torch.is_tensor(value) else torch.tensor(value)
    tensors["rng.torch"] = torch.get_rng_state()
    save_tensors(tensors, ckpt_dir / "state.safetensors")
    write_json_atomic(ckpt_dir / "state.json", {**state, "param_groups": opt["param_groups"]})


def load_state(ckpt_dir: Path, pipeline: Pipeline, optimizer: torch.optim.Optimizer) -> dict[str, Any]:
    """Restore what :func:`save_state` wrote; return its JSON part."""
    state = json.loads((ckpt_dir / "state.json").read_text(encoding="utf-8"))
    tensors = load_tensors(ckpt_dir / "state.safetensors")
    pipeline.load_state_dict({k[2:]: v for k, v in tensors.items() if k.startswith("p.")})
    slots: dict[int, dict[str, torch.Tensor]] = {}
    for key, value in tensors.items():
        if key.startswith("o."):
            _, idx, name = key.split(".", 2)
            slots.setdefault(int(idx), {})[name] = value
    optimizer.load_state_dict({"state": slots, "param_groups": state.pop("param_groups")})
    torch.set_rng_state(tensors["rng.torch"])
    return state


def write_metrics(path: Path, rows: list[dict[str, Any]], tensorboard: bool = False) -> None:
    """Rewrite ``metrics.jsonl`` atomically: one JSON object per finished epoch; with ``tensorboard``
    also the TensorBoard event file beside it from the same rows (kire.train.events)."""
    with atomic_path(path) as tmp:
        tmp.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    if tensorboard:
        write_event_file(path.parent, rows)


def dev_record(dev: DevResult) -> dict[str, float]:
    """The dev part of an epoch's record in metrics.jsonl."""
    return {"dev_f1": dev.f1, "dev_ign_f1": dev.ign_f1, "dev_p": dev.p, "dev_r": dev.r, "theta": dev.theta,
            **({"warnings": list(dev.warnings)} if dev.warnings else {})}


def fit(pipeline: Pipeline, train_features: Sequence[DocFeatures], dev_features: Sequence[DocFeatures],
        dev_truth: Truth, train_facts: set[Fact], cfg: TrainConfig, out_dir: str | Path,
        meta: dict[str, Any], on_epoch: Callable[[dict[str, Any]], None] | None = None,
        score_start: bool = False) -> dict[str, Any]:
    """Train ``pipeline``; its best dev-F1 weights go to ``out_dir/checkpoint/best/``.

    ``score_start`` (stage 2 of two-stage training): the starting weights are scored on dev first,
    as epoch 0 of metrics.jsonl, and compete in the model selection like every epoch, so that a
    fine-tuned run never reports less than the model it started from; patience counts from there.
    ``meta`` is written as ``model.json`` beside the best weights (see kire.models.checkpoint). Returns the final state:
    ``{"epoch", "best_f1", "best_epoch", "bad_epochs", "metrics": [...], "stopped"}``.
    """
    out_dir = Path(out_dir)
    ckpt_dir = out_dir / "checkpoint"
    device = resolve_device(cfg.device)
    seed_everything(cfg.seed)
    pipeline.to(device)
    optimizer = optimizer_for(pipeline, cfg)
    steps_per_epoch = math.ceil(len(train_features) / cfg.batch_size)
    scheduler = schedule_for(optimizer, cfg, steps_per_epoch)
    # what must match for a checkpoint to be resumed: not the epoch budget or patience
    fixed = {k: v for k, v in meta.items() if k != "train"}
    fingerprint = cfg.fingerprint({"meta": fixed, "n_train": len(train_features), "n_dev": len(dev_features),
                                   **({"score_start": True} if score_start else {})})
    state: dict[str, Any] = {"fingerprint": fingerprint, "epoch": 0, "best_f1": -1.0, "best_epoch": 0,
                             "bad_epochs": 0, "metrics": [], "stopped": False}
    if (ckpt_dir / "state.json").is_file():
        saved = json.loads((ckpt_dir / "state.json").read_text(encoding="utf-8"))
        if saved.get("fingerprint") == fingerprint:
            state = load_state(ckpt_dir, pipeline, optimizer)
            scheduler.load_state_dict(state.pop("scheduler"))  # the fingerprint has the schedule's settings
            log.info("resuming %s after epoch %d", out_dir, state["epoch"])
        else:
            log.warning("ignoring checkpoint in %s: it was made with other settings", ckpt_dir)
    n_classes = pipeline.model.space.n_classes
    from tqdm import tqdm

    def finish_epoch(row: dict[str, Any], dev: DevResult) -> None:
        state["metrics"].append(row)
        state["epoch"] = row["epoch"]
        if dev.f1 > state["best_f1"]:
            state.update(best_f1=dev.f1, best_epoch=row["epoch"], bad_epochs=0)
            save_model(pipeline, meta, ckpt_dir / "best")
        else:
            state["bad_epochs"] += 1
            state["stopped"] = state["bad_epochs"] >= cfg.patience
        write_metrics(out_dir / "metrics.jsonl", state["metrics"], cfg.tensorboard)
        save_state(ckpt_dir, pipeline, optimizer, {**state, "scheduler": scheduler.state_dict()})
        if on_epoch:
            on_epoch(row)

    if score_start and not state["metrics"]:
        started = time.perf_counter()
        dev, _ = evaluate_dev(pipeline, dev_features, dev_truth, train_facts, cfg.batch_size, device)
        log.info("epoch 0 (starting weights): dev F1 %.4f Ign F1 %.4f theta %.4f", dev.f1, dev.ign_f1, dev.theta)
        finish_epoch({"epoch": 0, **dev_record(dev), "train_seconds": 0.0,
                      "seconds": time.perf_counter() - started}, dev)

    while state["epoch"] < cfg.epochs and not state["stopped"]:
        epoch = state["epoch"] + 1
        pipeline.train()
        started = time.perf_counter()
        # the order depends only on (seed, epoch): a resumed run sees the same batches
        order = torch.randperm(len(train_features), generator=torch.Generator().manual_seed(cfg.seed * 100003 + epoch))
        sums: dict[str, float] = {}
        n_batches = 0
        for batch in tqdm(iter_batches(train_features, cfg.batch_size, n_classes, order.tolist()),
                          total=steps_per_epoch, desc=f"epoch {epoch}", disable=not cfg.progress, leave=False):
            batch = batch.to(device)
            terms = pipeline.losses(batch, "train")
            loss = sum(terms.values())
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            if cfg.grad_clip > 0:
                torch.nn.utils.clip_grad_norm_(pipeline.parameters(), cfg.grad_clip)
            optimizer.step()
            scheduler.step()
            for name, value in terms.items():
                sums[name] = sums.get(name, 0.0) + float(value.detach())
            n_batches += 1
        train_seconds = time.perf_counter() - started
        dev, _ = evaluate_dev(pipeline, dev_features, dev_truth, train_facts, cfg.batch_size, device)
        row = {"epoch": epoch, "loss": sum(sums.values()) / max(n_batches, 1),
               **{f"loss_{k}": v / max(n_batches, 1) for k, v in sums.items()},
               **dev_record(dev), "train_seconds": train_seconds,
               "docs_per_second": len(train_features) / train_seconds if train_seconds else None,
               "seconds": time.perf_counter() - started,
               **{f"lr_{g.get('name', i)}": g["lr"] for i, g in enumerate(optimizer.param_groups)}}
        log.info("epoch %d: loss %.4f dev F1 %.4f Ign F1 %.4f theta %.4f (%.1fs)", epoch, row["loss"],
                 dev.f1, dev.ign_f1, dev.theta, row["seconds"])
        finish_epoch(row, dev)
    return state
