"""Configuration checks with messages that name the offending key.

The Snakefile calls :func:`check_config` before Snakemake's own ``validate`` (which also fills in
defaults), so that a wrong key or type fails before any job runs with a one-line message such as
``config key 'datasets.sample.format': 'conll' is not one of ['docred', 'dwie']``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from kire.errors import KireError


class ConfigError(KireError):
    """The configuration does not match workflow/schemas/config.schema.yaml."""


# Keys that moved: old dotted key -> where its value goes now (named in the unknown-key message).
MOVED_KEYS: dict[str, str] = {"train.inject_lr": "train.stage2.inject_lr"}


def load_schema(path: str | Path) -> dict[str, Any]:
    """Return the JSON Schema stored as YAML at ``path``."""
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def config_errors(config: dict[str, Any], schema: dict[str, Any]) -> list[str]:
    """Return one message per schema violation, each naming the dotted key it concerns."""
    import jsonschema

    validator_cls = jsonschema.validators.validator_for(schema)
    validator = validator_cls(schema)
    messages = []
    for err in sorted(validator.iter_errors(config), key=lambda e: list(map(str, e.absolute_path))):
        key = ".".join(str(p) for p in err.absolute_path)
        if err.validator == "additionalProperties":
            # The offending key is in the message, not in the path: name it in full.
            extra = [".".join(filter(None, [key, x]))
                     for x in sorted(set(err.instance) - set(err.schema.get("properties", {})))]
            names = ", ".join(f"'{x}'" for x in extra)
            moved = "".join(f"; '{x}' is now '{MOVED_KEYS[x]}'" for x in extra if x in MOVED_KEYS)
            messages.append(f"unknown config key {names} (see workflow/schemas/config.schema.yaml){moved}")
        else:
            messages.append(f"config key '{key or '<top level>'}': {err.message}")
    return messages


def grid_errors(config: dict[str, Any]) -> list[str]:
    """Names in ``experiments`` that nothing defines: a model not in the registry, a variant not in
    the variant table, a dataset not under ``datasets``; caught here rather than as a missing input
    or a failed train job after the KG and documents have been built."""
    from kire.models.registry import MODELS
    from kire.train.variant_table import VARIANTS

    experiments = config.get("experiments") or {}
    if not isinstance(experiments, dict):
        return []
    datasets = config.get("datasets") or {}
    known = {"models": sorted(MODELS), "variants": list(VARIANTS),
             "datasets": sorted(datasets) if isinstance(datasets, dict) else []}
    messages = []
    for key, names in known.items():
        given = experiments.get(key)
        if not isinstance(given, list):
            continue
        for name in given:
            if isinstance(name, str) and name not in names:
                messages.append(f"config key 'experiments.{key}': unknown {key[:-1]} {name!r}; "
                                f"known: {', '.join(names)}")
    return messages + per_model_errors(config) + position_errors(config)


def per_model_errors(config: dict[str, Any]) -> list[str]:
    """Names under ``train.model_settings`` and ``train.per_model`` that are not registered models: their
    settings would apply to no run, silently."""
    from kire.models.registry import MODELS

    train = config.get("train") or {}
    if not isinstance(train, dict):
        return []
    return [f"config key 'train.{key}.{name}': unknown model {name!r}; known: {', '.join(sorted(MODELS))}"
            for key in ("model_settings", "per_model") if isinstance(train.get(key), dict)
            for name in train[key] if name not in MODELS]


def position_errors(config: dict[str, Any]) -> list[str]:
    """``inject.position: before_encoder`` with a KIRE-family variant in the grid and a model that has no
    word input states to inject into (kire.models.registry.INPUT_STREAM_MODELS): one message per model."""
    from kire.models.registry import INPUT_STREAM_MODELS
    from kire.train.variant_table import VARIANTS

    inject, experiments = config.get("inject") or {}, config.get("experiments") or {}
    if not isinstance(inject, dict) or inject.get("position") != "before_encoder" or not isinstance(experiments, dict):
        return []
    variants, models = experiments.get("variants") or [], experiments.get("models") or []
    if not any(isinstance(v, str) and v in VARIANTS and VARIANTS[v].family == "kire" for v in variants):
        return []
    return [f"config key 'inject.position': 'before_encoder' needs word models ({', '.join(INPUT_STREAM_MODELS)}); "
            f"experiments.models has {m!r}, which supports only 'after_encoder'"
            for m in models if isinstance(m, str) and m not in INPUT_STREAM_MODELS]


def check_config(config: dict[str, Any], schema_path: str | Path) -> None:
    """Raise :class:`ConfigError` listing every violation of the schema at ``schema_path``, every
    unknown name in ``experiments`` and every unknown model under ``train.model_settings`` and
    ``train.per_model`` (:func:`grid_errors`)."""
    errors = config_errors(config, load_schema(schema_path)) + grid_errors(config)
    if errors:
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(errors))
