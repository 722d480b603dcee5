"""The devices a layer test runs on: always the CPU; CUDA where a GPU is present, skipped (and reported
as skipped, with the reason) where it is not, so that a CPU-only run shows what it did not check."""

from __future__ import annotations

import pytest
import torch

DEVICES = [
    pytest.param("cpu", id="cpu"),
    pytest.param("cuda", id="cuda", marks=pytest.mark.skipif(
        not torch.cuda.is_available(), reason="CUDA not available: this machine has no GPU (or torch is a CPU build)")),
]
