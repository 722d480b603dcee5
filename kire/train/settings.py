"""Hyper-parameters of a training run, importable without torch (the CLI reads its defaults)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from typing import Any

# Size of the entity-id embedding (``kire train --max-entities``): a document with more entities is an error.
MAX_ENTITIES = 128

OPTIMIZERS = ("adam", "adamw")
DECAYS = ("none", "linear")


@dataclass
class TrainConfig:
    """Hyper-parameters of one training run (config key ``train``)."""

    epochs: int = 100         # a cap: early stopping (patience) should end a base run before it
    patience: int = 5
    batch_size: int = 4
    lr: float = 5e-4
    encoder_lr: float = 5e-5   # parameters under ``model.encoder`` (pretrained transformers)
    # Parameters a variant adds (``inject.*``, stage 2 of two-stage training); None: ``lr``.
    inject_lr: float | None = None
    grad_clip: float = 5.0
    # The optimiser and its schedule (config ``train.per_model``: ATLOP as its authors train it,
    # AdamW, eps 1e-6, 6% linear warm-up, then linear decay to 0 at the last step of ``epochs``).
    optimizer: str = "adam"     # adam | adamw (torch's, weight decay 0)
    adam_eps: float = 1e-8
    warmup_ratio: float = 0.0   # share of the ``epochs`` x batches steps spent warming up from 0
    decay: str = "none"         # none: constant after warm-up | linear: linearly to 0 at the last step
    seed: int = 0
    device: str = "auto"
    progress: bool = True
    tensorboard: bool = True   # also write the per-epoch records as a TensorBoard event file

    def __post_init__(self):
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {OPTIMIZERS}, not {self.optimizer!r}")
        if self.decay not in DECAYS:
            raise ValueError(f"decay must be one of {DECAYS}, not {self.decay!r}")
        if not 0.0 <= self.warmup_ratio < 1.0:
            raise ValueError(f"warmup_ratio must be in [0, 1), not {self.warmup_ratio}")

    def fingerprint(self, extra: dict[str, Any]) -> str:
        """Hash of the settings that must match for a run to resume (not patience; not epochs either,
        unless a warm-up or decay spreads the learning rate over them)."""
        free = ("patience", "progress", "device", "tensorboard")
        if self.warmup_ratio == 0 and self.decay == "none":
            free += ("epochs",)
        keys = {k: v for k, v in asdict(self).items() if k not in free}
        blob = json.dumps({**keys, **extra}, sort_keys=True, default=str).encode()
        return hashlib.sha256(blob).hexdigest()[:16]
