"""Hyper-parameters of a training run, importable without torch (the CLI reads its defaults)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from typing import Any

# Size of the entity-id embedding (``kire train --max-entities``): a document with more entities is an error.
MAX_ENTITIES = 128


@dataclass
class TrainConfig:
    """Hyper-parameters of one training run (config key ``train``)."""

    epochs: int = 30
    patience: int = 5
    batch_size: int = 4
    lr: float = 5e-4
    encoder_lr: float = 5e-5   # parameters under ``model.encoder`` (pretrained transformers)
    # Parameters a variant adds (``inject.*``, stage 2 of two-stage training); None: ``lr``.
    inject_lr: float | None = None
    grad_clip: float = 5.0
    seed: int = 0
    device: str = "auto"
    progress: bool = True
    tensorboard: bool = True   # also write the per-epoch records as a TensorBoard event file

    def fingerprint(self, extra: dict[str, Any]) -> str:
        """Hash of the settings that must match for a run to resume (not epochs/patience)."""
        keys = {k: v for k, v in asdict(self).items() if k not in ("epochs", "patience", "progress", "device", "tensorboard")}
        blob = json.dumps({**keys, **extra}, sort_keys=True, default=str).encode()
        return hashlib.sha256(blob).hexdigest()[:16]
