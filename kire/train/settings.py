"""Hyper-parameters of a training run and the flags rule train derives from the config, importable
without torch (the CLI reads its defaults; rules/common.smk and benchmarks/table3_redocred.py the flags)."""

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


# The ``train.*`` keys rule train passes to `kire train` as flags of the same name.
RULE_HYPER = ("epochs", "patience", "batch_size", "lr", "encoder_lr", "grad_clip", "max_entities", "device")


def rule_train_flags(config: dict[str, Any], model: str, stage2: bool, **overrides: Any) -> list[str]:
    """The hyper-parameter and model-setting flags of rule train's `kire train` command for ``model``
    (rules/common.smk ``train_args``; benchmarks/table3_redocred.py builds the same commands).

    Hyper-parameters: ``train.*`` (:data:`RULE_HYPER`), then ``train.per_model.<model>``, then for a
    stage-2 variant the non-null ``train.stage2.*``, then ``overrides``. Model settings:
    ``train.model_settings.<model>`` plus ``embed.glove`` as ``word_vectors`` (every model but ATLOP)
    and ``train.encoder`` as ``encoder``, unless set there.
    """
    train = config.get("train") or {}
    hyper = {k: train[k] for k in RULE_HYPER if train.get(k) is not None}
    hyper.update((train.get("per_model") or {}).get(model, {}))
    if stage2:
        hyper.update((k, v) for k, v in (train.get("stage2") or {}).items() if v is not None)
    hyper.update(overrides)
    model_settings = dict((train.get("model_settings") or {}).get(model, {}))
    if (config.get("embed") or {}).get("glove") and model != "atlop":  # one GloVe setting: embed.glove
        model_settings.setdefault("word_vectors", config["embed"]["glove"])
    if train.get("encoder") is not None:
        model_settings.setdefault("encoder", train["encoder"])
    return [f"--{k.replace('_', '-')}={v}" for k, v in hyper.items()] + ["--model-settings", json.dumps(model_settings)]


def kire_variant_settings(config: dict[str, Any], ablation: str | None, init_from: str, *,
                          coref: str | None = None, subgraph: str | None = None,
                          codes: str | None = None) -> dict[str, Any]:
    """``--variant-settings`` of a KIRE-family stage-2 run (kire.inject.training) from the workflow
    config: ``inject.alpha_cr/alpha_kg/hops/max_attributes/layer/position`` and ``embed.glove``,
    with the run's knowledge inputs (None: the variant reads none of that kind).

    ``position`` is written only when it is not the default ``after_encoder``, so that runs made
    before the option existed keep their parameters (rule train would otherwise rerun them).
    Used by rules/inject.smk (``kire_settings``) and benchmarks/table3_redocred.py.
    """
    inject = config["inject"]
    settings: dict[str, Any] = {"ablation": ablation, "init_from": init_from, "alpha_cr": inject["alpha_cr"],
                                "alpha_kg": inject["alpha_kg"], "hops": inject["hops"],
                                "max_attributes": inject["max_attributes"], "inject": inject["layer"]}
    if inject.get("position", "after_encoder") != "after_encoder":
        settings["position"] = inject["position"]
    for key, path in (("coref", coref), ("subgraph", subgraph), ("codes", codes)):
        if path is not None:
            settings[key] = path
    if (config.get("embed") or {}).get("glove"):
        settings["glove"] = config["embed"]["glove"]
    return settings
