"""Saved models: weights in safetensors (loading never unpickles), architecture in JSON.

A model folder holds ``model.safetensors`` (every parameter and buffer of the pipeline, keys as in
``state_dict``) and ``model.json``: ``{"model": registry name, "space": LabelSpace, "spec": the
model's constructor settings, "variant": name, "variant_spec": the variant's settings}``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file

from kire.errors import InputError
from kire.io import atomic_path, write_json_atomic


def save_tensors(tensors: dict[str, torch.Tensor], target: str | Path) -> Path:
    """Write ``tensors`` to a safetensors file atomically (copies shared or strided tensors)."""
    flat = {k: v.detach().cpu().contiguous().clone() for k, v in tensors.items()}
    with atomic_path(target) as tmp:
        save_file(flat, str(tmp))
    return Path(target)


def load_tensors(path: str | Path) -> dict[str, torch.Tensor]:
    """Read a safetensors file; InputError when it is missing or corrupt."""
    path = Path(path)
    if not path.is_file():
        raise InputError(str(path), None, None, "checkpoint not found")
    try:
        return load_file(str(path))
    except Exception as err:  # safetensors raises its own error types for bad headers
        raise InputError(str(path), None, None, f"not a valid safetensors file ({err})") from None


def save_model(module: torch.nn.Module, meta: dict[str, Any], out_dir: str | Path) -> Path:
    """Write ``out_dir/model.safetensors`` and ``out_dir/model.json``; return ``out_dir``."""
    out_dir = Path(out_dir)
    save_tensors(module.state_dict(), out_dir / "model.safetensors")
    write_json_atomic(out_dir / "model.json", meta)
    return out_dir


def read_model_meta(model_dir: str | Path) -> dict[str, Any]:
    """The ``model.json`` of a saved model."""
    path = Path(model_dir) / "model.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(str(path), None, None, "model description not found") from None
    except json.JSONDecodeError as err:
        raise InputError(str(path), None, None, f"not valid JSON ({err})") from None
